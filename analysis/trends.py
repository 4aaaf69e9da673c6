"""Articles, terms and topics over time, as tidy DataFrames: normalised and gap-aware.

Every trend is counted on the whole corpus with sparse matrix products over
one period grid (:mod:`analysis.periods`): periods without articles are
``no_data`` (never a drop to zero) and half-covered first/last periods are
``partial_period``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from analysis.periods import PeriodGrid, period_grid
from analysis.topic_terms import article_texts, chrome_terms, fold_case, stopword_set

_TOKEN = r"(?u)\b\w+\b"

__all__ = ["article_counts", "compared_windows", "term_document_matrix", "term_trends",
           "rising_terms", "topic_trends", "rising_topics", "keyword_in_context"]

def article_counts(articles: pd.DataFrame, *, freq: str = "MS", by: str | None = "source",
                   top: int = 8) -> pd.DataFrame:
    """Return the number of articles per period (and per ``by`` group), gaps as zeros.

    Parameters
    ----------
    articles : DataFrame
        As returned by :func:`analysis.load_articles`; rows with no
        ``published`` date are left out of the counts.
    freq : str
        ``"D"`` days, ``"W"`` weeks (from Monday), ``"M"`` months,
        ``"Q"`` quarters or ``"Y"`` years (``"MS"``, ``"QS"``, ``"YS"`` too).
    by : str or None
        Column to split counts by; groups beyond the ``top`` largest are
        summed into ``"(other)"`` and missing values shown as ``"(unknown)"``.

    Returns
    -------
    DataFrame
        Columns ``period`` (period start, tz-aware), ``group`` and ``n``, one
        row per period and group, including periods with no articles, so a
        quiet month shows as 0 instead of vanishing.

    Examples
    --------
    >>> df = pd.DataFrame({"published": pd.to_datetime(
    ...     ["2024-01-05", "2024-03-02", "2024-03-09"], utc=True), "source": ["A", "A", "B"]})
    >>> article_counts(df).pivot(index="period", columns="group", values="n").to_numpy().tolist()
    [[1, 0], [0, 0], [1, 1]]
    """
    grid = period_grid(articles["published"], freq=freq)
    if by is None:
        groups = pd.Series("(all)", index=articles.index, dtype=object)
    else:
        groups = articles[by].astype(object).where(articles[by].notna(), "(unknown)")
        # The largest groups; equal sizes by name (unknown last), not by which
        # came first in the input.
        sizes = groups[articles["published"].notna()].value_counts()
        keep = sorted(sizes.index, key=lambda g: (-sizes[g], g == "(unknown)", str(g)))[:top]
        groups = groups.where(groups.isin(keep), "(other)")
    labels = sorted(set(groups[articles["published"].notna()]))
    codes = np.searchsorted(labels, groups.to_numpy()) if labels else None
    counts = np.asarray(grid.membership(codes, max(len(labels), 1)).sum(axis=1)).ravel()
    return pd.DataFrame({
        "period": np.repeat(grid.starts, len(labels)),
        "group": np.tile(np.array(labels, dtype=object), grid.n_periods),
        "n": counts[: grid.n_periods * len(labels)].astype("int64"),
    })


# ---------------------------------------------------------------------------- term counting


def _term_pattern(term: str) -> str:
    """Return the regex over the space-joined vocabulary for a user term ("traffick*")."""
    words = fold_case(term).split()
    parts = [re.escape(w).replace(r"\*", r"\w*") for w in words]
    return "^" + " ".join(parts) + "$"


def term_document_matrix(articles: pd.DataFrame, *, terms: Sequence[str] | None = None,
                         top_n: int = 200, languages: Sequence[str] = ("en", "ru", "tr", "az"),
                         binary: bool = True) -> tuple[sp.csr_matrix, list[str]]:
    """Return an articles × terms count matrix and the term labels.

    With ``terms=None`` the ``top_n`` uni- and bigrams in most articles
    (stopwords, numbers and one-letter tokens left out); otherwise one column
    per given word, phrase or ``*`` pattern, matched case-insensitively on
    title and text. A pattern's column counts any vocabulary term it matches.

    Examples
    --------
    >>> arts = pd.DataFrame({"title": ["", ""], "text": ["Human trafficking rose", "Traffickers"]})
    >>> m, names = term_document_matrix(arts, terms=["traffick*", "human trafficking"])
    >>> names, m.toarray().tolist()
    (['traffick*', 'human trafficking'], [[1, 1], [1, 0]])
    """
    matrix, names, codes, _ = _distinct_term_counts(articles, terms=terms, top_n=top_n,
                                                    languages=languages)
    matrix = matrix[codes]
    if binary:
        matrix.data = np.minimum(matrix.data, 1)
    return matrix, names


def _distinct_term_counts(articles: pd.DataFrame, *, terms, top_n: int,
                          languages: Sequence[str]):
    """Return (distinct texts × terms counts, term names, article → text codes, texts)."""
    codes, texts = _distinct_texts(articles)
    copies = np.bincount(codes, minlength=len(texts)).astype(np.float64)
    matrix, names = _term_matrix(texts, copies, terms=terms, top_n=top_n, languages=languages)
    return matrix, names, codes, texts


def _distinct_texts(articles: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Return each article's position among the distinct texts, and those texts.

    Syndicated and re-scraped copies share a text; it is tokenised once.
    """
    codes, distinct = pd.factorize(pd.Series(article_texts(articles), dtype=object))
    return codes, list(distinct)


def _term_matrix(texts: list[str], copies: np.ndarray, *, terms, top_n: int,
                 languages: Sequence[str]) -> tuple[sp.csr_matrix, list[str]]:
    if terms is None and len(texts) > _VOCABULARY_SAMPLE:
        # Which terms lead is settled by a large sample; counting them is
        # then done on every article, never on the sample.
        rng = np.random.default_rng(0)
        rows = np.sort(rng.choice(len(texts), _VOCABULARY_SAMPLE, replace=False))
        _, names = _term_matrix([texts[i] for i in rows], copies[rows], terms=None,
                                top_n=top_n, languages=languages)
        return _given_terms(texts, names)
    if terms is None:
        vectorizer = CountVectorizer(preprocessor=fold_case, token_pattern=_TOKEN,
                                     ngram_range=(1, 2), dtype=np.int32)
        try:
            counts = vectorizer.fit_transform(texts).tocsc()
        except ValueError:  # no term in two articles
            return sp.csr_matrix((len(texts), 0), dtype=np.int32), []
        return _top_terms(counts, vectorizer.get_feature_names_out(), copies, top_n=top_n,
                          languages=languages)
    return _given_terms(texts, list(terms))


_VOCABULARY_SAMPLE = 50_000


def _given_terms(texts: list[str], terms: list[str]) -> tuple[sp.csr_matrix, list[str]]:
    keys = [" ".join(fold_case(t).split()) for t in terms]
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


_WORD = re.compile(_TOKEN)


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


def _top_terms(counts: sp.csc_matrix, vocabulary: np.ndarray, copies: np.ndarray, *,
               top_n: int, languages: Sequence[str]) -> tuple[sp.csr_matrix, list[str]]:
    stopwords = stopword_set(tuple(languages))
    chrome = chrome_terms()
    allowed = np.array([all(len(w) > 1 and w.isalpha() and w not in stopwords
                            and w not in chrome for w in v.split()) for v in vocabulary])
    # Document frequency in articles (distinct texts weighted by their copies);
    # a term must be in two articles to be tracked.
    df = np.asarray(copies @ (counts > 0)).ravel()
    df = np.where(allowed & (df >= 2), df, -1)
    keep = np.argsort(-df, kind="stable")[:top_n]
    keep = keep[df[keep] > 0]
    order = keep[np.lexsort((vocabulary[keep], -df[keep]))]
    return counts[:, order].tocsr(), [str(v) for v in vocabulary[order]]


def _groups(articles: pd.DataFrame, by: str | None) -> tuple[np.ndarray | None, list]:
    if by is None:
        return None, [None]
    values = articles[by].astype(object).where(articles[by].notna(), "(unknown)")
    labels = sorted(set(values))
    lookup = {v: i for i, v in enumerate(labels)}
    return np.array([lookup[v] for v in values]), labels


def _flags(frame: pd.DataFrame, grid: PeriodGrid, n_groups: int) -> pd.DataFrame:
    frame["partial_period"] = np.repeat(grid.partial, n_groups)[frame["_row"].to_numpy()]
    frame["no_data"] = frame["n_articles"].to_numpy() == 0
    frame["share"] = np.where(frame["no_data"], np.nan,
                              frame["count"] / np.maximum(frame["n_articles"], 1))
    return frame


def term_trends(articles: pd.DataFrame, *, terms: Sequence[str] | None = None, freq: str = "W",
                by: str | None = None, top_n: int = 200,
                languages: Sequence[str] = ("en", "ru", "tr", "az")) -> pd.DataFrame:
    """Return how many articles mention each term per period, normalised and gap-aware.

    Counting is two sparse products: (periods × articles) · (articles ×
    terms), so per-partition counts add up (a Dask engine can sum them).

    Returns
    -------
    DataFrame
        ``period`` (start, tz-aware), ``by`` column when given, ``term``,
        ``count`` (articles mentioning it), ``n_articles``, ``share``
        (count / n_articles, NaN for periods without data), ``per_10k_words``
        (occurrences per 10,000 words), ``partial_period`` and ``no_data``.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a", "b", "c"], "title": ["", "", ""],
    ...     "text": ["Oil rose", "Oil fell again", "Rain"],
    ...     "published": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-17"], utc=True)})
    >>> t = term_trends(arts, terms=["oil"], freq="W")
    >>> t[["count", "n_articles", "share", "no_data"]].values.tolist()
    [[2, 2, 1.0, False], [0, 0, nan, True], [0, 1, 0.0, False]]
    """
    grid = period_grid(articles["published"], freq=freq)
    groups, group_labels = _groups(articles, by)
    distinct, names, codes, texts = _distinct_term_counts(articles, terms=terms, top_n=top_n,
                                                          languages=languages)
    occurrences = distinct[codes]
    presence = occurrences.copy()
    presence.data = np.minimum(presence.data, 1)
    member = grid.membership(groups, len(group_labels))
    counts = np.asarray((member @ presence).todense())
    mentions = np.asarray((member @ occurrences).todense())
    n_articles = np.asarray(member.sum(axis=1)).ravel()
    words = member @ np.array([len(t.split()) for t in texts], dtype=np.float64)[codes]
    n_rows, n_terms = counts.shape
    frame = pd.DataFrame({
        "_row": np.repeat(np.arange(n_rows), n_terms),
        "period": np.repeat(grid.starts, len(group_labels) * n_terms) if n_rows else [],
        "term": np.tile(names, n_rows),
        "count": counts.ravel().astype("int64"),
        "n_articles": np.repeat(n_articles, n_terms).astype("int64"),
        "per_10k_words": np.where(np.repeat(words, n_terms) > 0,
                                  mentions.ravel() * 1e4 / np.maximum(np.repeat(words, n_terms), 1),
                                  np.nan),
    })
    if by is not None:
        frame.insert(2, by, np.tile(np.repeat(group_labels, n_terms), grid.n_periods))
    frame = _flags(frame, grid, len(group_labels))
    columns = ["period", *([by] if by else []), "term", "count", "n_articles", "share",
               "per_10k_words", "partial_period", "no_data"]
    return frame[columns]


# ---------------------------------------------------------------------------- windows


def _window_mask(published: pd.Series, window) -> np.ndarray:
    """Return which articles fall in ``(start, end)``; a date-only end includes its whole day."""
    start, end = (pd.Timestamp(w) if w is not None else None for w in window)
    tz = published.dt.tz
    mask = published.notna().to_numpy().copy()
    if start is not None:
        start = start.tz_localize(tz) if start.tzinfo is None and tz is not None else start
        mask &= (published >= start).fillna(False).to_numpy()
    if end is not None:
        if end == end.normalize():
            end = end + pd.Timedelta(days=1)
            inclusive = False
        else:
            inclusive = True
        end = end.tz_localize(tz) if end.tzinfo is None and tz is not None else end
        mask &= ((published <= end) if inclusive else (published < end)).fillna(False).to_numpy()
    return mask


def compared_windows(published: pd.Series, *, focus, baseline=None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Return the masks of the focus window and of its baseline, as the rising-* functions use.

    The baseline defaults to everything before the focus and never overlaps it.

    Examples
    --------
    >>> dates = pd.Series(pd.to_datetime(["2024-01-05", "2024-02-01", "2024-02-20"], utc=True))
    >>> [m.tolist() for m in compared_windows(dates, focus=("2024-02-01", "2024-02-29"))]
    [[False, True, True], [True, False, False]]
    """
    in_focus = _window_mask(published, focus)
    in_base = _window_mask(published, baseline if baseline is not None else (None, focus[0]))
    return in_focus, in_base & ~in_focus


def _compare(focus_counts: np.ndarray, base_counts: np.ndarray, n_focus: int, n_base: int
             ) -> pd.DataFrame:
    """Return G² log-likelihood and log2 ratio of counts in two windows (Rayson & Garside)."""
    a, b = focus_counts.astype(float), base_counts.astype(float)
    n1, n2 = float(max(n_focus, 1)), float(max(n_base, 1))
    total = a + b
    g2 = np.zeros_like(a)
    for observed, expected in ((a, n1 * total / (n1 + n2)), (b, n2 * total / (n1 + n2)),
                               (n1 - a, n1 * (n1 + n2 - total) / (n1 + n2)),
                               (n2 - b, n2 * (n1 + n2 - total) / (n1 + n2))):
        with np.errstate(divide="ignore", invalid="ignore"):
            g2 += np.where(observed > 0, observed * np.log(observed / expected), 0.0)
    # G² is never negative; equal shares can leave -1e-15 of cancellation.
    g2 = _rounded(np.maximum(2 * g2, 0.0), 4)
    # Half an article of smoothing keeps terms new in the focus finite.
    log_ratio = _rounded(np.log2(((a + 0.5) / n1) / ((b + 0.5) / n2)), 4)
    # The direction is read off the rounded ratio, as written: a last-bit
    # difference of the log kernel cannot turn an unchanged term "falling".
    return pd.DataFrame({"count_focus": a.astype("int64"), "count_baseline": b.astype("int64"),
                         "share_focus": a / n1, "share_baseline": b / n2,
                         "g2": g2, "log_ratio": log_ratio,
                         "direction": np.where(log_ratio >= 0, "rising", "falling"),
                         "is_new": (b == 0) & (a > 0)})


def _rounded(values: np.ndarray, decimals: int) -> np.ndarray:
    """Return ``values`` rounded, without negative zeros (``-0.0`` would print as such).

    Examples
    --------
    >>> _rounded(np.array([-1e-15, 0.123456]), 4).tolist()
    [0.0, 0.1235]
    >>> str(_rounded(np.array([-1e-15]), 4)[0])
    '0.0'
    """
    return np.round(values, decimals) + 0.0


def rising_terms(articles: pd.DataFrame, *, focus, baseline=None, min_count: int = 5,
                 terms: Sequence[str] | None = None, top_n: int = 5000,
                 languages: Sequence[str] = ("en", "ru", "tr", "az")) -> pd.DataFrame:
    """Return terms whose share of articles changed most between two windows.

    ``focus`` and ``baseline`` are ``(start, end)`` pairs of date-likes (an
    end date includes its whole day); the baseline defaults to everything
    before the focus. Terms in fewer than ``min_count`` articles across both
    windows are skipped. Sorted strongest first by G² (log-likelihood),
    with the log2 ratio of shares as effect size; ``is_new`` marks terms
    absent from the baseline, and falling terms are kept (``direction``).
    """
    in_focus, in_base = compared_windows(articles["published"], focus=focus, baseline=baseline)
    if not in_focus.any() or not in_base.any():
        raise ValueError("the focus and the baseline windows must each hold dated articles")
    window = articles[in_focus | in_base]
    presence, names = term_document_matrix(window, terms=terms, top_n=top_n,
                                           languages=languages, binary=True)
    is_focus = in_focus[in_focus | in_base]
    counts_focus = np.asarray(presence[is_focus].sum(axis=0)).ravel()
    counts_base = np.asarray(presence[~is_focus].sum(axis=0)).ravel()
    table = _compare(counts_focus, counts_base, int(is_focus.sum()), int((~is_focus).sum()))
    table.insert(0, "term", names)
    table = table[table["count_focus"] + table["count_baseline"] >= min_count]
    return table.sort_values(["g2", "term"], ascending=[False, True], ignore_index=True)


# ---------------------------------------------------------------------------- topics over time


def _topic_matrix(articles: pd.DataFrame, doc_topics: pd.DataFrame
                  ) -> tuple[sp.csr_matrix, np.ndarray]:
    assigned = articles[["article_id"]].merge(doc_topics[["article_id", "topic_id"]],
                                              on="article_id", how="left")
    if assigned["topic_id"].isna().any():
        missing = assigned.loc[assigned["topic_id"].isna(), "article_id"].head(3).tolist()
        raise ValueError(f"doc_topics has no topic for some articles, e.g. {missing}")
    topic_ids = np.sort(assigned["topic_id"].unique())
    column = np.searchsorted(topic_ids, assigned["topic_id"].to_numpy())
    matrix = sp.csr_matrix((np.ones(len(column)), (np.arange(len(column)), column)),
                           shape=(len(column), len(topic_ids)))
    return matrix, topic_ids


def topic_trends(articles: pd.DataFrame, doc_topics: pd.DataFrame, *, freq: str = "W"
                 ) -> pd.DataFrame:
    """Return each topic's share of articles per period, with ``partial_period`` and ``no_data``.

    ``doc_topics`` is ``TopicModel.doc_topics_`` (``article_id``, ``topic_id``).
    """
    grid = period_grid(articles["published"], freq=freq)
    matrix, topic_ids = _topic_matrix(articles, doc_topics)
    member = grid.membership()
    counts = np.asarray((member @ matrix).todense())
    n_articles = np.asarray(member.sum(axis=1)).ravel()
    k = len(topic_ids)
    frame = pd.DataFrame({
        "_row": np.repeat(np.arange(grid.n_periods), k),
        "period": np.repeat(grid.starts, k),
        "topic_id": np.tile(topic_ids, grid.n_periods).astype("int64"),
        "count": counts.ravel().astype("int64"),
        "n_articles": np.repeat(n_articles, k).astype("int64"),
    })
    frame = _flags(frame, grid, 1)
    return frame[["period", "topic_id", "count", "n_articles", "share", "partial_period",
                  "no_data"]]


def rising_topics(articles: pd.DataFrame, doc_topics: pd.DataFrame, *, focus, baseline=None
                  ) -> pd.DataFrame:
    """Return topics whose share of articles changed most between two windows (G², log ratio)."""
    in_focus, in_base = compared_windows(articles["published"], focus=focus, baseline=baseline)
    matrix, topic_ids = _topic_matrix(articles, doc_topics)
    table = _compare(np.asarray(matrix[in_focus].sum(axis=0)).ravel(),
                     np.asarray(matrix[in_base].sum(axis=0)).ravel(),
                     int(in_focus.sum()), int(in_base.sum()))
    table.insert(0, "topic_id", topic_ids.astype("int64"))
    return table.sort_values(["g2", "topic_id"], ascending=[False, True], ignore_index=True)


# ---------------------------------------------------------------------------- context


def keyword_in_context(articles: pd.DataFrame, term: str, *, width: int = 60,
                       max_rows: int | None = None) -> pd.DataFrame:
    """Return every use of ``term`` (word, phrase or ``*`` pattern) with its surroundings.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a"], "title": ["T"], "published": [pd.NaT],
    ...                      "text": ["Police said human trafficking networks grew."]})
    >>> kwic = keyword_in_context(arts, "human traffick*", width=12)
    >>> kwic[["left", "match", "right"]].values.tolist()
    [['Police said ', 'human trafficking', ' networks gr']]
    """
    words = [re.escape(w).replace(r"\*", r"\w*") for w in term.split()]
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)
    texts = articles["text"].astype(object).where(articles["text"].notna(), "")
    hits = texts.str.contains(pattern, regex=True).to_numpy()
    rows = []
    for i in np.flatnonzero(hits):
        text = texts.iat[i]
        for match in pattern.finditer(text):
            rows.append({"article_id": articles["article_id"].iat[i],
                         "published": articles["published"].iat[i],
                         "title": articles["title"].iat[i],
                         "left": text[max(0, match.start() - width):match.start()],
                         "match": match.group(0),
                         "right": text[match.end():match.end() + width]})
            if max_rows is not None and len(rows) >= max_rows:
                return pd.DataFrame(rows)
    return pd.DataFrame(rows, columns=["article_id", "published", "title", "left", "match",
                                       "right"])
