"""The ``<title>`` line of a text dump, its printed copies, and the article's headline.

A dump opens with the page's ``<title>`` (:func:`_layout`), which often
carries the site's name and sections; the headline a reader sees is printed
above the body, a copy of the ``<title>`` or of one of its parts, or a
heading of its own next to the byline and the dateline (:func:`_headline`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.clean import repair_mojibake
from analysis.textlines import letter_words, word_runs
from analysis.textpage.lines import (
    _FULL_STOP,
    _PICTURE_CREDIT,
    _loose,
    _norm,
    looks_like_dateline,
    word_count,
)

# Searched, so a match may start anywhere: the lookbehind lets only the first
# space of a run start one, and a run of spaces is scanned once, not once per
# space (quadratic on a long blank stretch).
_TITLE_SEPARATORS = re.compile(r"(?<!\s)\s++[|\-–—:·•»/]++\s")


def _title_repeats(lines: list[str], first: int, looses: list[str]) -> tuple[str, list[int]]:
    """Return the clean title and the indices of lines that repeat it.

    The ``<title>`` often carries a site suffix ("... - WSJ"); a later line
    that equals it, or is the part of it before or after a separator, is a
    repeat, and the longest such part is the clean title. *looses* holds
    each line's words (:func:`_loose`).
    """
    raw = lines[first]
    raw_loose = looses[first]
    repeats, exact, best = [], False, None
    for i in range(first + 1, len(lines)):
        cand = looses[i]
        if not cand or len(cand) < 0.4 * len(raw_loose) or " " not in cand:
            continue
        if cand == raw_loose:
            repeats.append(i)
            exact = True
        elif _is_title_part(raw, lines[i], raw_loose, cand):
            repeats.append(i)
            if best is None or len(lines[i]) > len(lines[best]):
                best = i
    return (raw if exact or best is None else lines[best]), repeats


def _is_title_part(raw: str, line: str, raw_loose: str, cand: str) -> bool:
    """Return True if *line* is *raw* minus a separated prefix or suffix
    (*raw_loose*, *cand*: their words, :func:`_loose`)."""
    if raw_loose.startswith(cand + " "):
        rest = raw[len(line.rstrip(".")) :] if raw.startswith(line.rstrip(".")) else None
    elif raw_loose.endswith(" " + cand):
        rest = raw[: -len(line)] if raw.endswith(line) else None
    else:
        return False
    # Punctuation variants defeat the exact split; accept on word match then.
    return rest is None or bool(_TITLE_SEPARATORS.search(" " + rest + " "))


def _first_headline(lines: list[str], start: int, boilerplate: frozenset[str]) -> int:
    """Return the index of the first headline-like line after *start*: not
    site chrome, not a dateline or byline, three words or more."""
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if (
            line
            and line.casefold() not in boilerplate
            and word_count(line) >= 3
            and not looks_like_dateline(line)
            and not line.casefold().startswith("by ")
        ):
            return i
    return start


@dataclass(frozen=True)


class _Layout:
    """A dump split into lines with its title line, repeats and chrome."""

    lines: list[str]
    first: int
    title: str
    repeats: list[int]
    chrome: frozenset[str]
    #: Each line's words (:func:`_loose`), when taken for the whole page.
    looses: list[str] | None = field(default=None, repr=False)

    def loose(self, i: int) -> str:
        """Return the words of line *i* (:func:`_loose`)."""
        return self.looses[i] if self.looses is not None else _loose(self.lines[i])


def _layout(text: str, boilerplate: frozenset[str]) -> _Layout | None:
    """Return the lines, title and chrome of a dump, or None for an empty or binary one."""
    # Whitespace runs collapsed to one space, ends trimmed (as _norm does).
    lines = [" ".join(line.split()) for line in repair_mojibake(text).splitlines()]
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is None or "\x00" in text:
        return None
    if lines[first].casefold() in boilerplate:
        # The dump starts with site chrome (the site name), not the title.
        first = _first_headline(lines, first, boilerplate)
    looses = word_runs(lines)
    title, repeats = _title_repeats(lines, first, looses)
    chrome = boilerplate | {_norm(lines[i]) for i in [first, *repeats]}
    return _Layout(lines, first, title, repeats, chrome, looses)


_HEADLINE_WINDOW = 40  # lines above the body searched for the on-page headline
_HEADLINE_MIN_OVERLAP = 0.5


def _headline(layout: _Layout, body_first: int | None) -> tuple[str, int | None]:
    """Return the article's headline and its line (None if only the ``<title>`` gave it).

    The headline printed above the body is what a reader calls the title;
    the ``<title>`` line adds a site name and sometimes words of its own.
    A printed copy of the ``<title>`` or of one of its parts wins (see
    :func:`_printed_title`), unless the only copy stands below the body's
    start and a heading stands by the article's dateline; else, among the
    lines shortly above the body, the one sharing most words with the
    ``<title>`` (and closest to the body); else a heading next to the
    article's dateline (see :func:`_by_dateline`); else the heading just
    above the body (see :func:`_heading_above`); else the ``<title>`` cut
    of its site part. A heading that goes on where the chosen ``<title>``
    text stops is the full headline (see :func:`_longer_headline`), and so
    is one over the body that rewords it (see :func:`_reworded_below`); a
    printed part that is only a name gives way to the article's heading
    (see :func:`_over_a_name`). Breadcrumbs are never headlines.
    """
    lines, first = layout.lines, layout.first
    printed = _printed_title(layout, body_first)
    end = body_first if body_first is not None else min(len(lines), first + _HEADLINE_WINDOW)
    if printed is not None and body_first is not None and printed > body_first:
        # The only copy of the <title> stands below the body's start (a
        # teaser list, the footer): a heading by the article's own
        # dateline is its headline.
        by_date = _by_dateline(layout, end)
        if by_date is not None:
            return lines[by_date], by_date
    if printed is not None and body_first is not None:
        over_name = _over_a_name(layout, printed, body_first, end)
        if over_name is not None:
            return lines[over_name], over_name
    if printed is not None:
        longer = _longer_headline(layout, lines[printed], body_first)
        chosen = printed if longer is None else longer
        reworded = _reworded_below(layout, chosen, body_first)
        return (lines[chosen], chosen) if reworded is None else (lines[reworded], reworded)
    raw_words = set(letter_words(lines[first]))
    site = _site_part(lines[first])
    best, best_score = None, 0.0
    for i in range(max(first + 1, end - _HEADLINE_WINDOW), min(end + 1, len(lines))):
        line = lines[i]
        words = letter_words(line)
        # A headline is no sentence of the article (nor a dateline), nor
        # the site's name printed in the masthead.
        if (not 2 <= len(words) <= 40 or looks_like_dateline(line)
                or (len(words) > 12 and _FULL_STOP.search(line)) or _is_breadcrumb(line)
                or (_loose(line) == site and end - i > _HEADLINE_NEAR)):
            continue
        shared = sum(w in raw_words for w in words)
        overlap = shared / len(words) * min(1.0, shared / max(0.5 * len(raw_words), 1.0))
        if overlap < _HEADLINE_MIN_OVERLAP:
            continue
        score = overlap + 0.3 / (1 + (end - i) / 5)
        if score > best_score:
            best, best_score = i, score
    if best is not None:
        return lines[best], best
    best = _by_dateline(layout, end)
    if best is not None:
        return lines[best], best
    if body_first is not None:
        best = _heading_above(layout, body_first)
        # The line model kept the printed headline -- unless the line runs
        # on into the next ("... praxisorientiert und" / "schließt mit ..."):
        # a hard-wrapped paragraph.
        if (best is None and _heading_like(lines[body_first], layout.chrome)
                and not _runs_on(lines, body_first)):
            best = body_first
        if best is not None:
            return lines[best], best
    title = _cut_site(layout.title)
    longer = _longer_headline(layout, title, body_first)
    return (title, None) if longer is None else (lines[longer], longer)


def _reworded_below(layout: _Layout, printed: int, body_first: int | None) -> int | None:
    """Return a heading just above the body that rewords the printed ``<title>``, or None.

    Pages print the ``<title>`` (written for search) in a share box or a
    breadcrumb and their own headline over the article in other words
    ("Kim Jong Un: Der Diktator ist zurück - Donald Trump ist „glücklich“"
    under "Nordkorea: Kim Jong Un - Der Diktator ist zurück, ..."): the
    one standing over the article is the headline.
    """
    if body_first is None or not 0 < body_first - printed <= _REWORDED_REACH:
        return None
    lines = layout.lines
    title_words = set(letter_words(lines[printed]))
    for i in range(body_first - 1, max(printed, body_first - 1 - _HEADLINE_NEAR), -1):
        words = letter_words(lines[i])
        if (_heading_like(lines[i], layout.chrome) and layout.loose(i) != layout.loose(printed)
                and len(words) >= _REWORDED_SHARE * len(title_words)
                and sum(w in title_words for w in words) >= _REWORDED_SHARE * len(words)):
            return i
    return None


# Of a heading's words found in the <title> it rewords, and of the <title>'s
# words it has at least as many (a caption names a few of them only).
_REWORDED_SHARE = 0.75
_REWORDED_REACH = 10  # lines above the body where the <title> copy may stand


def _over_a_name(layout: _Layout, printed: int, body_first: int, end: int) -> int | None:
    """Return the headline when the printed ``<title>`` part is only a name, or None.

    A name ("News", the site's) printed away from the body is the masthead
    or a menu: the heading by the article's dateline is the headline. A
    section's name (a later part of the ``<title>``, "... | respuestas | La
    República") printed just over the body stands over the headline: the
    heading above the body is. The ``<title>``'s first part is the
    headline's own place, and a short headline there stays the title.
    """
    lines = layout.lines
    if len(letter_words(lines[printed])) > _NAME_WORDS:
        return None
    if not 0 < body_first - printed <= _HEADLINE_NEAR:
        alt = _by_dateline(layout, end)
    elif layout.loose(printed) != _loose(_SITE_SPLIT.split(lines[layout.first])[0]):
        alt = _heading_above(layout, body_first)
    else:
        return None
    return alt if alt is not None and alt > printed else None


_NAME_WORDS = 2  # words of a site's or section's name ("News", "AUTO&Wirtschaft")


def _is_byline(line: str) -> bool:
    """Return True for a byline ("By Jane Doe", "Von Claudia Lindner", "Par Loïc Le Clerc").

    Two or more names and nothing else ("Ibtisam Mahdi, Ruwaida Kamal
    Amer") are a byline without its "By".

    Examples
    --------
    >>> _is_byline("Ibtisam Mahdi, Ruwaida Kamal Amer"), _is_byline("Anna Berg und Tom Kühn")
    (True, True)
    >>> _is_byline("Jens Weber"), _is_byline("Berlin, Paris und Rom: Drei Städte im Test")
    (False, False)
    >>> _is_byline("new rules and old habits")
    False
    """
    if _BYLINE.match(line) is not None:
        return True
    if len(line) > _NAMES_MAX_CHARS:
        return False
    names = [part.split() for part in _NAME_JOINT.split(line)]
    return len(names) >= 2 and all(
        2 <= len(name) <= 4 and all(_NAME_WORD.fullmatch(word) and (
            word[:1].isupper() or word in _NAME_PARTICLES) for word in name)
        for name in names)


# "By", "Von", "Par", "Por", "Di", "Door", "Av", "Af", "Autor:", "Автор:", "Yazar:" opening a
# line, or alone on it.
_BYLINE = re.compile(
    r"^(?:by|von|par|por|di|door|av|af|autor|author|автор|yazar|text|written by)(?:[:\s]|$)",
    re.IGNORECASE)
# Two or more names and nothing else: a name is two to four capitalised
# words ("Ruwaida Kamal Amer", "Loïc Le Clerc"), the names joined by commas,
# "&" or "and" in a few languages.
_NAME_JOINT = re.compile(r"[,&]|\b(?:and|und|et|y|i)\b")
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’.-]*(?:['’.-][^\W\d_]*)*\.?")
_NAME_PARTICLES = frozenset({"de", "da", "del", "della", "van", "von", "der", "den", "le", "la",
                             "du", "dos", "das", "al", "bin", "ibn", "ter", "zu"})
_NAMES_MAX_CHARS = 160


def _longer_headline(layout: _Layout, title: str, body_first: int | None) -> int | None:
    """Return a heading by the body's start that continues *title* (the ``<title>``'s), or None.

    A ``<title>`` is often the headline cut short for search results
    ("Wurmkiste" for "Wurmkiste selber bauen"); the page's own heading
    that starts with the same words and goes on is the full headline.

    Examples
    --------
    >>> lines = ["Wurmkiste | selbst.de", "Wurmkiste", "Wurmkiste selber bauen",
    ...          "Eine Wurmkiste braucht nicht viel Platz und ist schnell gebaut."]
    >>> _longer_headline(_Layout(lines, 0, "Wurmkiste", [1], frozenset()), "Wurmkiste", 3)
    2
    """
    if body_first is None:
        return None
    lines = layout.lines
    # Whole words only: "News" does not go on in "News-Plattform".
    stem = title.casefold() + " "
    # The body's first lines too: the line model may keep the headline.
    for i in range(min(body_first + _LONGER_BELOW, len(lines) - 1), layout.first, -1):
        line = lines[i]
        if (line.casefold().startswith(stem)
                and len(letter_words(title)) + _LONGER_BY <= len(letter_words(line))
                <= _HEADING_WORDS[1] and not line.endswith(".")
                and line.casefold() not in layout.chrome and not looks_like_dateline(line)
                and not _PHOTO_CREDIT.search(line)):
            return i
    return None


_LONGER_BELOW = 1  # lines of the body searched for a longer headline
_LONGER_BY = 2  # words a headline adds to its ``<title>`` ("... selber bauen")
# A caption repeating the headline ("... mit fruchtigen Akzenten! Foto: I. Lange"), or a
# source's credit line.
_PHOTO_CREDIT = re.compile(_PICTURE_CREDIT.pattern + r"|\b(?:quelle|source)s?\s*:",
                           re.IGNORECASE)


def _heading_above(layout: _Layout, body_first: int) -> int | None:
    """Return the heading-like line just above the body, over its byline and dateline, or None.

    A headline may ask ("Wie pflege ich meine Zaubernuss im Winter?"), see
    :func:`_heading_like`. A name under a bare "By"/"Par" line is the
    byline's, not a headline.
    """
    lines = layout.lines
    if body_first - layout.first <= _ABOVE_REACH + 1:
        return None  # the dump starts with the article: its first line is the headline
    for i in range(body_first - 1, body_first - 1 - _ABOVE_REACH, -1):
        line = lines[i]
        if not line or looks_like_dateline(line) or _is_byline(line):
            continue
        if _is_byline(lines[i - 1]):
            continue
        return i if _heading_like(line, layout.chrome) else None
    return None


_ABOVE_REACH = 4  # lines above the body (bylines, datelines) searched for its heading


def _by_dateline(layout: _Layout, end: int) -> int | None:
    """Return the heading-like line next to a dateline shortly above the body, or None.

    When the ``<title>`` is only the site's name, the headline is still
    printed where the article starts: right above or below its date, and
    above it when both are heading-like (below it stands the standfirst).
    """
    lines, first = layout.lines, layout.first
    dated = [i for i in range(max(first + 1, end - _DATELINE_ABOVE), min(end + 2, len(lines)))
             if lines[i] and looks_like_dateline(lines[i])]
    if any(d - first <= _DATELINE_REACH for d in dated):
        return None  # the dump starts with the article: its first line is the headline
    for step in range(1, _DATELINE_REACH + 1):
        near = [i for d in dated for i in (d - step, d + step)
                if first < i <= end and i < len(lines) and i not in dated
                and _heading_like(lines[i], layout.chrome)]
        if near:
            return min(near)
    return None


def _runs_on(lines: list[str], i: int) -> bool:
    """Return True if line *i*'s sentence goes on in the next line (it starts in lower case).

    Examples
    --------
    >>> _runs_on(["Die Ausbildung ist praxisorientiert und", "schließt mit der Prüfung ab."], 0)
    True
    >>> _runs_on(["Rain returns", "Heavy rain is expected."], 0), _runs_on(["Rain returns"], 0)
    (False, False)
    """
    return i + 1 < len(lines) and lines[i + 1][:1].islower()


def _heading_like(line: str, chrome: frozenset[str]) -> bool:
    """Return True if *line* may be a headline: a few words, no sentence, no chrome, no byline,
    no photo caption ("... Bild: Gregory Batardo")."""
    words = letter_words(line)
    return (_HEADING_WORDS[0] <= len(words) <= _HEADING_WORDS[1] and "©" not in line
            and line.casefold() not in chrome and not looks_like_dateline(line)
            and not (_PERIOD_END.search(line) and not _ABBREVIATION_END.search(line))
            and not _is_byline(line)
            and not _PHOTO_CREDIT.search(line) and not _is_breadcrumb(line))


def _is_breadcrumb(line: str) -> bool:
    """Return True for a breadcrumb trail ("Start|Magazin|Coole Tipps", "Info » Kinder » Arbeit").

    Examples
    --------
    >>> _is_breadcrumb("Start|Magazin|Coole Tipps|Magic Cleaning")
    True
    >>> _is_breadcrumb("Brexit: talks resume | Politics"), _is_breadcrumb("Zinsen 2/3 höher")
    (False, False)
    """
    parts = _CRUMB.split(line)
    return len(parts) >= _CRUMBS and all(1 <= len(p.split()) <= _CRUMB_WORDS for p in parts)


# Separators between three or more short parts.
_CRUMB = re.compile(r" ?[|»›>] ?")  # lines come with single spaces
_CRUMBS = 3
_CRUMB_WORDS = 4


# A headline may ask or exclaim; only a full stop makes a line a sentence.
_PERIOD_END = re.compile(r"""(?<![.…])\.["'”’»)\]]*$""")
_DATELINE_ABOVE = 12  # lines above the body searched for the article's dateline
_DATELINE_REACH = 2   # lines between a dateline and its headline
_HEADING_WORDS = (3, 25)
# A headline may end with a company's abbreviation ("... Kleiderschrank & Co.").
_ABBREVIATION_END = re.compile(r"(?:&|\band|\bund)\s+(?:Co|Inc|Ltd|Cie)\.$")


def _printed_title(layout: _Layout, body_first: int | None) -> int | None:
    """Return the line printing the ``<title>`` or one part of it, or None.

    A ``<title>`` split at site separators ("BMEL - Ländliche Regionen -
    15. Zukunftsforum") holds the headline, the site's name and sections,
    and any of them may be printed. The headline is printed shortly above
    the body and is the longest part: names of sites and sections are
    short. Ties go to the line nearest above the body.

    Examples
    --------
    >>> lines = ["BMEL - Ländliche Regionen - 15. Zukunftsforum", "BMEL", "Ländliche Regionen",
    ...          "15. Zukunftsforum", "Es begann am Montag in Berlin."]
    >>> layout = _Layout(lines, 0, lines[0], [], frozenset())
    >>> lines[_printed_title(layout, 4)]
    '15. Zukunftsforum'
    """
    lines, first = layout.lines, layout.first
    split = [_loose(p) for p in _SITE_SPLIT.split(lines[first])]
    parts = {p for p in split if p} if len(split) > 1 else set()
    site = _site_part(lines[first])
    repeats = set(layout.repeats)
    found = [i for i in range(first + 1, len(lines))
             if i in repeats or (len(lines[i]) < 300 and layout.loose(i) in parts)]
    if not found:
        return None
    anchor = body_first if body_first is not None else first
    found = [i for i in found if layout.loose(i) != site or 0 <= anchor - i <= _HEADLINE_NEAR]
    if not found:
        return None
    # Two or more last parts printed together ("2gewinnt | Kabarett |
    # Satire") are the site's name and motto, whatever their length.
    suffixes = {" ".join(p for p in split[j:] if p) for j in range(1, len(split) - 1)}
    return min(found, key=lambda i: (not anchor - _HEADLINE_WINDOW <= i <= anchor,
                                     layout.loose(i) in suffixes,
                                     -layout.loose(i).count(" "), i > anchor, abs(anchor - i)))


_HEADLINE_NEAR = 5  # lines above the body where the headline is printed


def _site_part(title: str) -> str | None:
    """Return the last part of a ``<title>`` split at site separators (words only), or None.

    The last part is the site's name far more often than the headline:
    printed at the top of the page (the masthead), it is taken for the
    headline only just above the body, where the headline stands.

    Examples
    --------
    >>> _site_part("Brücke eröffnet | Elbe-Kurier"), _site_part("Brücke eröffnet")
    ('elbe kurier', None)
    """
    split = _SITE_SPLIT.split(title)
    return (_loose(split[-1]) or None) if len(split) > 1 else None


# Only the first space of a run may start a match, and runs are taken
# possessively: a long blank stretch is scanned once (see _TITLE_SEPARATORS).
_SITE_SPLIT = re.compile(r"(?<!\s)\s++(?:[|·•»/]|::|[-–—])\s++")


def _cut_site(title: str) -> str:
    """Return a ``<title>`` without its last part when that is short (the site name).

    Examples
    --------
    >>> _cut_site("Rain returns across the region | Daily Bugle")
    'Rain returns across the region'
    >>> _cut_site("Leasing oder Finanzierung")
    'Leasing oder Finanzierung'
    """
    seps = list(_SITE_SPLIT.finditer(title))
    if not seps:
        return title.strip()
    head, tail = title[: seps[-1].start()].strip(), title[seps[-1].end():].strip()
    if word_count(tail) <= _SITE_NAME_WORDS and word_count(head) >= 2:
        return head
    return title.strip()


_SITE_NAME_WORDS = 5
