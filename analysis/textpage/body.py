"""The article body of a text dump: the rule reader's run, the line model's verdict, the credit.

The rule reader weighs each line by its class and picks the best
contiguous run of prose near the headline (a max-sum subarray,
:func:`_rule_reading`); the trained line model of :mod:`analysis.textlines`
reads its verdicts with each line's own measurements and keeps the body
(:func:`_model_body`). A credit line or the footer's copyright names the
source; :func:`_low_confidence` says when the body may be wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from analysis.linemodel import StackedLineModel
from analysis.textlines import (
    LineRows,
    PageText,
    letter_words,
    line_features,
    page_text,
    stopwords_for,
)
from analysis.textpage.headline import _is_byline, _Layout
from analysis.textpage.lines import (
    _CHROME_SHORT,
    _PICTURE_CREDIT,
    _STOPWORDS,
    _TERMINAL,
    BAD,
    GOOD,
    NEUTRAL,
    WALL,
    _loose,
    _norm,
    _page_classes,
    looks_like_dateline,
    word_count,
)

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


def _isolated(classes: np.ndarray) -> np.ndarray:
    """Return which lines are prose standing alone between non-prose lines,
    the shape of a teaser list (headline, byline, blurb, headline, ...).

    Two lines each side are read, and neither side when the page has fewer
    (the first two lines' "before" and the last three's "after" count as
    undecided).
    """
    good = classes == GOOD
    n = len(good)
    k = np.arange(n)
    prev1, prev2, next1, next2 = (np.zeros(n, dtype=bool) for _ in range(4))
    prev1[1:], prev2[2:], next1[:-1], next2[:-2] = good[:-1], good[:-2], good[1:], good[2:]
    has_before, has_after = k >= 2, k + 3 <= n
    before_last, before_any = has_before & prev1, has_before & (prev1 | prev2)
    after_first, after_any = has_after & next1, has_after & (next1 | next2)
    return good & ~before_last & ~after_first & (~before_any | ~after_any)


def _line_weights(words: list[int], classes: list[int]) -> list[float]:
    """Return the max-sum weight of each classified line (*words*: its word count).

    The cost of a non-prose line grows with its distance from the last prose
    line: a short interruption (an ad slot, a subheading) is cheap to bridge,
    a long stretch of chrome separates two unrelated blocks of prose.
    """
    cls = np.asarray(classes, dtype=np.int64)
    good = cls == GOOD
    k = np.arange(len(cls))
    # Lines since the last prose line (counting this one).
    gap = k - np.maximum.accumulate(np.where(good, k, -1))
    growth = np.minimum(1 + _GAP_GROWTH * (gap - 1), _GAP_GROWTH_CAP)
    cost = -np.where(cls == NEUTRAL, _NEUTRAL_COST, _BAD_COST) * growth
    prose = (np.minimum(np.asarray(words, dtype=np.int64), _GOOD_CAP).astype(np.float64)
             * np.where(_isolated(cls), _ISOLATED_SHARE, 1.0))
    return np.where(good, prose, np.where(cls == WALL, -1e9, cost)).tolist()


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


def _classify(idx: list[int], anchor: int | None, words: np.ndarray, dateline: np.ndarray,
              classes: np.ndarray) -> list[int]:
    """Return the class of each line in *idx* from its rule class (*classes*):
    an undecided dateline is chrome, and everything after a wall (comments
    header, copyright) that follows real prose is WALL."""
    classes = classes.copy()
    classes[(classes == NEUTRAL) & dateline] = BAD
    # Prose words before each line. The article starts after its repeated
    # title: the count restarts at each line up to it (``idx`` ascends), so
    # earlier prose (a sidebar) cannot turn a comment counter into a wall.
    good = np.where(classes == GOOD, words, 0)
    restart = max(sum(i <= anchor for i in idx) - 1, 0) if anchor is not None else 0
    before = np.zeros(len(idx), dtype=np.int64)
    before[restart + 1:] = np.cumsum(good[restart:-1])
    walls = np.flatnonzero((classes == WALL) & (before >= _WALL_AFTER_WORDS))
    if len(walls):
        classes[walls[0]:] = WALL
    return classes.tolist()


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
    #: Measurements of the lines of ``idx``, their keys and which are datelines.
    measures: PageText = field(repr=False)
    keys: list[str] = field(repr=False)
    dateline: np.ndarray = field(repr=False)


def _rule_reading(
    lines: list[str], first: int, chrome: frozenset[str], anchor: int | None
) -> _RuleReading:
    """Return the rule reader's classes, chosen run and kept lines."""
    idx = [i for i in range(first + 1, len(lines)) if lines[i]]
    sub = [lines[i] for i in idx]
    keys = [line.casefold() for line in sub]
    measures = page_text(sub)
    # A dateline is short and holds a digit: only those lines are read.
    dateline = np.zeros(len(idx), dtype=bool)
    for k in np.flatnonzero((measures.chars <= 120) & (measures.digits > 0)
                            & (measures.words <= 16)):
        dateline[k] = looks_like_dateline(sub[k])
    words = measures.words.tolist()
    classes = _classify(idx, anchor, measures.words, dateline,
                        _page_classes(sub, keys, measures, chrome))
    segments = _segments(_line_weights(words, classes))
    if not segments:
        # No prose at all (results tables, listings): fall back to any
        # sentence-shaped line rather than return nothing.
        classes = [
            GOOD if c == NEUTRAL and count >= 4 and _TERMINAL.search(line) else c
            for line, count, c in zip(sub, words, classes, strict=True)
        ]
        segments = _segments(_line_weights(words, classes))
    anchor_pos = None if anchor is None else sum(i < anchor for i in idx)
    lo, hi = _choose_segment(segments, anchor_pos)
    keep = [False] * len(idx)
    if lo < hi:
        keep[lo:hi] = _keep_in_region(classes[lo:hi])
    return _RuleReading(idx, classes, lo, hi, keep, measures, keys, dateline)


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
        words=reading.measures.words.astype(np.float64),
        classes=np.array(reading.classes, dtype=np.int64),
        region=region,
        kept=np.array(reading.keep, dtype=np.float64),
        # Lines are whitespace-normalised already: their key is their casefold.
        chrome=np.fromiter(map(layout.chrome.__contains__, reading.keys), dtype=np.float64,
                           count=len(reading.keys)),
        dateline=reading.dateline.astype(np.float64),
        line_no=np.array(idx, dtype=np.float64),
        anchor=layout.repeats[0] if layout.repeats else None,
        n_lines=len(lines),
        title_words=frozenset(letter_words(lines[layout.first])),
        measures=reading.measures,
    )
    return line_features(rows, stop_lang=stopwords_for(language), stop_any=_STOPWORDS)


def _model_body(layout: _Layout, reading: _RuleReading, language: str | None,
                model: StackedLineModel) -> tuple[list[int], np.ndarray]:
    """Return the lines the model keeps (dump indices, in order) and every line's probability."""
    if not reading.idx:
        return [], np.zeros(0)
    proba = model.predict_proba(_line_table(layout, reading, language),
                                [layout.lines[i] for i in reading.idx])
    # Copies of the title, the site's recurring lines, comment headers and
    # copyright lines are never the body.
    allowed = np.array([key not in layout.chrome and c != WALL
                        for key, c in zip(reading.keys, reading.classes, strict=True)],
                       dtype=bool)
    # Nor is a line that is only a date ("13:31 | 22.09.2014", "22 Eylül
    # 2014 13:31"): the context model may keep one between the headline and
    # the first paragraph of a short page.
    allowed &= ~_date_or_reading_time(layout, reading)
    # Nor a pointer to another article ("Lesen Sie auch", "Czytaj też:
    # <headline>") and the headline under a bare one.
    allowed &= ~_teasers(reading)
    # Nor a picture's caption or credit.
    allowed &= ~_captions(reading)
    # Nor a line of punctuation or digits with hardly a word in it (a
    # 32 KB run of ".,", a hex dump): prose has a word every few characters.
    allowed &= reading.measures.chars <= _MAX_CHARS_PER_WORD * np.maximum(
        reading.measures.letters, 1)
    keep = (proba > model.threshold_keep) & allowed
    # The model is least sure of an article's first lines (a standfirst, a
    # lead under the headline): the lines right above the first kept one
    # join it while each is likelier than _LEAD_P. A byline among them is
    # passed over and left out.
    k = int(np.argmax(keep)) - 1 if keep.any() else -1
    while k >= 0:
        if not _is_byline(layout.lines[reading.idx[k]]):
            if not (allowed[k] and proba[k] > _LEAD_P):
                break
            keep[k] = True
        k -= 1
    keep |= _table_inside(keep, allowed, reading.measures)
    # A wall that ended the rule reader's page (comments header, copyright
    # after the article: every later line is WALL) still ends it.
    classes = np.array(reading.classes)
    tail = len(classes)
    while tail and classes[tail - 1] == WALL:
        tail -= 1
    if tail < len(classes) - 1:
        keep[tail:] = False
    return [i for i, k in zip(reading.idx, keep, strict=True) if k], proba


def _table_inside(keep: np.ndarray, allowed: np.ndarray, measures: PageText) -> np.ndarray:
    """Return which lines are a table of figures between two kept lines of the body.

    A dump puts each cell of a table on its own line ("gsoc-2018", "3.3
    GB/s", "0.091 GB/s"): every line alone is too short for the model to
    keep, though the run sits inside the article. A run of at least
    ``_TABLE_ROWS`` dropped lines of at most ``_TABLE_CELL_WORDS`` words each,
    at least half of them holding a digit, joins the body. Share bars and
    tag lists inside a body are short too but hold no figures. Site-grouped
    CV: 2 more snippets found on one page, no other snippet changed; the
    body changed on 9 of 495 pages (results, nutrition and benchmark tables,
    a recipe card, a program's printed output; once a teaser grid with
    ratings inside a body that already held the grid around it).

    Examples
    --------
    >>> lines = ["A paragraph."] + ["Team", "2019", "2020", "Points", "12", "15"] + ["More."]
    >>> keep = np.array([True] + [False] * 6 + [True])
    >>> _table_inside(keep, np.ones(8, dtype=bool), page_text(lines)).tolist()
    [False, True, True, True, True, True, True, False]
    """
    out = np.zeros_like(keep)
    kept = np.flatnonzero(keep)
    cell = allowed & (measures.raw_words <= _TABLE_CELL_WORDS)
    for a, b in zip(kept[:-1], kept[1:], strict=True):
        if b - a - 1 >= _TABLE_ROWS and cell[a + 1 : b].all() and (
                np.count_nonzero(measures.digits[a + 1 : b]) * 2 >= b - a - 1):
            out[a + 1 : b] = True
    return out


_TABLE_ROWS = 6        # dropped lines in a run, at least
_TABLE_CELL_WORDS = 3  # words of a table cell, at most


def _closing_credit(lines: list[str], body: list[int]) -> int | None:
    """Return the credit line ("Source: X") inside the body that closes the article, or None.

    What follows the article's credit is the page's lists and teasers,
    however sentence-like. When the first credit has more of the body below
    it than above, it is a photo's or a table's ("Quelle: THW" under the
    lead picture) and nothing is cut: later credits are the pictures' too
    (site-grouped CV: cutting at the first credit with most of the body
    above it lost one more snippet than not cutting).
    """
    if not body:
        return None
    credit = next((i for i in range(body[0] + 1, body[-1]) if _SOURCE_LABEL.match(lines[i])),
                  None)
    if credit is None:
        return None
    above = sum(len(lines[i].split()) for i in body if i < credit)
    below = sum(len(lines[i].split()) for i in body if i > credit)
    return credit if below <= above else None


def _date_or_reading_time(layout: _Layout, reading: _RuleReading) -> np.ndarray:
    """Return which lines of ``reading.idx`` are a date alone (a dateline of a few words, no
    sentence) or a reading time ("Reading time: 2 min", "7 min Lesezeit")."""
    return np.array([(bool(d) and len(layout.lines[i].split()) <= _BARE_DATELINE_WORDS
                      and not _SENTENCE_END.search(layout.lines[i]))
                     or _READING_TIME.match(layout.lines[i]) is not None
                     for i, d in zip(reading.idx, reading.dateline, strict=True)], dtype=bool)


def _teasers(reading: _RuleReading) -> np.ndarray:
    """Return which lines of ``reading.idx`` point to other articles: a "read also" label
    ("Lesen Sie auch", "À lire aussi »", "Czytaj też: <headline>", "MIRA | <headline>"),
    and the line right under a bare label when it is a headline (at most
    ``_TEASER_WORDS`` words, no closing punctuation).

    Inside a body such a label reads like a subheading, and the model kept it
    between two paragraphs. Site-grouped CV: 17 of the 143 chrome snippets
    kept before, none of the article's (the phrases were collected from
    those pages and from each language's usual labels: see the caveat in
    benchmarks/RESULTS.md).

    Examples
    --------
    >>> lines = ["Lesen Sie auch", "Die Bahn erhöht die Preise", "Der Zug fuhr pünktlich ab.",
    ...          "Czytaj też: Wyścig zbrojeń ruszył", "Lesen Sie auch die anderen Berichte."]
    >>> reading = _RuleReading(list(range(5)), [2] * 5, 0, 5, [True] * 5, page_text(lines),
    ...                        [_norm(line) for line in lines], np.zeros(5, dtype=bool))
    >>> _teasers(reading).tolist()
    [True, True, False, True, False]
    """
    keys = reading.keys
    label = np.array([_TEASER_LABEL.match(key) is not None for key in keys], dtype=bool)
    under = np.zeros_like(label)
    # A bare label is a label: only those lines are matched again.
    for k in np.flatnonzero(label[:-1]):
        under[k + 1] = (_BARE_TEASER_LABEL.match(keys[k]) is not None
                        and reading.measures.raw_words[k + 1] <= _TEASER_WORDS
                        and not _SENTENCE_END.search(keys[k + 1]))
    return label | under


# "Read also" labels, casefolded, by language: en, de, fr, es, pt, pl, it, nl, fi.
_TEASER_PHRASES = (
    r"read (?:more|also|next)|also read|see also"
    r"|related(?: (?:articles?|stories|posts|content|news))?"
    r"|you (?:may|might) also like|recommended for you|more on this(?: topic| story)?"
    r"|lesen sie (?:auch|mehr)|lies auch|siehe auch|mehr zum thema|mehr dazu|weiterlesen"
    r"|das könnte (?:dich|sie) auch(?: noch)? interessieren|weitere beiträge(?: zu\w*)?"
    r"|auch interessant|passend zum thema|die neuesten meldungen"
    r"|empfohlener redaktioneller inhalt"
    r"|(?:à |a )?lire aussi|(?:à )?voir aussi|sur le même sujet|lire la suite"
    r"|vea también|ver también|lee también|lea también|puedes ver|te puede interesar"
    r"|también te puede interesar|leer más|veja também|leia também|leia mais|saiba mais"
    r"|czytaj (?:też|także|więcej)|zobacz (?:też|także)|dowiedz się więcej"
    r"|leggi anche|vedi anche|lees ook|lue myös"
)
# A bare label, or a label and a colon (or », ›, |) before a headline. "Mira"
# (Spanish "look") is a name as often: only before a colon.
# Possessive runs: a long line of punctuation fails in one pass.
_BARE_TEASER_LABEL = re.compile(rf"^\W*+(?:{_TEASER_PHRASES})\W*+$")
_TEASER_LABEL = re.compile(rf"^\W*+(?:(?:{_TEASER_PHRASES})\W*+$"
                           rf"|(?:{_TEASER_PHRASES}|mira)\s*+[:：»›|]\s*+\S)")
_TEASER_WORDS = 15


def _captions(reading: _RuleReading) -> np.ndarray:
    """Return which lines of ``reading.idx`` are a picture's caption or credit: at most
    ``_CAPTION_WORDS`` words whose last ``_CREDIT_TAIL`` characters hold a picture's credit
    ("Foto: dpa", "© AFP / MARCO BERTORELLO", "Kuva: X", "(Image credit: X)"; the pattern
    the headline reader also refuses) or that open with a figure's label ("Abbildung 4:",
    "Abb. 1:", "Figure 2:").

    A caption reads like a sentence of the article and stands between its
    paragraphs; the credit at its end or the label at its start gives it
    away. Site-grouped CV: 13 of the 126 chrome snippets kept before, none
    of the article's; the lines dropped (on 45 of the 495 pages and 5 of
    the 91 textdumps) were all captions or credits, read by hand.

    Examples
    --------
    >>> lines = ["In Gottesdiensten gilt FFP2-Maskenpflicht. Foto: ccnull/Marco Verch",
    ...          "Marco Odermatt, Ski-Star aus der Schweiz. © AFP / MARCO BERTORELLO",
    ...          "Die Kirche bleibt offen, sagte der Bischof am Montag."]
    >>> reading = _RuleReading(list(range(3)), [2] * 3, 0, 3, [True] * 3, page_text(lines),
    ...                        [_norm(line) for line in lines], np.zeros(3, dtype=bool))
    >>> _captions(reading).tolist()
    [True, True, False]
    """
    caption = np.array([_PICTURE_CREDIT.search(key[-_CREDIT_TAIL:]) is not None
                        or _FIGURE_LABEL.match(key) is not None for key in reading.keys],
                       dtype=bool)
    return caption & (reading.measures.raw_words <= _CAPTION_WORDS)


_CREDIT_TAIL = 60
# Casefolded: "abbildung 4:", "abb. 1:", "figure 2.", "rys. 3:" (de, en, fr, es, it, pl).
_FIGURE_LABEL = re.compile(r"^\W*+(?:abbildung|abb\.|figure|fig\.|grafik|illustration|ilustración"
                           r"|figura|rysunek|rys\.)\s*+\d*[a-z]?\s*+[:.]\s")
_CAPTION_WORDS = 40


# Site-grouped CV, snippet F1 (shipped model's configuration): 0.899 without
# the extension, 0.902 at 0.3 and 0.35, 0.901 at 0.4. At 0.4 a menu's last
# items over the body (p 0.30-0.34 on a test page) stay out.
_LEAD_P = 0.4
_BARE_DATELINE_WORDS = 8
_MAX_CHARS_PER_WORD = 50
# Each optional part opens with its own characters, so a line is matched
# one way only (no backtracking over spaces).
_READING_TIME = re.compile(
    r"(?:(?:reading time|lesezeit|lesedauer|temps de lecture|tiempo de lectura|tempo de leitura"
    r"|okuma süresi|czas czytania)\s*(?::\s*)?(?:ca\.\s*)?(?:\d+\s*)?(?:[^\W\d_]{1,8}\.?\s*)?"
    r"(?:read\s*)?"
    r"|(?:ca\.\s*)?\d+\s*(?:min|mins|minute|minutes|minuten|minutos|dk)\.?\s*(?:read|lesezeit"
    r"|de lecture|de lectura|de leitura|okuma)\s*)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")


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
    words = reading.measures.words.astype(np.float64)
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


def _far_from_headline(lines: list[str], head: int | None, body: list[int]) -> str | None:
    """Return why a body that starts far below its headline may miss its opening, else None.

    The article follows its headline; many lines between them (a recipe's
    ingredient list, an encyclopedia's infobox and opening) are text the
    reader did not keep. Measured on both labelled corpora, a gap of over
    40 lines flags 4 of the 8 otherwise unflagged pages whose recall is
    below 0.3, and 1 of the other 480.

    Examples
    --------
    >>> lines = ["Title", "Title"] + ["Menu item"] * 50 + ["A paragraph of the article."]
    >>> _far_from_headline(lines, 1, [52])
    'body starts 50 lines below the headline: its opening may be missed'
    >>> _far_from_headline(lines, 1, [3]) is None
    True
    """
    if head is None or not body or head >= body[0]:
        return None
    between = sum(1 for line in lines[head + 1 : body[0]] if line)
    if between > _MAX_HEAD_GAP:
        return f"body starts {between} lines below the headline: its opening may be missed"
    return None


_MAX_HEAD_GAP = 40  # non-empty lines between the headline and the body


def _scattered_body(reading: _RuleReading, proba: np.ndarray, threshold: float) -> str | None:
    """Return why a body of scattered lines the model is unsure of may be wrong, else None.

    An article is a run of paragraphs; lines kept here and there among many
    dropped ones (a sidebar's teasers, a bio, a donation appeal) are what the
    model keeps when no run of text is the article, and then it is sure of
    few of them. Measured on both labelled corpora (shipped model and
    site-grouped CV), kept lines under a quarter of the lines they span with
    under 30 % of their words above probability 0.8 flag 1 (shipped) / 2
    (CV) more of the pages whose recall is below 0.3, and 0 / 1 of the others.

    Examples
    --------
    >>> lines = ["One line of the page."] * 10
    >>> reading = _RuleReading(list(range(10)), [2] * 10, 0, 10, [True] * 10,
    ...                        page_text(lines), lines, np.zeros(10, dtype=bool))
    >>> _scattered_body(reading, np.array([.6, .1, .1, .1, .1, .1, .1, .1, .1, .7]), 0.5)
    'body is 2 scattered lines of 10, few of them sure'
    >>> _scattered_body(reading, np.array([.9, .1, .1, .1, .1, .1, .1, .1, .1, .7]), 0.5) is None
    True
    """
    kept = np.flatnonzero(proba > threshold)
    if not len(kept):
        return None
    span = kept[-1] - kept[0] + 1
    words = reading.measures.words.astype(np.float64)
    sure = words[proba > _SURE_P].sum() / max(words[kept].sum(), 1.0)
    if len(kept) < _MIN_SPAN_SHARE * span and sure < _MIN_SURE_SHARE:
        return f"body is {len(kept)} scattered lines of {span}, few of them sure"
    return None


_MIN_SPAN_SHARE = 0.25  # kept lines per line between the first and the last kept
_SURE_P = 0.8           # a line the model is sure of
_MIN_SURE_SHARE = 0.3   # of the kept words


def _cut_short_body(lines: list[str], body: list[int]) -> str | None:
    """Return why a short body that stops mid-sentence may be a cut-off download, else None.

    A page of one or two short paragraphs whose last line has no closing
    punctuation ("... due to beg") is a fragment however sure the model is
    of its words.
    """
    words = sum(len(lines[i].split()) for i in body)
    if not body or words >= _CUT_SHORT_WORDS or _SENTENCE_END.search(lines[body[-1]]):
        return None
    if len(lines[body[-1]].split()) < _CUT_SHORT_LAST:
        return None  # a heading, a name, a caption: not a sentence cut off
    return f"body is {words} words and stops mid-sentence: the page may be cut short"


_CUT_SHORT_WORDS = 60  # words of a body short enough to be a fragment
_CUT_SHORT_LAST = 8    # words of a last line long enough to be a sentence


def _unsure_body(kept: np.ndarray) -> str | None:
    """Return why a body of lines the model only just kept may be wrong, else None.

    *kept* holds the probabilities of the lines the model kept. When none
    of them reaches 0.6, the body is a guess: a truncated download's half
    sentence, or a page with no line that reads like an article. Measured on
    both labelled corpora (shipped model and site-grouped CV, after the
    other reasons), it flags no page of theirs: every body not flagged for
    another reason holds a line above 0.65.

    Examples
    --------
    >>> _unsure_body(np.array([0.53, 0.51]))
    'no kept line is sure (best 0.53)'
    >>> _unsure_body(np.array([0.53, 0.91])) is None
    True
    """
    if len(kept) and kept.max() < _SURE_KEPT_P:
        return f"no kept line is sure (best {kept.max():.2f})"
    return None


_SURE_KEPT_P = 0.6  # the best kept line of a body the model is sure of
