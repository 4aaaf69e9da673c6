"""Stacked bars of articles per period and group."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.plots._checks import check_count, check_frame
from analysis.plots._figure import figure_and_axes
from analysis.plots._style import (
    OTHER_COLOUR,
    PALETTE,
    _legend,
    _no_data,
    _ranked,
    _style,
    _text,
)

#: The group :func:`analysis.trends.article_counts` sums small groups into.
OTHER_GROUP = "(other)"


def plot_article_counts(counts: pd.DataFrame, *, ax=None, title: str = "Articles per period",
                        max_groups: int = 8) -> Figure:
    """Return a stacked bar chart of articles per period, one colour per group.

    Groups past the ``max_groups`` largest, and the ``"(other)"`` group of
    :func:`analysis.trends.article_counts`, are stacked on top as one
    ``"(other)"`` bar in a grey no named group gets. Named groups keep their
    sorted order, so a source keeps its colour from one report to the next.

    Parameters
    ----------
    counts : DataFrame
        :func:`analysis.trends.article_counts`: ``period``, ``group``, ``n``.
    ax : matplotlib Axes, optional
        Axes to draw on; by default a new pyplot figure (constrained layout).
    title : str
        Chart title.
    max_groups : int
        Groups drawn in their own colour at most (1 to 8, the palette's size).

    Returns
    -------
    Figure
        The new figure, or the figure holding ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> counts = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...                        "group": ["A", "A"], "n": [3, 0]})
    >>> fig = plot_article_counts(counts)
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['2024-01', '2024-02']
    >>> plt.close(fig)
    """
    func = "plot_article_counts"
    check_frame(counts, func=func, required=("period", "group", "n"),
                what="the article_counts DataFrame (e.g. article_counts(articles))")
    check_count(max_groups, func=func, name="max_groups", high=len(PALETTE))
    fig, ax = figure_and_axes(ax, (9, 3.6), func=func)
    if counts.empty:
        _no_data(ax, title)
        return fig
    group = counts["group"].astype(object)
    table = pd.DataFrame({"period": counts["period"].to_numpy(),
                          "group": group.where(group.notna(), "(unknown)").astype(str),
                          "n": counts["n"].to_numpy(dtype=float)})
    totals = table[table["group"] != OTHER_GROUP].groupby("group")["n"].sum()
    kept, _ = _ranked(totals, max_groups)
    table["group"] = table["group"].where(table["group"].isin(kept), OTHER_GROUP)
    wide = table.pivot_table(index="period", columns="group", values="n", aggfunc="sum",
                             fill_value=0, sort=True)
    columns = [g for g in wide.columns if g != OTHER_GROUP]
    colours = dict(zip(columns, PALETTE, strict=False))
    if OTHER_GROUP in wide.columns:
        columns.append(OTHER_GROUP)
        colours[OTHER_GROUP] = OTHER_COLOUR
    # Weekly or daily periods need the day, or neighbouring bars share a label.
    steps = pd.Series(wide.index).diff().dropna() if len(wide) > 1 else pd.Series(dtype=object)
    step_days = steps.median().days if len(steps) and hasattr(steps.median(), "days") else 31
    pattern = "%Y" if step_days >= 360 else "%Y-%m" if step_days >= 28 else "%Y-%m-%d"
    labels = [p.strftime(pattern) if hasattr(p, "strftime") else str(p) for p in wide.index]
    positions = np.arange(len(wide))
    bottom = np.zeros(len(wide))
    for group in columns:
        values = wide[group].to_numpy(dtype=float)
        ax.bar(positions, values, bottom=bottom, label=_text(group), width=0.8,
               color=colours[group])
        bottom = bottom + values
    # Label at most ~16 periods: a decade of months would print an unreadable smear.
    step = max(1, -(-len(labels) // 16))
    ax.set_xticks(positions[::step], labels[::step], rotation=45, ha="right")
    _style(ax, title=title, ylabel="articles")
    if len(columns) > 1:
        _legend(ax)
    return fig
