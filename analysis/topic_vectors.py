"""The word counts topics cluster on: from the texts, or from the term index without reading them.

Topics weigh letters-only words (:data:`LETTERS`: two or more letters, no digits)
by TF-IDF. Both ways of counting them give the same matrix, float for float:
the columns in code-point order, each row's entries in column order (what
``CountVectorizer`` itself gives only after ``sort_indices``), so that the
TF-IDF weights, their norms and everything fitted on them do not depend on
which way was taken. With a term index (:mod:`analysis.index`: every word of
every distinct text, counted once) no text is tokenised again.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer

from analysis.tokens import fold_case

__all__ = ["LETTERS", "index_word_counts", "text_word_counts", "tfidf"]

#: Words topics cluster on: a whole ``\w+`` run of two or more letters.
LETTERS = r"(?u)\b[^\W\d_]{2,}\b"
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")

_NO_WORDS = ("no usable words to cluster on: the articles are empty, or every word is a "
             "stopword or too rare/common (min_df, max_df)")


def _vectorizer(stop_words: Collection[str], *, min_df: int, max_df: float) -> TfidfVectorizer:
    return TfidfVectorizer(token_pattern=LETTERS, stop_words=sorted(stop_words),
                           preprocessor=fold_case, min_df=min_df, max_df=max_df,
                           sublinear_tf=True, dtype=np.float64)


def text_word_counts(texts: list[str], *, stop_words: Collection[str], min_df: int,
                     max_df: float) -> tuple[sp.csr_matrix, TfidfVectorizer]:
    """Return the texts × words count matrix and a vectorizer holding its vocabulary.

    Words are :data:`LETTERS` runs of the case-folded text, without
    ``stop_words``, in at least ``min_df`` texts and at most a ``max_df``
    share of them. The vectorizer's TF-IDF weights are set by :func:`tfidf`.

    Examples
    --------
    >>> X, vec = text_word_counts(["Oil prices rose", "oil prices fell", "Gas 2"],
    ...                           stop_words={"fell"}, min_df=1, max_df=1.0)
    >>> sorted(vec.vocabulary_)
    ['gas', 'oil', 'prices', 'rose']
    >>> X.toarray().tolist()
    [[0.0, 1.0, 1.0, 1.0], [0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]]
    """
    vectorizer = _vectorizer(stop_words, min_df=min_df, max_df=max_df)
    try:
        # CountVectorizer's own fit: what TfidfVectorizer counts before weighing.
        counts = CountVectorizer.fit_transform(vectorizer, texts)
    except ValueError as exc:  # sklearn: "empty vocabulary; perhaps ..."
        raise ValueError(_NO_WORDS) from exc
    counts = sp.csr_matrix(counts)
    counts.sort_indices()
    return counts, vectorizer


def index_word_counts(index, positions: np.ndarray, *, stop_words: Collection[str],
                      min_df: int, max_df: float) -> tuple[sp.csr_matrix, TfidfVectorizer]:
    """Return :func:`text_word_counts` of the articles at ``positions``, from a term index.

    The index counts every ``\\w+`` word of the same case-folded texts, so
    the letters-only words are some of its columns (words are never pruned
    from an index), already in code-point order.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.index import build_index
    >>> arts = pd.DataFrame({"title": "", "text": ["Oil prices rose", "oil prices fell", "Gas 2"]})
    >>> X, vec = index_word_counts(build_index(arts), np.arange(3), stop_words={"fell"},
    ...                            min_df=1, max_df=1.0)
    >>> sorted(vec.vocabulary_)
    ['gas', 'oil', 'prices', 'rose']
    >>> X.toarray().tolist()
    [[0.0, 1.0, 1.0, 1.0], [0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]]
    """
    n_texts = len(positions)
    high = max_df * n_texts
    if high < min_df:
        raise ValueError(_NO_WORDS)
    n_words = len(index.words)
    # The words' part of the index (phrases are never copied), then the
    # articles' rows unless they are every text in order, as they usually
    # are for the first copies: a million articles' counts are gigabytes.
    rows = index.codes[np.asarray(positions, dtype=np.int64)]
    every = np.array_equal(rows, np.arange(index.n_texts))
    if sp.issparse(index.counts):
        counts = index.counts[:, :n_words]
        if not every:
            counts = counts[rows]
        df = np.bincount(counts.indices, minlength=n_words)
    else:  # held by a Dask cluster's workers (analysis.shards): counted there
        counts = index.counts if every else index.counts[rows]
        df = counts.column_sums(limit=n_words)
    candidates = np.flatnonzero((df >= min_df) & (df <= high))
    stop = frozenset(stop_words)
    words = index.words.take(candidates).to_pylist()
    usable = [i for i, word in enumerate(words)
              if word not in stop and _LETTER_WORD.fullmatch(word)]
    if not usable:
        raise ValueError(_NO_WORDS)
    counts = counts[:, candidates[usable]]
    counts = sp.csr_matrix((counts.data.astype(np.float64), counts.indices, counts.indptr),
                           shape=counts.shape)
    counts.sort_indices()
    vectorizer = _vectorizer(stop_words, min_df=min_df, max_df=max_df)
    vectorizer.vocabulary_ = {words[i]: column for column, i in enumerate(usable)}
    return counts, vectorizer


def tfidf(counts: sp.csr_matrix, vectorizer: TfidfVectorizer) -> sp.csr_matrix:
    """Return the TF-IDF weights of ``counts`` and set them on ``vectorizer`` (fitted from now on).

    The same weights as ``vectorizer.fit_transform(texts)`` (sublinear
    term frequency, smoothed idf, rows of unit length), computed by the
    same transformer; ``vectorizer.transform`` then weighs new texts alike.
    ``counts`` is overwritten: the weights take its place, as in
    ``TfidfVectorizer.fit_transform``, not beside it.

    Examples
    --------
    >>> X, vec = text_word_counts(["oil gas", "oil"], stop_words=(), min_df=1, max_df=1.0)
    >>> tfidf(X, vec).toarray().round(3).tolist(), vec.transform(["gas"]).toarray().tolist()
    ([[0.815, 0.58], [0.0, 1.0]], [[1.0, 0.0]])
    """
    transformer = TfidfTransformer(norm=vectorizer.norm, use_idf=vectorizer.use_idf,
                                   smooth_idf=vectorizer.smooth_idf,
                                   sublinear_tf=vectorizer.sublinear_tf).fit(counts)
    vectorizer.idf_ = transformer.idf_
    return transformer.transform(counts, copy=False)
