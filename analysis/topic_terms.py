"""Topic terms: the words that name a topic, distinctive, exclusive and co-occurring.

The text analysed, case folding and stopwords are the tokenisation's
(:mod:`analysis.tokens`); they are imported here too, so their older home
still works.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

# Re-exported: they lived here before analysis.tokens held the tokenisation.
from analysis.tokens import (
    STOPWORD_LANGUAGES,
    article_texts,
    chrome_terms,
    fold_case,
    stopword_set,
)

__all__ = ["STOPWORD_LANGUAGES", "article_texts", "fold_case", "stopword_set", "chrome_terms",
           "term_matrix", "select_topic_terms", "membership_matrix"]

# Scores that decide a rank or an argmax are rounded to this many decimals
# first, so that last-bit differences between CPUs and BLAS kernels become
# exact ties, which are then broken by position.
_DECIMALS = 9


def term_matrix(texts: Sequence[str], *, min_df: int) -> tuple[sp.csc_matrix, np.ndarray]:
    r"""Return a binary document × term matrix (uni- and bigrams) and its terms.

    Tokens are lower-cased ``\w+`` runs, so a two-word term counts for a
    document exactly when the two words stand together in it.
    """
    vectorizer = CountVectorizer(preprocessor=fold_case, token_pattern=r"(?u)\b\w+\b",
                                 ngram_range=(1, 2),
                                 min_df=min_df, binary=True, dtype=np.float64)
    matrix = vectorizer.fit_transform(texts).tocsc()
    return matrix, vectorizer.get_feature_names_out()


def _allowed(term: str, stopwords: frozenset[str], chrome: frozenset[str]) -> bool:
    words = term.split(" ")
    if len(words) == 2 and words[0] == words[1]:
        return False
    if term in chrome or any(w in chrome for w in words):
        return False
    return all(len(w) >= 3 and w.isalpha() and w not in stopwords for w in words)


def _npmi_matrix(B: sp.csc_matrix, columns: list[int], df: np.ndarray, n: int) -> np.ndarray:
    sub = B[:, columns]
    together = (sub.T @ sub).toarray()
    p = df[columns] / n
    with np.errstate(divide="ignore", invalid="ignore"):
        joint = together / n
        npmi = np.log((joint + 1e-12) / np.outer(p, p)) / -np.log(joint + 1e-12)
    npmi[together == 0] = -1.0  # never together: the worst coherence
    np.fill_diagonal(npmi, 0.0)
    return np.round(npmi, _DECIMALS)


def _greedy_coherent(npmi: np.ndarray, distinct: np.ndarray, terms: list[str], *, n_pick: int,
                     bonus: float) -> list[int]:
    chosen = [int(np.argmax(np.round(npmi.mean(axis=1) + distinct, _DECIMALS)))]
    used = set(terms[chosen[0]].split())
    while len(chosen) < min(n_pick, len(terms)):
        best, best_value = None, -np.inf
        for r in range(len(terms)):
            # A phrase and its own words ("tony blair", "blair") would repeat one idea.
            if r in chosen or set(terms[r].split()) & used:
                continue
            value = round(float(npmi[r, chosen].mean() + bonus * distinct[r]), _DECIMALS)
            if value > best_value:
                best, best_value = r, value
        if best is None:
            break
        chosen.append(best)
        used |= set(terms[best].split())
    return chosen


def select_topic_terms(B: sp.csc_matrix, vocabulary: np.ndarray, labels: np.ndarray, k: int, *,
                       stopwords: frozenset[str], n_terms: int = 25, pool: int = 60,
                       min_share: float = 0.05, max_df: float = 0.5, n_coherent: int = 10,
                       bonus: float = 0.1) -> list[list[str]]:
    """Return ``n_terms`` ranked terms per topic: distinctive, exclusive and co-occurring.

    A term's score in a topic is the share of the topic's documents that
    contain it times the log of how much likelier it is inside the topic
    than outside. Each term belongs only to the topic where it scores best,
    which keeps topics from repeating each other's words. The first
    ``n_coherent`` terms are then picked greedily from the ``pool`` best to
    maximise document NPMI with the terms already picked; the rest follow by
    score.
    """
    n = B.shape[0]
    df = np.asarray(B.sum(axis=0)).ravel()
    chrome = chrome_terms()
    allowed = np.array([_allowed(t, stopwords, chrome) for t in vocabulary], dtype=bool)
    allowed &= df / n <= max_df
    in_topic = (membership_matrix(labels, k) @ B).toarray()
    size = np.bincount(labels, minlength=k).astype(float)[:, None]
    share = in_topic / np.maximum(size, 1)
    outside = (df[None, :] - in_topic + 0.5) / (n - size + 1)
    lift = np.log(((in_topic + 0.5) / (size + 1)) / outside)
    # Scores are rounded before they are ranked: log and division may differ
    # in the last bit between CPUs, and a rank must not.
    raw = np.round(share * lift, _DECIMALS)
    raw[:, ~allowed] = -np.inf
    score = np.where(share >= min_share, raw, -np.inf)
    owner = raw.argmax(axis=0)
    score[owner[None, :] != np.arange(k)[:, None]] = -np.inf

    out = []
    for topic in range(k):
        pool_idx = [int(j) for j in np.argsort(-score[topic], kind="stable")[:pool]
                    if np.isfinite(score[topic, j])]
        if len(pool_idx) < n_terms:
            # A small or diffuse topic: relax exclusivity and the minimum share.
            for j in np.argsort(-raw[topic], kind="stable"):
                if len(pool_idx) >= n_terms or not np.isfinite(raw[topic, j]):
                    break
                if in_topic[topic, j] == 0:
                    continue  # never pad a topic with words none of its articles use
                if int(j) not in pool_idx:
                    pool_idx.append(int(j))
        if not pool_idx:
            out.append([])
            continue
        distinct = raw[topic, pool_idx]
        distinct = np.round((distinct - distinct.min()) / (distinct.max() - distinct.min() + 1e-12),
                            _DECIMALS)
        terms = [str(vocabulary[j]) for j in pool_idx]
        npmi = _npmi_matrix(B, pool_idx, df, n)
        chosen = _greedy_coherent(npmi, distinct, terms, n_pick=n_coherent, bonus=bonus)
        rest = [r for r in range(len(terms)) if r not in chosen]
        out.append([terms[r] for r in [*chosen, *rest]][:n_terms])
    return out


def membership_matrix(labels: np.ndarray, k: int) -> sp.csr_matrix:
    """Return the k × n 0/1 matrix with a 1 where document j is in topic i."""
    n = len(labels)
    return sp.csr_matrix((np.ones(n, dtype=np.float64), (labels, np.arange(n))), shape=(k, n))
