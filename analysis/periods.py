"""Calendar periods for trends: which period each article falls in, and what each covers.

Shared by :mod:`analysis.trends` and :mod:`analysis.bursts`, so every trend
uses one period grid, with gaps (``no_data``) and half-covered edges
(``partial_period``) marked the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["PeriodGrid", "period_grid"]

# freq -> pandas period code; "MS"/"QS"/"YS" are accepted for the month/quarter/year starts.
_CODES = {"D": "D", "W": "W-SUN", "M": "M", "MS": "M", "Q": "Q", "QS": "Q", "Y": "Y", "YS": "Y"}


@dataclass(frozen=True)
class PeriodGrid:
    """Every period from the first to the last dated article, and each article's period."""

    starts: pd.DatetimeIndex      # tz-aware period starts, one per period
    index: np.ndarray             # per article: its period position, -1 when undated
    partial: np.ndarray           # per period: the corpus's date range covers only part of it
    freq: str

    @property
    def n_periods(self) -> int:
        return len(self.starts)

    def membership(self, groups: np.ndarray | None = None, n_groups: int = 1) -> sp.csr_matrix:
        """Return the (periods × groups) × articles 0/1 matrix; undated articles in no row."""
        dated = np.flatnonzero(self.index >= 0)
        rows = self.index[dated] * n_groups + (0 if groups is None else groups[dated])
        return sp.csr_matrix((np.ones(len(dated), dtype=np.float64), (rows, dated)),
                             shape=(self.n_periods * n_groups, len(self.index)))


def period_grid(published: pd.Series, *, freq: str = "W") -> PeriodGrid:
    """Return the period grid of a ``published`` column.

    Weeks start on Monday. The first period is *partial* when the first
    article falls after its first day, the last when the last article falls
    before its last day.

    Examples
    --------
    >>> dates = pd.Series(pd.to_datetime(["2024-01-03", "2024-01-20"], utc=True))
    >>> grid = period_grid(dates, freq="W")
    >>> [d.strftime("%m-%d") for d in grid.starts], grid.partial.tolist(), grid.index.tolist()
    (['01-01', '01-08', '01-15'], [True, False, True], [0, 2])
    """
    if freq not in _CODES:
        raise ValueError(f"freq must be one of D, W, M, Q, Y, not {freq!r}")
    code = _CODES[freq]
    published = pd.Series(published).reset_index(drop=True)
    tz = getattr(published.dt, "tz", None)
    if not published.notna().any():
        return PeriodGrid(pd.DatetimeIndex([], tz=tz), np.full(len(published), -1),
                          np.zeros(0, bool), freq)
    local = published.dt.tz_localize(None) if tz is not None else published
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
    starts = pd.DatetimeIndex(all_periods.start_time)
    if tz is not None:
        starts = starts.tz_localize(tz, nonexistent="shift_forward", ambiguous=True)
    return PeriodGrid(starts, index, partial, freq)
