"""Parse plain-text dumps of news pages into title, dateline, source and body.

A *text dump* is what a naive scraper saves: every visible text block of the
page on its own line, the HTML ``<title>`` first, site chrome (menus, share
bars, cookie notices, sidebars, footers) mixed in with the article.  With no
markup left, the body is found from line-level evidence only.  A rule
reader in the spirit of jusText/boilerpipe classifies each line as prose,
chrome or undecided from its length, stopword density, punctuation and
shape, and picks the best-scoring contiguous run of lines (a max-sum
subarray); its verdicts are features, with the line's own and its
neighbours' measurements, of the trained line model of
:mod:`analysis.textlines`, which decides what is kept.  Lines that recur on
many pages of the same site (:func:`recurring_lines`) are chrome whatever
they look like.  The title is the headline printed above the body (the
``<title>`` without its site name when none is printed); datelines in any
language are found near it and read by :mod:`analysis.dates`.  When the
reader is unsure of the body, ``TextPage.low_confidence`` says why.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.config import DEFAULT_LANGUAGES
from analysis.dates import (
    is_relative_dateline,
    parse_date_text,
    relative_date_problem,
)
from analysis.dates import looks_like_dateline as _looks_like_dateline
from analysis.dates import word_count as _word_count
from analysis.textlines import (
    LineModel,
    LineRows,
    letter_words,
    line_features,
    line_memo,
    load_line_model,
    page_language,
    stopwords_for,
)

__all__ = ["TextPage", "parse_text_page", "recurring_lines"]

# Each line is measured by several stages (classes, weights, features,
# confidence); a bounded memo keeps that to one regex pass per line.
word_count = line_memo(_word_count)
looks_like_dateline = line_memo(_looks_like_dateline)


@dataclass(frozen=True)
class TextPage:
    """The parts of a news page recovered from its plain-text dump."""

    title: str | None
    published: datetime.datetime | None
    date_text: str | None
    source: str | None
    text: str
    #: Why the body may be wrong (kept almost the whole page, or little of
    #: its prose), or None when the reader is confident.
    low_confidence: str | None = None
    #: Why a dateline gave no date (a relative date without a crawl time).
    date_problem: str | None = None
    #: The page's language (py3langid), used for function words and dates.
    language: str | None = None


# --------------------------------------------------------------------------
# Line normalisation and features

_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
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

# Case-sensitive twins of the chrome patterns (all lowercase), for casefolded lines.
_CHROME_SHORT_KEY = re.compile(_CHROME_SHORT.pattern)
_CHROME_NAG_KEY = re.compile(_CHROME_NAG.pattern)
_CHROME_ANY_KEY = re.compile(_CHROME_ANY.pattern)
# Line ends are matched on the last characters only: a "$"-anchored pattern
# searched from the start tries every position of a long paragraph.
_TAIL = 16


def _norm(line: str) -> str:
    """Return the comparison key of a line: trimmed, single-spaced, casefolded."""
    return _WS.sub(" ", line).strip().casefold()


def _stop_density(line: str) -> float:
    """Return the share of letter words that are function words."""
    words = letter_words(line)
    if not words:
        return 0.0
    return sum(w in _STOPWORDS for w in words) / len(words)


def _line_class(line: str, key: str, chrome: frozenset[str]) -> int:
    """Return GOOD, NEUTRAL, BAD or WALL for one non-empty line of a dump."""
    if _COMMENTS_HEADER.match(line):
        return WALL
    if key in chrome or _COUNTER.match(line) or not letter_words(line):
        return BAD
    words = word_count(line)
    # The chrome patterns are searched in the casefolded key: a case-blind
    # search of a long alternation is three times slower.
    if _CHROME_ANY_KEY.search(key) or (words <= 6 and _CHROME_SHORT_KEY.search(key)):
        return BAD
    if words <= 30 and _CHROME_NAG_KEY.search(key):
        return BAD
    cjk = bool(_CJK.search(line))
    terminal = bool(_TERMINAL.search(line[-_TAIL:]))
    density = 0.3 if cjk else _stop_density(line)
    if words >= 8 and density >= 0.12 and (terminal or words >= 20):
        return GOOD
    if words >= 5 and terminal and density >= 0.2:
        return GOOD
    # A full sentence, or several in one line, is prose even in a language
    # whose function words are few or not listed.
    sentences = len(_SENTENCE_END.findall(line))
    if (words >= 8 and _FULL_STOP.search(line[-_TAIL:])) or (
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


@line_memo
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


@dataclass(frozen=True)
class _RuleReading:
    """What the rule reader decided, line by line (indices into the dump's lines)."""

    idx: list[int]          # non-empty lines after the title line
    classes: list[int]      # rule class of each
    lo: int                 # chosen run, as positions in ``idx``: [lo, hi)
    hi: int
    keep: list[bool]        # kept by the rules (inside the run)


def _rule_reading(
    lines: list[str], first: int, chrome: frozenset[str], anchor: int | None
) -> _RuleReading:
    """Return the rule reader's classes, chosen run and kept lines."""
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
    keep = [False] * len(idx)
    if lo < hi:
        keep[lo:hi] = _keep_in_region(classes[lo:hi])
    return _RuleReading(idx, classes, lo, hi, keep)


@dataclass(frozen=True)
class _Layout:
    """A dump split into lines with its title line, repeats and chrome."""

    lines: list[str]
    first: int
    title: str
    repeats: list[int]
    chrome: frozenset[str]


def _layout(text: str, boilerplate: frozenset[str]) -> _Layout | None:
    """Return the lines, title and chrome of a dump, or None for an empty or binary one."""
    lines = [_WS.sub(" ", line).strip() for line in _fix_mojibake(text).splitlines()]
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is None or "\x00" in text:
        return None
    if lines[first].casefold() in boilerplate:
        # The dump starts with site chrome (the site name), not the title.
        first = _first_headline(lines, first, boilerplate)
    title, repeats = _title_repeats(lines, first)
    chrome = boilerplate | {_norm(lines[i]) for i in [first, *repeats]}
    return _Layout(lines, first, title, repeats, chrome)


def _line_table(layout: _Layout, reading: _RuleReading, language: str | None
                ) -> np.ndarray:
    """Return the model's feature matrix for the lines of ``reading.idx``."""
    lines = layout.lines
    idx = reading.idx
    region = np.zeros(len(idx))
    region[reading.lo:reading.hi] = 1.0
    sub = [lines[i] for i in idx]
    rows = LineRows(
        lines=sub,
        words=np.array([word_count(line) for line in sub], dtype=np.float64),
        classes=np.array(reading.classes, dtype=np.int64),
        region=region,
        kept=np.array(reading.keep, dtype=np.float64),
        # Lines are whitespace-normalised already: their key is their casefold.
        chrome=np.array([line.casefold() in layout.chrome for line in sub], dtype=np.float64),
        dateline=np.array([looks_like_dateline(line) for line in sub], dtype=np.float64),
        line_no=np.array(idx, dtype=np.float64),
        anchor=layout.repeats[0] if layout.repeats else None,
        n_lines=len(lines),
        title_words=frozenset(letter_words(lines[layout.first])),
    )
    return line_features(rows, stop_lang=stopwords_for(language), stop_any=_STOPWORDS)


def _model_body(layout: _Layout, reading: _RuleReading, language: str | None,
                model: LineModel) -> tuple[list[int], np.ndarray]:
    """Return the lines the model keeps (dump indices, in order) and every line's probability."""
    if not reading.idx:
        return [], np.zeros(0)
    proba = model.predict_proba(_line_table(layout, reading, language))
    # Copies of the title, the site's recurring lines, comment headers and
    # copyright lines are never the body.
    keep = (proba > model.threshold_keep) & np.array(
        [layout.lines[i].casefold() not in layout.chrome and c != WALL
         for i, c in zip(reading.idx, reading.classes, strict=True)], dtype=bool)
    # A wall that ended the rule reader's page (comments header, copyright
    # after the article: every later line is WALL) still ends it.
    classes = np.array(reading.classes)
    tail = len(classes)
    while tail and classes[tail - 1] == WALL:
        tail -= 1
    if tail < len(classes) - 1:
        keep[tail:] = False
    return [i for i, k in zip(reading.idx, keep, strict=True) if k], proba


def _demojibake_line(line: str) -> str:
    """Return *line* re-decoded when it is UTF-8 read as Latin-1/cp1252 ("Ã¤" for "ä")."""
    for codec in ("cp1252", "latin-1"):
        try:
            return line.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return line


# A UTF-8 lead byte (Latin-1 "Â".."ô": "Ã¤" for "ä", "à¦" for Bengali) read
# as one character, then a continuation byte (cp1252 maps some to "€", "–").
_MOJIBAKE = re.compile(r"[\xc2-\xf4][\x80-\xbf\u0152-\u203a]")


def _fix_mojibake(text: str) -> str:
    """Return *text* with doubly-encoded UTF-8 lines repaired, when there are many.

    Examples
    --------
    >>> _fix_mojibake("GrÃ¼ÃŸe aus KÃ¶ln")
    'Grüße aus Köln'
    """
    if len(_MOJIBAKE.findall(text)) < 2:
        return text
    return "\n".join(_demojibake_line(line) if _MOJIBAKE.search(line) else line
                     for line in text.split("\n"))


# --------------------------------------------------------------------------
# Headline

_HEADLINE_WINDOW = 40  # lines above the body searched for the on-page headline
_HEADLINE_MIN_OVERLAP = 0.5


def _headline(layout: _Layout, body_first: int | None) -> tuple[str, int | None]:
    """Return the article's headline and its line (None if only the ``<title>`` gave it).

    The headline printed above the body is what a reader calls the title;
    the ``<title>`` line adds a site name and sometimes words of its own.
    A printed copy of the ``<title>`` or of one of its parts wins (see
    :func:`_printed_title`); else, among the lines shortly above the body,
    the one sharing most words with the ``<title>`` (and closest to the
    body); else a heading next to the article's dateline (see
    :func:`_by_dateline`); else the ``<title>`` cut of its site part.
    """
    lines, first = layout.lines, layout.first
    printed = _printed_title(layout, body_first)
    if printed is not None:
        return lines[printed], printed
    raw_words = set(letter_words(lines[first]))
    end = body_first if body_first is not None else min(len(lines), first + _HEADLINE_WINDOW)
    site = _site_part(lines[first])
    best, best_score = None, 0.0
    for i in range(max(first + 1, end - _HEADLINE_WINDOW), min(end + 1, len(lines))):
        line = lines[i]
        words = letter_words(line)
        # A headline is no sentence of the article (nor a dateline), nor
        # the site's name printed in the masthead.
        if (not 2 <= len(words) <= 40 or looks_like_dateline(line)
                or (len(words) > 12 and _FULL_STOP.search(line))
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
    return _cut_site(layout.title), None


def _by_dateline(layout: _Layout, end: int) -> int | None:
    """Return the heading-like line next to a dateline shortly above the body, or None.

    When the ``<title>`` is only the site's name, the headline is still
    printed where the article starts: right above or below its date.
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
            return max(near)
    return None


def _heading_like(line: str, chrome: frozenset[str]) -> bool:
    """Return True if *line* may be a headline: a few words, no sentence, no chrome."""
    words = letter_words(line)
    return (_HEADING_WORDS[0] <= len(words) <= _HEADING_WORDS[1] and "©" not in line
            and line.casefold() not in chrome and not looks_like_dateline(line)
            and not _FULL_STOP.search(line))


_DATELINE_ABOVE = 12  # lines above the body searched for the article's dateline
_DATELINE_REACH = 2   # lines between a dateline and its headline
_HEADING_WORDS = (3, 25)


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
             if i in repeats or (len(lines[i]) < 300 and _loose(lines[i]) in parts)]
    if not found:
        return None
    anchor = body_first if body_first is not None else first
    found = [i for i in found if _loose(lines[i]) != site or 0 <= anchor - i <= _HEADLINE_NEAR]
    if not found:
        return None
    return min(found, key=lambda i: (not anchor - _HEADLINE_WINDOW <= i <= anchor,
                                     -_loose(lines[i]).count(" "), i > anchor, abs(anchor - i)))


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


# --------------------------------------------------------------------------
# Dateline

_AFTER_BODY_LINES = 15  # lines after the body where a closing "Published ..." may stand
_ABOVE_HEADLINE_LINES = 20


def _date_candidates(lines: list[str], head: int | None, first: int, body: list[int],
                     languages: Sequence[str], printed: int | None = None) -> list[int]:
    """Return indices of lines whose date may be the page's, most plausible first.

    Just below the printed headline (``printed``) first, then between the
    headline (its first copy, ``head``) and the body (nearest the headline),
    then shortly above the headline, then the body, then just after it. Dates
    far above the headline (the masthead's today, other articles) and after
    the body (comments, footer, copyright) are not the article's. Without
    a headline, the lines above the body are read upwards from it, as the
    masthead's date is at the top of the page.
    """
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
    out, seen, leads = [], set(), []
    for k, zone in enumerate(zones):
        found = []
        for i in zone:
            line = lines[i] if i < len(lines) else ""
            if i in seen or not line or _COPYRIGHT_LINE.search(line):
                continue
            seen.add(i)
            if looks_like_dateline(line) or (
                i <= body_first and len(line) <= _RELATIVE_MAX_CHARS
                and is_relative_dateline(line, languages=languages[:1])
            ):
                found.append(i)
            elif k <= 1 and looks_like_dateline(line[:_DATED_LEAD]):  # headline to body
                leads.append(i)
        # Outside the article (above the headline, after the body) several
        # dates are a list of other articles or comments, none the page's.
        if k in (2, 4) and len(found) >= _DATE_LIST:  # zones above the headline, after the body
            continue
        out += found
    # An embedded post's date ("— Name (@handle) May 4, 2023") is the page's
    # only when no other date is printed.
    out.sort(key=lambda i: bool(_NOT_PUBLISHED.search(lines[i])))
    # A paragraph opening with a date ("27.1.2022 - Bei der ...") between the
    # headline and the body dates the article when no dateline does.
    return (out + leads)[:6]


_DATE_LIST = 3
_DATED_LEAD = 40  # characters of a paragraph that may be its dateline ("27.1.2022 - Bei ...")
_NOT_PUBLISHED = re.compile(r"\(@\w+\)")


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


# --------------------------------------------------------------------------
# Confidence

_MIN_BODY_SHARE = 0.15   # of the page's prose words
_MIN_PAGE_WORDS = 150
_MIN_BODY_WORDS = 60     # a shorter body is more often a teaser or a caption
_UNSURE_P = 0.15         # lines the model neither keeps nor clearly drops
_MAX_UNSURE_SHARE = 0.8  # undecided words per kept word
_MIN_AGREEMENT = 0.3     # word overlap of the rule reader's and the model's bodies


def _low_confidence(lines: list[str], reading: _RuleReading, proba: np.ndarray,
                    threshold: float) -> str | None:
    """Return why the body may be wrong, else None.

    Measured on both labelled corpora, these flag 17 of the 25 pages whose
    recall is below 0.3 while flagging 105 of 586 pages: little of the
    page's prose kept, a very short body, as many undecided words as kept
    ones, or the rule reader and the line model choosing different text. A
    body that is nearly the whole page is not flagged: on those pages (19
    of 586) recall was never below 0.3 and precision near the average.
    """
    if not len(proba) or not (proba > threshold).any():
        return "no article body found"
    words = np.array([word_count(lines[i]) for i in reading.idx], dtype=np.float64)
    model_kept = proba > threshold
    rule_kept = np.array(reading.keep, dtype=bool)
    kept, total = words[model_kept].sum(), words.sum()
    prose = words[np.array(reading.classes) == GOOD].sum()
    unsure = words[(proba > _UNSURE_P) & ~model_kept].sum()
    union = words[model_kept | rule_kept].sum()
    agreement = words[model_kept & rule_kept].sum() / max(union, 1.0)
    if prose >= _MIN_PAGE_WORDS and kept < _MIN_BODY_SHARE * prose:
        return f"body is {kept / prose:.0%} of the page's prose: article may be cut"
    if kept < _MIN_BODY_WORDS and total >= 3 * kept:
        return f"body is only {kept:.0f} words of {total:.0f}"
    if unsure > _MAX_UNSURE_SHARE * kept:
        return f"{unsure:.0f} words undecided against {kept:.0f} kept"
    if agreement < _MIN_AGREEMENT:
        return f"rule reader and line model agree on {agreement:.0%} of the body"
    return None


def parse_text_page(
    text: str,
    *,
    boilerplate: frozenset[str] = frozenset(),
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    crawled: datetime.datetime | None = None,
    model: LineModel | None = None,
) -> TextPage:
    """Split a plain-text page dump into title, dateline, source and body.

    Parameters
    ----------
    text : str
        The dump: one visible text block per line, the ``<title>`` first.
    boilerplate : frozenset of str
        Chrome lines of the page's site, from :func:`recurring_lines`.
    languages : sequence of str
        Fallback languages for dates; the page's own language (py3langid)
        goes first.
    crawled : datetime.datetime, optional
        When the page was fetched: relative datelines ("vor 3 Stunden")
        are resolved against it. Without it they give no date and
        ``date_problem`` says why.
    model : LineModel, optional
        The line model; default the one shipped in ``analysis/models``.

    Returns
    -------
    TextPage
        ``text`` holds the body paragraphs joined by blank lines ("" if none);
        ``low_confidence`` says why the body may be wrong, or is None.

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
    layout = _layout(text, boilerplate)
    if layout is None:  # nothing, or a binary file
        return TextPage(None, None, None, None, "")
    lines = layout.lines
    anchor = layout.repeats[0] if layout.repeats else None
    reading = _rule_reading(lines, layout.first, layout.chrome, anchor)
    language = page_language("\n".join(lines[i] for i in reading.idx))
    model = model or load_line_model()
    body, proba = _model_body(layout, reading, language, model)
    fallback = None
    if not body and any(reading.keep):
        # A fragment (a truncated download) is still an article; kept, and
        # said to be unsure, rather than dropped as if it were chrome.
        body = [i for i, k in zip(reading.idx, reading.keep, strict=True) if k]
        fallback = "the line model kept no line: the rule reader's body"
    body = _drop_repeats(lines, body)
    # A credit line ("Source: X") closes the article: what follows it is
    # the page's lists and teasers, however sentence-like.
    credit = next((i for i in range(body[0] + 1, body[-1]) if _SOURCE_LABEL.match(lines[i])),
                  None) if body else None
    if credit is not None:
        body = [i for i in body if i <= credit]
    end = body[-1] + 1 if body else len(lines)

    source = _find_source(lines, end, boilerplate) if body else None
    if body and _source_line(lines[body[-1]]):
        source = _source_line(lines[body.pop()])
    if body and source is None:
        source = _copyright_holder(lines[end:])
    title, head = _headline(layout, body[0] if body else None)
    if head is not None and head in body:
        body.remove(head)  # the printed headline, not a paragraph
    langs = tuple(dict.fromkeys([language, *languages] if language else languages))
    # The dateline sits by the headline's first appearance (a later copy
    # may head the body itself).
    # A headline found below the body's start (a teaser, a copy in the
    # footer) does not tell where the article's dateline is.
    heads = [i for i in (head, anchor) if i is not None and (not body or i <= body[0])]
    candidates = _date_candidates(lines, min(heads) if heads else None, layout.first, body, langs,
                                  head if head is not None and head in heads else None)
    date_text, published, date_problem = _read_date(lines, candidates, langs, crawled)
    return TextPage(
        title=title,
        published=published,
        date_text=date_text,
        source=source,
        text="\n\n".join(lines[i] for i in body),
        low_confidence=fallback or _low_confidence(lines, reading, proba, model.threshold_keep),
        date_problem=date_problem,
        language=language,
    )
