"""Line features of text dumps and the trained line model that keeps article lines.

:mod:`analysis.textpage` reads a dump line by line; this module turns each
line into a row of generic features (length, punctuation, function-word
share in the page's language, position, repetition across the site, the
rule reader's verdict, and the same for the neighbouring lines) and scores
the rows with a small gradient-boosted tree ensemble trained by
``scripts/train_line_model.py``.

The model ships as plain JSON (``analysis/models/line_model.json``): every
tree padded to a complete binary tree of fixed depth, so evaluation is a
few vectorised numpy indexing steps and one elementwise sum -- no pickle,
no scikit-learn at read time, no BLAS, the same numbers on every machine.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

__all__ = ["FEATURES", "LineModel", "letter_words", "line_features", "line_memo",
           "load_line_model", "page_language", "stopwords_for"]

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


_TERMINAL = re.compile(r"""[.!?…:。！？]["'”’»)\]]*$""")
_FULL_STOP = re.compile(r"""(?<![.…])[.!?。！？]["'”’»)\]]*$""")
_SENTENCE_END = re.compile(r"[.!?。！？](?:\s|$)")
_PUNCT = re.compile(r"[|/»«•·>\-–—_#*]")


def _text_columns(lines: Sequence[str], stop_lang: frozenset[str],
                  stop_any: frozenset[str]) -> np.ndarray:
    """Return the text-only features of each line (one pass of Python per line)."""
    out = np.zeros((len(lines), 10), dtype=np.float64)
    in_lang, in_any = stop_lang.__contains__, stop_any.__contains__
    for k, line in enumerate(lines):
        words = letter_words(line)
        n_letters = max(len(words), 1)
        n_chars = max(len(line), 1)
        raw_words = line.split()
        out[k] = (
            _TERMINAL.search(line[-16:]) is not None,  # the end only: "$" patterns
            _FULL_STOP.search(line[-16:]) is not None,
            min(len(_SENTENCE_END.findall(line)), 10),
            sum(map(in_lang, words)) / n_letters,
            sum(map(in_any, words)) / n_letters,
            (len(_DIGITS.findall(line)) / n_chars) if _DIGITS.search(line) else 0.0,
            sum(map(str.isupper, [w[0] for w in raw_words])) / max(len(raw_words), 1),
            len(_PUNCT.findall(line)) / n_chars,
            line[:1].isupper(),
            line.endswith(("...", "…")),
        )
    return out


_DIGITS = re.compile(r"\d")


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
    text = _text_columns(rows.lines, stop_lang, stop_any)
    words = rows.words.astype(np.float64)
    own = np.zeros((n, len(_OWN)), dtype=np.float64)
    own[:, _COL["log_words"]] = np.log1p(words)
    own[:, _COL["log_chars"]] = np.log1p([len(line) for line in rows.lines])
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
    own[:, _COL["title_overlap"]] = _title_overlap(rows.lines, rows.title_words)
    if n:
        own[:, _COL["log_words_vs_median"]] = np.log1p(words) - np.median(np.log1p(words))
    own[:, _COL["region_distance"]] = _region_distance(rows.region)
    own[:, _COL["page_prose_share"]] = total / max(words.sum(), 1.0)
    own[:, _COL["page_log_lines"]] = np.log1p(rows.n_lines)
    return np.hstack([own, _neighbours(own)])


def _title_overlap(lines: Sequence[str], title_words: frozenset[str]) -> np.ndarray:
    """Return the share of each line's words found in the ``<title>`` (headline, teasers)."""
    out = np.zeros(len(lines))
    if not title_words:
        return out
    for k, line in enumerate(lines):
        words = letter_words(line)
        if words:
            out[k] = sum(map(title_words.__contains__, words)) / len(words)
    return out


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
        # Every split of every tree is decided in one gather and compare;
        # the walk down then only picks, level by level, the decision of
        # the node reached (its position within the level doubles, plus
        # one when the row goes right).
        n_trees = self.feature.shape[0]
        goes_right = (x[:, self.feature.ravel()] > self.threshold.ravel()).reshape(
            x.shape[0], n_trees, -1)
        at = np.zeros((x.shape[0], n_trees), dtype=np.intp)
        for depth in range(self.depth):
            level = goes_right[:, :, 2 ** depth - 1: 2 ** (depth + 1) - 1]
            at = 2 * at + np.take_along_axis(level, at[:, :, None], axis=2)[:, :, 0]
        leaves = self.leaf[np.arange(n_trees), at]
        # Tree after tree: elementwise additions in one fixed order, so the
        # score is the same on every machine and numpy version (a reduction
        # may pair the terms differently, by SIMD width or release).
        score = np.cumsum(np.column_stack([np.full(x.shape[0], self.bias), leaves]),
                          axis=1)[:, -1]
        return 1.0 / (1.0 + np.exp(-score))

    def to_json(self) -> dict:
        """Return the model as a JSON-ready dict."""
        return {"format": "newsscope-line-model/1", "features": list(self.features),
                "depth": self.depth, "bias": self.bias, "threshold_keep": self.threshold_keep,
                "feature": self.feature.tolist(), "threshold": self.threshold.tolist(),
                "leaf": self.leaf.tolist()}

    @classmethod
    def from_json(cls, data: dict) -> LineModel:
        """Return the model stored by :meth:`to_json`; refuse one built for other features."""
        if tuple(data["features"]) != FEATURES:
            raise ValueError("line model was trained on other features; retrain it with "
                             "scripts/train_line_model.py")
        return cls(np.asarray(data["feature"], dtype=np.intp),
                   np.asarray(data["threshold"], dtype=np.float64),
                   np.asarray(data["leaf"], dtype=np.float64), float(data["bias"]),
                   int(data["depth"]), float(data["threshold_keep"]), tuple(data["features"]))


@functools.cache
def load_line_model() -> LineModel:
    """Return the line model shipped in ``analysis/models/line_model.json`` (read once).

    Examples
    --------
    >>> load_line_model().predict_proba(np.zeros((1, len(FEATURES)))).shape
    (1,)
    """
    text = resources.files("analysis").joinpath("models", "line_model.json").read_text("utf-8")
    return LineModel.from_json(json.loads(text))
