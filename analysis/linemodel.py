"""The line model of text dumps: what a line says, its layout, and what its neighbours are.

:mod:`analysis.textlines` measures each line's layout (length, punctuation,
function words, position, the rule reader's verdict, the neighbours' same);
this module adds two things a layout cannot see and scores a page's lines
in three steps, each trained by ``scripts/train_line_model.py``:

1. **Wording** (:class:`LexicalScorer`): a logistic regression over the
   line's hashed character 2-, 3- and 4-grams, words and word pairs. Chrome is worded alike on
   every site of a language ("Lesen Sie auch", "À lire aussi", "Follow us",
   "Jede kleine Spende"), whatever its layout.
2. **Layout** (first :class:`~analysis.textlines.LineModel`): trees over
   :data:`~analysis.textlines.FEATURES` plus the wording score of the line
   and of its neighbours (:func:`lexical_columns`).
3. **Context** (second :class:`~analysis.textlines.LineModel`): deeper trees
   over the same columns plus the first model's probabilities around each
   line (:func:`context_columns`) and the share of the line's words found
   in the lines the first model is sure of (:func:`vocabulary_columns`): a
   short line between two sure paragraphs is a subheading, the same line
   among menu items is a menu item, and a teaser for another article shares
   few words with this one.

Every step is integer hashing, gathers, sequential sums
(:func:`numpy.bincount`, :func:`numpy.cumsum`) and the padded trees of
:class:`~analysis.textlines.LineModel`: no scikit-learn, no BLAS at read
time, the same numbers on every machine.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from analysis.textlines import _WORD_BIT, FEATURES, LineModel, _char_bits, _codes

__all__ = ["CONTEXT_FEATURES", "LEXICAL_FEATURES", "VOCABULARY_FEATURES", "LexicalScorer",
           "StackedLineModel", "char_ngrams", "context_columns", "lexical_columns", "line_words",
           "load_line_model", "vocabulary_columns"]

#: Names of the wording columns the first trees read after :data:`FEATURES`.
LEXICAL_FEATURES: tuple[str, ...] = ("lex", "lex@-1", "lex@+1", "lex@win2", "lex@win5")
#: Names of the context columns the second trees read after the wording ones.
CONTEXT_FEATURES: tuple[str, ...] = (
    "p", "p@-3", "p@-2", "p@-1", "p@+1", "p@+2", "p@+3", "p@win2", "p@win5", "p@win15",
    "p_page_max", "p_vs_page_max", "sure_lines_above", "sure_lines_below", "kept_lines_above",
    "kept_lines_below", "inside_sure_span", "kept_words_before", "kept_words_after",
    "page_kept_share",
)
#: Names of the vocabulary columns the second trees read after the context ones.
VOCABULARY_FEATURES: tuple[str, ...] = ("words_in_sure_lines", "words_elsewhere")
_SURE = 0.8  # a line the first model is sure of
_VOCABULARY_MIN_CHARS = 4  # shorter words are mostly function words, shared by every line
_KEPT = 0.5  # a line the first model keeps

# Odd 64-bit multipliers, one per position in an n-gram (golden ratio,
# murmur and xxhash constants), and murmur3's finaliser multiplier.
_POSITION = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                      0xD6E8FEB86659FD93], dtype=np.uint64)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_NGRAMS = (2, 3, 4)
_BASE = np.uint64(0x100000001B3)  # FNV's 64-bit prime: odd, so invertible modulo 2**64
_BASE_INVERSE = np.uint64(pow(0x100000001B3, -1, 2 ** 64))
_WORD_SEED = np.uint64(0x2545F4914F6CDD1D)


def _folded_codes(lines: Sequence[str]) -> np.ndarray:
    """Return the code points of the lines, folded and padded, joined by ``0``.

    Each line is case-folded, its whitespace runs made single spaces, its
    ASCII digits made ``0`` (a date is a date whatever its day) and padded
    with a space each side; a blank line is empty. A NUL is a space.
    """
    # A NUL in a line would pass for the separator: a space, as for the words.
    words = (" ".join(line.replace("\0", " ").split()).casefold() for line in lines)
    text = "\0".join(f" {line} " if line else "" for line in words)
    codes = _codes(text).astype(np.uint64)
    codes[(codes >= 48) & (codes <= 57)] = 48
    return codes


def _mixed(h: np.ndarray, bits: int) -> np.ndarray:
    """Return the bucket of each 64-bit hash: murmur3's finaliser, then the top *bits*."""
    h = h ^ (h >> np.uint64(31))
    h *= _MIX
    h ^= h >> np.uint64(29)
    return (h >> np.uint64(64 - bits)).astype(np.intp)


def char_ngrams(lines: Sequence[str], *, bits: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(line, bucket, weight)`` of every character 2- to 4-gram, word and word pair.

    The lines are folded as :func:`_folded_codes` says, so word starts and
    ends are character n-grams of their own. Words are runs of ``\\w``
    characters; a word pair is two words next to each other in a line.
    Everything is hashed into ``2**bits`` buckets by integer arithmetic on
    the code points (wrapping 64-bit products and sums), the same on every
    machine and in every process -- Python's ``hash`` is salted.

    A line's character n-grams weigh one over the root of their count, and
    so do its words and word pairs: each kind is a vector of unit length
    when its items are all different, and a long line does not score
    higher for being long, nor its words drown in its characters.

    Examples
    --------
    >>> line, bucket, weight = char_ngrams(["Ab", "ab 1"], bits=8)
    >>> line.tolist()  # " ab ": 3 + 2 + 1 n-grams, 1 word; " ab 0 ": 5 + 4 + 3, 2 words, 1 pair
    [0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1]
    >>> bool(bucket[0] == bucket[3]) and bool((bucket < 256).all())  # " a" in both lines
    True
    """
    if not 1 <= bits <= 32:
        raise ValueError(f"bits must be between 1 and 32, got {bits!r}")
    return _ngrams_of(_folded_codes(lines), len(lines), bits)


def _ngrams_of(codes: np.ndarray, n_lines: int, bits: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return :func:`char_ngrams` of lines already folded (:func:`_folded_codes`)."""
    separator = codes == 0
    line_of = np.cumsum(separator)
    found_lines, found_buckets = [], []
    for n in _NGRAMS:
        m = len(codes) - n + 1
        if m <= 0:
            continue
        h = np.full(m, np.uint64((n * int(_MIX)) % 2 ** 64), dtype=np.uint64)
        crosses = np.zeros(m, dtype=bool)
        for j in range(n):
            h += codes[j:j + m] * _POSITION[j]
            crosses |= separator[j:j + m]
        keep = ~crosses
        found_lines.append(line_of[:m][keep])
        found_buckets.append(_mixed(h[keep], bits))
    chars = (np.concatenate(found_lines).astype(np.intp) if found_lines
             else np.zeros(0, dtype=np.intp))
    char_buckets = (np.concatenate(found_buckets) if found_buckets
                    else np.zeros(0, dtype=np.intp))
    word_lines, word_hashes = _words(codes, line_of)
    pair = np.flatnonzero(word_lines[1:] == word_lines[:-1])
    words = np.concatenate([word_lines, word_lines[pair]]).astype(np.intp)
    word_buckets = np.concatenate([
        _mixed(word_hashes, bits),
        _mixed(word_hashes[pair] * _POSITION[0] + word_hashes[pair + 1] * _POSITION[1], bits)])
    return (np.concatenate([chars, words]), np.concatenate([char_buckets, word_buckets]),
            np.concatenate([_unit_weights(chars, n_lines), _unit_weights(words, n_lines)]))


def _unit_weights(line: np.ndarray, n_lines: int) -> np.ndarray:
    """Return one over the root of the count of items of each item's line."""
    count = np.bincount(line, minlength=n_lines).astype(np.float64)
    return 1.0 / np.sqrt(np.maximum(count, 1.0))[line]


def _words(codes: np.ndarray, line_of: np.ndarray, min_chars: int = 1
           ) -> tuple[np.ndarray, np.ndarray]:
    """Return the line and the 64-bit hash of every word (run of ``\\w``) of the codes.

    Words shorter than *min_chars* characters are left out.

    A word's hash is its polynomial ``sum(c[j] * B**(j - start))``: the
    prefix sums of ``c[j] * B**j`` (wrapping) differ by it times
    ``B**start``, which the inverse of ``B`` modulo 2**64 takes off.
    """
    is_word = (_char_bits(np.minimum(codes, 0x10FFFF).astype(np.uint32)) & _WORD_BIT) != 0
    edges = np.diff(np.concatenate([[False], is_word, [False]]).astype(np.int8))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if min_chars > 1:
        long = ends - starts >= min_chars
        starts, ends = starts[long], ends[long]
    if not len(starts):
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.uint64)
    powers = np.cumprod(np.concatenate([[np.uint64(1)], np.full(len(codes), _BASE)]))
    inverse = np.cumprod(np.concatenate([[np.uint64(1)], np.full(len(codes), _BASE_INVERSE)]))
    prefix = np.concatenate([[np.uint64(0)], np.cumsum(codes * powers[:-1])])
    hashes = (prefix[ends] - prefix[starts]) * inverse[starts] + _WORD_SEED
    return line_of[starts], hashes


@dataclass(frozen=True)
class LexicalScorer:
    """A logistic regression over the hashed character n-grams, words and word pairs of a line.

    ``coef`` holds one weight per bucket (``2**bits`` of them); the score
    of a line is ``intercept`` plus the weighted sum of its n-grams, a
    log-odds that the line is article text.
    """

    coef: np.ndarray
    intercept: float
    bits: int

    def predict_proba(self, lines: Sequence[str]) -> np.ndarray:
        """Return the probability that each line is article text, from its wording alone.

        Examples
        --------
        >>> scorer = LexicalScorer(np.zeros(256), 0.0, 8)
        >>> scorer.predict_proba(["Follow us", ""]).tolist()
        [0.5, 0.5]
        """
        return self._proba_of(_folded_codes(lines), len(lines))

    def _proba_of(self, codes: np.ndarray, n: int) -> np.ndarray:
        """Return :meth:`predict_proba` of *n* lines already folded (:func:`_folded_codes`)."""
        if n == 0:
            return np.zeros(0)
        line, bucket, weight = _ngrams_of(codes, n, self.bits)
        # bincount adds the terms in input order: the same sum everywhere.
        score = np.bincount(line, weights=self.coef[bucket] * weight, minlength=n)
        return 1.0 / (1.0 + np.exp(-(score + self.intercept)))

    def to_json(self) -> dict:
        """Return the scorer as a JSON-ready dict (the weights as base64 half floats).

        The trainer rounds the weights to half floats before it measures
        the model, so the file holds exactly the weights measured.
        """
        return {"bits": self.bits, "intercept": self.intercept,
                "coef": base64.b64encode(self.coef.astype("<f2").tobytes()).decode("ascii")}

    @classmethod
    def from_json(cls, data: dict) -> LexicalScorer:
        """Return the scorer stored by :meth:`to_json`."""
        coef = np.frombuffer(base64.b64decode(data["coef"]), dtype="<f2").astype(np.float64)
        if len(coef) != 2 ** int(data["bits"]):
            raise ValueError("lexical weights do not match their bucket count")
        return cls(coef, float(data["intercept"]), int(data["bits"]))


def _shifted(values: np.ndarray, offset: int) -> np.ndarray:
    """Return *values* of the line *offset* lines away (negative: above), zero past the ends."""
    out = np.zeros_like(values)
    n = len(values)
    if 0 < offset < n:
        out[offset:] = values[:-offset]
    elif 0 < -offset < n:
        out[:offset] = values[-offset:]
    return out


def _window_mean(values: np.ndarray, width: int) -> np.ndarray:
    """Return the mean of *values* over *width* lines each side, the line itself left out."""
    n = len(values)
    total = np.concatenate([[0.0], np.cumsum(values)])
    idx = np.arange(n)
    lo, hi = np.maximum(idx - width, 0), np.minimum(idx + width + 1, n)
    return (total[hi] - total[lo] - values) / np.maximum(hi - lo - 1, 1)


def lexical_columns(score: np.ndarray) -> np.ndarray:
    """Return the :data:`LEXICAL_FEATURES` columns of a page's wording scores.

    Examples
    --------
    >>> lexical_columns(np.array([0.25, 0.75])).tolist()
    [[0.25, 0.0, 0.75, 0.75, 0.75], [0.75, 0.25, 0.0, 0.25, 0.25]]
    """
    score = np.asarray(score, dtype=np.float64)
    return np.column_stack([score, _shifted(score, 1), _shifted(score, -1),
                            _window_mean(score, 2), _window_mean(score, 5)])


def _lines_to(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the log distance (in lines) to the nearest other line of *mask* above and below."""
    n = len(mask)
    idx = np.arange(n)
    far = 1000
    last = np.maximum.accumulate(np.where(mask, idx, -far - n))
    nxt = np.minimum.accumulate(np.where(mask, idx, far + n)[::-1])[::-1]
    above = idx - np.concatenate([[-far - n], last[:-1]])
    below = np.concatenate([nxt[1:], [far + n]]) - idx
    return np.log1p(np.minimum(above, far)), np.log1p(np.minimum(below, far))


def context_columns(proba: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Return the :data:`CONTEXT_FEATURES` columns: the first model's verdicts around each line.

    *proba* is the first model's probability of each line of a page, in
    page order; *words* the lines' word counts.

    Examples
    --------
    >>> cols = context_columns(np.array([0.9, 0.1, 0.9]), np.array([20, 2, 30]))
    >>> cols.shape == (3, len(CONTEXT_FEATURES))
    True
    >>> float(cols[1, CONTEXT_FEATURES.index("inside_sure_span")])  # between two sure lines
    1.0
    """
    p = np.asarray(proba, dtype=np.float64)
    n = len(p)
    if n == 0:
        return np.zeros((0, len(CONTEXT_FEATURES)))
    words = np.asarray(words, dtype=np.float64)
    cols = [p, *(_shifted(p, k) for k in (3, 2, 1, -1, -2, -3)),
            *(_window_mean(p, w) for w in (2, 5, 15))]
    best = p.max()
    cols += [np.full(n, best), p / max(best, 1e-9)]
    sure, kept = p > _SURE, p > _KEPT
    cols += [*_lines_to(sure), *_lines_to(kept)]
    inside = np.zeros(n)
    if sure.any():
        first, last = np.flatnonzero(sure)[[0, -1]]
        inside[first:last + 1] = 1.0
    kept_words = np.where(kept, words, 0.0)
    total = max(kept_words.sum(), 1.0)
    before = np.cumsum(kept_words) - kept_words
    cols += [inside, before / total, (total - before - kept_words) / total,
             np.full(n, kept.mean())]
    return np.column_stack(cols)


def vocabulary_columns(proba: np.ndarray, lines: Sequence[str]) -> np.ndarray:
    """Return the :data:`VOCABULARY_FEATURES` columns: which of a line's words the page repeats.

    For each line, the share of its distinct words (of four characters or
    more, folded as :func:`char_ngrams` folds them) found in another line
    the first model is sure of (*proba* > 0.8), and the share found in any
    other line. A subheading or a list item of the article shares words
    with its paragraphs; a teaser for another article, a menu item or a
    newsletter pitch mostly does not.

    Examples
    --------
    >>> lines = ["The bridge reopens on Monday", "Newsletter", "Bridge traffic returns Monday"]
    >>> vocabulary_columns(np.array([0.9, 0.1, 0.3]), lines).round(2).tolist()
    [[0.0, 0.67], [0.0, 0.0], [0.5, 0.5]]
    """
    return _vocabulary_of(proba, _folded_codes(lines), len(lines))


def _vocabulary_of(proba: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Return :func:`vocabulary_columns` of *n* lines already folded (:func:`_folded_codes`)."""
    if n == 0:
        return np.zeros((0, len(VOCABULARY_FEATURES)))
    line, hashes = _words(codes, np.cumsum(codes == 0), _VOCABULARY_MIN_CHARS)
    if not len(line):
        return np.zeros((n, len(VOCABULARY_FEATURES)))
    _, word = np.unique(hashes, return_inverse=True)
    n_words = int(word.max()) + 1
    # Each word once per line.
    pair = np.unique(line.astype(np.int64) * n_words + word)
    line, word = (pair // n_words).astype(np.intp), (pair % n_words).astype(np.intp)
    sure = (np.asarray(proba, dtype=np.float64) > _SURE).astype(np.float64)
    in_sure = np.bincount(word, weights=sure[line], minlength=n_words)[word] - sure[line]
    elsewhere = np.bincount(word, minlength=n_words)[word] > 1
    count = np.maximum(np.bincount(line, minlength=n), 1)
    return np.column_stack([np.bincount(line, weights=(in_sure > 0).astype(np.float64),
                                        minlength=n) / count,
                            np.bincount(line, weights=elsewhere.astype(np.float64),
                                        minlength=n) / count])


def line_words(x: np.ndarray) -> np.ndarray:
    """Return the word count of each line from its :data:`FEATURES` row (the context's weights).

    Examples
    --------
    >>> x = np.zeros((1, len(FEATURES)))
    >>> x[0, FEATURES.index("log_words")] = np.log1p(12)
    >>> line_words(x).round(6).tolist()
    [12.0]
    """
    return np.expm1(x[:, _LOG_WORDS])


_LOG_WORDS = FEATURES.index("log_words")


@dataclass(frozen=True)
class StackedLineModel:
    """Wording, layout and context models in a chain (see the module's docstring).

    ``threshold_keep`` is the probability above which a line is article
    text.
    """

    lexical: LexicalScorer
    first: LineModel
    second: LineModel
    threshold_keep: float = 0.5

    def predict_proba(self, x: np.ndarray, lines: Sequence[str]) -> np.ndarray:
        """Return the probability that each line is article text.

        *x* holds the lines' :data:`~analysis.textlines.FEATURES` rows, in
        page order; *lines* their text.
        """
        if len(lines) != x.shape[0]:
            raise ValueError(f"{x.shape[0]} feature rows for {len(lines)} lines")
        if x.shape[0] == 0:
            return np.zeros(0)
        # The lines are folded once for the wording and the vocabulary.
        codes = _folded_codes(lines)
        first = np.hstack([x, lexical_columns(self.lexical._proba_of(codes, len(lines)))])
        proba = self.first.predict_proba(first)
        return self.second.predict_proba(np.hstack([first, context_columns(proba, line_words(x)),
                                                    _vocabulary_of(proba, codes, len(lines))]))

    def to_json(self) -> dict:
        """Return the model as a JSON-ready dict."""
        return {"format": "newsscope-line-model/3", "threshold_keep": self.threshold_keep,
                "lexical": self.lexical.to_json(), "first": self.first.to_json(),
                "second": self.second.to_json()}

    @classmethod
    def from_json(cls, data: dict) -> StackedLineModel:
        """Return the model stored by :meth:`to_json`; refuse one built for other features."""
        if data.get("format") != "newsscope-line-model/3":
            raise ValueError("line model file is of another format; retrain it with "
                             "scripts/train_line_model.py")
        first_features = FEATURES + LEXICAL_FEATURES
        return cls(LexicalScorer.from_json(data["lexical"]),
                   LineModel.from_json(data["first"], features=first_features),
                   LineModel.from_json(data["second"],
                                       features=(first_features + CONTEXT_FEATURES
                                                 + VOCABULARY_FEATURES)),
                   float(data["threshold_keep"]))


@functools.cache
def load_line_model() -> StackedLineModel:
    """Return the line model shipped in ``analysis/models/line_model.json`` (read once).

    Examples
    --------
    >>> model = load_line_model()
    >>> model.predict_proba(np.zeros((1, len(FEATURES))), ["Follow us"]).shape
    (1,)
    """
    text = resources.files("analysis").joinpath("models", "line_model.json").read_text("utf-8")
    return StackedLineModel.from_json(json.loads(text))
