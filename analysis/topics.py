"""Topic clusters for news articles: every article assigned, readable labels, stable ids.

The default ``method="hybrid"`` clusters on one representation and names
topics from another (see :class:`TopicModel`):

1. TF-IDF over letters-only unigrams (multilingual and news stopwords,
   corpus-specific terms above ``max_df`` dropped), reduced by LSA.
2. Candidate partitions into ``k`` clusters: k-means on the LSA vectors,
   and k-means micro-clusters (3, 5 and 8 times ``k``) merged by
   size-weighted average linkage on mean document cosine, which copes with
   one dominant subject (half of Reuters is earnings reports). The candidate
   with the best cosine silhouette in TF-IDF space wins.
3. Self-training: documents are relabelled by out-of-fold predictions of a
   linear SVM until fewer than 0.2% change.
4. Topic terms from a binary uni+bigram matrix: each term goes to the topic
   where it is most distinctive (share in topic × log lift), and the top 10
   are picked greedily to co-occur (document NPMI), so labels read as a
   subject, not as a bag of unrelated rare words.

``method="nmf"`` is classic NMF on the same TF-IDF (argmax assignment), and
``method="embeddings"`` clusters WordLlama sentence embeddings in step 2;
both use the same term selection. Everything is seeded by ``random_state``.
"""

from __future__ import annotations

import copy
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.decomposition import NMF, TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from analysis import topic_vectors
from analysis.parallel import resolve_n_jobs
from analysis.topic_terms import (
    _DECIMALS,
    STOPWORD_LANGUAGES,
    article_texts,
    membership_matrix,
    select_topic_terms,
    stopword_set,
    term_matrix,
)

__all__ = ["TopicModel", "fit_topics", "topic_hierarchy", "topic_map"]

# Above these sizes, k selection, term statistics, LSA and k-means centres,
# and classifier training use a seeded sample: their answers settle long
# before that, and the cost does not.
_SAMPLE_FOR_K = 3000
_SAMPLE_FOR_TERMS = 20000
_FIT_SAMPLE = 20000
_MAX_SELF_TRAIN = 8000
# Micro-clusters need this many members on average to be merged meaningfully.
_MIN_MICRO_SIZE = 20


def _quiet(progress: bool | None) -> bool:
    """Return whether to hide the progress bar: ``None`` shows it on a terminal only.

    Not tqdm's own ``disable=None``: in a Jupyter kernel ``tqdm.auto`` picks the
    notebook widget, which ignores it and would write a widget into every
    notebook that fits topics.
    """
    if progress is None:
        return not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())
    return not progress


def one_thread():
    """Return a context in which BLAS and OpenMP kernels use one thread.

    k-means, t-SNE and BLAS reductions add up partial sums in an order that
    depends on the number of threads, and k-means amplifies a last-bit
    difference into another local optimum. On one thread the order is fixed,
    so a fit gives the same topics on a laptop and on a 64-core server. The
    problems here are small enough (a few thousand sampled rows) that the
    second core bought little.
    """
    return threadpool_limits(limits=1)


def _in_threads(function: Callable, tasks: Iterable[tuple], n_jobs: int) -> list:
    """Return ``[function(*task) for task in tasks]``, run in up to ``n_jobs`` threads.

    The k-means, liblinear and sparse kernels release the GIL, so threads
    share the work without copying the vectors into other processes. Each
    task runs single-threaded (:func:`one_thread`: OpenMP's thread count is
    set per thread), so every result is the one a single thread computes.

    Examples
    --------
    >>> _in_threads(pow, [(2, 3), (3, 2)], n_jobs=2)
    [8, 9]
    """
    tasks = list(tasks)
    if n_jobs <= 1 or len(tasks) <= 1:
        return [function(*task) for task in tasks]

    def run(task: tuple):
        with one_thread():
            return function(*task)

    with ThreadPoolExecutor(min(n_jobs, len(tasks))) as pool:
        return list(pool.map(run, tasks))


def cosine_silhouette(X: sp.csr_matrix, labels: np.ndarray, k: int) -> float:
    """Return the exact mean cosine silhouette of ``labels`` for unit-norm rows of ``X``.

    Computed from cluster sums in O(n·k) instead of O(n²) pairwise distances.

    Examples
    --------
    >>> X = sp.csr_matrix([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [0.6, 0.8]])
    >>> round(cosine_silhouette(X, np.array([0, 0, 1, 1]), 2), 4)  # as sklearn's, metric="cosine"
    0.4026
    """
    n = X.shape[0]
    sums_t = (membership_matrix(labels, k) @ X).T
    sizes = np.bincount(labels, minlength=k).astype(float)
    score = np.empty(n, dtype=np.float64)
    # A slice of rows at a time: a row's score needs only its own similarities,
    # and all of them (sparse, then dense, then shifted) are hundreds of MiB at
    # a million rows, held by each candidate scored in parallel.
    for start in range(0, n, _PREDICT_ROWS):
        rows = slice(start, start + _PREDICT_ROWS)
        part = X[rows] @ sums_t
        score[rows] = _silhouettes(np.asarray(part.todense() if sp.issparse(part) else part),
                                   labels[rows], sizes)
    return float(score.mean())


def _silhouettes(sims: np.ndarray, labels: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Return each row's silhouette, given its similarities to every cluster's sum."""
    rows = np.arange(len(labels))
    own = 1 - (sims[rows, labels] - 1) / np.maximum(sizes[labels] - 1, 1)
    other = 1 - sims / np.maximum(sizes, 1)[None, :]
    other[rows, labels] = np.inf
    other[:, sizes == 0] = np.inf
    nearest = other.min(axis=1)
    score = (nearest - own) / np.maximum(np.maximum(own, nearest), 1e-12)
    score[sizes[labels] <= 1] = 0
    return score


def _average_linkage(sim: np.ndarray, weights: np.ndarray) -> list[tuple[int, int]]:
    """Return size-weighted average-linkage merges ``(keep, absorbed)`` of a similarity matrix."""
    sim = sim.astype(np.float64).copy()
    weights = weights.astype(np.float64).copy()
    np.fill_diagonal(sim, -np.inf)
    merges = []
    for _ in range(sim.shape[0] - 1):
        i, j = sorted(np.unravel_index(np.argmax(sim), sim.shape))
        merged = (weights[i] * sim[i] + weights[j] * sim[j]) / (weights[i] + weights[j])
        sim[i, :] = sim[:, i] = merged
        sim[i, i] = -np.inf
        sim[j, :] = sim[:, j] = -np.inf
        weights[i] += weights[j]
        merges.append((int(i), int(j)))
    return merges


def _cut(merges: list[tuple[int, int]], n_groups: int, k: int) -> np.ndarray:
    parent = list(range(n_groups))
    for keep, absorbed in merges[: n_groups - k]:
        parent[absorbed] = keep

    def root(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    return np.unique([root(x) for x in range(n_groups)], return_inverse=True)[1]


def topic_classifier(X: sp.csr_matrix, labels: np.ndarray, *, random_state: int) -> LinearSVC:
    """Return a linear SVM that tells the topics apart from their TF-IDF words.

    liblinear's coordinate descent runs in its own loops, not BLAS, so the
    same input gives the same coefficients on every CPU; scikit-learn's
    ridge solver stopped its conjugate gradients at a loose tolerance after
    a number of steps that the BLAS kernel decided, and moved articles.
    """
    with warnings.catch_warnings():
        # Only the argmax is used, and it settles long before the coefficients do.
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LinearSVC(C=1.0, random_state=random_state).fit(X, labels)


def predict_topics(model: LinearSVC, X: sp.csr_matrix) -> np.ndarray:
    """Return the classes ``model`` predicts, ties broken towards the first class."""
    scores = np.atleast_2d(model.decision_function(X))
    if scores.shape[0] != X.shape[0]:  # one column comes back 1-D for two classes
        scores = scores.T
    if scores.shape[1] == 1:
        return model.classes_[(np.round(scores[:, 0], _DECIMALS) > 0).astype(int)]
    return model.classes_[np.round(scores, _DECIMALS).argmax(axis=1)]


#: Rows of LSA vectors made or assigned at a time: whole blocks of KMeans.predict's 256.
_PREDICT_ROWS = 256 * 256


class _Millionths:
    """Vectors rounded to 6 decimals, held as whole millionths in int32: half the memory.

    Rows read back (``m[rows]``) are the floats ``np.round(vectors, 6)`` held
    (``np.round`` divides the same whole number by 1e6; only zeros lose
    their sign, which no sum or product sees).

    Examples
    --------
    >>> v = np.array([[0.1234567, -0.5], [0.0, 1.0]])
    >>> m = _Millionths(np.rint(v * 1e6).astype(np.int32))
    >>> m.shape, bool((m[:] == np.round(v, 6)).all()), m[[1]].tolist()
    ((2, 2), True, [[0.0, 1.0]])
    """

    def __init__(self, micro: np.ndarray):
        self.micro = micro

    @property
    def shape(self) -> tuple[int, int]:
        return self.micro.shape

    def __len__(self) -> int:
        return len(self.micro)

    def __getitem__(self, rows) -> np.ndarray:
        return self.micro[rows] / 1e6


class _Representation:
    """TF-IDF and LSA vectors of a corpus, with the clusterings the hybrid method tries."""

    def __init__(self, counts: sp.csr_matrix, vectorizer: TfidfVectorizer, *,
                 random_state: int, n_components: int = 100, n_jobs: int = 1):
        # counts: texts × words from analysis.topic_vectors, weighed in place.
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.vectorizer = vectorizer
        tfidf = topic_vectors.tfidf(counts, vectorizer)
        if tfidf.shape[1] < 2:
            raise ValueError(f"only {tfidf.shape[1]} usable word(s) across the articles; "
                             "too little text to find topics")
        n_components = max(1, min(n_components, tfidf.shape[1] - 1, tfidf.shape[0] - 1))
        self.svd = TruncatedSVD(n_components=n_components, random_state=random_state)
        self.svd.fit(tfidf[self._fit_rows(tfidf.shape[0])])
        # Rounded: documents that share no word sit at cosine 0 plus noise
        # from the BLAS kernel, and k-means must not follow that noise. Made
        # a slice of rows at a time (each row's numbers do not depend on the
        # others) into whole millionths: texts × 100 floats are 0.8 GB at a
        # million texts, and the int32 millionths half that.
        micro = np.empty((tfidf.shape[0], n_components), dtype=np.int32)
        for start in range(0, tfidf.shape[0], _PREDICT_ROWS):
            rows = slice(start, start + _PREDICT_ROWS)
            piece = normalize(self.svd.transform(tfidf[rows]), copy=False)
            piece *= 1e6
            micro[rows] = np.rint(piece, out=piece)
        self.Z = _Millionths(micro)
        # Normalised in place once LSA is done with it: the same numbers as a
        # normalised copy, without two matrices of the corpus at once.
        self.X = normalize(tfidf, copy=False)

    def _fit_rows(self, n: int) -> np.ndarray | slice:
        # Large corpora: learn directions and centres from a seeded sample,
        # then project or assign every document; the answers barely move and
        # the cost stops growing with the corpus.
        if n <= _FIT_SAMPLE:
            return slice(None)
        rng = np.random.default_rng(self.random_state)
        return np.sort(rng.choice(n, _FIT_SAMPLE, replace=False))

    def final_classifier(self, labels: np.ndarray) -> LinearSVC | None:
        """Return a linear SVM of the topics, fitted on (a capped sample of) all articles."""
        if len(np.unique(labels)) < 2:
            return None
        rows = np.arange(len(labels))
        if len(rows) > _MAX_SELF_TRAIN:
            rng = np.random.default_rng(self.random_state)
            rows = np.sort(rng.choice(rows, _MAX_SELF_TRAIN, replace=False))
        return topic_classifier(self.X[rows], labels[rows], random_state=self.random_state)

    def use_embeddings(self, texts: list[str]) -> None:
        """Cluster on sentence embeddings instead of LSA vectors."""
        # Rounded for the same reason as the LSA vectors: numpy's float32 sums
        # follow the CPU's SIMD width.
        self.Z = np.round(embed_texts(texts).astype(np.float64), 6)

    def kmeans(self, k: int, *, n_init: int, seed: int) -> np.ndarray:
        model = KMeans(k, n_init=n_init, random_state=seed)
        model.fit(self.Z[self._fit_rows(self.Z.shape[0])])
        # By slices of whole 256-row blocks, as KMeans.predict cuts them itself:
        # the same labels as one call, without every vector as floats at once.
        return np.concatenate([model.predict(self.Z[start:start + _PREDICT_ROWS])
                               for start in range(0, self.Z.shape[0], _PREDICT_ROWS)])

    def merge_tree(self, m: int, seed: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
        micro = self.kmeans(m, n_init=3, seed=seed)
        sizes = np.bincount(micro, minlength=m)
        sums = np.asarray((membership_matrix(micro, m) @ self.X).todense())
        mean_cosine = np.round((sums @ sums.T) / np.outer(sizes, sizes), _DECIMALS)
        return micro, _average_linkage(mean_cosine, sizes)

    def merged(self, m: int, seed: int, k: int) -> np.ndarray:
        micro, merges = self.merge_tree(m, seed)
        return _cut(merges, m, k)[micro]

    def candidates(self, k: int) -> dict[str, np.ndarray]:
        tasks = {"kmeans": (lambda: self.kmeans(k, n_init=10, seed=self.random_state), )}
        for factor in (3, 5, 8):
            # Micro-clusters need enough members for their mean similarity
            # to mean something; on small corpora only plain k-means runs.
            m = min(k * factor, self.Z.shape[0] // _MIN_MICRO_SIZE)
            if m <= k:
                continue
            for seed in (self.random_state, self.random_state + 1):
                tasks[f"merged-{m}-seed{seed}"] = (self.merged, m, seed, k)
        found = _in_threads(lambda f, *args: f(*args), tasks.values(), self.n_jobs)
        return dict(zip(tasks, found, strict=True))

    def self_train(self, labels: np.ndarray, k: int, *, rounds: int = 3, folds: int = 5,
                   max_train: int = _MAX_SELF_TRAIN) -> np.ndarray:
        """Return labels after rounds of cross-fitted classifier relabelling.

        Each document gets the label a classifier trained on the other folds
        predicts for it; this pulls boundary documents to the topic their
        words say they belong to. Training sets are capped at ``max_train``
        documents so the cost stays flat on large corpora.
        """
        n = self.X.shape[0]
        folds = min(folds, n)
        for r in range(rounds):
            rng = np.random.default_rng(self.random_state + r)
            fold = rng.permutation(n) % folds
            # Training rows are drawn in fold order from the one generator
            # before any fit, so threads cannot change which rows are drawn.
            splits = []
            for f in range(folds):
                test = fold == f
                train = np.flatnonzero(~test)
                if len(train) > max_train:
                    train = np.sort(rng.choice(train, max_train, replace=False))
                splits.append((test, train))
            relabelled = np.empty_like(labels)
            predictions = _in_threads(self._out_of_fold,
                                      [(labels, test, train) for test, train in splits],
                                      self.n_jobs)
            for (test, _), predicted in zip(splits, predictions, strict=True):
                relabelled[test] = predicted
            if len(np.unique(relabelled)) < k:
                break
            changed = float(np.mean(relabelled != labels))
            labels = relabelled
            if changed < 0.002:
                break
        return labels

    def _out_of_fold(self, labels: np.ndarray, test: np.ndarray, train: np.ndarray
                     ) -> np.ndarray:
        """Return the labels a classifier trained on ``train`` rows predicts for ``test`` rows."""
        if len(np.unique(labels[train])) < 2:
            return labels[test]
        model = topic_classifier(self.X[train], labels[train], random_state=self.random_state)
        return predict_topics(model, self.X[test])


def embed_texts(texts: list[str], *, max_chars: int = 2000, batch_size: int = 32) -> np.ndarray:
    """Return unit-norm WordLlama embeddings of ``texts`` (the ``embeddings`` extra).

    The model ships inside the ``wordllama`` package and loads offline. Texts
    are truncated and embedded shortest first in small batches: WordLlama pads
    a batch to its longest text, so one very long article in a batch of short
    ones would multiply memory and time.
    """
    try:
        import wordllama
        from wordllama import WordLlama
    except ImportError as exc:
        raise ImportError("method='embeddings' (and 'auto' on short texts) needs wordllama, "
                          "a newsscope dependency: pip install wordllama") from exc
    from pathlib import Path

    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    clipped = [t[:max_chars] for t in texts]
    order = np.argsort([len(t) for t in clipped], kind="stable")
    vectors = np.zeros((len(texts), 256), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        vectors[batch] = model.embed([clipped[i] for i in batch], batch_size=batch_size)
    return normalize(vectors)


def k_grid(low: int, high: int) -> list[int]:
    """Return the k values ``k="auto"`` tries: every k up to 10, then steps of about 15%.

    Telling 31 topics from 32 is beyond what stability can resolve, and
    each k scanned costs as much as the next.

    Examples
    --------
    >>> k_grid(5, 40)
    [5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 21, 24, 28, 32, 37, 40]
    >>> k_grid(3, 5)
    [3, 4, 5]
    """
    if low > high:
        raise ValueError(f"k_range must be (low, high) with low <= high, got ({low}, {high})")
    ks = [low]
    while ks[-1] < high:
        ks.append(min(high, max(ks[-1] + 1, round(ks[-1] * 1.15))))
    return ks


def stability_curve(Z: np.ndarray | _Millionths, k_values, *, n_pairs: int = 10,
                    random_state: int = 0, n_jobs: int = 1) -> pd.DataFrame:
    """Return, per k, how well k-means on two random 80% subsamples agree on their overlap.

    A k that matches real structure in the corpus is found again from other
    subsamples and seeds; a k that cuts a subject in two is not (Ben-Hur,
    Elisseeff and Guyon, 2002). Agreement is the normalised mutual
    information of the two partitions, averaged over ``n_pairs`` pairs.
    Unlike the adjusted Rand index, which counts pairs of documents and so
    is dominated by the largest clusters, NMI also sees whether the small
    topics are found again. The scan runs on at most ``_SAMPLE_FOR_K`` rows,
    so its cost does not grow with the corpus. Every pair uses the same
    subsamples for every k, so the curve compares like with like.

    Returns
    -------
    DataFrame
        ``k``, ``stability`` (0..1, rounded to 3 decimals), ``score`` (see
        :func:`choose_k`).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> blobs = np.repeat(np.eye(3), 40, axis=0) + rng.normal(0, 0.05, (120, 3))
    >>> stability_curve(blobs, [2, 3, 4], n_pairs=2)["stability"].tolist()[1]
    1.0
    """
    from sklearn.metrics import normalized_mutual_info_score

    rng = np.random.default_rng(random_state)
    if Z.shape[0] > _SAMPLE_FOR_K:
        Z = Z[np.sort(rng.choice(Z.shape[0], _SAMPLE_FOR_K, replace=False))]
    n = Z.shape[0]
    # A ring of subsamples: each is clustered once per k and compared with the
    # next, so n_pairs comparisons cost n_pairs fits, not twice as many.
    subsamples = [np.sort(rng.choice(n, int(0.8 * n), replace=False)) for _ in range(n_pairs)]
    k_values = [int(k) for k in k_values]

    def fitted(k: int, i: int) -> KMeans:
        # Two restarts: a single k-means run measures its own bad starts, not the
        # corpus; more restarts cost more than they steady the curve.
        return KMeans(k, n_init=2, random_state=random_state + i).fit(Z[subsamples[i]])

    every = iter(_in_threads(fitted, [(k, i) for k in k_values for i in range(n_pairs)],
                             n_jobs))
    records = []
    for k in k_values:
        fits = [next(every) for _ in range(n_pairs)]
        scores = []
        for i in range(n_pairs if n_pairs > 2 else 1):
            j = (i + 1) % n_pairs
            common = np.intersect1d(subsamples[i], subsamples[j])
            scores.append(normalized_mutual_info_score(fits[i].predict(Z[common]),
                                                       fits[j].predict(Z[common])))
        stability = round(float(np.mean(scores)), 3)
        records.append({"k": int(k), "stability": stability,
                        "score": round(stability + RESOLUTION_WEIGHT * np.log(k), 3)})
    return pd.DataFrame(records)


#: Weight of ln k in the score ``k="auto"`` maximises (see :func:`choose_k`).
RESOLUTION_WEIGHT = 0.08


def choose_k(curve: pd.DataFrame, *, tolerance: float = 0.05) -> int:
    """Return the coarsest k whose ``score`` is within ``tolerance`` of the best score.

    The score is stability plus 0.08 · ln k. Splitting a corpus into a few
    broad parts is always reproducible (a mix of wire briefs, features and
    foreign-language news separates by source at k=3), so stability alone
    collapses a heterogeneous corpus into a handful of giant topics: the
    ln k term pays for resolution. Past the real structure, stability stays
    on a plateau (k-means cuts big subjects the same way every time), where
    the ln k term alone would pick the finest k; so among the k that score
    nearly as well as the best, the coarsest wins. Both constants were set on
    BBC (5 subjects, where k=5 is far more stable than any other k), Reuters
    R8 and a BBC + R8 + TTC-3600 mix (19 labels); ``benchmarks/RESULTS.md``
    has the curves and how other corpora fare.

    Examples
    --------
    >>> curve = pd.DataFrame({"k": [3, 5, 10, 20], "stability": [0.95, 0.97, 0.85, 0.80]})
    >>> choose_k(curve.assign(score=(curve.stability + 0.08 * np.log(curve.k)).round(3)))
    5
    """
    best = curve["score"].max()
    # Scores are rounded to 3 decimals, so the comparison is exact.
    return int(curve.loc[curve["score"] >= round(best - tolerance, 3), "k"].min())


#: Values of ``method``.
METHODS = ("auto", "hybrid", "nmf", "embeddings")
#: ``method="auto"`` clusters embeddings below this median length in words.
SHORT_TEXT_WORDS = 25


def resolve_method(method: str, texts: list[str]) -> str:
    """Return the method that runs: ``"auto"`` becomes embeddings for short texts.

    Examples
    --------
    >>> resolve_method("auto", ["Oil prices rise", "Vote count delayed"])
    'embeddings'
    >>> resolve_method("auto", ["word " * 300] * 3), resolve_method("nmf", ["a b"])
    ('hybrid', 'nmf')
    """
    return _method_for(method, [len(t.split()) for t in texts])


def _method_for(method: str, lengths: Sequence[int]) -> str:
    """Return :func:`resolve_method` of texts of ``lengths`` words."""
    if method != "auto":
        return method
    return ("embeddings" if len(lengths) and np.median(lengths) < SHORT_TEXT_WORDS
            else "hybrid")


def catch_all_topics(shares: np.ndarray, cohesion: np.ndarray) -> np.ndarray:
    """Return which topics are catch-alls: far larger than the rest and loosely knit.

    Short texts that share no distinctive word with any subject end up
    together in one big topic. Named after three of its words, such a topic
    misleads ("school · shooting · parents" for 47% of a headline stream), so
    it is flagged: at least twice the median topic share, and a cohesion (mean
    cosine of its articles to its centre) under 0.7 times the median of the
    other topics. A big but tight topic (Reuters' earnings reports, half of R8, the
    most cohesive topic there) is not a catch-all.

    Examples
    --------
    >>> catch_all_topics(np.array([0.47, 0.09, 0.07, 0.05, 0.05]),
    ...                  np.array([0.06, 0.12, 0.13, 0.20, 0.24])).tolist()
    [True, False, False, False, False]
    >>> catch_all_topics(np.array([0.50, 0.21, 0.08, 0.07]),
    ...                  np.array([0.37, 0.20, 0.24, 0.27])).tolist()
    [False, False, False, False]
    """
    shares = np.asarray(shares, dtype=float)
    cohesion = np.asarray(cohesion, dtype=float)
    flags = np.zeros(len(shares), dtype=bool)
    if len(shares) < 3:
        return flags
    for t in range(len(shares)):
        others = np.delete(cohesion, t)
        flags[t] = (shares[t] >= 2 * np.median(shares)
                    and cohesion[t] < 0.7 * np.median(others))
    return flags


class TopicModel(BaseEstimator):
    """Topic clusters over a DataFrame of articles, following scikit-learn's contract.

    Parameters
    ----------
    k : int or "auto"
        Number of topics. ``"auto"`` scans ``k_range`` (every k up to 10, then
        steps of about 15%): for each k, k-means on pairs of overlapping 80%
        subsamples, ``stability`` = how much the two partitions agree (NMI);
        it picks the coarsest k scoring within 0.05 of the best
        ``stability + 0.08 · ln k`` (see :func:`choose_k`); ``k_selection_``
        holds the curve.
    method : {"auto", "hybrid", "nmf", "embeddings"}
        ``"hybrid"`` (see the module docstring), classic NMF, or the hybrid
        pipeline clustering WordLlama sentence embeddings instead of LSA
        vectors (numpy only, no torch). ``"auto"`` (default) takes
        ``"embeddings"`` for short texts (median under 25 words: headlines,
        briefs), where TF-IDF vectors share too few words to cluster, and
        ``"hybrid"`` otherwise; ``method_`` says which ran.
    random_state : int
        Seeds every randomised step: same input and parameters, same topics.
    n_terms : int
        Terms kept per topic (``top_terms``).
    k_range : (int, int)
        Inclusive range scanned by ``k="auto"``.
    max_df : float
        Terms in a larger share of articles are corpus-specific stopwords.
    languages : sequence of str
        Stopword languages (``en``, ``ru``, ``tr``, ``az``, ...).
    previous : DataFrame, optional
        An earlier model's ``topics_`` (a fitted TopicModel is accepted too,
        but a frame survives ``sklearn.base.clone``): matched topics keep
        their ids.
    min_similarity : float
        Least cosine similarity of top-term vectors for a match with ``previous``.
    mixed_threshold : float
        Articles whose ``weight`` is below this are flagged ``is_mixed``.
    progress : bool or None
        Show a progress bar of the fit's steps (tqdm); ``None`` shows it only
        on a terminal, ``False`` never.
    n_jobs : int or None
        Threads sharing the clusterings, ``None``: one per CPU. Each
        clustering runs on one thread, so the topics are the same for any
        value.
    index : TermIndex, optional
        The term index of the articles (:func:`analysis.index.build_index`):
        the words clustered on and the topic terms are then read from it
        instead of tokenising the texts again, with the same result (see
        :mod:`analysis.topic_vectors`). Ignored for an index whose phrases
        were pruned harder than the topic terms' ``min_df``. An index whose
        texts stay on a Dask cluster (``build_index(texts=)``) lets the
        articles go without a ``text`` column; the few texts needed are fetched.

    Attributes
    ----------
    method_ : str
        The method that ran (``"auto"`` resolved).
    topics_ : DataFrame
        ``topic_id``, ``label`` (``"mixed: …"`` for a catch-all), ``size``, ``share``,
        ``cohesion`` (mean cosine of its articles to its centre), ``is_catch_all`` (see
        :func:`catch_all_topics`), ``top_terms``, ``representative`` (article ids).
    doc_topics_ : DataFrame
        ``article_id``, ``topic_id``, ``weight``, ``second_topic_id``, ``is_mixed``.
    k_selection_ : DataFrame or None
        ``k``, ``stability``, ``score``, ``chosen`` when ``k="auto"``.
    alignment_ : DataFrame or None
        ``topic_id``, ``previous_topic_id``, ``similarity``, ``matched`` when ``previous`` is given.
    centroids_ : ndarray
        Unit-norm topic centres in TF-IDF space, one row per topic in ``topics_`` order.
    vectorizer_ : TfidfVectorizer
    """

    def __init__(self, *, k="auto", method="auto", random_state=0, n_terms=25, k_range=(3, 20),
                 max_df=0.5, languages=("en", "ru", "tr", "az"), previous=None,
                 min_similarity=0.2, mixed_threshold=0.55, progress=None, n_jobs=None,
                 index=None):
        self.k = k
        self.method = method
        self.random_state = random_state
        self.n_terms = n_terms
        self.k_range = k_range
        self.max_df = max_df
        self.languages = languages
        self.previous = previous
        self.min_similarity = min_similarity
        self.mixed_threshold = mixed_threshold
        self.progress = progress
        self.n_jobs = n_jobs
        self.index = index

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        # The index is an input, like the articles, and often hundreds of
        # megabytes: a pickled model does not carry it.
        state["index"] = None
        return state

    # ------------------------------------------------------------------ fitting

    def _validate(self, articles: pd.DataFrame) -> None:
        if not isinstance(articles, pd.DataFrame):
            raise TypeError("fit_topics: articles must be a DataFrame with article_id, title and "
                            "text columns (e.g. from load_articles), got "
                            f"{type(articles).__name__}")
        if self.method not in METHODS:
            raise ValueError(f"fit_topics: method must be one of {', '.join(map(repr, METHODS))}"
                             f", got {self.method!r}")
        if self.k != "auto" and (isinstance(self.k, bool)
                                 or not isinstance(self.k, (int, np.integer)) or self.k < 2):
            raise ValueError(f"fit_topics: k must be an integer >= 2 or 'auto', got {self.k!r}")
        if (not isinstance(self.k_range, (tuple, list)) or len(self.k_range) != 2
                or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                           for v in self.k_range)
                or not 2 <= self.k_range[0] <= self.k_range[1]):
            raise ValueError("fit_topics: k_range must be (low, high) integers with "
                             f"2 <= low <= high, got {self.k_range!r}")
        if not (isinstance(self.max_df, (int, float)) and 0 < self.max_df <= 1):
            raise ValueError(f"fit_topics: max_df must be a share in (0, 1], got {self.max_df!r}")
        if isinstance(self.languages, str) or not set(self.languages) <= STOPWORD_LANGUAGES:
            raise ValueError(f"fit_topics: languages must be a sequence of codes from "
                             f"{sorted(STOPWORD_LANGUAGES)}, not {self.languages!r}")
        # A frame whose texts stay on a Dask cluster (analysis.remote) has
        # none: its index knows where they are.
        needed = {"article_id"} if getattr(self.index, "texts", None) is not None \
            else {"article_id", "text"}
        missing = needed - set(articles.columns)
        if missing:
            raise ValueError(f"fit_topics: articles lack columns {sorted(missing)}; it has "
                             f"{sorted(map(str, articles.columns))}")
        if not articles["article_id"].is_unique:
            raise ValueError("fit_topics: article_id must be unique: one topic row per article")

    def fit(self, articles: pd.DataFrame, y=None) -> TopicModel:
        """Fit topics on ``articles`` (a frame from :func:`analysis.load_articles`).

        The numeric kernels run on one thread (see :func:`one_thread`), so the
        topics do not depend on how many cores the machine has.
        """
        self._validate(articles)
        resolve_n_jobs(self.n_jobs)  # a bad value fails before the long fit
        with one_thread():
            return self._fit(articles)

    def _fit(self, articles: pd.DataFrame) -> TopicModel:
        from tqdm.auto import tqdm

        previous = _previous_topics(self.previous)
        first = np.flatnonzero(_first_copies(articles).isna().to_numpy())
        # Only the ids of the first copies are kept, not a copy of their texts.
        originals = articles["article_id"].iloc[first].reset_index(drop=True).to_frame()
        n = len(first)
        if n < 4:
            raise ValueError(f"fit_topics: need at least 4 distinct articles to find topics, "
                             f"got {n}")
        min_df = 2 if n < 500 else 5
        stopwords = stopword_set(tuple(self.languages))
        # With a term index the texts are needed only for embeddings.
        index = self._usable_index(articles, min_df=min_df)
        texts = None if index is not None else _texts_at(articles, first, self.index)
        self.method_ = _method_for(self.method, [len(t.split()) for t in texts]
                                   if texts is not None else index.n_words[index.codes[first]])
        if self.method_ == "embeddings" and texts is None:
            texts = _texts_at(articles, first, self.index)
        steps = ["words", *(["embeddings"] if self.method_ == "embeddings" else []),
                 *(["choosing k"] if self.k == "auto" else []), "clustering", "topic terms"]
        with tqdm(total=len(steps), desc="topics", unit="step", leave=False,
                  disable=_quiet(self.progress)) as bar:
            def step() -> None:
                bar.set_postfix_str(steps[bar.n] if bar.n < len(steps) else "")
                bar.update()

            # From the term index when there is one: no text is tokenised again.
            counts, vectorizer = (
                topic_vectors.text_word_counts(texts, stop_words=stopwords, min_df=min_df,
                                               max_df=self.max_df) if index is None else
                topic_vectors.index_word_counts(index, first, stop_words=stopwords,
                                                min_df=min_df, max_df=self.max_df))
            rep = _Representation(counts, vectorizer, random_state=self.random_state,
                                  n_jobs=resolve_n_jobs(self.n_jobs))
            del counts
            step()
            if self.method_ == "embeddings":
                rep.use_embeddings(texts)
                step()
            rows = np.arange(n)
            if n > _SAMPLE_FOR_TERMS:
                rng = np.random.default_rng(self.random_state)
                rows = np.sort(rng.choice(n, _SAMPLE_FOR_TERMS, replace=False))
            # The texts are vectorised: from here on only the sample of the
            # topic terms may need them (a gigabyte at a million articles).
            sampled = {} if index is not None else {i: texts[i] for i in rows.tolist()}
            del texts
            k = self._number_of_topics(rep, n)
            if self.k == "auto":
                step()
            labels = self._final_labels(rep, _compact(self._cluster(rep, k)))
            step()
            k = int(labels.max()) + 1
            sums = np.asarray((membership_matrix(labels, k) @ rep.X).todense())
            self.centroids_ = normalize(sums)
            self.vectorizer_ = rep.vectorizer
            self.lsa_ = rep.svd
            # The frames need only the article × topic similarities of the
            # vectors, so the vectors (gigabytes at a million articles) go
            # before the topic terms, which may wait for a term index that is
            # still merging its chunks.
            sims = self._similarities(rep.X)
            del rep
            B, vocabulary = (term_matrix([sampled[i] for i in rows], min_df=min_df)
                             if index is None else index.binary_terms(first[rows],
                                                                      min_df=min_df))
            terms = select_topic_terms(B, vocabulary, labels[rows], k, stopwords=stopwords,
                                       n_terms=self.n_terms, max_df=self.max_df)
            step()
        self._set_frames(articles, originals, sims, labels, terms, previous)
        return self

    def _usable_index(self, articles: pd.DataFrame, *, min_df: int):
        """Return the term index of ``articles`` the model was given, or None.

        An index whose phrases were pruned harder than the topic terms'
        ``min_df`` cannot give their matrix: the texts are read instead.
        """
        index = self.index
        if index is None or min_df < index.min_df:
            return None
        if len(index.codes) != len(articles):
            raise ValueError(f"fit_topics: the index was built from {len(index.codes)} articles, "
                             f"not these {len(articles)}")
        return index

    def _number_of_topics(self, rep: _Representation, n: int) -> int:
        self.k_selection_ = None
        if self.k != "auto":
            if self.k > n // 2:
                warnings.warn(f"k={self.k} is more than half of the {n} distinct articles; "
                              f"using k={n // 2}", stacklevel=3)
            return int(min(self.k, n // 2))
        low, high = self.k_range
        high = max(low, min(high, n // 8))
        curve = stability_curve(rep.Z, k_grid(low, high), random_state=self.random_state,
                                n_jobs=rep.n_jobs)
        k = choose_k(curve)
        self.k_selection_ = curve.assign(chosen=curve["k"] == k)
        return k

    def _cluster(self, rep: _Representation, k: int) -> np.ndarray:
        if self.method_ == "nmf":
            nmf = NMF(k, init="nndsvda", random_state=self.random_state, max_iter=400)
            return np.round(nmf.fit_transform(rep.X), _DECIMALS).argmax(axis=1)
        candidates = rep.candidates(k)
        # Rounded: two candidates a last-bit apart are a tie, won by name order.
        scores = _in_threads(lambda labels: round(cosine_silhouette(rep.X, labels, k), _DECIMALS),
                             [(labels,) for labels in candidates.values()], rep.n_jobs)
        silhouettes = dict(zip(candidates, scores, strict=True))
        best = max(sorted(silhouettes), key=lambda name: (silhouettes[name], name == "kmeans"))
        self.candidate_silhouettes_ = silhouettes
        self.candidate_ = best
        return rep.self_train(candidates[best], k)

    def _final_labels(self, rep: _Representation, labels: np.ndarray) -> np.ndarray:
        """Return topic positions 0..k-1, largest topic first, as the classifier assigns them.

        The final assignment is the classifier's, so ``transform`` on the
        training articles gives back exactly ``doc_topics_``.
        """
        self.classifier_ = rep.final_classifier(labels)
        if self.classifier_ is not None:
            predicted = predict_topics(self.classifier_, rep.X)
            labels = _compact(predicted)
        k = int(labels.max()) + 1
        # Topic 0 is the largest: positions that read in order of importance.
        order = np.lexsort((np.arange(k), -np.bincount(labels, minlength=k)))
        rank = np.empty(k, dtype=int)
        rank[order] = np.arange(k)
        if self.classifier_ is not None:
            # Indexed by class value: the classifier's training sample can miss a
            # small topic, so its classes need not be 0..m-1.
            self.label_map_ = np.full(int(self.classifier_.classes_.max()) + 1, -1)
            self.label_map_[predicted] = rank[labels]
        return rank[labels]

    # ------------------------------------------------------------------ frames

    def _similarities(self, X: sp.csr_matrix) -> np.ndarray:
        """Return the cosine similarity of each row of ``X`` to each topic's centre."""
        return np.round(np.asarray(X @ self.centroids_.T), _DECIMALS)

    def _doc_topic_frame(self, article_ids, sims: np.ndarray, labels: np.ndarray
                         ) -> pd.DataFrame:
        """Return doc-topic rows for ``labels``, given the article × topic similarities.

        ``weight`` compares the similarity to the assigned topic's centre with
        the best other one: 1 means clearly this topic, 0.5 a tie, 0 no shared
        words at all (an empty text, which still gets a topic).
        """
        rows = np.arange(len(labels))
        own = np.clip(sims[rows, labels], 0, None)
        others = sims.copy()
        others[rows, labels] = -np.inf
        second = others.argmax(axis=1) if sims.shape[1] > 1 else labels
        rival = np.clip(others[rows, second], 0, None) if sims.shape[1] > 1 else 0 * own
        with np.errstate(invalid="ignore", divide="ignore"):
            weight = np.where(own + rival > 0, own / (own + rival), 0.0)
        # The flag is read off the weight as shown, so 0.55 is never "mixed" at 0.55.
        weight = np.round(weight.astype("float64"), 4)
        ids = self.topic_ids_
        frame = pd.DataFrame({
            "article_id": pd.array(list(article_ids), dtype="string[pyarrow]"),
            "topic_id": ids[labels].astype("int64"),
            "weight": weight,
            "second_topic_id": ids[second].astype("int64"),
            "is_mixed": weight < self.mixed_threshold,
        })
        return frame

    def _set_frames(self, articles, originals, sims, labels, terms, previous) -> None:
        k = len(terms)
        self.topic_ids_ = self._topic_ids(terms, previous)
        own = self._doc_topic_frame(originals["article_id"], sims, labels)
        self.doc_topics_ = self._with_duplicates(articles, own)
        sizes = self.doc_topics_["topic_id"].value_counts()
        topic_rows = []
        cohesion = np.array([np.round(sims[labels == t, t].mean(), 4) if (labels == t).any()
                             else 0.0 for t in range(k)])
        shares = np.bincount(labels, minlength=k) / len(labels)
        catch_all = catch_all_topics(shares, cohesion)
        for topic in range(k):
            members = np.flatnonzero(labels == topic)
            typical = members[np.argsort(-np.round(sims[members, topic], _DECIMALS),
                                         kind="stable")[:5]]
            topic_id = int(self.topic_ids_[topic])
            size = int(sizes.get(topic_id, 0))
            label = (f"mixed: {size:,} articles with no common subject" if catch_all[topic]
                     else " · ".join(terms[topic][:3]))
            topic_rows.append({
                "topic_id": topic_id,
                "label": label,
                "size": size,
                "share": round(float(size) / len(self.doc_topics_), 4),
                "cohesion": float(cohesion[topic]),
                "is_catch_all": bool(catch_all[topic]),
                "top_terms": terms[topic],
                "representative": originals["article_id"].to_numpy()[typical].tolist(),
            })
        self.topics_ = pd.DataFrame(topic_rows).astype({"label": "string[pyarrow]"})

    @staticmethod
    def _with_duplicates(articles: pd.DataFrame, own: pd.DataFrame) -> pd.DataFrame:
        """Return one row per article: a duplicate takes its first copy's topic."""
        first = _first_copies(articles)
        source = first.where(first.notna(), articles["article_id"].astype(object))
        by_id = own.set_index(own["article_id"].astype(object))
        rows = by_id.loc[source.to_numpy()].reset_index(drop=True)
        rows["article_id"] = pd.array(articles["article_id"].astype(object).tolist(),
                                      dtype="string[pyarrow]")
        return rows

    def _topic_ids(self, terms: list[list[str]], previous: pd.DataFrame | None) -> np.ndarray:
        self.alignment_ = None
        if previous is None:
            return np.arange(len(terms))
        self.alignment_ = align_topics(terms, previous, min_similarity=self.min_similarity)
        return self.alignment_["topic_id"].to_numpy()

    def aligned_to(self, previous) -> TopicModel:
        """Return a copy of this fitted model whose topic ids follow ``previous``.

        The same model as fitting with ``previous=``: the clustering does not
        depend on it, only the ids do. So one fit serves reports aligned to
        different earlier versions.

        Parameters
        ----------
        previous : TopicModel or DataFrame
            An earlier model or its ``topics_``, as for ``previous=``.

        Examples
        --------
        >>> arts = pd.DataFrame({"article_id": [f"a{i}" for i in range(12)], "title": [""] * 12,
        ...     "text": ["rain storm flood wind"] * 6 + ["vote poll party seat"] * 6})
        >>> model = fit_topics(arts, k=2)
        >>> old = pd.DataFrame({"topic_id": [7], "top_terms": [["vote", "poll", "party"]]})
        >>> model.aligned_to(old).topics_.set_index("label")["topic_id"].to_dict()
        {'party · poll · seat': 7, 'flood · rain · storm': 8}
        """
        check_is_fitted(self, "centroids_")
        previous = _previous_topics(previous)
        model = copy.copy(self)
        model.previous = previous
        old = self.topic_ids_
        new = model._topic_ids(list(self.topics_["top_terms"]), previous)
        order = np.argsort(old)

        def renumbered(ids: pd.Series) -> np.ndarray:
            return new[order][np.searchsorted(old[order], ids.to_numpy())].astype("int64")

        model.topic_ids_ = new
        model.topics_ = self.topics_.assign(topic_id=renumbered(self.topics_["topic_id"]))
        model.doc_topics_ = self.doc_topics_.assign(
            topic_id=renumbered(self.doc_topics_["topic_id"]),
            second_topic_id=renumbered(self.doc_topics_["second_topic_id"]))
        return model

    # ------------------------------------------------------------------ prediction

    def transform(self, articles: pd.DataFrame) -> pd.DataFrame:
        """Return ``doc_topics``-style rows assigning new articles to the fitted topics.

        On the articles the model was fitted on, the result equals
        ``doc_topics_``. An article with no known word gets the classifier's
        default topic with weight 0 (``is_mixed``).
        """
        check_is_fitted(self, "centroids_")
        X = normalize(self.vectorizer_.transform(article_texts(articles)))
        labels = np.zeros(X.shape[0], dtype=int)
        if self.classifier_ is not None:
            labels = self.label_map_[predict_topics(self.classifier_, X)]
            # A class the classifier never gave a training article: nearest centre.
            unmapped = labels < 0
            labels[unmapped] = np.round(np.asarray(X[unmapped] @ self.centroids_.T),
                                        _DECIMALS).argmax(axis=1)
        return self._doc_topic_frame(articles["article_id"], self._similarities(X), labels)

    def fit_transform(self, articles: pd.DataFrame, y=None) -> pd.DataFrame:
        """Fit and return ``doc_topics_``."""
        return self.fit(articles).doc_topics_


def _compact(labels: np.ndarray) -> np.ndarray:
    """Return labels renumbered 0..m-1 so that no topic is empty (NMF can leave some)."""
    return np.unique(labels, return_inverse=True)[1].astype(int)


def _texts_at(articles: pd.DataFrame, positions: np.ndarray, index=None) -> list[str]:
    """Return the texts (title and body) of the articles at ``positions``.

    From the cluster holding them (``index.texts``) when the frame has none.
    """
    if "text" not in articles and getattr(index, "texts", None) is not None:
        return index.texts(positions)
    return article_texts(articles.iloc[positions])


def _first_copies(articles: pd.DataFrame) -> pd.Series:
    """Return each article's first copy among the frame's articles, else missing.

    Chains (a copy of a copy) resolve to their root; a copy whose original is
    not in the frame (a subset) stands for itself.
    """
    if "duplicate_of" not in articles:
        return pd.Series(pd.NA, index=articles.index, dtype=object)
    present = set(articles["article_id"].astype(object))
    parent = {a: d for a, d in zip(articles["article_id"].astype(object),
                                   articles["duplicate_of"].astype(object), strict=True)
              if isinstance(d, str) and d in present and d != a}

    def root(article_id):
        seen = set()
        while article_id in parent and article_id not in seen:
            seen.add(article_id)
            article_id = parent[article_id]
        return article_id

    roots = [root(a) if a in parent else pd.NA for a in articles["article_id"].astype(object)]
    return pd.Series(roots, index=articles.index, dtype=object)


def _previous_topics(previous) -> pd.DataFrame | None:
    """Return the ``topic_id``/``top_terms`` frame of an earlier model, validated."""
    if previous is None:
        return None
    if isinstance(previous, TopicModel):
        if not hasattr(previous, "topics_"):
            raise ValueError("previous is an unfitted TopicModel; pass a fitted one or its "
                             "topics_ frame")
        previous = previous.topics_
    if not isinstance(previous, pd.DataFrame) or not {"topic_id", "top_terms"} <= set(previous):
        raise ValueError("previous must be a TopicModel or a frame with topic_id and top_terms")
    if previous.empty:
        return None
    if not previous["topic_id"].is_unique:
        raise ValueError("previous has repeated topic_id values")
    return previous[["topic_id", "top_terms"]].reset_index(drop=True)


def align_topics(terms: list[list[str]], previous: pd.DataFrame, *,
                 min_similarity: float = 0.2) -> pd.DataFrame:
    """Return new topics matched to ``previous`` ones by their ranked top terms.

    Terms are weighted by 1/rank; the Hungarian algorithm maximises total
    cosine similarity. Matches below ``min_similarity`` are refused, and
    unmatched topics get fresh ids above every previous id.

    Examples
    --------
    >>> old = pd.DataFrame({"topic_id": [4, 9], "top_terms": [["oil", "opec"], ["vote", "poll"]]})
    >>> align_topics([["vote", "party"], ["goal", "match"]], old)["topic_id"].tolist()
    [9, 10]
    """
    from scipy.optimize import linear_sum_assignment

    vocabulary = {t: i for i, t in enumerate(sorted(
        {t for ts in terms for t in ts} | {t for ts in previous["top_terms"] for t in ts}))}

    def vectors(lists) -> np.ndarray:
        out = np.zeros((len(lists), len(vocabulary)))
        for row, ranked in enumerate(lists):
            for rank, term in enumerate(ranked, start=1):
                out[row, vocabulary[term]] = 1 / rank
        return normalize(out)

    sim = np.round(vectors(terms) @ vectors(list(previous["top_terms"])).T, _DECIMALS)
    old_ids = previous["topic_id"].to_numpy()
    new_ids = np.full(len(terms), -1)
    matched_sim = np.zeros(len(terms))
    previous_ids = [None] * len(terms)
    for r, c in zip(*linear_sum_assignment(-sim), strict=True):
        if sim[r, c] >= min_similarity:
            new_ids[r], matched_sim[r], previous_ids[r] = old_ids[c], sim[r, c], int(old_ids[c])
    fresh = iter(range(int(old_ids.max()) + 1 if len(old_ids) else 0, 10**9))
    for r in range(len(terms)):
        if new_ids[r] < 0:
            new_ids[r] = next(fresh)
    return pd.DataFrame({"topic_id": new_ids, "previous_topic_id": pd.array(previous_ids,
                                                                              dtype="Int64"),
                         "similarity": np.round(matched_sim, 4),
                         "matched": [p is not None for p in previous_ids]})


def fit_topics(articles: pd.DataFrame, *, k="auto", method: str = "auto",
               random_state: int = 0, previous=None, n_terms: int = 25,
               k_range: tuple[int, int] = (3, 20), max_df: float = 0.5,
               languages: Sequence[str] = ("en", "ru", "tr", "az"),
               min_similarity: float = 0.2, mixed_threshold: float = 0.55,
               progress: bool | None = None, n_jobs: int | None = None,
               index=None) -> TopicModel:
    """Return a :class:`TopicModel` fitted on ``articles``: every article gets a topic.

    Parameters
    ----------
    articles : DataFrame
        ``article_id`` (unique), ``text`` and optionally ``title`` and
        ``duplicate_of``, as returned by :func:`analysis.load_articles`.
        Duplicates take their first copy's topic. Not modified.
    k : int or "auto"
        Number of topics, or ``"auto"`` to choose it from ``k_range`` by
        stability (see :func:`choose_k`).
    method : {"auto", "hybrid", "nmf", "embeddings"}
        How articles are clustered; ``"auto"`` uses sentence embeddings for
        short texts (headlines) and TF-IDF/LSA otherwise.
    random_state : int
        Seeds every randomised step: same input and parameters, same topics.
    previous : TopicModel or DataFrame, optional
        An earlier model or its ``topics_``: matched topics keep their ids.
    n_terms, k_range, max_df, languages, min_similarity, mixed_threshold
        See :class:`TopicModel`.
    progress : bool or None
        Show a progress bar; ``None`` shows it only on a terminal.
    n_jobs : int or None
        Threads sharing the clusterings; ``None``: one per CPU. The topics
        are the same for any value.
    index : TermIndex, optional
        The articles' term index: words and topic terms are read from it
        (same topics, less work). See :class:`TopicModel`.

    Returns
    -------
    TopicModel
        Fitted: ``topics_`` (``topic_id``, ``label``, ``size``, ``share``,
        ``cohesion``, ``is_catch_all``, ``top_terms``, ``representative``),
        ``doc_topics_`` (``article_id``, ``topic_id``, ``weight``,
        ``second_topic_id``, ``is_mixed``: one row per article),
        ``k_selection_`` (``k="auto"``) and ``method_``.

    Raises
    ------
    TypeError
        ``articles`` is not a DataFrame.
    ValueError
        A parameter is out of range, a column is missing, ids repeat, or fewer
        than 4 distinct articles have text.

    Examples
    --------
    >>> from analysis import load_articles
    >>> from analysis.config import SAMPLE_DIR
    >>> arts = load_articles(SAMPLE_DIR, cache=False, progress=False)
    >>> model = fit_topics(arts, k=6, progress=False)
    >>> len(model.doc_topics_) == len(arts), model.topics_["topic_id"].tolist(), model.method_
    (True, [0, 1, 2, 3, 4, 5], 'hybrid')
    """
    # Hand the model a frame, not a fitted estimator: sklearn's clone() would
    # reset a fitted model held as a parameter.
    return TopicModel(k=k, method=method, random_state=random_state,
                      previous=_previous_topics(previous), n_terms=n_terms, k_range=k_range,
                      max_df=max_df, languages=languages, min_similarity=min_similarity,
                      mixed_threshold=mixed_threshold, progress=progress,
                      n_jobs=n_jobs, index=index).fit(articles)


def topic_hierarchy(model: TopicModel) -> pd.DataFrame:
    """Return the merge tree of a model's topics (average linkage on cosine of centres).

    One row per merge, as in :func:`scipy.cluster.hierarchy.linkage`: ``node``
    (new cluster id, numbered after the topics), ``left`` and ``right`` (node
    or topic positions), ``distance``, ``size`` (articles) and ``topic_ids``.
    """
    from scipy.cluster.hierarchy import linkage

    check_is_fitted(model, "centroids_")
    k = len(model.topics_)
    ids = model.topics_["topic_id"].tolist()
    sizes = model.topics_["size"].tolist()
    if k < 2:
        return pd.DataFrame(columns=["node", "left", "right", "distance", "size", "topic_ids"])
    tree = linkage(model.centroids_, method="average", metric="cosine")
    members = {i: [ids[i]] for i in range(k)}
    weights = {i: sizes[i] for i in range(k)}
    rows = []
    for step, (left, right, distance, _) in enumerate(tree):
        node = k + step
        members[node] = members[int(left)] + members[int(right)]
        weights[node] = weights[int(left)] + weights[int(right)]
        rows.append({"node": node, "left": int(left), "right": int(right),
                     "distance": round(float(distance), 4), "size": weights[node],
                     "topic_ids": sorted(members[node])})
    return pd.DataFrame(rows)


def topic_map(model: TopicModel, articles: pd.DataFrame, *, max_points: int = 2000,
              random_state: int = 0, texts=None) -> pd.DataFrame:
    """Return 2-D map coordinates of articles, for a scatter coloured by topic.

    Each article is described by its cosine similarity to every topic centre
    and the k-dimensional profiles are laid out with t-SNE (PCA when there
    are too few articles or topics). Duplicates are left out (they would sit
    on their original) and at most ``max_points`` articles, a seeded sample,
    are mapped. The axes have no units: only closeness means something.

    ``texts`` (an :class:`analysis.remote.RemoteTexts` of ``articles``) gives
    the texts of a frame without a ``text`` column: only the mapped ones are
    fetched.

    Returns
    -------
    DataFrame
        ``article_id``, ``x``, ``y``, ``topic_id``, ``is_mixed``.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": [f"a{i}" for i in range(12)], "title": [""] * 12,
    ...     "text": ["rain storm flood wind"] * 6 + ["vote poll party seat"] * 6})
    >>> model = fit_topics(arts, k=2)
    >>> points = topic_map(model, arts)
    >>> points.columns.tolist(), len(points)
    (['article_id', 'x', 'y', 'topic_id', 'is_mixed'], 12)
    """
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    check_is_fitted(model, "centroids_")
    originals = articles["duplicate_of"].isna().to_numpy() if "duplicate_of" in articles \
        else np.ones(len(articles), dtype=bool)
    pool = np.flatnonzero(originals)
    if len(pool) > max_points:
        pool = np.sort(np.random.default_rng(random_state).choice(pool, max_points,
                                                                   replace=False))
    X = normalize(model.vectorizer_.transform(
        texts(pool) if texts is not None and "text" not in articles
        else article_texts(articles.iloc[pool])))
    profiles = np.round(np.asarray(X @ model.centroids_.T), _DECIMALS)
    with one_thread():  # t-SNE's gradient sums in a thread-dependent order
        if len(pool) >= 30 and profiles.shape[1] >= 3:
            # 500 iterations, not scikit-learn's 1000: half the time (the map
            # is drawn while nothing else is left to do), the clusters are
            # already apart, and the KL divergence only ~10% higher.
            coords = TSNE(n_components=2, init="pca", random_state=random_state,
                          perplexity=min(30.0, (len(pool) - 1) / 3),
                          max_iter=500).fit_transform(profiles)
        elif len(pool) >= 2 and profiles.shape[1] >= 2:
            coords = PCA(n_components=2, random_state=random_state).fit_transform(
                np.hstack([profiles, np.zeros((len(pool), 1))]))
        else:
            coords = np.zeros((len(pool), 2))
    doc = model.doc_topics_.iloc[pool]
    return pd.DataFrame({
        "article_id": doc["article_id"].to_numpy(), "x": np.round(coords[:, 0], 4),
        "y": np.round(coords[:, 1], 4), "topic_id": doc["topic_id"].to_numpy(),
        "is_mixed": doc["is_mixed"].to_numpy(),
    })
