"""Calendar periods for trends: which period each article falls in, and what each covers.

Shared by :mod:`analysis.trends` and :mod:`analysis.bursts`, so every trend
uses one period grid, with gaps (``no_data``) and half-covered edges
(``partial_period``) marked the same way, and treats publication dates the
same way: datetimes are tz-aware ``datetime64[ns, tz]`` (tz-naive ones are
read as UTC), and articles without a date are left out with an
:class:`UndatedArticlesWarning` that says how many.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["FREQS", "DateOutliersWarning", "PeriodGrid", "UndatedArticlesWarning",
           "as_published", "check_freq", "date_outliers", "dated_published", "period_grid"]

# freq -> pandas period code; "MS"/"QS"/"YS" are accepted for the month/quarter/year starts.
_CODES = {"D": "D", "W": "W-SUN", "M": "M", "MS": "M", "Q": "Q", "QS": "Q", "Y": "Y", "YS": "Y"}
#: The ``freq`` values every trend function accepts.
FREQS = tuple(_CODES)


class UndatedArticlesWarning(UserWarning):
    """Some or all articles have no ``published`` date, so a trend leaves them out.

    Examples
    --------
    >>> issubclass(UndatedArticlesWarning, UserWarning)
    True
    """


class DateOutliersWarning(UserWarning):
    """Some articles have dates far from all the others (see :func:`date_outliers`).

    Examples
    --------
    >>> issubclass(DateOutliersWarning, UserWarning)
    True
    """


def check_freq(freq, *, caller: str = "period_grid") -> str:
    """Return ``freq`` when it is one of :data:`FREQS`, else raise saying which are.

    Parameters
    ----------
    freq : str
        ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``, or ``"MS"``, ``"QS"``,
        ``"YS"``.
    caller : str
        Name of the public function, used in the error message.

    Returns
    -------
    str
        ``freq`` unchanged.

    Raises
    ------
    TypeError
        When ``freq`` is not a string.
    ValueError
        When ``freq`` is a string not in :data:`FREQS`.

    Examples
    --------
    >>> check_freq("W")
    'W'
    >>> check_freq("fortnight", caller="term_trends")
    Traceback (most recent call last):
    ...
    ValueError: term_trends: freq must be one of 'D' (days), 'W' (weeks from Monday), 'M' \
(months), 'Q' (quarters), 'Y' (years) or 'MS', 'QS', 'YS'; got 'fortnight'
    """
    accepted = ("freq must be one of 'D' (days), 'W' (weeks from Monday), 'M' (months), "
                "'Q' (quarters), 'Y' (years) or 'MS', 'QS', 'YS'")
    if not isinstance(freq, str):
        raise TypeError(f"{caller}: {accepted}; got {freq!r} ({type(freq).__name__})")
    if freq not in _CODES:
        raise ValueError(f"{caller}: {accepted}; got {freq!r}")
    return freq


def as_published(published, *, caller: str = "period_grid",
                 name: str = "articles['published']") -> pd.Series:
    """Return publication dates as a tz-aware ``datetime64[ns, tz]`` Series.

    Tz-aware datetimes keep their zone, tz-naive ones are read as UTC (the
    default zone of :func:`analysis.load_articles`), missing values stay
    ``NaT``. A column of ``datetime`` objects is converted; strings are
    refused rather than guessed at.

    Parameters
    ----------
    published : Series or array-like
        Publication dates, one per article.
    caller, name : str
        Name of the public function and of the argument, for error messages.

    Returns
    -------
    Series
        ``datetime64[ns, tz]``, same index as ``published`` when it is a Series.

    Raises
    ------
    TypeError
        When the values are not datetimes (e.g. unparsed strings).

    Examples
    --------
    >>> as_published(pd.Series(pd.to_datetime(["2024-01-05 10:00", None]))).dtype
    datetime64[ns, UTC]
    >>> as_published(pd.Series(["2024-01-05"]), caller="term_trends")
    Traceback (most recent call last):
    ...
    TypeError: term_trends: articles['published'] must hold datetimes (datetime64), got str \
values such as '2024-01-05'; parse them first, e.g. \
articles.assign(published=pd.to_datetime(articles['published'], utc=True))
    """
    series = published if isinstance(published, pd.Series) else pd.Series(published)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.as_unit("ns")
    if pd.api.types.is_datetime64_dtype(series.dtype):
        return series.dt.tz_localize("UTC").dt.as_unit("ns")
    present = series[series.notna()]
    if present.empty:
        return pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns, UTC]",
                         name=series.name)
    if series.dtype == object and all(isinstance(v, dt.datetime) for v in present):
        zones = {str(getattr(v, "tzinfo", None)) for v in present}
        if len(zones) == 1:
            converted = pd.to_datetime(series)
            if converted.dt.tz is None:
                converted = converted.dt.tz_localize("UTC")
        else:  # several zones: one instant each, shown in UTC
            converted = pd.to_datetime(series, utc=True)
        return converted.dt.as_unit("ns")
    example = present.iloc[0]
    raise TypeError(
        f"{caller}: {name} must hold datetimes (datetime64), got {type(example).__name__} "
        f"values such as {example!r}; parse them first, e.g. "
        "articles.assign(published=pd.to_datetime(articles['published'], utc=True))")


def dated_published(published, *, caller: str, stacklevel: int = 3) -> pd.Series:
    """Return :func:`as_published` dates, warning when articles without a date are left out.

    This is how every trend function treats undated articles: they are
    counted nowhere, and an :class:`UndatedArticlesWarning` names how many
    were left out. When *no* article has a date the warning says so and the
    trend function returns an empty frame with its usual columns. An empty
    input (no rows) gives no warning.

    Parameters
    ----------
    published : Series
        The ``published`` column of the articles.
    caller : str
        Name of the public function, used in the warning.
    stacklevel : int
        Passed to :func:`warnings.warn` so the warning points at the caller's code.

    Returns
    -------
    Series
        ``datetime64[ns, tz]``.

    Warns
    -----
    UndatedArticlesWarning
        When some or all articles have no ``published`` date.

    Examples
    --------
    >>> dates = pd.Series(pd.to_datetime(["2024-01-05", None, None], utc=True))
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = dated_published(dates, caller="term_trends")
    >>> print(caught[0].message)
    term_trends: 2 of the 3 articles have no published date and are left out
    """
    published = as_published(published, caller=caller)
    n, missing = len(published), int(published.isna().sum())
    if n and missing == n:
        warnings.warn(f"{caller}: none of the {n} articles has a published date; trends need "
                      "dates, so the result is empty", UndatedArticlesWarning,
                      stacklevel=stacklevel)
    elif missing:
        verb = "has" if missing == 1 else "have"
        leave = "is" if missing == 1 else "are"
        warnings.warn(f"{caller}: {missing} of the {n} articles {verb} no published date and "
                      f"{leave} left out", UndatedArticlesWarning, stacklevel=stacklevel)
    return published


@dataclass(frozen=True)
class PeriodGrid:
    """Every period from the first to the last dated article, and each article's period.

    Attributes
    ----------
    starts : DatetimeIndex
        Period starts, ``datetime64[ns, tz]``, one per period.
    index : ndarray of int
        Per article: its period's position, -1 when undated.
    partial : ndarray of bool
        Per period: the corpus's date range covers only part of it.
    freq : str
        The ``freq`` the grid was made with.

    Examples
    --------
    >>> grid = period_grid(pd.Series(pd.to_datetime(["2024-01-03", None], utc=True)), freq="M")
    >>> grid.n_periods, grid.index.tolist(), grid.membership().toarray().tolist()
    (1, [0, -1], [[1.0, 0.0]])
    """

    starts: pd.DatetimeIndex
    index: np.ndarray
    partial: np.ndarray
    freq: str

    @property
    def n_periods(self) -> int:
        """Number of periods."""
        return len(self.starts)

    def membership(self, groups: np.ndarray | None = None, n_groups: int = 1) -> sp.csr_matrix:
        """Return the (periods × groups) × articles 0/1 matrix; undated articles in no row."""
        dated = np.flatnonzero(self.index >= 0)
        rows = self.index[dated] * n_groups + (0 if groups is None else groups[dated])
        return sp.csr_matrix((np.ones(len(dated), dtype=np.float64), (rows, dated)),
                             shape=(self.n_periods * n_groups, len(self.index)))


def period_grid(published, *, freq: str = "W") -> PeriodGrid:
    """Return the period grid of a ``published`` column.

    Weeks start on Monday. The first period is *partial* when the first
    article falls after its first day, the last when the last article falls
    before its last day. Periods are calendar periods in the dates' own
    time zone.

    Parameters
    ----------
    published : Series
        Publication dates (see :func:`as_published`); ``NaT`` for undated articles.
    freq : str
        One of :data:`FREQS`.

    Returns
    -------
    PeriodGrid
        With ``starts`` as ``datetime64[ns, tz]``; no periods when no article is dated.

    Examples
    --------
    >>> dates = pd.Series(pd.to_datetime(["2024-01-03", "2024-01-20"], utc=True))
    >>> grid = period_grid(dates, freq="W")
    >>> [d.strftime("%m-%d") for d in grid.starts], grid.partial.tolist(), grid.index.tolist()
    (['01-01', '01-08', '01-15'], [True, False, True], [0, 2])
    >>> grid.starts.dtype
    datetime64[ns, UTC]
    """
    check_freq(freq, caller="period_grid")
    code = _CODES[freq]
    published = as_published(published, caller="period_grid", name="published"
                             ).reset_index(drop=True)
    tz = published.dt.tz
    if not published.notna().any():
        return PeriodGrid(pd.DatetimeIndex([], tz=tz).as_unit("ns"), np.full(len(published), -1),
                          np.zeros(0, bool), freq)
    local = published.dt.tz_localize(None)
    periods = local.dt.to_period(code)
    first, last = periods.min(), periods.max()
    all_periods = pd.period_range(first, last, freq=code)
    index = np.full(len(published), -1)
    dated = periods.notna().to_numpy()
    ordinals = pd.PeriodIndex(periods).asi8  # vectorised: no Python loop over articles
    index[dated] = ordinals[dated] - first.ordinal
    partial = np.zeros(len(all_periods), dtype=bool)
    day_first, day_last = local.min().normalize(), local.max().normalize()
    partial[0] |= day_first > all_periods[0].start_time.normalize()
    partial[-1] |= day_last < all_periods[-1].end_time.normalize()
    starts = pd.DatetimeIndex(all_periods.start_time).as_unit("ns")
    starts = starts.tz_localize(tz, nonexistent="shift_forward", ambiguous=True)
    return PeriodGrid(starts, index, partial, freq)


def date_outliers(articles: pd.DataFrame, *, max_share: float = 0.01, min_gap: str = "365D",
                  min_rest: int = 10) -> pd.Series:
    """Return a boolean Series marking articles whose date lies far from all the others.

    A wrong date (a ``1900-01-01`` default, a year typed as 2031) stretches
    every time chart and trend table over decades of empty periods. The rule
    looks for a small group of dates cut off from the rest by a long gap:

    A group of articles at either end of the date range is an outlier group
    when

    * it holds at most ``max_share`` of the dated articles (a single article
      always may), and
    * the gap between it and the other articles is longer than ``min_gap``
      *and* longer than the whole time span of the other articles, and
    * at least ``min_rest`` dated articles remain.

    The ends are peeled repeatedly, so a stray date at each end is found.
    Corpora that run steadily over many years have no such gap, and two large
    clusters (2000 and 2020, say) are both kept: neither is a small group.

    Parameters
    ----------
    articles : DataFrame
        With a ``published`` column (see :func:`as_published`); undated
        articles are never outliers.
    max_share : float
        Largest share of the dated articles an outlier group may hold.
    min_gap : str or Timedelta
        Shortest gap that can cut a group off, whatever the span of the rest.
    min_rest : int
        Least number of dated articles that must remain.

    Returns
    -------
    Series of bool
        Same index as ``articles``; ``True`` for an article with an outlying date.

    Examples
    --------
    >>> days = pd.date_range("2024-01-01", periods=60, freq="5D", tz="UTC")
    >>> arts = pd.DataFrame({"published": [*days, pd.Timestamp("1900-01-01", tz="UTC"), None]})
    >>> flags = date_outliers(arts)
    >>> int(flags.sum()), arts.loc[flags, "published"].dt.year.tolist()
    (1, [1900])
    """
    published = as_published(articles["published"], caller="date_outliers")
    flags = pd.Series(False, index=articles.index, name="date_outlier")
    dated = published.dropna().sort_values(kind="stable")
    n = len(dated)
    limit = max(1, int(max_share * n))
    gap_floor = pd.Timedelta(min_gap).value
    values = dated.to_numpy(dtype="datetime64[ns]").astype("int64")
    lo, hi = 0, n  # the kept core is values[lo:hi]
    while hi - lo > min_rest:
        peeled = False
        # Low end: a tail values[lo:lo + k] cut off before values[lo + k].
        k = np.arange(1, min(limit, hi - lo - min_rest) + 1)
        if len(k):
            gaps = values[lo + k] - values[lo + k - 1]
            cut = (gaps > gap_floor) & (gaps > values[hi - 1] - values[lo + k])
            if cut.any():
                lo += int(k[cut].max())
                peeled = True
        k = np.arange(1, min(limit, hi - lo - min_rest) + 1)
        if len(k):
            gaps = values[hi - k] - values[hi - k - 1]
            cut = (gaps > gap_floor) & (gaps > values[hi - k - 1] - values[lo])
            if cut.any():
                hi -= int(k[cut].max())
                peeled = True
        if not peeled:
            break
    flags.loc[dated.index[:lo]] = True
    flags.loc[dated.index[hi:]] = True
    return flags
