"""Lines of each term's share of articles per period, bursts shaded."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.plots._checks import check_count, check_frame
from analysis.plots._figure import figure_and_axes
from analysis.plots._style import (
    LINESTYLES,
    PALETTE,
    TICK_SIZE,
    _date_axis,
    _legend,
    _no_data,
    _period_ends,
    _shade_partial,
    _shorten,
    _style,
    _text,
    _wall_time,
)

BURSTS_FRAME = "the detect_bursts DataFrame (e.g. detect_bursts(articles))"
BURST_COLUMNS = ("term", "start", "end", "peak", "weight", "headlines")


def _term_table(term_trends: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (period, term): groups (a ``by`` column) summed, share recomputed."""
    table = term_trends.groupby(["period", "term"], sort=True, observed=True).agg(
        count=("count", "sum"), n_articles=("n_articles", "sum"),
        partial_period=("partial_period", "any")).reset_index()
    table["share"] = np.where(table["n_articles"] > 0,
                              table["count"] / table["n_articles"].clip(lower=1), np.nan)
    return table


def plot_term_trends(term_trends: pd.DataFrame, *, bursts: pd.DataFrame | None = None,
                     terms=None, max_terms: int = 8, ax=None) -> Figure:
    """Return lines of each term's share of articles (%) per period, bursts shaded.

    Periods without articles (``no_data``) break the lines. With ``bursts``,
    each burst of a shown term is shaded in the term's colour and its first
    headline is written at the peak. At most ``max_terms`` lines are drawn;
    when ``terms`` holds more, the legend's title says how many are shown.

    Parameters
    ----------
    term_trends : DataFrame
        :func:`analysis.term_trends`: ``period``, ``term``, ``count``,
        ``n_articles``, ``partial_period`` (``share`` is recomputed from the
        counts; a period with no articles has none).
    bursts : DataFrame, optional
        :func:`analysis.detect_bursts`: ``term``, ``start``, ``end``, ``peak``,
        ``weight``, ``headlines``.
    terms : sequence of str, optional
        Terms to draw, in this order (the first ``max_terms`` of them found in
        ``term_trends``); by default the ``max_terms`` mentioned in most articles.
    max_terms : int
        Lines drawn at most (1 to 32; past the palette's 8 colours the line
        style changes).
    ax : matplotlib Axes, optional
        Axes to draw on; by default a new pyplot figure (constrained layout).

    Returns
    -------
    Figure
        The new figure, or the figure holding ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> trends = pd.DataFrame({
    ...     "period": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"], utc=True),
    ...     "term": "oil", "count": [2, 0, 1], "n_articles": [2, 0, 4],
    ...     "share": [1.0, float("nan"), 0.25], "partial_period": False,
    ...     "no_data": [False, True, False]})
    >>> fig = plot_term_trends(trends)
    >>> fig.axes[0].lines[0].get_ydata().tolist()
    [100.0, nan, 25.0]
    >>> plt.close(fig)
    """
    func = "plot_term_trends"
    check_frame(term_trends, func=func, required=("period", "term", "count", "n_articles",
                                                  "partial_period"),
                what="the term_trends DataFrame (e.g. term_trends(articles))")
    if bursts is not None:
        check_frame(bursts, func=func, name="bursts", what=BURSTS_FRAME, required=BURST_COLUMNS)
    if isinstance(terms, str):
        raise TypeError(f"{func}: terms must be a list of terms, got the string {terms!r}; "
                        f"pass [{terms!r}]")
    check_count(max_terms, func=func, name="max_terms", high=len(PALETTE) * len(LINESTYLES))
    title = "Share of articles mentioning each term"
    fig, ax = figure_and_axes(ax, (9, 3.8), func=func)
    if term_trends.empty:
        _no_data(ax, title)
        return fig
    table = _term_table(term_trends)
    picked = terms is None
    if picked:
        totals = table.groupby("term")["count"].sum()
        totals = totals.reset_index().sort_values(["count", "term"], ascending=[False, True])
        wanted = totals["term"].tolist()
    else:
        present = set(table["term"])
        wanted = [t for t in dict.fromkeys(terms) if t in present]
    terms = wanted[:max_terms]
    wide = table.pivot(index="period", columns="term", values="share").reindex(columns=terms)
    partial = table.groupby("period")["partial_period"].any().reindex(wide.index).to_numpy()
    starts = _wall_time(wide.index)
    colours = {}
    for k, term in enumerate(terms):
        colours[term] = PALETTE[k % len(PALETTE)]
        ax.plot(starts, wide[term].to_numpy(dtype=float) * 100, color=colours[term],
                linestyle=LINESTYLES[(k // len(PALETTE)) % len(LINESTYLES)],
                marker="o", markersize=3, linewidth=1.6, label=_text(term))
    _shade_partial(ax, starts, partial)
    peak = np.nanmax(wide.to_numpy(dtype=float) * 100, initial=0.0)
    top = max(float(peak), 1.0) * 1.15  # headroom for burst headlines
    if bursts is not None and not bursts.empty:
        _draw_bursts(ax, bursts[bursts["term"].isin(terms)], wide, starts, colours, top)
    ax.set_ylim(0, top)
    _date_axis(ax)
    _style(ax, title=title, xlabel="period start", ylabel="share of articles (%)")
    note = None
    if len(wanted) > len(terms):
        note = f"{len(terms)} of {len(wanted)} terms" + (" (most mentioned)" if picked else "")
    _legend(ax, title=note, title_fontsize=TICK_SIZE)
    return fig


def _draw_bursts(ax, bursts: pd.DataFrame, wide: pd.DataFrame, starts: pd.DatetimeIndex,
                 colours: dict, top: float) -> None:
    ends = pd.Series(_period_ends(starts), index=starts)
    for row in bursts.itertuples(index=False):
        start, end = (_wall_time([v])[0] for v in (row.start, row.end))
        span_end = ends.get(end, end + pd.Timedelta(days=1))
        ax.axvspan(start, span_end, color=colours[row.term], alpha=0.15, linewidth=0,
                   gid="burst")
    # One headline per term, at its strongest burst: more would pile up at a
    # busy week and hide each other.
    strongest = bursts.sort_values(["weight", "term"], ascending=[False, True], kind="stable")
    first, last = starts.min(), starts.max()
    width = max((last - first).total_seconds(), 1.0)
    placed: list[tuple[float, float]] = []
    for row in strongest.drop_duplicates("term").itertuples(index=False):
        headlines = row.headlines if row.headlines is not None else []
        peak = _wall_time([row.peak])[0]
        at = starts.get_indexer([peak])[0]
        y = float(wide[row.term].iloc[at]) * 100 if at >= 0 and len(headlines) else np.nan
        if not np.isfinite(y):
            continue
        x_frac, y_frac = (peak - first).total_seconds() / width, y / top
        # Near the right edge the text runs left, away from the legend.
        right = x_frac > 0.55
        lift = 6.0
        while any(abs(x_frac - px) < 0.3 and abs(y_frac + lift / 200 - py) < 0.06
                  for px, py in placed):
            lift -= 11.0
        placed.append((x_frac, y_frac + lift / 200))
        ax.annotate(_text(_shorten(headlines[0].get("title", ""))), (peak, y),
                    xytext=(-4 if right else 4, lift), textcoords="offset points",
                    ha="right" if right else "left", fontsize=TICK_SIZE - 1,
                    color="#333333", gid="burst-headline",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8,
                          "linewidth": 0},
                    arrowprops={"arrowstyle": "-", "color": "#777777", "linewidth": 0.6})
