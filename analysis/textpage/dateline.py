"""The dateline of a text dump: the lines that may date the article, and their date.

The article's date is printed by its headline, at the head of its body or
just after it; the masthead's date, other articles' and the comments' are
not the page's. :func:`_date_candidates` orders the lines by where they
stand and by what their label says (published, updated, a member's
sign-up), and :func:`_read_date` reads the first that holds a date.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence

from analysis.dates import is_relative_dateline, parse_date_text, relative_date_problem
from analysis.textpage.headline import _DATELINE_REACH
from analysis.textpage.lines import looks_like_dateline, word_count

_AFTER_BODY_LINES = 15  # lines after the body where a closing "Published ..." may stand
_ABOVE_HEADLINE_LINES = 20


def _date_candidates(lines: list[str], head: int | None, first: int, body: list[int],
                     languages: Sequence[str], printed: int | None = None,
                     datelines: Mapping[int, bool] | None = None) -> list[int]:
    """Return indices of lines whose date may be the page's, most plausible first.

    Just below the printed headline (``printed``) first, then between the
    headline (its first copy, ``head``) and the body (nearest the headline),
    then shortly above the headline, then the body, then just after it. Dates
    far above the headline (the masthead's today, other articles) and after
    the body (comments, footer, copyright) are not the article's. Without
    a headline, the lines above the body are read upwards from it, as the
    masthead's date is at the top of the page.

    Within that order, what a line says about its date counts first: a
    date labelled as the publication ("Published:", "Veröffentlicht am")
    goes before any other, one labelled as an update ("Aktualisiert am",
    "mis à jour") or an embedded post's goes after every unlabelled one,
    and a member's sign-up date on a forum ("Registriert: ...") is never
    the page's.

    *datelines* says, for lines already measured (by index), whether each
    looks like a dateline; the others are read here.
    """
    known = datelines or {}

    def is_dateline(i: int) -> bool:
        found = known.get(i)
        return looks_like_dateline(lines[i]) if found is None else found

    start = first if head is None else head
    body_first = body[0] if body else min(start + 30, len(lines))
    body_last = body[-1] if body else body_first
    above = range(start, max(body_first, start + 1) + 1)
    if head is None:
        above, head = above[::-1], start
    # The lines just below the printed headline come first: its dateline
    # sits there even when a copy of the title stands higher up (a teaser).
    near = range(printed, printed + _DATELINE_REACH + 1) if printed is not None else range(0)
    zones = [near, above,
             range(max(head - _ABOVE_HEADLINE_LINES, 0), head)[::-1],
             range(body_first + 1, body_last + 1),
             range(body_last + 1, min(body_last + 1 + _AFTER_BODY_LINES, len(lines)))]
    # The headline itself may name a day ("Results, Aalen, 19.5.2007"): the
    # event's, not the article's, unless nothing else is printed.
    headlines = {i for i in (printed, head) if i is not None}
    out, seen, leads, late = [], set(), [], []
    for k, zone in enumerate(zones):
        found = []
        for i in zone:
            line = lines[i] if i < len(lines) else ""
            if i in seen or not line:
                continue
            if k >= 3 and i > body_first + _DATED_LEAD_LINES and not is_dateline(i):
                # Only a dateline counts here, and no later zone holds the
                # line: the copyright test would change nothing.
                continue
            if _COPYRIGHT_LINE.search(line):
                continue
            seen.add(i)
            if is_dateline(i) or (
                i <= body_first and len(line) <= _RELATIVE_MAX_CHARS
                and is_relative_dateline(line, languages=languages[:1])
            ):
                if _SIGNED_UP.search(line):
                    continue
                (late if i in headlines else found).append(i)
            elif (k <= 1 or (k == 3 and i <= body_first + _DATED_LEAD_LINES)) and \
                    looks_like_dateline(line[:_DATED_LEAD]):
                # A paragraph opening with a date ("27.1.2022 - Bei der ...",
                # "By Ela on 31. October, 2023 | 18 Comments ...") next to
                # the headline dates the article.
                leads.append((k, i))
        # Outside the article (above the headline, after the body) several
        # dates are a list of other articles or comments, none the page's.
        if k in (2, 4) and len(found) >= _DATE_LIST:  # zones above the headline, after the body
            continue
        out += [(k, i) for i in found]
    # The article's head (headline, byline, dateline) often opens the kept
    # body too: the lines before its first paragraphs count as above it.
    head_end, words = body_first, 0
    for i in body:
        if words >= _HEAD_WORDS:
            break
        head_end, words = i, words + word_count(lines[i])
    # Tiers: datelines by the headline (0), dated paragraphs there (1),
    # datelines of the body and after it (2), dated paragraphs opening the
    # body (3). A dated paragraph by the headline goes before the body's
    # and the footer's datelines (comments, other articles). Lines of the
    # article's head, wherever they stand, are sorted by their label
    # first, then by tier; so are the rest, after them.
    tiers = [(2 if k >= 3 else 0, i) for k, i in out] + [(3 if k >= 3 else 1, i) for k, i in leads]
    order = [i for _, i in sorted(tiers, key=lambda ti: (
        ti[0] >= 2 and ti[1] > head_end, _label_rank(lines[ti[1]]), ti[0]))]
    return (order + late)[:6]


def _label_rank(line: str) -> int:
    """Return 0 for a date labelled as published, 2 for an update or an embedded post, else 1.

    The label is what precedes the line's first digit ("Written: 2023-11-07
    / Updated: ..." is no update).

    Examples
    --------
    >>> [_label_rank(s) for s in ("Veröffentlicht am 5. Juni 2023", "5. Juni 2023",
    ...                           "Article mis à jour le 7 janvier 2020.")]
    [0, 1, 2]
    """
    label = line[:_LABEL_REACH]
    digit = _FIRST_DIGIT.search(label)
    label = label[: digit.start()] if digit else label
    if _PUBLISHED_LABEL.search(label):
        return 0
    if _UPDATED_LABEL.search(label) or _NOT_PUBLISHED.search(line):
        return 2
    return 1


_DATE_LIST = 3
_DATED_LEAD = 40  # characters of a paragraph that may be its dateline ("27.1.2022 - Bei ...")
_DATED_LEAD_LINES = 3  # first lines of the body whose opening date may be the article's
_LABEL_REACH = 40  # characters before a date where its label stands
_HEAD_WORDS = 60  # body words above which a dateline is inside the article, not its head
_FIRST_DIGIT = re.compile(r"\d")
# An embedded post's date ("— Name (@handle) May 4, 2023") is the page's
# only when no other date is printed.
_NOT_PUBLISHED = re.compile(r"\(@\w+\)")
_PUBLISHED_LABEL = re.compile(
    r"\b(?:published|posted|first published|publication date|veröffentlicht|erschienen|"
    r"publiziert|gepostet|publié|paru|publicado|publicada|pubblicato|opublikowano|"
    r"gepubliceerd|julkaistu|опубликовано|yayınlanma|yayın tarihi)\b",
    re.IGNORECASE,
)
_UPDATED_LABEL = re.compile(
    r"\b(?:updated|last updated|modified|last modified|aktualisiert|letzte änderung|"
    r"zuletzt geändert|geändert|mis à jour|mise à jour|actualizado|actualizada|aggiornato|"
    r"zaktualizowano|aktualizacja|atualizado|bijgewerkt|päivitetty|обновлено|güncellenme|"
    r"güncelleme)\b",
    re.IGNORECASE,
)
# Forum profiles print when a member signed up next to each post.
_SIGNED_UP = re.compile(
    r"\b(?:registriert|mitglied seit|dabei seit|registered|joined|member since|inscrit|"
    r"registrado|iscritto|dołączył)\b",
    re.IGNORECASE,
)


_RELATIVE_MAX_CHARS = 60  # "Aktualisiert vor 3 Stunden", "Il y a 2 heures"
_COPYRIGHT_LINE = re.compile(r"©|\(c\)\s*\d{4}|\bcopyright\b", re.IGNORECASE)


def _read_date(lines: list[str], candidates: list[int], languages: Sequence[str],
               crawled: datetime.datetime | None
               ) -> tuple[str | None, datetime.datetime | None, str | None]:
    """Return ``(date_text, published, problem)`` from the candidate lines, in order."""
    date_text, problem = None, None
    for i in candidates:
        published = parse_date_text(lines[i], languages=languages, relative_base=crawled)
        if published is not None:
            return lines[i], published, None
        if date_text is None:
            date_text = lines[i]
            if crawled is None:
                problem = relative_date_problem(lines[i], languages=languages)
    return date_text, None, problem
