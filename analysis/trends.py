"""Counts of articles over time, as tidy DataFrames for plots and reports."""

from __future__ import annotations

import pandas as pd

__all__ = ["article_counts"]

# freq -> (pandas period code, date_range frequency of the period starts)
_PERIODS = {"D": ("D", "D"), "W": ("W", "W-MON"), "MS": ("M", "MS"), "QS": ("Q", "QS"),
            "YS": ("Y", "YS")}


def article_counts(articles: pd.DataFrame, *, freq: str = "MS", by: str | None = "source",
                   top: int = 8) -> pd.DataFrame:
    """Return the number of articles per period (and per ``by`` group), gaps as zeros.

    Parameters
    ----------
    articles : DataFrame
        As returned by :func:`analysis.load_articles`; rows with no
        ``published`` date are left out of the counts.
    freq : str
        ``"D"`` days, ``"W"`` weeks (from Monday), ``"MS"`` months,
        ``"QS"`` quarters or ``"YS"`` years.
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
    if freq not in _PERIODS:
        raise ValueError(f"freq must be one of {', '.join(_PERIODS)}, not {freq!r}")
    dated = articles.loc[articles["published"].notna()]
    tz = dated["published"].dt.tz
    if by is None:
        groups = pd.Series("(all)", index=dated.index)
    else:
        groups = dated[by].astype("object").where(dated[by].notna(), "(unknown)")
        keep = groups.value_counts().nlargest(top).index
        groups = groups.where(groups.isin(keep), "(other)")
    if dated.empty:
        return pd.DataFrame({"period": pd.Series(dtype=f"datetime64[ns, {tz or 'UTC'}]"),
                             "group": pd.Series(dtype="object"), "n": pd.Series(dtype="int64")})
    naive = dated["published"].dt.tz_localize(None)
    periods = naive.dt.to_period(_PERIODS[freq][0]).dt.start_time
    counts = pd.crosstab(periods, groups)
    full = pd.date_range(counts.index.min(), counts.index.max(), freq=_PERIODS[freq][1])
    counts = counts.reindex(full.union(counts.index), fill_value=0)
    tidy = counts.rename_axis(index="period", columns="group").stack().rename("n").reset_index()
    # Some zones start DST at midnight, so a period start may not exist locally.
    tidy["period"] = tidy["period"].dt.tz_localize(tz, nonexistent="shift_forward",
                                                   ambiguous=True)
    return tidy.astype({"n": "int64"}).sort_values(["period", "group"], ignore_index=True)
