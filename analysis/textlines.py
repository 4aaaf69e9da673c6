"""Line features of text dumps and the trained line model that keeps article lines.

:mod:`analysis.textpage` reads a dump line by line; this module turns each
line into a row of generic features (length, punctuation, function-word
share in the page's language, position, repetition across the site, the
rule reader's verdict, and the same for the neighbouring lines) and scores
the rows with a small gradient-boosted tree ensemble trained by
``scripts/train_line_model.py``.

The trees ship as plain JSON (in ``analysis/models/line_model.json``, read
by :mod:`analysis.linemodel`, which chains them with a wording model):
every tree padded to a complete binary tree of fixed depth, so evaluation
is a few vectorised numpy indexing steps and one elementwise sum -- no
pickle, no scikit-learn at read time, no BLAS, the same numbers on every
machine.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["FEATURES", "LineModel", "PageText", "letter_words", "line_features", "line_memo",
           "page_language", "page_text", "stopwords_for", "word_runs"]

#: Languages whose stopword lists the ``stop-words`` package ships, by ISO code.
_STOP_WORDS_NAMES = {
    "ar": "arabic", "bg": "bulgarian", "ca": "catalan", "cs": "czech", "da": "danish",
    "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french", "de": "german",
    "hu": "hungarian", "id": "indonesian", "it": "italian", "nb": "norwegian",
    "no": "norwegian", "pl": "polish", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sk": "slovak", "es": "spanish", "sv": "swedish", "tr": "turkish",
    "uk": "ukrainian", "vi": "vietnamese", "fa": "persian", "el": "greek",
}
_LETTER_WORD = re.compile(r"[^\W\d_]+")


#: Lines memoised per function, and the longest line kept: a bound on the
#: memory, whatever lines (a megabyte of script on one line) a dump holds.
_MEMO_LINES = 1 << 14
_MEMO_CHARS = 4000


def line_memo(function):
    """Return ``function`` of one line, memoised for the lines short enough to keep.

    Several stages measure the same line (classes, weights, features,
    confidence); the memo keeps that to one regex pass per line without
    holding long lines in memory.

    Examples
    --------
    >>> shout = line_memo(str.upper)
    >>> shout("oil"), shout("oil"), shout("x" * 5000) == "X" * 5000
    ('OIL', 'OIL', True)
    """
    cached = functools.lru_cache(maxsize=_MEMO_LINES)(function)

    @functools.wraps(function)
    def memo(line: str):
        return cached(line) if len(line) <= _MEMO_CHARS else function(line)

    return memo


@line_memo
def letter_words(line: str) -> tuple[str, ...]:
    """Return the casefolded letter words of a line (memoised: several stages ask).

    Examples
    --------
    >>> letter_words("The 3 Ministers' talks")
    ('the', 'ministers', 'talks')
    """
    return tuple(_LETTER_WORD.findall(line.casefold()))
_LANG_SAMPLE_CHARS = 600


@functools.cache
def stopwords_for(language: str | None) -> frozenset[str]:
    """Return the function words of *language* (ISO 639-1), empty if unknown.

    Examples
    --------
    >>> "und" in stopwords_for("de"), len(stopwords_for("xx"))
    (True, 0)
    """
    name = _STOP_WORDS_NAMES.get(language or "")
    if name is None:
        return frozenset()
    from stop_words import get_stop_words  # imported lazily: reads its word files

    return frozenset(w.casefold() for w in get_stop_words(name))


def page_language(text: str) -> str | None:
    """Return the language of a page from its longest lines (py3langid), or None.

    The longest lines are the article's paragraphs far more often than
    chrome, so a few of them decide the language of a dump whose menus may
    be in another.

    Examples
    --------
    >>> page_language("Menü\\nDer Minister sagte am Montag, die Gespräche würden fortgesetzt.")
    'de'
    >>> page_language("") is None
    True
    """
    lines = sorted((line.strip() for line in text.splitlines()), key=len, reverse=True)
    sample, size = [], 0
    for line in lines:
        if not line or size >= _LANG_SAMPLE_CHARS:
            break
        sample.append(line)
        size += len(line) + 1
    if not sample:
        return None
    # One text: py3langid's own classifier (what analysis.clean.detect_languages
    # reproduces in batches) is 40 times faster than a batch of one.
    import py3langid

    return py3langid.classify("\n".join(sample)[:_LANG_SAMPLE_CHARS])[0]


# --------------------------------------------------------------------------
# Whole-page measurements

# Separators tried, in order, to join a page's lines: whitespace, absent
# from every line (a reader's lines never hold "\n"; the others serve
# arbitrary callers).
_SEPARATORS = ("\n", "\x1e", "\x1f", "\u2028", "\u2029")
# Closing quotes and brackets that may follow a sentence's stop.
_CLOSERS = "\"'”’»)]"
_TERMINALS = frozenset(".!?…:。！？")
_STOPS = frozenset(".!?。！？")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_PUNCT = re.compile(r"[|/»«•·>\-–—_#*]")  # separator punctuation ("Home | News")
# What a character is, as the per-line patterns see it: one bit per class,
# looked up for a whole page at once (see _char_bits).
_WORD_BIT, _DIGIT_BIT, _SPACE_BIT, _UPPER_BIT, _PUNCT_BIT, _STOP_BIT, _LETTER_BIT = (
    1, 2, 4, 8, 16, 32, 64)
_CHAR_TESTS = (  # (bit, test of one character)
    (_WORD_BIT, re.compile(r"\w").match), (_DIGIT_BIT, re.compile(r"\d").match),
    (_SPACE_BIT, re.compile(r"\s").match), (_UPPER_BIT, str.isupper),
    (_PUNCT_BIT, _PUNCT.match), (_STOP_BIT, _STOPS.__contains__),
    (_LETTER_BIT, re.compile(r"[^\W\d_]").match),  # a character of a letter word
)
_BMP = 0x10000


@functools.cache
def _bmp_bits() -> np.ndarray:
    """Return the class bits of every character of the Basic Multilingual Plane.

    Built once (~0.05 s) from the patterns (and ``str.isupper``) themselves,
    so a lookup answers exactly what the per-line pattern answers.
    """
    chars = "".join(map(chr, range(_BMP)))
    bits = np.zeros(_BMP, dtype=np.uint8)
    for bit, test in _CHAR_TESTS:
        if isinstance(getattr(test, "__self__", None), re.Pattern):
            where = [m.start() for m in test.__self__.finditer(chars)]
        else:
            where = [i for i, c in enumerate(chars) if test(c)]
        bits[where] |= bit
    return bits


def _char_bits(codes: np.ndarray) -> np.ndarray:
    """Return the class bits of each code point of *codes*."""
    out = _bmp_bits()[np.minimum(codes, _BMP - 1)]
    for k in np.flatnonzero(codes >= _BMP).tolist():  # emoji, rare scripts: one test each
        char = chr(int(codes[k]))
        out[k] = sum(bit for bit, test in _CHAR_TESTS if test(char))
    return out


def _codes(text: str) -> np.ndarray:
    """Return the code points of *text* (a lone surrogate is one, as ``len`` counts it)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _starts(flags: np.ndarray) -> np.ndarray:
    """Return where a run of set *flags* starts."""
    out = flags.copy()
    out[1:] &= ~flags[:-1]
    return out


@dataclass
class PageText:
    """Measurements of each line of a page, taken over the whole page at once.

    A regex call per line and measure costs more than the matching itself
    on a page of a few hundred short lines: :func:`page_text` joins the
    lines, reads each character's class from a table, and counts per line
    with numpy. The values are those of the per-line functions
    (:func:`letter_words`, :func:`analysis.dates.word_count`, ...).
    """

    lines: Sequence[str]
    chars: np.ndarray        # characters
    words: np.ndarray        # analysis.dates.word_count
    letters: np.ndarray      # len(letter_words(line))
    digits: np.ndarray       # decimal digits ("\d")
    punct: np.ndarray        # separator punctuation (|, /, », -, ...)
    sentences: np.ndarray    # stops followed by a space or the line's end
    raw_words: np.ndarray    # len(line.split())
    initials: np.ndarray     # of them, starting with an upper-case letter
    terminal: np.ndarray     # ends with a stop or colon (and closing quotes)
    full_stop: np.ndarray    # ends with a stop that is no ellipsis
    capitalised: np.ndarray  # first character upper-case
    ellipsis: np.ndarray     # ends with "..." or "…"
    cjk: np.ndarray          # holds CJK characters
    tokens: list[str]        # the page's letter words (letter_words of each line, in order)
    token_line: np.ndarray   # line of each token
    _counts: dict = field(default_factory=dict, repr=False)

    def count_in(self, vocabulary: frozenset[str]) -> np.ndarray:
        """Return how many letter words of each line are in *vocabulary*."""
        key = id(vocabulary)
        if key not in self._counts:  # the rules and the features ask for the same list
            hits = np.frombuffer(bytes(map(vocabulary.__contains__, self.tokens)), dtype=bool)
            self._counts[key] = (vocabulary, np.bincount(self.token_line[hits],
                                                         minlength=len(self.lines)))
        return self._counts[key][1]

    def share_in(self, vocabulary: frozenset[str]) -> np.ndarray:
        """Return the share of each line's letter words in *vocabulary* (0 if it has none)."""
        return self.count_in(vocabulary) / np.maximum(self.letters, 1)


def page_text(lines: Sequence[str]) -> PageText:
    """Return the per-line measurements of *lines* (see :class:`PageText`).

    Examples
    --------
    >>> m = page_text(["Rain returns.", "Menu | 2 Home"])
    >>> m.words.tolist(), m.letters.tolist(), m.punct.tolist(), m.terminal.tolist()
    ([2, 3], [2, 2], [0, 1], [True, False])
    """
    n = len(lines)
    sep = next(s for s in _SEPARATORS if not any(s in line for line in lines))
    text = sep.join(lines)
    codes = _codes(text)
    bits = _char_bits(codes)
    chars = np.fromiter(map(len, lines), dtype=np.int64, count=n)
    starts = np.cumsum(chars + 1) - chars - 1  # where each line starts in ``text``
    space = (bits & _SPACE_BIT) != 0
    # One row per count, summed over each line's characters (and the
    # separator after it, which is whitespace and counts in no row): "\w+"
    # runs; digits; separator punctuation; a stop before whitespace or the
    # end (the sentence end); "\S+" runs (str.split) and those starting
    # upper-case.
    rows = np.zeros((6, len(codes) + 1), dtype=bool)
    rows[0, :-1] = _starts((bits & _WORD_BIT) != 0)
    rows[1, :-1] = (bits & _DIGIT_BIT) != 0
    rows[2, :-1] = (bits & _PUNCT_BIT) != 0
    rows[3, :-1] = ((bits & _STOP_BIT) != 0) & np.append(space[1:], True)
    rows[4, :-1] = _starts(~space)
    rows[5, :-1] = rows[4, :-1] & ((bits & _UPPER_BIT) != 0)
    counts = np.add.reduceat(rows, np.minimum(starts, len(codes)), axis=1, dtype=np.int64)
    counts[:, chars == 0] = 0  # reduceat reads one element for an empty segment
    words, digits, punct, sentences, raw_words, initials = counts
    # Letter words are read in the casefolded text ("ß" is "ss"): letters
    # ("[^\W\d_]") kept, everything else a space, then one str.split.
    folded = _codes(text.casefold())
    letter = (_char_bits(folded) & _LETTER_BIT) != 0
    token_line = np.cumsum(folded == ord(sep))[_starts(letter)]
    tokens = (np.where(letter, folded, np.uint32(ord(" "))).tobytes()
              .decode("utf-32-le", "surrogatepass").split())
    cjk = np.zeros(n, dtype=bool)
    if _CJK.search(text):
        # Two CJK characters count as one word: the rare lines that hold
        # them are counted as analysis.dates.word_count does.
        from analysis.dates import word_count

        for k, text_line in enumerate(lines):
            if _CJK.search(text_line):
                cjk[k] = True
                words[k] = word_count(text_line)
    # The end of a line, less its closing quotes: what the per-line "$"
    # patterns read (a "$" also matches before a final newline).
    tails = [text_line[-_TAIL:].removesuffix("\n").rstrip(_CLOSERS) for text_line in lines]
    return PageText(
        lines=lines,
        chars=chars,
        words=words,
        letters=np.bincount(token_line, minlength=n)[:n],
        digits=digits,
        punct=punct,
        sentences=sentences,
        raw_words=raw_words,
        initials=initials,
        terminal=np.array([t[-1:] in _TERMINALS for t in tails], dtype=bool),
        full_stop=np.array([t[-1:] in _STOPS and t[-2:-1] not in (".", "…") for t in tails],
                           dtype=bool),
        capitalised=((bits[np.minimum(starts, len(codes) - 1)] & _UPPER_BIT) != 0) & (chars > 0)
        if len(codes) else np.zeros(n, dtype=bool),
        ellipsis=np.array([text_line.endswith(("...", "…")) for text_line in lines], dtype=bool),
        cjk=cjk,
        tokens=tokens,
        token_line=token_line,
    )


def word_runs(lines: Sequence[str]) -> list[str]:
    """Return each line's casefolded words ("\\w+" runs) joined by single spaces.

    The whole page in one pass: characters that are no word character
    become spaces, then each line is split and rejoined.

    Examples
    --------
    >>> word_runs(["Rain – returns!", "", "Straße 7"])
    ['rain returns', '', 'strasse 7']
    """
    if not lines:
        return []
    sep = next(s for s in _SEPARATORS if not any(s in line for line in lines))
    codes = _codes(sep.join(lines).casefold())
    spaced = np.where(((_char_bits(codes) & _WORD_BIT) != 0) | (codes == ord(sep)), codes,
                      np.uint32(ord(" "))).tobytes().decode("utf-32-le", "surrogatepass")
    # Runs of spaces to one, none at a line's ends: each line's words joined
    # by single spaces, as " ".join(line.split()) gives them.
    collapsed = _SPACES.sub(" ", spaced)
    return collapsed.replace(" " + sep, sep).replace(sep + " ", sep).strip(" ").split(sep)


_TAIL = 16  # characters at a line's end that decide its terminal punctuation
_SPACES = re.compile(" {2,}")


# --------------------------------------------------------------------------
# Features

#: Names of the per-line features, in column order (the model file repeats
#: them so a stale model is refused rather than misread).
_OWN = (
    "log_words", "log_chars", "terminal", "full_stop", "sentences", "stop_lang", "stop_any",
    "digit_share", "upper_share", "punct_share", "capitalised", "position", "chrome", "repeated",
    "rule_good", "rule_neutral", "rule_bad", "rule_wall", "rule_region", "rule_kept",
    "after_anchor", "anchor_distance", "dateline", "ellipsis", "log_words_vs_max",
    "prose_before", "prose_after", "title_overlap", "log_words_vs_median", "region_distance",
    "page_prose_share", "page_log_lines",
)
_NEIGHBOUR = ("log_words", "terminal", "stop_any", "rule_good", "rule_kept", "chrome")
_OFFSETS = (-2, -1, 1, 2)
_WINDOWS = (5, 15)  # lines each side averaged for the "@winN" context columns
FEATURES: tuple[str, ...] = _OWN + tuple(
    f"{name}@{offset:+d}" for offset in _OFFSETS for name in _NEIGHBOUR
) + tuple(f"{name}@win{w}" for w in _WINDOWS for name in _NEIGHBOUR)
_COL = {name: i for i, name in enumerate(_OWN)}


@dataclass(frozen=True)
class LineRows:
    """Per-line raw measurements the reader already has, one entry per kept line."""

    lines: Sequence[str]
    words: np.ndarray          # word count
    classes: np.ndarray        # rule class: 2 GOOD, 1 NEUTRAL, 0 BAD, -1 WALL
    region: np.ndarray         # inside the rule reader's chosen run
    kept: np.ndarray           # kept by the rule reader
    chrome: np.ndarray         # recurring on the site, or a copy of the title
    dateline: np.ndarray       # looks like a dateline
    line_no: np.ndarray        # index of the line in the dump
    anchor: int | None         # index of the repeated title in the dump, if any
    n_lines: int               # lines in the dump
    title_words: frozenset[str] = frozenset()  # words of the ``<title>`` line
    #: The lines' measurements, when the reader has taken them already.
    measures: PageText | None = None




def _text_columns(m: PageText, stop_lang: frozenset[str], stop_any: frozenset[str]
                  ) -> np.ndarray:
    """Return the text-only features of each line, from the page's measurements."""
    chars = np.maximum(m.chars, 1).astype(np.float64)
    return np.column_stack([
        m.terminal, m.full_stop, np.minimum(m.sentences, 10),
        m.share_in(stop_lang), m.share_in(stop_any),
        m.digits / chars, m.initials / np.maximum(m.raw_words, 1), m.punct / chars,
        m.capitalised, m.ellipsis,
    ]).astype(np.float64)


def line_features(rows: LineRows, *, stop_lang: frozenset[str],
                  stop_any: frozenset[str]) -> np.ndarray:
    """Return the feature matrix (lines x :data:`FEATURES`) of one page.

    Examples
    --------
    >>> rows = LineRows(["Menu", "A long sentence of the article that ends here."],
    ...                 np.array([1, 9]), np.array([1, 2]), np.array([0, 1]),
    ...                 np.array([0, 1]), np.array([1, 0]), np.array([0, 0]),
    ...                 np.array([1, 2]), None, 3)
    >>> x = line_features(rows, stop_lang=frozenset({"the", "of"}), stop_any=frozenset())
    >>> x.shape == (2, len(FEATURES))
    True
    """
    n = len(rows.lines)
    measures = rows.measures if rows.measures is not None else page_text(rows.lines)
    text = _text_columns(measures, stop_lang, stop_any)
    words = rows.words.astype(np.float64)
    own = np.zeros((n, len(_OWN)), dtype=np.float64)
    own[:, _COL["log_words"]] = np.log1p(words)
    own[:, _COL["log_chars"]] = np.log1p(measures.chars.astype(np.float64))
    for j, name in enumerate(("terminal", "full_stop", "sentences", "stop_lang", "stop_any",
                              "digit_share", "upper_share", "punct_share", "capitalised",
                              "ellipsis")):
        own[:, _COL[name]] = text[:, j]
    own[:, _COL["position"]] = rows.line_no / max(rows.n_lines, 1)
    own[:, _COL["chrome"]] = rows.chrome
    own[:, _COL["repeated"]] = _repeated(rows.lines)
    for name, cls in (("rule_good", 2), ("rule_neutral", 1), ("rule_bad", 0), ("rule_wall", -1)):
        own[:, _COL[name]] = rows.classes == cls
    own[:, _COL["rule_region"]] = rows.region
    own[:, _COL["rule_kept"]] = rows.kept
    if rows.anchor is not None:
        own[:, _COL["after_anchor"]] = rows.line_no > rows.anchor
        own[:, _COL["anchor_distance"]] = np.sign(rows.line_no - rows.anchor) * np.log1p(
            np.abs(rows.line_no - rows.anchor))
    own[:, _COL["dateline"]] = rows.dateline
    own[:, _COL["log_words_vs_max"]] = np.log1p(words) - np.log1p(words.max(initial=0))
    prose = np.where(rows.classes == 2, words, 0.0)
    total = max(prose.sum(), 1.0)
    before = np.cumsum(prose) - prose
    own[:, _COL["prose_before"]] = before / total
    own[:, _COL["prose_after"]] = (total - before - prose) / total
    own[:, _COL["title_overlap"]] = _title_overlap(measures, rows.title_words)
    if n:
        own[:, _COL["log_words_vs_median"]] = np.log1p(words) - np.median(np.log1p(words))
    own[:, _COL["region_distance"]] = _region_distance(rows.region)
    own[:, _COL["page_prose_share"]] = total / max(words.sum(), 1.0)
    own[:, _COL["page_log_lines"]] = np.log1p(rows.n_lines)
    return np.hstack([own, _neighbours(own)])


def _title_overlap(m: PageText, title_words: frozenset[str]) -> np.ndarray:
    """Return the share of each line's words found in the ``<title>`` (headline, teasers)."""
    if not title_words:
        return np.zeros(len(m.lines))
    return m.share_in(title_words)


def _region_distance(region: np.ndarray) -> np.ndarray:
    """Return the signed log distance (in lines) from the rule reader's run; 0 inside it."""
    inside = np.flatnonzero(region > 0)
    pos = np.arange(len(region), dtype=np.float64)
    if not len(inside):
        return np.zeros(len(region))
    lo, hi = inside[0], inside[-1]
    dist = np.where(pos < lo, pos - lo, np.where(pos > hi, pos - hi, 0.0))
    return np.sign(dist) * np.log1p(np.abs(dist))


def _repeated(lines: Sequence[str]) -> np.ndarray:
    """Return 1.0 for lines that occur more than once on the page (teasers, menus twice)."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    return np.array([counts[line] > 1 for line in lines], dtype=np.float64)


def _neighbours(own: np.ndarray) -> np.ndarray:
    """Return the neighbour columns: selected features of lines at fixed offsets
    (zero past the page's ends) and their mean over a window each side."""
    cols = [_COL[name] for name in _NEIGHBOUR]
    base = own[:, cols]
    n = len(own)
    parts = []
    for offset in _OFFSETS:
        shifted = np.zeros_like(base)
        if offset < 0 and n > -offset:
            shifted[-offset:] = base[:offset]
        elif offset > 0 and n > offset:
            shifted[:-offset] = base[offset:]
        parts.append(shifted)
    # Window means from a cumulative sum: O(n), same order of additions each run.
    padded = np.vstack([np.zeros((1, base.shape[1])), np.cumsum(base, axis=0)])
    idx = np.arange(n)
    for width in _WINDOWS:
        lo, hi = np.maximum(idx - width, 0), np.minimum(idx + width + 1, n)
        parts.append((padded[hi] - padded[lo] - base) / np.maximum(hi - lo - 1, 1)[:, None])
    return np.hstack(parts)


# --------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class LineModel:
    """A gradient-boosted tree ensemble over :data:`FEATURES`, as complete trees.

    ``feature`` and ``threshold`` are ``(trees, 2**depth - 1)`` arrays of the
    internal nodes in breadth-first order (a padded node sends every row
    left); ``leaf`` is ``(trees, 2**depth)``; the score is ``bias`` plus the
    sum of one leaf per tree, a log-odds.  ``threshold_keep`` is the
    probability above which a line is article text.
    """

    feature: np.ndarray
    threshold: np.ndarray
    leaf: np.ndarray
    bias: float
    depth: int
    threshold_keep: float = 0.5
    features: tuple[str, ...] = FEATURES

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Return the probability that each row (line) is article text.

        Examples
        --------
        >>> model = LineModel(np.array([[0]]), np.array([[0.5]]), np.array([[-1.0, 1.0]]),
        ...                   0.0, 1, features=("a",))
        >>> model.predict_proba(np.array([[0.0], [1.0]])).round(3).tolist()
        [0.269, 0.731]
        """
        if x.shape[0] == 0:
            return np.zeros(0)
        # The root split of every tree is decided for every row in one
        # gather and compare, on the transposed rows (each root reads one
        # contiguous row of ``x.T``). Below it, each row reads only the node
        # it reached: one gather of its feature and threshold per level (the
        # node's position within its level doubles, plus one when the row
        # goes right).
        n_rows = x.shape[0]
        n_trees, n_nodes = self.feature.shape
        xt = np.ascontiguousarray(x.T)
        at = (xt[self.feature[:, 0]] > self.threshold[:, :1]).astype(np.intp)
        rows = np.arange(n_rows, dtype=np.intp)[None, :]
        tree_base = (np.arange(n_trees, dtype=np.intp) * n_nodes)[:, None]
        # Each node's first value in the flat transposed rows, once per call
        # (a node per tree and level, not a gather per row).
        starts = (self.feature * n_rows).ravel()
        thresholds, values = self.threshold.ravel(), xt.ravel()
        for depth in range(1, self.depth):
            node = at + (tree_base + (2 ** depth - 1))
            where = starts.take(node)
            where += rows
            at *= 2
            at += values.take(where) > thresholds.take(node)
        leaves = self.leaf.take(np.arange(n_trees, dtype=np.intp)[:, None] * self.leaf.shape[1]
                                + at)
        # Tree after tree: elementwise additions in one fixed order, so the
        # score is the same on every machine and numpy version (a reduction
        # may pair the terms differently, by SIMD width or release). A loop
        # over the trees adds each row in place; a cumsum over all of them
        # wrote every partial sum and took a tenth of a page's reading.
        score = np.full(n_rows, self.bias)
        for tree_leaves in leaves:
            score += tree_leaves
        return 1.0 / (1.0 + np.exp(-score))

    def to_json(self) -> dict:
        """Return the model as a JSON-ready dict."""
        return {"format": "newsscope-line-model/1", "features": list(self.features),
                "depth": self.depth, "bias": self.bias, "threshold_keep": self.threshold_keep,
                "feature": self.feature.tolist(), "threshold": self.threshold.tolist(),
                "leaf": self.leaf.tolist()}

    @classmethod
    def from_json(cls, data: dict, *, features: tuple[str, ...] = FEATURES) -> LineModel:
        """Return the model stored by :meth:`to_json`; refuse one built for other features."""
        if tuple(data["features"]) != tuple(features):
            raise ValueError("line model was trained on other features; retrain it with "
                             "scripts/train_line_model.py")
        return cls(np.asarray(data["feature"], dtype=np.intp),
                   np.asarray(data["threshold"], dtype=np.float64),
                   np.asarray(data["leaf"], dtype=np.float64), float(data["bias"]),
                   int(data["depth"]), float(data["threshold_keep"]), tuple(data["features"]))
