"""Articles, terms and topics over time, as tidy DataFrames: normalised and gap-aware.

Every trend is counted on the whole corpus with sparse matrix products over
one period grid (:mod:`analysis.periods`): periods without articles are
``no_data`` (never a drop to zero) and half-covered first/last periods are
``partial_period``.

What every function here and in :mod:`analysis.bursts` has in common:

* A single string where a list is expected is one item: ``terms="ukraine"``
  means ``terms=["ukraine"]`` (and a repeated term is counted once).
* Terms are matched case-insensitively on title and text, word by word: a
  word is a run of letters, digits or ``_``, ``*`` stands for any ending, and
  anything else between words is a word break (``"covid-19"`` is the phrase
  *covid 19*). :func:`keyword_in_context` finds exactly what the counts count.
* Articles without a ``published`` date are left out of every trend with an
  :class:`~analysis.periods.UndatedArticlesWarning` saying how many; when no
  article has a date, the warning says so and the result is an empty frame
  with the usual columns and dtypes.
* Arguments are checked before anything is computed: a wrong type raises
  ``TypeError``, a wrong value ``ValueError``, a missing column
  :class:`ColumnNotFoundError` (both a ``KeyError`` and a ``ValueError``)
  listing the columns there are. Each message starts with the name of the
  function that was called.
* Term counts can start from a :class:`~analysis.index.TermIndex` of the
  same articles (``index=``, from :func:`~analysis.index.build_index`), which
  tokenises each text once for every trend, burst and comparison; the
  results are the same as without it.
* Returned frames hold text as ``string[pyarrow]``, dates as
  ``datetime64[ns, tz]`` (the articles' zone), counts as ``int64``, shares as
  ``float64`` and flags as ``bool``. The caller's frame is never modified.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
import warnings
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from analysis.index import TOKENISER_VERSION, TermIndex
from analysis.periods import PeriodGrid, as_published, check_freq, dated_published, period_grid
from analysis.tokens import _TOKEN, _given_terms, _sample_rows, _term_words, _trackable_words
from analysis.tokens import _WORD as _WORD  # before analysis.tokens existed, it lived here
from analysis.topic_terms import (
    STOPWORD_LANGUAGES,
    article_texts,
    fold_case,
)

#: dtype of every text column the trend functions return.
STRING = pd.StringDtype("pyarrow")

__all__ = ["ColumnNotFoundError", "article_counts", "compared_windows", "term_document_matrix",
           "term_trends", "rising_terms", "topic_trends", "rising_topics", "keyword_in_context"]

_LANGUAGES = ("en", "ru", "tr", "az")

# ---------------------------------------------------------------------------- argument checks


class ColumnNotFoundError(KeyError, ValueError):
    """A column a function needs is not in the frame it was given.

    A ``KeyError``, as pandas raises for a missing column, and a
    ``ValueError``, as for any other bad argument. The message names the
    column and lists the columns the frame has.

    Examples
    --------
    >>> arts = pd.DataFrame({"published": pd.to_datetime(["2024-01-01"], utc=True),
    ...                      "text": ["Oil"]})
    >>> term_trends(arts, terms="oil", by="domain")
    Traceback (most recent call last):
    ...
    analysis.trends.ColumnNotFoundError: term_trends: by='domain' is not a column of articles; \
its columns are 'published', 'text'
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


_SHOWN_COLUMNS = 30


def _column_list(frame: pd.DataFrame) -> str:
    names = [repr(c) for c in frame.columns[:_SHOWN_COLUMNS]]
    more = len(frame.columns) - _SHOWN_COLUMNS
    if not names:
        return "none"
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _check_frame(frame, caller: str, *, columns: Sequence[str] = (), text: bool = False,
                 name: str = "articles", made_by: str = "e.g. from load_articles") -> None:
    """Raise unless ``frame`` is a DataFrame with ``columns`` (and a title or text column)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{caller}: {name} must be a DataFrame ({made_by}), "
                        f"got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        quoted = " and ".join(repr(c) for c in missing)
        plural = "s" if len(missing) > 1 else ""
        raise ColumnNotFoundError(f"{caller}: {name} has no {quoted} column{plural}; "
                                  f"its columns are {_column_list(frame)}")
    if text and "title" not in frame.columns and "text" not in frame.columns:
        raise ColumnNotFoundError(f"{caller}: {name} needs a 'title' or a 'text' column to find "
                                  f"terms in; its columns are {_column_list(frame)}")


def _check_int(value, name: str, caller: str, *, minimum: int) -> int:
    wanted = {0: "a non-negative integer", 1: "a positive integer"}.get(
        minimum, f"an integer of at least {minimum}")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{caller}: {name} must be {wanted}, got {value!r} "
                        f"({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{caller}: {name} must be {wanted}, got {value!r}")
    return int(value)


def _check_number(value, name: str, caller: str, *, above: float | None = None,
                  at_least: float | None = None) -> float:
    wanted = (f"a number greater than {above:g}" if above is not None
              else f"a number of at least {at_least:g}")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{caller}: {name} must be {wanted}, got {value!r} "
                        f"({type(value).__name__})")
    if (not np.isfinite(value) or (above is not None and not value > above)
            or (at_least is not None and not value >= at_least)):
        raise ValueError(f"{caller}: {name} must be {wanted}, got {value!r}")
    return float(value)


def _check_strings(value, name: str, caller: str, *, empty: str) -> list[str]:
    """Return ``value`` as a list of distinct strings; a single string is one item."""
    wanted = f"{name} must be a string or a list of strings"
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, Mapping | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"{caller}: {wanted}, got {type(value).__name__}")
    else:
        items = list(value)
        bad = [v for v in items if not isinstance(v, str)]
        if bad:
            raise TypeError(f"{caller}: {wanted}, got a {type(value).__name__} holding "
                            f"{type(bad[0]).__name__} {bad[0]!r}")
        if isinstance(value, set | frozenset):  # no order of its own: a stable one
            items = sorted(items)
    if not items:
        raise ValueError(f"{caller}: {name} is empty; {empty}")
    return list(dict.fromkeys(items))


def _check_terms(terms, caller: str, *, name: str = "terms") -> list[str] | None:
    if terms is None:
        return None
    terms = _check_strings(terms, name, caller,
                           empty="give at least one term, or terms=None for the most frequent")
    for term in terms:
        if not _term_words(term):
            raise ValueError(f"{caller}: {name} must be words, phrases or * patterns; "
                             f"{term!r} has no letter or digit")
    return terms


def _check_term(term, caller: str) -> str:
    if not isinstance(term, str):
        raise TypeError(f"{caller}: term must be a string (a word, phrase or * pattern), "
                        f"got {type(term).__name__}")
    if not _term_words(term):
        raise ValueError(f"{caller}: term must be a word, phrase or * pattern; {term!r} has no "
                         "letter or digit")
    return term


def _check_languages(languages, caller: str) -> tuple[str, ...]:
    codes = _check_strings(languages, "languages", caller,
                           empty="give at least one language code, e.g. 'en'")
    unknown = [c for c in codes if c not in STOPWORD_LANGUAGES]
    if unknown:
        raise ValueError(f"{caller}: languages must be codes with a stopword list, one of "
                         f"{', '.join(repr(c) for c in sorted(STOPWORD_LANGUAGES))}; "
                         f"got {unknown[0]!r}")
    return tuple(codes)


def _check_by(articles: pd.DataFrame, by, caller: str, *, taken: Sequence[str] = ()):
    if by is None:
        return None
    if not isinstance(by, Hashable) or isinstance(by, tuple | frozenset):
        raise TypeError(f"{caller}: by must be one column name or None, got "
                        f"{type(by).__name__} {by!r}")
    if by not in articles.columns:
        raise ColumnNotFoundError(f"{caller}: by={by!r} is not a column of articles; its "
                                  f"columns are {_column_list(articles)}")
    if by in taken:
        raise ValueError(f"{caller}: by={by!r} would clash with the output column of that name; "
                         f"rename it first, e.g. articles.rename(columns={{{by!r}: 'group'}})")
    return by


def _typed(frame: pd.DataFrame, dtypes: dict) -> pd.DataFrame:
    """Return ``frame`` with the given dtypes, or an empty frame of them when ``frame`` is None."""
    if frame is None:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})
    return frame.astype({c: t for c, t in dtypes.items() if c in frame.columns})


def _dates(tz) -> pd.DatetimeTZDtype:
    return pd.DatetimeTZDtype(unit="ns", tz=tz)


def _group_values(column: pd.Series) -> np.ndarray:
    """Return a column's values as group labels: strings, ``"(unknown)"`` when missing."""
    return column.astype(STRING).fillna("(unknown)").to_numpy(dtype=object)


# ---------------------------------------------------------------------------- articles


def article_counts(articles: pd.DataFrame, *, freq: str = "MS", by: str | None = "source",
                   top: int = 8) -> pd.DataFrame:
    """Return the number of articles per period (and per ``by`` group), gaps as zeros.

    Parameters
    ----------
    articles : DataFrame
        As returned by :func:`analysis.load_articles`; needs ``published``
        (and the ``by`` column). Articles without a date are left out with an
        :class:`~analysis.periods.UndatedArticlesWarning`.
    freq : str
        ``"D"`` days, ``"W"`` weeks (from Monday), ``"M"`` months,
        ``"Q"`` quarters or ``"Y"`` years (``"MS"``, ``"QS"``, ``"YS"`` too).
    by : str or None
        Column to split counts by; its values are shown as strings, groups
        beyond the ``top`` largest are summed into ``"(other)"`` and missing
        values shown as ``"(unknown)"``. ``None``: one group, ``"(all)"``.
    top : int
        Number of groups kept apart (positive).

    Returns
    -------
    DataFrame
        One row per period and group, including periods with no articles,
        so a quiet month shows as 0 instead of vanishing:

        - ``period`` (``datetime64[ns, tz]``): period start, in the articles' zone
        - ``group`` (``string``): the ``by`` value
        - ``n`` (``int64``): dated articles

        Empty, with these columns, when no article has a date.

    Examples
    --------
    >>> df = pd.DataFrame({"published": pd.to_datetime(
    ...     ["2024-01-05", "2024-03-02", "2024-03-09"], utc=True), "source": ["A", "A", "B"]})
    >>> article_counts(df).pivot(index="period", columns="group", values="n").to_numpy().tolist()
    [[1, 0], [0, 0], [1, 1]]
    >>> article_counts(df, by=None).dtypes.astype(str).tolist()
    ['datetime64[ns, UTC]', 'string', 'int64']
    """
    caller = "article_counts"
    _check_frame(articles, caller, columns=("published",))
    check_freq(freq, caller=caller)
    by = _check_by(articles, by, caller)
    top = _check_int(top, "top", caller, minimum=1)
    published = dated_published(articles["published"], caller=caller)
    dtypes = {"period": _dates(published.dt.tz), "group": STRING, "n": "int64"}
    if not published.notna().any():
        return _typed(None, dtypes)
    grid = period_grid(published, freq=freq)
    dated = grid.index >= 0
    if by is None:
        groups = np.full(len(articles), "(all)", dtype=object)
    else:
        groups = _group_values(articles[by])
        # The largest groups; equal sizes by name (unknown last), not by which
        # came first in the input.
        sizes = pd.Series(groups[dated]).value_counts()
        keep = sorted(sizes.index, key=lambda g: (-sizes[g], g == "(unknown)", g))[:top]
        groups = np.where(pd.Series(groups).isin(keep).to_numpy(), groups, "(other)")
    labels = sorted(set(groups[dated]))
    codes = np.searchsorted(labels, groups)
    counts = np.asarray(grid.membership(codes, len(labels)).sum(axis=1)).ravel()
    return _typed(pd.DataFrame({
        "period": grid.starts.repeat(len(labels)),
        "group": np.tile(np.array(labels, dtype=object), grid.n_periods),
        "n": counts,
    }), dtypes)


# ---------------------------------------------------------------------------- term counting

def term_document_matrix(articles: pd.DataFrame, *, terms: Sequence[str] | str | None = None,
                         top_n: int = 200, languages: Sequence[str] | str = _LANGUAGES,
                         binary: bool = True, index: TermIndex | None = None
                         ) -> tuple[sp.csr_matrix, list[str]]:
    """Return an articles × terms count matrix and the term labels.

    Parameters
    ----------
    articles : DataFrame
        Needs ``title`` and/or ``text``; dates are not used.
    terms : str, list of str or None
        Words, phrases or ``*`` patterns, matched case-insensitively on title
        and text; a pattern's column counts any word it matches. A single
        string is one term. ``None``: the ``top_n`` uni- and bigrams in most
        articles (stopwords, numbers and one-letter tokens left out).
    top_n : int
        Number of terms when ``terms`` is None (positive).
    languages : str or list of str
        Stopword lists for ``terms=None``: codes among ``en``, ``ru``,
        ``tr``, ``az``, ``de``, ``fr``, ``es``, ``uk``.
    binary : bool
        ``True``: 1 when an article mentions the term; ``False``: occurrences.
    index : TermIndex or None
        A :class:`~analysis.index.TermIndex` of exactly these articles, from
        :func:`~analysis.index.build_index`; saves tokenising again (the
        result is the same). ``None``: the texts are tokenised here.

    Returns
    -------
    matrix : scipy.sparse.csr_matrix, articles × terms
        Rows in the order of ``articles``.
    names : list of str
        The terms, as given (or as found when ``terms`` is None).

    Examples
    --------
    >>> arts = pd.DataFrame({"title": ["", ""], "text": ["Human trafficking rose", "Traffickers"]})
    >>> m, names = term_document_matrix(arts, terms=["traffick*", "human trafficking"])
    >>> names, m.toarray().tolist()
    (['traffick*', 'human trafficking'], [[1, 1], [1, 0]])
    """
    caller = "term_document_matrix"
    _check_frame(articles, caller, text=True)
    terms = _check_terms(terms, caller)
    top_n = _check_int(top_n, "top_n", caller, minimum=1)
    languages = _check_languages(languages, caller)
    if not isinstance(binary, bool | np.bool_):
        raise TypeError(f"{caller}: binary must be True or False, got {binary!r}")
    index = _check_index(index, articles, caller)
    return _term_document_matrix(articles, terms=terms, top_n=top_n, languages=languages,
                                 binary=bool(binary), index=index)


def _check_index(index, articles: pd.DataFrame, caller: str) -> TermIndex | None:
    """Return ``index`` when it is a current :class:`TermIndex` of as many articles, or None."""
    if index is None:
        return None
    if not isinstance(index, TermIndex):
        raise TypeError(f"{caller}: index must be a TermIndex from analysis.index.build_index "
                        f"(or None), got {type(index).__name__}")
    if index.version != TOKENISER_VERSION:
        raise ValueError(f"{caller}: index was made by tokeniser version {index.version!r}, "
                         f"not the current {TOKENISER_VERSION!r}; build it again with build_index")
    if len(index.codes) != len(articles):
        raise ValueError(f"{caller}: index must be the index of exactly these articles, in this "
                         f"order; it holds {len(index.codes)} articles and articles has "
                         f"{len(articles)} rows (for some of the articles indexed, pass "
                         "index.take(positions))")
    return index


def _term_document_matrix(articles: pd.DataFrame, *, terms: list[str] | None, top_n: int,
                          languages: tuple[str, ...], binary: bool,
                          index: TermIndex | None = None) -> tuple[sp.csr_matrix, list[str]]:
    matrix, names, codes, _ = _distinct_term_counts(articles, terms=terms, top_n=top_n,
                                                    languages=languages, index=index)
    matrix = matrix[codes]
    if binary:
        matrix.data = np.minimum(matrix.data, 1)
    return matrix, names


class _GroupedCounts(NamedTuple):
    """What :func:`_grouped_term_counts` returns."""

    #: groups × terms: how many of each group's articles mention each term.
    articles: np.ndarray
    #: groups × terms: how many times (None when not asked for).
    mentions: np.ndarray | None
    names: list[str]
    #: Each article's position among the distinct texts.
    codes: np.ndarray
    #: Words in each distinct text.
    n_words: np.ndarray
    #: ``texts_having(terms)``: distinct texts × the terms at those positions (counts).
    texts_having: Callable[[Sequence[int]], sp.csr_matrix]


def _grouped_term_counts(articles: pd.DataFrame, member: sp.csr_matrix, *, terms, top_n: int,
                         languages: Sequence[str], index: TermIndex | None = None,
                         mentions: bool = True) -> _GroupedCounts:
    """Return groups × terms articles mentioning each term, mentions, and where they come from.

    ``member`` is a groups × articles 0/1 matrix; the sums are ``member @
    presence`` and ``member @ occurrences`` of the articles' term matrix,
    made on the distinct texts (each weighted by its copies in the group),
    so no article × term matrix is built; with an index whose counts are on
    a cluster, they are made there. ``mentions=False`` leaves them out (None).
    ``texts_having`` serves a caller that needs a few terms' articles.
    """
    if index is not None and terms is None:
        columns, names = index.top_columns(top_n, languages=languages, sample=_VOCABULARY_SAMPLE)
        codes, n_texts = index.codes, index.n_texts
        weights = _by_text(member, codes, n_texts)

        def texts_having(chosen) -> sp.csr_matrix:
            return sp.csr_matrix(index.counts[:, columns[np.asarray(chosen, dtype=np.int64)]])

        return _GroupedCounts(index.summed(weights, columns, binary=True),
                              index.summed(weights, columns, binary=False) if mentions else None,
                              names, codes, index.n_words, texts_having)
    distinct, names, codes, n_words = _distinct_term_counts(articles, terms=terms, top_n=top_n,
                                                            languages=languages, index=index)
    weights = _by_text(member, codes, distinct.shape[0])
    distinct = sp.csr_matrix(distinct, dtype=np.int64)
    occurrences = np.asarray((weights @ distinct).todense()) if mentions else None
    # Presence shares the counts' structure: only the values are clipped.
    presence = sp.csr_matrix((np.minimum(distinct.data, 1), distinct.indices, distinct.indptr),
                             shape=distinct.shape)

    def texts_having(chosen) -> sp.csr_matrix:
        return distinct[:, np.asarray(chosen, dtype=np.int64)]

    return _GroupedCounts(np.asarray((weights @ presence).todense()), occurrences, names, codes,
                          n_words, texts_having)


def _by_text(member: sp.csr_matrix, codes: np.ndarray, n_texts: int) -> sp.csr_matrix:
    """Return groups × distinct texts: how many of each group's articles have each text."""
    to_text = sp.csr_matrix((np.ones(len(codes), dtype=np.int64),
                             (np.arange(len(codes)), codes)), shape=(len(codes), n_texts))
    return sp.csr_matrix(sp.csr_matrix(member, dtype=np.int64) @ to_text)


def _distinct_term_counts(articles: pd.DataFrame, *, terms, top_n: int,
                          languages: Sequence[str], index: TermIndex | None = None):
    """Return (distinct texts × terms counts, term names, article → text codes, words per text).

    With ``index`` (checked by :func:`_check_index`), nothing is tokenised
    again: the index chooses and counts the same terms.
    """
    if index is not None:
        if terms is None:
            matrix, names = index.top_terms(top_n, languages=languages,
                                            sample=_VOCABULARY_SAMPLE)
        else:
            matrix, names = index.columns(terms, articles=articles)
        return matrix, names, index.codes, index.n_words
    codes, texts = _distinct_texts(articles)
    copies = np.bincount(codes, minlength=len(texts)).astype(np.float64)
    matrix, names = _term_matrix(texts, copies, terms=terms, top_n=top_n, languages=languages)
    return matrix, names, codes, np.array([len(t.split()) for t in texts], dtype=np.int64)


def _distinct_texts(articles: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Return each article's position among the distinct texts, and those texts.

    Syndicated and re-scraped copies share a text; it is tokenised once.
    """
    if "text" not in articles.columns:  # headlines only
        articles = articles.assign(text="")
    codes, distinct = pd.factorize(pd.Series(article_texts(articles), dtype=object))
    return codes, list(distinct)


def _term_matrix(texts: list[str], copies: np.ndarray, *, terms, top_n: int,
                 languages: Sequence[str]) -> tuple[sp.csr_matrix, list[str]]:
    if terms is None and len(texts) > _VOCABULARY_SAMPLE:
        # Which terms lead is settled by a large sample; counting them is
        # then done on every article, never on the sample.
        rows = _sample_rows(len(texts), _VOCABULARY_SAMPLE)
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


def _top_terms(counts: sp.csc_matrix, vocabulary: np.ndarray, copies: np.ndarray, *,
               top_n: int, languages: Sequence[str]) -> tuple[sp.csr_matrix, list[str]]:
    words = sorted({w for v in vocabulary for w in v.split()})
    trackable = dict(zip(words, _trackable_words(words, languages), strict=True))
    allowed = np.array([all(trackable[w] for w in v.split()) for v in vocabulary], dtype=bool)
    # Document frequency in articles (distinct texts weighted by their copies);
    # a term must be in two articles to be tracked.
    df = np.asarray(copies @ (counts > 0)).ravel()
    df = np.where(allowed & (df >= 2), df, -1)
    keep = np.argsort(-df, kind="stable")[:top_n]
    keep = keep[df[keep] > 0]
    order = keep[np.lexsort((vocabulary[keep], -df[keep]))]
    return counts[:, order].tocsr(), [str(v) for v in vocabulary[order]]



def _groups(articles: pd.DataFrame, by, dated: np.ndarray) -> tuple[np.ndarray | None, list]:
    """Return each article's group code and the sorted labels of the dated articles' groups."""
    if by is None:
        return None, [None]
    values = _group_values(articles[by])
    labels = sorted(set(values[dated]))
    lookup = {v: i for i, v in enumerate(labels)}
    # Undated articles are in no period: their code is never read.
    return np.array([lookup.get(v, 0) for v in values], dtype=np.int64), labels


def _flags(frame: pd.DataFrame, grid: PeriodGrid, n_groups: int) -> pd.DataFrame:
    frame["partial_period"] = np.repeat(grid.partial, n_groups)[frame["_row"].to_numpy()]
    frame["no_data"] = frame["n_articles"].to_numpy() == 0
    frame["share"] = np.where(frame["no_data"], np.nan,
                              frame["count"] / np.maximum(frame["n_articles"], 1))
    return frame


_TERM_TREND_COLUMNS = ("period", "term", "count", "n_articles", "share", "per_10k_words",
                       "partial_period", "no_data")


def term_trends(articles: pd.DataFrame, *, terms: Sequence[str] | str | None = None,
                freq: str = "W", by: str | None = None, top_n: int = 200,
                languages: Sequence[str] | str = _LANGUAGES, index: TermIndex | None = None
                ) -> pd.DataFrame:
    """Return how many articles mention each term per period, normalised and gap-aware.

    Counting is two sparse products: (periods × articles) · (articles ×
    terms), so per-partition counts add up (a Dask engine can sum them).

    Parameters
    ----------
    articles : DataFrame
        As returned by :func:`analysis.load_articles`; needs ``published``
        and ``title`` and/or ``text``. Articles without a date are left out
        with an :class:`~analysis.periods.UndatedArticlesWarning`.
    terms : str, list of str or None
        Words, phrases or ``*`` patterns (``"ukrain*"``), matched
        case-insensitively on title and text. A single string is one term.
        ``None``: the ``top_n`` uni- and bigrams in most articles.
    freq : str
        ``"D"``, ``"W"`` (weeks from Monday), ``"M"``, ``"Q"``, ``"Y"``
        (or ``"MS"``, ``"QS"``, ``"YS"``).
    by : str or None
        Column to split counts by (e.g. ``"source"``); its values are shown
        as strings, missing ones as ``"(unknown)"``.
    top_n : int
        Number of terms when ``terms`` is None (positive).
    languages : str or list of str
        Stopword lists for ``terms=None`` (``en``, ``ru``, ``tr``, ``az``,
        ``de``, ``fr``, ``es``, ``uk``).
    index : TermIndex or None
        A :class:`~analysis.index.TermIndex` of exactly these articles, from
        :func:`~analysis.index.build_index`; saves tokenising again (the
        result is the same). ``None``: the texts are tokenised here.

    Returns
    -------
    DataFrame
        One row per period (every period from the first to the last dated
        article, gaps included), ``by`` group and term:

        - ``period`` (``datetime64[ns, tz]``): period start, in the articles' zone
        - the ``by`` column (``string``), when ``by`` is given
        - ``term`` (``string``): as given
        - ``count`` (``int64``): articles mentioning the term
        - ``n_articles`` (``int64``): dated articles in the period (and group)
        - ``share`` (``float64``): count / n_articles, NaN for periods without data
        - ``per_10k_words`` (``float64``): occurrences per 10,000 words
        - ``partial_period`` (``bool``): a first or last period the data covers in part
        - ``no_data`` (``bool``): no article at all in the period: a gap, not a zero

        Empty, with these columns, when no article has a date.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a", "b", "c"], "title": ["", "", ""],
    ...     "text": ["Oil rose", "Oil fell again", "Rain"],
    ...     "published": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-17"], utc=True)})
    >>> t = term_trends(arts, terms="oil", freq="W")
    >>> t[["count", "n_articles", "share", "no_data"]].values.tolist()
    [[2, 2, 1.0, False], [0, 0, nan, True], [0, 1, 0.0, False]]
    >>> str(t["period"].dtype), str(t["term"].dtype)
    ('datetime64[ns, UTC]', 'string')
    """
    caller = "term_trends"
    _check_frame(articles, caller, columns=("published",), text=True)
    terms = _check_terms(terms, caller)
    check_freq(freq, caller=caller)
    by = _check_by(articles, by, caller, taken=_TERM_TREND_COLUMNS)
    top_n = _check_int(top_n, "top_n", caller, minimum=1)
    languages = _check_languages(languages, caller)
    index = _check_index(index, articles, caller)
    published = dated_published(articles["published"], caller=caller)
    dtypes = {"period": _dates(published.dt.tz), **({by: STRING} if by is not None else {}),
              "term": STRING, "count": "int64", "n_articles": "int64", "share": "float64",
              "per_10k_words": "float64", "partial_period": "bool", "no_data": "bool"}
    if not published.notna().any():
        return _typed(None, dtypes)
    grid = period_grid(published, freq=freq)
    groups, group_labels = _groups(articles, by, grid.index >= 0)
    member = grid.membership(groups, len(group_labels))
    counts, mentions, names, codes, n_words, _ = _grouped_term_counts(
        articles, member, terms=terms, top_n=top_n, languages=languages, index=index)
    n_articles = np.asarray(member.sum(axis=1)).ravel()
    words = member @ n_words.astype(np.float64)[codes]
    n_rows, n_terms = counts.shape
    frame = pd.DataFrame({
        "_row": np.repeat(np.arange(n_rows), n_terms),
        "period": grid.starts.repeat(len(group_labels) * n_terms),
        "term": np.tile(np.array(names, dtype=object), n_rows),
        "count": counts.ravel().astype("int64"),
        "n_articles": np.repeat(n_articles, n_terms).astype("int64"),
        "per_10k_words": np.where(np.repeat(words, n_terms) > 0,
                                  mentions.ravel() * 1e4 / np.maximum(np.repeat(words, n_terms), 1),
                                  np.nan),
    })
    if by is not None:
        frame.insert(2, by, np.tile(np.repeat(np.array(group_labels, dtype=object), n_terms),
                                    grid.n_periods))
    frame = _flags(frame, grid, len(group_labels))
    return _typed(frame[list(dtypes)], dtypes)


# ---------------------------------------------------------------------------- windows

_WINDOW_FORMS = ("a year '2022', a quarter '2022Q1', a month '2022-06', a day '2022-06-01', "
                 "a range '2022-06-01..2022-06-15' (months and years too: '2022-01..2022-03'), "
                 "or a (start, end) pair of dates or date strings (None leaves that side open)")


def _bound(value, *, end: bool, name: str, whole, caller: str):
    """Return a window's start, or its end as the first instant after it; None when open.

    A date string stands for its whole period ("2022-06" is June); a time of
    day for itself. A datetime at midnight as the end includes its whole day.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pandas' guesses about day-first strings
                period = pd.Period(text)
        except (ValueError, TypeError, OverflowError):
            raise ValueError(f"{caller}: {name}={whole!r}: {text!r} is not a date; {name} must "
                             f"be {_WINDOW_FORMS}") from None
        if period.end_time - period.start_time > pd.Timedelta(hours=23):
            return (period + 1).start_time if end else period.start_time
        stamp = pd.Timestamp(text)  # a time of day: that instant (and its offset, if any)
        return stamp + pd.Timedelta(1, "ns") if end else stamp
    if isinstance(value, pd.Period):
        return (value + 1).start_time if end else value.start_time
    if isinstance(value, dt.date | np.datetime64):
        stamp = pd.Timestamp(value)
        if pd.isna(stamp):
            return None
        if end:
            return stamp + (pd.Timedelta(days=1) if stamp == stamp.normalize()
                            else pd.Timedelta(1, "ns"))
        return stamp
    raise TypeError(f"{caller}: {name}={whole!r}: {type(value).__name__} {value!r} is not a "
                    f"date; {name} must be {_WINDOW_FORMS}")


def _window(value, *, name: str, caller: str, tz) -> tuple:
    """Return ``(start, stop)``, tz-aware, the stop excluded; None for an open side."""
    if isinstance(value, str):
        if value.count("..") > 1:
            raise ValueError(f"{caller}: {name}={value!r} is not a date window; {name} must be "
                             f"{_WINDOW_FORMS}")
        first, last = value.split("..") if ".." in value else (value, value)
    elif isinstance(value, pd.Period):
        first = last = value
    elif isinstance(value, tuple | list) and len(value) == 2:
        first, last = value
    else:
        raise TypeError(f"{caller}: {name} must be {_WINDOW_FORMS}; got {type(value).__name__} "
                        f"{value!r}")
    bounds = []
    for side, is_end in ((first, False), (last, True)):
        bound = _bound(side, end=is_end, name=name, whole=value, caller=caller)
        if bound is not None:
            bound = (bound.tz_localize(tz, nonexistent="shift_forward", ambiguous=True)
                     if bound.tzinfo is None else bound.tz_convert(tz))
        bounds.append(bound)
    start, stop = bounds
    if start is not None and stop is not None and start >= stop:
        raise ValueError(f"{caller}: {name}={value!r} ends before it starts")
    return start, stop


def _in_window(published: pd.Series, window: tuple) -> np.ndarray:
    start, stop = window
    mask = published.notna().to_numpy().copy()
    if start is not None:
        mask &= (published >= start).to_numpy(dtype=bool)
    if stop is not None:
        mask &= (published < stop).to_numpy(dtype=bool)
    return mask


def _compared(published: pd.Series, focus, baseline, caller: str
              ) -> tuple[np.ndarray, np.ndarray]:
    tz = published.dt.tz
    focus_window = _window(focus, name="focus", caller=caller, tz=tz)
    in_focus = _in_window(published, focus_window)
    if baseline is not None:
        in_base = _in_window(published, _window(baseline, name="baseline", caller=caller, tz=tz))
    elif focus_window[0] is None:  # nothing comes before an open-ended focus
        in_base = np.zeros(len(published), dtype=bool)
    else:
        in_base = _in_window(published, (None, focus_window[0]))
    return in_focus, in_base & ~in_focus


def compared_windows(published: pd.Series, *, focus, baseline=None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Return the masks of the focus window and of its baseline, as the rising-* functions use.

    Parameters
    ----------
    published : Series
        Publication dates (tz-naive ones are read as UTC); ``NaT`` is in no window.
    focus, baseline
        A year ``"2022"``, quarter ``"2022Q1"``, month ``"2022-06"`` or day
        ``"2022-06-01"`` (the whole period), a range ``"2022-06-01..2022-06-15"``
        (each side a whole period: ``"2022-01..2022-03"`` is January to March),
        or a ``(start, end)`` pair of date strings, datetimes or ``None``
        (open). A datetime at midnight as the end includes its whole day; a
        date string without a zone is in the articles' zone. The baseline
        defaults to everything before the focus and never overlaps it.

    Returns
    -------
    in_focus, in_baseline : ndarray of bool
        One value per article.

    Examples
    --------
    >>> dates = pd.Series(pd.to_datetime(["2024-01-05", "2024-02-01", "2024-02-20"], utc=True))
    >>> [m.tolist() for m in compared_windows(dates, focus=("2024-02-01", "2024-02-29"))]
    [[False, True, True], [True, False, False]]
    >>> [m.tolist() for m in compared_windows(dates, focus="2024-02")]
    [[False, True, True], [True, False, False]]
    """
    published = as_published(published, caller="compared_windows", name="published")
    return _compared(published, focus, baseline, "compared_windows")


def _check_windows(in_focus: np.ndarray, in_base: np.ndarray, published: pd.Series, *, focus,
                   baseline, caller: str) -> None:
    dated = published.dropna()
    span = (f"the dated articles run from {dated.min():%Y-%m-%d %H:%M} to "
            f"{dated.max():%Y-%m-%d %H:%M} ({dated.dt.tz})")
    if not in_focus.any():
        raise ValueError(f"{caller}: focus={focus!r} holds no dated article; {span}")
    if not in_base.any():
        where = (f"baseline={baseline!r}" if baseline is not None
                 else f"the baseline (everything before focus={focus!r})")
        raise ValueError(f"{caller}: {where} holds no dated article outside the focus; {span}")


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
    return _typed(pd.DataFrame({
        "count_focus": a.astype("int64"), "count_baseline": b.astype("int64"),
        "share_focus": a / n1, "share_baseline": b / n2, "g2": g2, "log_ratio": log_ratio,
        "direction": np.where(log_ratio >= 0, "rising", "falling").astype(object),
        "is_new": (b == 0) & (a > 0)}), _COMPARE_DTYPES)


_COMPARE_DTYPES = {"count_focus": "int64", "count_baseline": "int64", "share_focus": "float64",
                   "share_baseline": "float64", "g2": "float64", "log_ratio": "float64",
                   "direction": STRING, "is_new": "bool"}


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
                 terms: Sequence[str] | str | None = None, top_n: int = 5000,
                 languages: Sequence[str] | str = _LANGUAGES, index: TermIndex | None = None
                 ) -> pd.DataFrame:
    """Return terms whose share of articles changed most between two windows.

    Sorted strongest first by G² (log-likelihood), with the log2 ratio of
    shares as effect size; falling terms are kept (``direction``).

    Parameters
    ----------
    articles : DataFrame
        As returned by :func:`analysis.load_articles`; needs ``published``
        and ``title`` and/or ``text``. Undated articles are in no window and
        are left out with an :class:`~analysis.periods.UndatedArticlesWarning`.
    focus : str, Period or (start, end)
        The window looked at: a year ``"2022"``, quarter ``"2022Q1"``, month
        ``"2022-06"`` or day ``"2022-06-01"`` (the whole period), a range
        ``"2022-06-01..2022-06-15"``, or a ``(start, end)`` pair of date
        strings or datetimes (an end date includes its whole day). Dates
        without a zone are in the articles' zone.
    baseline : same forms as ``focus``, or None
        The window compared with; ``None``: everything before the focus.
        Never overlaps the focus.
    min_count : int
        Terms in fewer articles across both windows are skipped (≥ 0).
    terms : str, list of str or None
        Words, phrases or ``*`` patterns to compare (a single string is one
        term); ``None``: the ``top_n`` most frequent uni- and bigrams of the two windows.
    top_n : int
        Number of terms when ``terms`` is None (positive).
    languages : str or list of str
        Stopword lists for ``terms=None``.
    index : TermIndex or None
        A :class:`~analysis.index.TermIndex` of exactly these articles, from
        :func:`~analysis.index.build_index`; saves tokenising again (the
        result is the same). ``None``: the texts are tokenised here.

    Returns
    -------
    DataFrame
        One row per term:

        - ``term`` (``string``)
        - ``count_focus``, ``count_baseline`` (``int64``): articles mentioning it in each window
        - ``share_focus``, ``share_baseline`` (``float64``): those counts over the window's articles
        - ``g2`` (``float64``): log-likelihood G² (3.84 is p < 0.05)
        - ``log_ratio`` (``float64``): log2 of the share ratio, half an article smoothed
        - ``direction`` (``string``): ``"rising"`` or ``"falling"``
        - ``is_new`` (``bool``): in the focus, absent from the baseline

        Empty, with these columns, when no article has a date.

    Raises
    ------
    ValueError
        When the focus or the baseline holds no dated article, or a window
        is not one of the accepted forms.

    Examples
    --------
    >>> arts = pd.DataFrame({"title": [""] * 6,
    ...     "text": ["calm day", "calm day", "calm day", "flood warning", "flood", "calm"],
    ...     "published": pd.to_datetime(["2024-01-02", "2024-01-09", "2024-01-16",
    ...                                  "2024-02-01", "2024-02-02", "2024-02-03"], utc=True)})
    >>> rising = rising_terms(arts, focus="2024-02", min_count=2, terms=["flood", "calm"])
    >>> rising[["term", "count_focus", "count_baseline", "direction", "is_new"]].values.tolist()
    [['calm', 1, 3, 'falling', False], ['flood', 2, 0, 'rising', True]]
    """
    caller = "rising_terms"
    _check_frame(articles, caller, columns=("published",), text=True)
    terms = _check_terms(terms, caller)
    min_count = _check_int(min_count, "min_count", caller, minimum=0)
    top_n = _check_int(top_n, "top_n", caller, minimum=1)
    languages = _check_languages(languages, caller)
    index = _check_index(index, articles, caller)
    published = as_published(articles["published"], caller=caller)
    in_focus, in_base = _compared(published, focus, baseline, caller)
    published = dated_published(published, caller=caller)
    dtypes = {"term": STRING, **_COMPARE_DTYPES}
    if not published.notna().any():
        return _typed(None, dtypes)
    _check_windows(in_focus, in_base, published, focus=focus, baseline=baseline, caller=caller)
    compared = in_focus | in_base
    window = articles[compared]
    is_focus = in_focus[compared]
    member = sp.csr_matrix(np.stack([is_focus, ~is_focus]).astype(np.int64))
    grouped = _grouped_term_counts(
        window, member, terms=terms, top_n=top_n, languages=languages, mentions=False,
        index=None if index is None else index.take(compared))
    names = grouped.names
    counts_focus, counts_base = grouped.articles
    table = _compare(counts_focus, counts_base, int(is_focus.sum()), int((~is_focus).sum()))
    table.insert(0, "term", pd.array(names, dtype=STRING))
    table = table[table["count_focus"] + table["count_baseline"] >= min_count]
    return table.sort_values(["g2", "term"], ascending=[False, True], ignore_index=True)


# ---------------------------------------------------------------------------- topics over time


def _check_doc_topics(doc_topics, caller: str) -> None:
    _check_frame(doc_topics, caller, columns=("article_id", "topic_id"), name="doc_topics",
                 made_by="TopicModel.doc_topics_")
    repeated = doc_topics["article_id"][doc_topics["article_id"].duplicated()]
    if len(repeated):
        raise ValueError(f"{caller}: doc_topics must give one topic per article; "
                         f"{len(repeated)} article_id values repeat, e.g. "
                         f"{repeated.head(3).tolist()}")


def _topic_matrix(articles: pd.DataFrame, doc_topics: pd.DataFrame, caller: str
                  ) -> tuple[sp.csr_matrix, np.ndarray]:
    assigned = articles[["article_id"]].merge(doc_topics[["article_id", "topic_id"]],
                                              on="article_id", how="left")
    if assigned["topic_id"].isna().any():
        missing = assigned.loc[assigned["topic_id"].isna(), "article_id"].head(3).tolist()
        raise ValueError(f"{caller}: doc_topics has no topic for some articles, e.g. {missing}")
    topic_ids = np.sort(assigned["topic_id"].unique())
    column = np.searchsorted(topic_ids, assigned["topic_id"].to_numpy())
    matrix = sp.csr_matrix((np.ones(len(column)), (np.arange(len(column)), column)),
                           shape=(len(column), len(topic_ids)))
    return matrix, topic_ids


def topic_trends(articles: pd.DataFrame, doc_topics: pd.DataFrame, *, freq: str = "W"
                 ) -> pd.DataFrame:
    """Return each topic's share of articles per period, with ``partial_period`` and ``no_data``.

    Parameters
    ----------
    articles : DataFrame
        As returned by :func:`analysis.load_articles`; needs ``article_id``
        and ``published``. Undated articles are left out with an
        :class:`~analysis.periods.UndatedArticlesWarning`.
    doc_topics : DataFrame
        ``TopicModel.doc_topics_``: ``article_id`` and ``topic_id``, one row
        for every article.
    freq : str
        ``"D"``, ``"W"`` (weeks from Monday), ``"M"``, ``"Q"``, ``"Y"``
        (or ``"MS"``, ``"QS"``, ``"YS"``).

    Returns
    -------
    DataFrame
        One row per period and topic:

        - ``period`` (``datetime64[ns, tz]``): period start, in the articles' zone
        - ``topic_id`` (``int64``)
        - ``count`` (``int64``): the topic's articles in the period
        - ``n_articles`` (``int64``): dated articles in the period
        - ``share`` (``float64``): count / n_articles, NaN for periods without data
        - ``partial_period``, ``no_data`` (``bool``): as in :func:`term_trends`

        Empty, with these columns, when no article has a date.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a", "b", "c"], "published": pd.to_datetime(
    ...     ["2024-01-01", "2024-01-02", "2024-03-05"], utc=True)})
    >>> doc_topics = pd.DataFrame({"article_id": ["a", "b", "c"], "topic_id": [0, 1, 1]})
    >>> t = topic_trends(arts, doc_topics, freq="M")
    >>> t[["topic_id", "count", "share", "no_data"]].values.tolist()
    [[0, 1, 0.5, False], [1, 1, 0.5, False], [0, 0, nan, True], [1, 0, nan, True], \
[0, 0, 0.0, False], [1, 1, 1.0, False]]
    """
    caller = "topic_trends"
    _check_frame(articles, caller, columns=("article_id", "published"))
    _check_doc_topics(doc_topics, caller)
    check_freq(freq, caller=caller)
    published = dated_published(articles["published"], caller=caller)
    dtypes = {"period": _dates(published.dt.tz), "topic_id": "int64", "count": "int64",
              "n_articles": "int64", "share": "float64", "partial_period": "bool",
              "no_data": "bool"}
    matrix, topic_ids = _topic_matrix(articles, doc_topics, caller)
    if not published.notna().any():
        return _typed(None, dtypes)
    grid = period_grid(published, freq=freq)
    member = grid.membership()
    counts = np.asarray((member @ matrix).todense())
    n_articles = np.asarray(member.sum(axis=1)).ravel()
    k = len(topic_ids)
    frame = pd.DataFrame({
        "_row": np.repeat(np.arange(grid.n_periods), k),
        "period": grid.starts.repeat(k),
        "topic_id": np.tile(topic_ids, grid.n_periods).astype("int64"),
        "count": counts.ravel().astype("int64"),
        "n_articles": np.repeat(n_articles, k).astype("int64"),
    })
    frame = _flags(frame, grid, 1)
    return _typed(frame[list(dtypes)], dtypes)


def rising_topics(articles: pd.DataFrame, doc_topics: pd.DataFrame, *, focus, baseline=None
                  ) -> pd.DataFrame:
    """Return topics whose share of articles changed most between two windows (G², log ratio).

    Parameters
    ----------
    articles : DataFrame
        Needs ``article_id`` and ``published``; undated articles are in no
        window and are left out with an :class:`~analysis.periods.UndatedArticlesWarning`.
    doc_topics : DataFrame
        ``TopicModel.doc_topics_``: ``article_id`` and ``topic_id``.
    focus, baseline
        As in :func:`rising_terms`: ``"2022"``, ``"2022Q1"``, ``"2022-06"``,
        ``"2022-06-01"``, ``"2022-06-01..2022-06-15"`` or ``(start, end)``;
        the baseline defaults to everything before the focus.

    Returns
    -------
    DataFrame
        One row per topic, strongest change first: ``topic_id`` (``int64``)
        and the columns of :func:`rising_terms` after ``term``:
        ``count_focus``, ``count_baseline``, ``share_focus``,
        ``share_baseline``, ``g2``, ``log_ratio``, ``direction``, ``is_new``.
        Empty, with these columns, when no article has a date.

    Raises
    ------
    ValueError
        When the focus or the baseline holds no dated article.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": list("abcdef"), "published": pd.to_datetime(
    ...     ["2024-01-02", "2024-01-09", "2024-01-16", "2024-02-01", "2024-02-02",
    ...      "2024-02-03"], utc=True)})
    >>> doc_topics = pd.DataFrame({"article_id": list("abcdef"), "topic_id": [0, 0, 0, 1, 1, 0]})
    >>> rising_topics(arts, doc_topics, focus="2024-02")[["topic_id", "direction"]].values.tolist()
    [[0, 'falling'], [1, 'rising']]
    """
    caller = "rising_topics"
    _check_frame(articles, caller, columns=("article_id", "published"))
    _check_doc_topics(doc_topics, caller)
    published = as_published(articles["published"], caller=caller)
    in_focus, in_base = _compared(published, focus, baseline, caller)
    published = dated_published(published, caller=caller)
    matrix, topic_ids = _topic_matrix(articles, doc_topics, caller)
    if not published.notna().any():
        return _typed(None, {"topic_id": "int64", **_COMPARE_DTYPES})
    _check_windows(in_focus, in_base, published, focus=focus, baseline=baseline, caller=caller)
    table = _compare(np.asarray(matrix[in_focus].sum(axis=0)).ravel(),
                     np.asarray(matrix[in_base].sum(axis=0)).ravel(),
                     int(in_focus.sum()), int(in_base.sum()))
    table.insert(0, "topic_id", topic_ids.astype("int64"))
    return table.sort_values(["g2", "topic_id"], ascending=[False, True], ignore_index=True)


# ---------------------------------------------------------------------------- context


def _text_values(articles: pd.DataFrame, column: str) -> list[str]:
    if column not in articles.columns:
        return [""] * len(articles)
    return ["" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v)
            for v in articles[column].astype(object)]


def keyword_in_context(articles: pd.DataFrame, term: str, *, width: int = 60,
                       max_rows: int | None = None) -> pd.DataFrame:
    """Return every use of ``term`` (word, phrase or ``*`` pattern) in titles and texts.

    The search covers what :func:`term_trends` counts: title and text,
    case-insensitive, whole words (``*`` for any ending), any non-word
    characters between the words of a phrase. So the distinct
    ``article_id`` values here are the articles ``term_trends`` counts.
    Undated articles are searched too (``published`` is then ``NaT``), though
    trends leave them out.

    Parameters
    ----------
    articles : DataFrame
        Needs ``article_id`` and ``title`` and/or ``text``; ``published``
        is passed through when present.
    term : str
        One word, phrase or ``*`` pattern, e.g. ``"ukrain*"`` or
        ``"human traffick*"``.
    width : int
        Characters of context on each side (positive).
    max_rows : int or None
        Stop after this many matches (positive); ``None``: all of them.

    Returns
    -------
    DataFrame
        One row per match, articles in input order, title before text:

        - ``article_id`` (``string``)
        - ``published`` (``datetime64[ns, tz]``): ``NaT`` when unknown
        - ``title`` (``string``): the article's title
        - ``field`` (``string``): where the match is, ``"title"`` or ``"text"``
        - ``left`` (``string``): up to ``width`` characters before the match
        - ``match`` (``string``): the matched words, as written
        - ``right`` (``string``): up to ``width`` characters after it

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "title": ["T", "Trafficking ring"],
    ...     "published": [pd.NaT, pd.NaT],
    ...     "text": ["Police said human trafficking networks grew.", "No match."]})
    >>> kwic = keyword_in_context(arts, "human traffick*", width=12)
    >>> kwic[["left", "match", "right"]].values.tolist()
    [['Police said ', 'human trafficking', ' networks gr']]
    >>> keyword_in_context(arts, "traffick*", width=5)[["article_id", "field", "match"]
    ...                                                 ].values.tolist()
    [['a', 'text', 'trafficking'], ['b', 'title', 'Trafficking']]
    """
    caller = "keyword_in_context"
    _check_frame(articles, caller, columns=("article_id",), text=True)
    _check_term(term, caller)
    width = _check_int(width, "width", caller, minimum=1)
    if max_rows is not None:
        max_rows = _check_int(max_rows, "max_rows", caller, minimum=1)
    if "published" in articles.columns:
        published = as_published(articles["published"], caller=caller)
    else:
        published = pd.Series(pd.NaT, index=articles.index, dtype="datetime64[ns, UTC]")
    words = [re.escape(w).replace(r"\*", r"\w*") for w in _term_words(term)]
    pattern = re.compile(r"(?<!\w)" + r"\W+".join(words) + r"(?!\w)", re.IGNORECASE)
    fields = {"title": _text_values(articles, "title"), "text": _text_values(articles, "text")}
    found: list[tuple[int, str, re.Match]] = []
    for i in range(len(articles)):
        for field, values in fields.items():
            found.extend((i, field, m) for m in pattern.finditer(values[i]))
        if max_rows is not None and len(found) >= max_rows:
            found = found[:max_rows]
            break
    rows = np.array([i for i, _, _ in found], dtype=np.int64)
    titles = articles["title"] if "title" in articles.columns else pd.Series(
        pd.NA, index=articles.index, dtype=STRING)
    frame = pd.DataFrame({
        "article_id": articles["article_id"].to_numpy(dtype=object)[rows],
        "published": published.iloc[rows].reset_index(drop=True),
        "title": titles.astype(STRING).to_numpy(dtype=object)[rows],
        "field": [f for _, f, _ in found],
        "left": [m.string[max(0, m.start() - width):m.start()] for _, _, m in found],
        "match": [m.group(0) for _, _, m in found],
        "right": [m.string[m.end():m.end() + width] for _, _, m in found],
    })
    return _typed(frame, {"article_id": STRING, "published": _dates(published.dt.tz),
                          "title": STRING, "field": STRING, "left": STRING, "match": STRING,
                          "right": STRING})
