"""Parse plain-text dumps of news pages into title, dateline, source and body.

A *text dump* is what a naive scraper saves: every visible text block of the
page on its own line, the HTML ``<title>`` first, site chrome (menus, share
bars, cookie notices, sidebars, footers) mixed in with the article.  With no
markup left, the body is found from line-level evidence only, in the spirit
of jusText/boilerpipe: each line is classified as prose, chrome or
undecided from its length, stopword density, punctuation and shape; the
article is the best-scoring contiguous run of lines (a max-sum subarray), and
undecided lines inside it survive only when prose surrounds them
(subheadings).  Lines that recur on many pages of the same site
(:func:`recurring_lines`) are chrome whatever they look like.  Datelines
are found and read by :mod:`analysis.dates`.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analysis.config import DEFAULT_LANGUAGES
from analysis.dates import looks_like_dateline, parse_date_text, word_count

__all__ = ["TextPage", "parse_text_page", "recurring_lines"]


@dataclass(frozen=True)
class TextPage:
    """The parts of a news page recovered from its plain-text dump."""

    title: str | None
    published: datetime.datetime | None
    date_text: str | None
    source: str | None
    text: str


# --------------------------------------------------------------------------
# Line normalisation and features

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}|[^\W\d_]")
# Scripts written without spaces: count characters, not "words".
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Sentence end: a stop, possibly followed by closing quotes or brackets.
_TERMINAL = re.compile(r"""[.!?…:。！？]["'”’»)\]]*$""")

# Small function-word lists.  A single multilingual union is enough: what
# matters is the *density* of function words, which separates prose from
# menus and headline lists in any of these languages.
_STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at by for with from as is are was were be
    been being has have had do does did not no it its this that these those he she
    they we you i his her their our your my me him them who which what when where
    how than then there here so such can could will would should may might must
    also about after before over into out up more most some any all one just only
    und der die das den dem des ein eine einer ist sind war nicht mit von zu auf
    für sich auch es im wie bei aus nach noch oder aber wird werden hat haben
    le la les un une des du de et est en dans que qui pour pas sur au aux par
    plus ne se ce il elle ils sont avec ont été son sa ses leur
    el los las del y es por con para una su al lo como más pero sus le ya fue
    o os da do dos das em no na nos um uma não com por para se que é mais foi
    il di che non per una sono della nel alla anche ma come gli
    yang dan di ke dari ini itu dengan untuk pada adalah dalam tidak akan yg juga
    karena sudah bahwa atau oleh ada kita saya
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы
    по только ее мне было вот от меня еще нет о из ему теперь когда даже ну ли
    если уже или ни быть был него до вас нибудь уж вам сказал ведь там потом
    себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам
    это также при этом который которые
    ve bir bu da de için ile olarak daha çok gibi en ama ki ne o şu her
    olan kadar sonra ise değil var yok
    və bu bir ki da də ilə üçün olan kimi isə çox daha sonra həm
    """.split()
)

# Chrome vocabulary: only trusted on short lines, where it is the whole point
# of the line ("Share on Facebook", "Follow us !", "Read more").
_CHROME_SHORT = re.compile(
    r"\b(?:share|shares|tweet|follow us|subscribe|sign (?:in|up)|log ?in|"
    r"newsletter|advertisement|advert|sponsored|reklam|iklan|реклама|"
    r"read more|read next|see also|related|most (?:read|popular)|trending|"
    r"latest|comments?|print|email|whatsapp|facebook|twitter|linkedin|"
    r"pinterest|instagram|youtube|copied|caption|photo|image|credit|getty|"
    r"gallery|video|watch|click here|skip to|menu|search|back to top|"
    r"download|app store|google play|loading|paylaş|поделиться|подписаться)\b",
    re.IGNORECASE,
)
# Subscription nags are sentences too, but short ones.
_CHROME_NAG = re.compile(
    r"\b(?:subscribe (?:to|now|for|today)|sign up (?:for|to|now)|newsletters?|"
    r"activation link|already (?:a )?(?:subscriber|member)|create an account|"
    r"free trial|successfully subscribed|succesfully subscribed)\b",
    re.IGNORECASE,
)
# Legal/consent text is long and sentence-like, so it needs its own rule.
_CHROME_ANY = re.compile(
    r"\bcookies?\b|privacy (?:policy|notice|statement)|terms of (?:use|service)|"
    r"all rights reserved|©|\(c\) \d{4}|javascript|ad ?blocker|trademarks? of|"
    r"information (?:provided )?on this (?:web)?site|"
    r"this (?:site|website) uses|by (?:continuing|using) (?:to use )?(?:this|our) "
    r"(?:site|website)",
    re.IGNORECASE,
)
# Possessive quantifiers: each part of a counter ("1.2k shares") takes
# characters the next cannot, so giving any back never helps a match, and a
# long line like "1.,.,.,...x" fails in one pass instead of backtracking
# through every split of its dots between [\d.,]* and \W* (quadratic).
_COUNTER = re.compile(
    r"^\W*+\d[\d.,]*+\s*+[kKmM]?+\s*+(?:shares?|comments?|views?|likes?|reads?)?+\W*+$"
)

# Comments come after the article; their header is a wall the body never
# crosses, however sentence-like the comments are.
_COMMENTS_HEADER = re.compile(
    r"^(?:\d+\s+(?:comments?|responses?|replies|reactions)\b|"
    r"(?:leave|post|add|write|join) (?:a|the) (?:comment|reply|discussion|conversation)|"
    r"comments?\s*\(\d+\)$|(?:show|view|read) (?:all )?comments|"
    r"комментари|yorumlar|şərhlər|kommentare|commentaires|comentarios)"
    # The copyright notice opens the footer.
    r"|^(?:copyright\s*)?(?:©|\(c\))\s*(?:copyright\s*)?\d{4}",
    re.IGNORECASE,
)

_SENTENCE_END = re.compile(r"[.!?。！？](?:\s|$)")
# A finished sentence; an ellipsis marks a truncated teaser, not an ending.
_FULL_STOP = re.compile(r"""(?<![.…])[.!?。！？]["'”’»)\]]*$""")

GOOD, NEUTRAL, BAD, WALL = 2, 1, 0, -1


def _norm(line: str) -> str:
    """Return the comparison key of a line: trimmed, single-spaced, casefolded."""
    return _WS.sub(" ", line).strip().casefold()


def _stop_density(line: str) -> float:
    """Return the share of letter words that are function words."""
    words = _LETTER_WORD.findall(line.casefold())
    if not words:
        return 0.0
    return sum(w in _STOPWORDS for w in words) / len(words)


def _line_class(line: str, key: str, chrome: frozenset[str]) -> int:
    """Return GOOD, NEUTRAL, BAD or WALL for one non-empty line of a dump."""
    if _COMMENTS_HEADER.match(line):
        return WALL
    if key in chrome or _COUNTER.match(line) or not _LETTER_WORD.search(line):
        return BAD
    words = word_count(line)
    if _CHROME_ANY.search(line) or (words <= 6 and _CHROME_SHORT.search(line)):
        return BAD
    if words <= 30 and _CHROME_NAG.search(line):
        return BAD
    cjk = bool(_CJK.search(line))
    terminal = bool(_TERMINAL.search(line))
    density = 0.3 if cjk else _stop_density(line)
    if words >= 8 and density >= 0.12 and (terminal or words >= 20):
        return GOOD
    if words >= 5 and terminal and density >= 0.2:
        return GOOD
    # A full sentence, or several in one line, is prose even in a language
    # whose function words are few or not listed.
    sentences = len(_SENTENCE_END.findall(line))
    if (words >= 8 and _FULL_STOP.search(line)) or (
        words >= 15 and sentences >= 2
    ):
        return GOOD
    return NEUTRAL


# --------------------------------------------------------------------------
# Recurring chrome


def recurring_lines(
    pages: Iterable[str], *, min_pages: int = 3, min_share: float = 0.3
) -> frozenset[str]:
    """Return normalised lines that recur across pages of one site.

    Parameters
    ----------
    pages : iterable of str
        Raw text dumps of pages from the same site.
    min_pages, min_share : int, float
        A line is chrome when it occurs in at least ``min_pages`` pages and in
        at least ``min_share`` of all pages.

    Returns
    -------
    frozenset of str
        Keys comparable with the lines seen by :func:`parse_text_page`
        (stripped, whitespace-collapsed, casefolded).  Long prose lines are
        never returned, so a syndicated paragraph cannot become chrome.

    Examples
    --------
    >>> pages = ["Title %d\\nFollow us !\\nBody text %d." % (i, i) for i in range(4)]
    >>> sorted(recurring_lines(pages))
    ['follow us !']
    """
    counts: Counter[str] = Counter()
    n_pages = 0
    for page in pages:
        n_pages += 1
        counts.update({_norm(line) for line in page.splitlines()})
    threshold = max(min_pages, min_share * n_pages)
    return frozenset(k for k, n in counts.items() if k and n >= threshold and not _is_prose(k))


def _is_prose(line: str) -> bool:
    """Return True for a sentence-like line too long to be a menu item."""
    return word_count(line) >= 12 and _stop_density(line) >= 0.15


# --------------------------------------------------------------------------
# Title, body region, source

# Searched, so a match may start anywhere: the lookbehind lets only the first
# space of a run start one, and a run of spaces is scanned once, not once per
# space (quadratic on a long blank stretch).
_TITLE_SEPARATORS = re.compile(r"(?<!\s)\s++[|\-–—:·•»/]++\s")
_SOURCE_LABEL = re.compile(
    r"^(?:source|sources|mənbə|источник|kaynak|quelle|fuente|fonte)\s*[:：]\s*(.{2,60})$",
    re.IGNORECASE,
)
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}$", re.IGNORECASE)
_AGENCIES = frozenset(
    """reuters|ap|afp|associated press|the associated press|bloomberg|tass|
    ria novosti|interfax|xinhua|anadolu|anadolu agency|dpa|efe|ansa|upi|trend|
    apa|azertac|azernews|turan|report|anews""".replace("\n", "").split("|")
)

# Max-sum weights: a prose line earns its word count (capped so one huge
# paragraph cannot drag a whole sidebar in); chrome costs more than an
# undecided short line, which may be a subheading.
_GOOD_CAP = 60
_NEUTRAL_COST = 3.0
_BAD_COST = 5.0
_MAX_KEPT_RUN = 3
_GAP_GROWTH = 0.5
# Prose words needed before a comments header or copyright line ends the page.
_WALL_AFTER_WORDS = 40
_ISOLATED_SHARE = 0.5
_GAP_GROWTH_CAP = 10.0
# Lines after the repeated title over which a run's score halves.
_ANCHOR_DECAY = 40.0


def _loose(line: str) -> str:
    """Return the words of a line only, so quote and dash variants compare equal."""
    return " ".join(_WORD.findall(line.casefold()))


def _title_repeats(lines: list[str], first: int) -> tuple[str, list[int]]:
    """Return the clean title and the indices of lines that repeat it.

    The ``<title>`` often carries a site suffix ("... - WSJ"); a later line
    that equals it, or is the part of it before or after a separator, is a
    repeat, and the longest such part is the clean title.
    """
    raw = lines[first]
    raw_loose = _loose(raw)
    repeats, exact, best = [], False, None
    for i in range(first + 1, len(lines)):
        cand = _loose(lines[i])
        if not cand or len(cand) < 0.4 * len(raw_loose) or " " not in cand:
            continue
        if cand == raw_loose:
            repeats.append(i)
            exact = True
        elif _is_title_part(raw, lines[i]):
            repeats.append(i)
            if best is None or len(lines[i]) > len(lines[best]):
                best = i
    return (raw if exact or best is None else lines[best]), repeats


def _is_title_part(raw: str, line: str) -> bool:
    """Return True if *line* is *raw* minus a separated prefix or suffix."""
    raw_loose, cand = _loose(raw), _loose(line)
    if raw_loose.startswith(cand + " "):
        rest = raw[len(line.rstrip(".")) :] if raw.startswith(line.rstrip(".")) else None
    elif raw_loose.endswith(" " + cand):
        rest = raw[: -len(line)] if raw.endswith(line) else None
    else:
        return False
    # Punctuation variants defeat the exact split; accept on word match then.
    return rest is None or bool(_TITLE_SEPARATORS.search(" " + rest + " "))


def _segments(weights: list[float], limit: int = 6) -> list[tuple[float, int, int]]:
    """Return up to *limit* disjoint max-sum runs as ``(score, start, end)``,
    best first; each later run is the best one avoiding those found so far."""
    found: list[tuple[float, int, int]] = []
    taken = [False] * len(weights)
    for _ in range(limit):
        best, span, run, start = 0.0, None, 0.0, 0
        for i, w in enumerate(weights):
            if taken[i]:
                run = 0.0
                continue
            if run <= 0:
                run, start = 0.0, i
            run += w
            if run > best:
                best, span = run, (start, i + 1)
        if span is None:
            break
        found.append((best, *span))
        taken[span[0] : span[1]] = [True] * (span[1] - span[0])
    return found


def _choose_segment(
    segments: list[tuple[float, int, int]], anchor: int | None
) -> tuple[int, int]:
    """Return the article run: the best run, its score discounted by its
    distance from the repeated title (the body follows the headline;
    sidebars and teasers with more prose come later)."""
    if not segments:
        return 0, 0
    if anchor is None:
        return segments[0][1], segments[0][2]

    def closeness(seg: tuple[float, int, int]) -> float:
        distance = seg[1] - anchor if seg[1] >= anchor else 2 * (anchor - seg[2])
        return seg[0] / (1 + max(distance, 0) / _ANCHOR_DECAY)

    best = max(segments, key=closeness)
    return best[1], best[2]


def _isolated(classes: list[int], k: int) -> bool:
    """Return True if prose line *k* stands alone between non-prose lines,
    the shape of a teaser list (headline, byline, blurb, headline, ...)."""
    before = classes[k - 2 : k] if k >= 2 else [NEUTRAL]
    after = classes[k + 1 : k + 3] if k + 3 <= len(classes) else [NEUTRAL]
    return GOOD not in before[-1:] and GOOD not in after[:1] and (
        GOOD not in before or GOOD not in after
    )


def _line_weights(lines: list[str], idx: list[int], classes: list[int]) -> list[float]:
    """Return the max-sum weight of each classified line.

    The cost of a non-prose line grows with its distance from the last prose
    line: a short interruption (an ad slot, a subheading) is cheap to bridge,
    a long stretch of chrome separates two unrelated blocks of prose.
    """
    weights, gap = [], 0
    for k, (i, cls) in enumerate(zip(idx, classes, strict=True)):
        if cls == GOOD:
            gap = 0
            weight = float(min(word_count(lines[i]), _GOOD_CAP))
            weights.append(weight * (_ISOLATED_SHARE if _isolated(classes, k) else 1.0))
            continue
        gap += 1
        base = _NEUTRAL_COST if cls == NEUTRAL else _BAD_COST
        growth = min(1 + _GAP_GROWTH * (gap - 1), _GAP_GROWTH_CAP)
        weights.append(-1e9 if cls == WALL else -base * growth)
    return weights


def _keep_in_region(classes: list[int]) -> list[bool]:
    """Return which lines of a region to keep: prose, plus short undecided
    runs enclosed by prose on both sides (subheadings)."""
    keep = [c == GOOD for c in classes]
    i = 0
    while i < len(classes):
        if classes[i] != NEUTRAL:
            i += 1
            continue
        j = i
        while j < len(classes) and classes[j] == NEUTRAL:
            j += 1
        enclosed = i > 0 and j < len(classes) and classes[i - 1] == GOOD and classes[j] == GOOD
        if enclosed and j - i <= _MAX_KEPT_RUN:
            keep[i:j] = [True] * (j - i)
        i = j
    return keep


def _source_line(line: str) -> str | None:
    """Return the source named by a credit line like "Source: X", else None."""
    label = _SOURCE_LABEL.match(line)
    if label:
        return label.group(1).strip()
    if word_count(line) <= 3 and (_DOMAIN.match(line) or _norm(line) in _AGENCIES):
        return line
    return None


def _looks_like_name(line: str) -> bool:
    """Return True for a short capitalised name with no function words ("Steppe Wire")."""
    words = line.split()
    return (0 < len(words) <= 4 and all(w[:1].isupper() for w in words)
            and not any(w.casefold() in _STOPWORDS for w in words)
            and not _CHROME_SHORT.search(line) and not _TERMINAL.search(line)
            and not looks_like_dateline(line))


_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:copyright\s*)?(?:©\s*)?\d{4}(?:\s*[-–]\s*\d{4})?,?\s+"
    r"(?!all rights)([^\W\d][\w&'’ .-]{1,48}?)\s*(?:[.,|]\s|[.,|]?$|\ball rights\b)",
    re.IGNORECASE,
)


def _copyright_holder(lines: list[str]) -> str | None:
    """Return the name in a footer like "© 2024 Steppe Wire", else None.

    Pages without a credit line still name their publisher in the footer,
    and a publisher is a better ``source`` than none.

    Examples
    --------
    >>> _copyright_holder(["Related:", "© 2024 Steppe Wire. All rights reserved."])
    'Steppe Wire'
    """
    for line in lines:
        match = _COPYRIGHT.search(line)
        if match and word_count(match.group(1)) <= 5:
            return match.group(1).strip()
    return None


def _find_source(lines: list[str], after: int, boilerplate: frozenset[str]) -> str | None:
    """Return the source line among the first few lines after the body; a
    short capitalised name recurring on the site ("Caspian Courier") counts
    when it comes right after the body."""
    seen = 0
    for line in lines[after:]:
        if not line:
            continue
        source = _source_line(line)
        if seen == 0 and not source and line.casefold() in boilerplate and _looks_like_name(line):
            # A bare name right after the body is a credit line only when the
            # site repeats it: on real pages that slot also holds "Previous",
            # "Topics" or a teaser heading.
            source = line
        if source or seen >= 2:
            return source
        seen += 1
    return None


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


def _find_dateline(
    lines: list[str], start: int, end: int, title_at: int | None
) -> list[int]:
    """Return indices of dateline candidates, most plausible first.

    Preference: between the repeated title (or a few lines above the body)
    and the body start, then inside the body, then anywhere.
    """
    candidates = [i for i, line in enumerate(lines) if line and looks_like_dateline(line)]
    lo = title_at if title_at is not None and title_at < start else max(0, start - 25)
    near = [i for i in candidates if lo <= i < start]
    inside = [i for i in candidates if start <= i < end]
    rest = [i for i in candidates if i not in near and i not in inside]
    return (near + inside + rest)[:3]


def _classify(
    lines: list[str], idx: list[int], chrome: frozenset[str], anchor: int | None
) -> list[int]:
    """Return the class of each line in *idx*; everything after a wall
    (comments header, copyright) that follows real prose is WALL."""
    classes, good_words = [], 0
    for i in idx:
        if anchor is not None and i <= anchor:
            # The article starts after its repeated title; earlier prose is
            # sidebar and must not turn a comment counter into a wall.
            good_words = 0
        cls = _line_class(lines[i], lines[i].casefold(), chrome)
        if cls == WALL and good_words >= _WALL_AFTER_WORDS:
            return classes + [WALL] * (len(idx) - len(classes))
        if cls == NEUTRAL and looks_like_dateline(lines[i]):
            cls = BAD
        good_words += word_count(lines[i]) if cls == GOOD else 0
        classes.append(cls)
    return classes


def _drop_repeats(lines: list[str], body: list[int]) -> list[int]:
    """Return *body* without verbatim repeats and truncated teaser copies
    ("First words of a paragraph...") of other body lines."""
    looses = [_loose(lines[i]) for i in body]
    kept, seen = [], set()
    for i, loose in zip(body, looses, strict=True):
        if loose in seen:
            continue
        if lines[i].endswith(("...", "…")) and any(
            other != loose and other.startswith(loose) for other in looses
        ):
            continue
        seen.add(loose)
        kept.append(i)
    return kept


def _body_indices(
    lines: list[str], first: int, chrome: frozenset[str], anchor: int | None
) -> tuple[list[int], int, int]:
    """Return the body line indices and the ``[start, end)`` line span of
    the chosen region."""
    idx = [i for i in range(first + 1, len(lines)) if lines[i]]
    classes = _classify(lines, idx, chrome, anchor)
    segments = _segments(_line_weights(lines, idx, classes))
    if not segments:
        # No prose at all (results tables, listings): fall back to any
        # sentence-shaped line rather than return nothing.
        classes = [
            GOOD if c == NEUTRAL and word_count(lines[i]) >= 4 and _TERMINAL.search(lines[i])
            else c
            for i, c in zip(idx, classes, strict=True)
        ]
        segments = _segments(_line_weights(lines, idx, classes))
    anchor_pos = None if anchor is None else sum(i < anchor for i in idx)
    lo, hi = _choose_segment(segments, anchor_pos)
    if lo >= hi:
        return [], len(lines), len(lines)
    keep = _keep_in_region(classes[lo:hi])
    body = [i for i, k in zip(idx[lo:hi], keep, strict=True) if k]
    return _drop_repeats(lines, body), idx[lo], idx[hi - 1] + 1


def parse_text_page(
    text: str,
    *,
    boilerplate: frozenset[str] = frozenset(),
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> TextPage:
    """Split a plain-text page dump into title, dateline, source and body.

    Parameters
    ----------
    text : str
        The dump: one visible text block per line, the ``<title>`` first.
    boilerplate : frozenset of str
        Chrome lines of the page's site, from :func:`recurring_lines`.
    languages : sequence of str
        Languages for month names in the dateline.

    Returns
    -------
    TextPage
        ``text`` holds the body paragraphs joined by blank lines ("" if none).

    Examples
    --------
    >>> page = parse_text_page(
    ...     "Rain returns - Daily Bugle\\nHome\\nRain returns\\n13:31 | 22.09.2014\\n"
    ...     "Heavy rain is expected across the region from Monday, forecasters said.\\n"
    ...     "The weather office advised drivers to take care on the roads at night.\\n"
    ...     "Reuters\\nFollow us !\\nLatest"
    ... )
    >>> page.title, page.published, page.source
    ('Rain returns', datetime.datetime(2014, 9, 22, 13, 31), 'Reuters')
    >>> page.text.splitlines()[0]
    'Heavy rain is expected across the region from Monday, forecasters said.'
    """
    lines = [_WS.sub(" ", line).strip() for line in text.splitlines()]
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is None or "\x00" in text:  # nothing, or a binary file
        return TextPage(None, None, None, None, "")
    if lines[first].casefold() in boilerplate:
        # The dump starts with site chrome (the site name), not the title.
        first = _first_headline(lines, first, boilerplate)
    title, repeats = _title_repeats(lines, first)
    chrome = boilerplate | {_norm(lines[i]) for i in [first, *repeats]}
    anchor = repeats[0] if repeats else None
    body, start, end = _body_indices(lines, first, chrome, anchor)

    source = _find_source(lines, end, boilerplate) if body else None
    if body and _source_line(lines[body[-1]]):
        source = _source_line(lines[body.pop()])
    if body and source is None:
        source = _copyright_holder(lines[end:])
    date_text, published = None, None
    for i in _find_dateline(lines, start, end, anchor):
        published = parse_date_text(lines[i], languages=languages)
        if date_text is None or published is not None:
            date_text = lines[i]
        if published is not None:
            break
    return TextPage(
        title=title,
        published=published,
        date_text=date_text,
        source=source,
        text="\n\n".join(lines[i] for i in body),
    )
