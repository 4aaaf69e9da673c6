"""How texts are cut into words, and how given terms are counted in them.

The one tokenisation every trend shares (:mod:`analysis.index`,
:mod:`analysis.trends`, :mod:`analysis.bursts`): the text is case folded by
:func:`~analysis.topic_terms.fold_case` and its words are the maximal runs
of ``\\w`` (``_TOKEN``); phrases are words side by side. A user term is cut
the same way, ``*`` standing for any ending (:func:`_term_words`).
"""

from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from analysis.topic_terms import chrome_terms, fold_case, stopword_set

__all__: list[str] = []

_TOKEN = r"(?u)\b\w+\b"
_WORD = re.compile(_TOKEN)
_TERM_WORD = re.compile(r"[\w*]+")


def _trackable_words(words, languages) -> np.ndarray:
    """Return, for each word, whether a chosen trend term may contain it.

    Words of two or more letters only (no numbers), neither a stopword of
    ``languages`` nor site chrome; a phrase is trackable when its words are.

    Examples
    --------
    >>> _trackable_words(["oil", "the", "2024", "a", "price"], ("en",)).tolist()
    [True, False, False, False, True]
    """
    stopwords = stopword_set(tuple(languages))
    chrome = chrome_terms()
    return np.array([len(w) > 1 and w.isalpha() and w not in stopwords and w not in chrome
                     for w in words], dtype=bool)


def _sample_rows(n: int, size: int) -> np.ndarray:
    """Return the sorted rows of the seeded sample of ``size`` texts out of ``n`` that chooses
    the top terms of a large corpus (the same rows for the trends and the term index).

    Examples
    --------
    >>> _sample_rows(10, 3).tolist() == _sample_rows(10, 3).tolist()
    True
    """
    return np.sort(np.random.default_rng(0).choice(n, size, replace=False))


def _term_words(term: str) -> list[str]:
    """Return a user term's words as the texts are tokenised: ``\\w`` runs, ``*`` kept.

    Examples
    --------
    >>> _term_words("COVID-19"), _term_words("human traffick*"), _term_words(" - ")
    (['covid', '19'], ['human', 'traffick*'], [])
    """
    return _TERM_WORD.findall(fold_case(term))


def _term_pattern(term: str) -> str:
    """Return the regex over the space-joined vocabulary for a user term ("traffick*").

    Examples
    --------
    >>> bool(re.match(_term_pattern("Human traffick*"), "human trafficking"))
    True
    """
    parts = [re.escape(w).replace(r"\*", r"\w*") for w in _term_words(term)]
    return "^" + " ".join(parts) + "$"


def _given_terms(texts: list[str], terms: list[str]) -> tuple[sp.csr_matrix, list[str]]:
    """Return texts × terms occurrence counts of words, phrases and ``*`` patterns, and ``terms``.

    Examples
    --------
    >>> m, names = _given_terms(["Human trafficking", "traffickers"], ["traffick*", "human *"])
    >>> m.toarray().tolist()
    [[1, 1], [1, 0]]
    """
    keys = [" ".join(_term_words(t)) for t in terms]
    expansions: dict[str, list[str]] = {}
    patterns = [k for k in keys if "*" in k]
    if patterns:
        # Only patterns need the corpus vocabulary, and only at their own lengths.
        lengths = sorted({len(k.split()) for k in patterns})
        scan = CountVectorizer(preprocessor=fold_case, token_pattern=_TOKEN,
                               ngram_range=(lengths[0], lengths[-1]))
        try:
            vocabulary = scan.fit(texts).get_feature_names_out()
        except ValueError:
            vocabulary = np.array([], dtype=object)
        for key in patterns:
            regex = re.compile(_term_pattern(key))
            expansions[key] = [v for v in vocabulary if regex.match(v)]
    wanted = sorted({v for k in keys for v in (expansions[k] if k in expansions else [k])})
    if not wanted:
        return sp.csr_matrix((len(texts), len(terms)), dtype=np.int32), terms
    counts = _count_vocabulary(texts, wanted)
    # Vocabulary × terms 0/1 matrix: a pattern's column sums the words it
    # matches, and the product stays sparse however many articles there are.
    column = {v: j for j, v in enumerate(wanted)}
    pairs = [(column[v], t) for t, k in enumerate(keys)
             for v in (expansions[k] if k in expansions else [k])]
    rows, cols = zip(*pairs, strict=True)
    combine = sp.csr_matrix((np.ones(len(pairs), dtype=np.int32), (rows, cols)),
                            shape=(len(wanted), len(keys)))
    return (counts @ combine).tocsr(), terms


def _count_vocabulary(texts: list[str], vocabulary: list[str]) -> sp.csr_matrix:
    """Return texts × vocabulary occurrence counts for words and two-word phrases.

    Equivalent to a fixed-vocabulary ``CountVectorizer`` but forms only the
    bigrams whose first word starts a wanted phrase, which makes counting a
    few thousand terms over a million articles several times cheaper.
    Longer phrases fall back to scikit-learn.
    """
    if any(v.count(" ") > 1 for v in vocabulary):
        longest = max(v.count(" ") + 1 for v in vocabulary)
        vectorizer = CountVectorizer(preprocessor=fold_case, token_pattern=_TOKEN,
                                     ngram_range=(1, longest), vocabulary=vocabulary,
                                     dtype=np.int32)
        return vectorizer.transform(texts).tocsr()
    index = {v: j for j, v in enumerate(vocabulary)}
    unigrams = {v for v in vocabulary if " " not in v}
    starts = {v.split(" ")[0] for v in vocabulary if " " in v}
    indices: list[int] = []
    indptr = [0]
    for text in texts:
        tokens = _WORD.findall(fold_case(text))
        indices.extend(index[t] for t in tokens if t in unigrams)
        if starts:
            indices.extend(index[pair] for pair in
                           (f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)
                            if a in starts)
                           if pair in index)
        indptr.append(len(indices))
    matrix = sp.csr_matrix((np.ones(len(indices), dtype=np.int32), indices, indptr),
                           shape=(len(texts), len(vocabulary)))
    matrix.sum_duplicates()
    return matrix
