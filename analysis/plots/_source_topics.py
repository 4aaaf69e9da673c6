"""A heat map of the share of each source's articles in each topic."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from analysis.plots._checks import check_count, check_frame
from analysis.plots._figure import figure_and_axes
from analysis.plots._style import (
    LABEL_SIZE,
    TICK_SIZE,
    _grey_ticks,
    _no_data,
    _ranked,
    _shorten,
    _style,
    _text,
    _topic_order,
    _topic_table,
)
from analysis.plots._topic_sizes import TOPICS_FRAME

OTHER_COLUMN = "other"


def plot_source_topics(mix: pd.DataFrame, *, topics: pd.DataFrame | None = None, ax=None,
                       max_sources: int = 15, max_topics: int = 16,
                       title: str = "Topics by source (share of each source's articles)"
                       ) -> Figure:
    """Return a heat map of the share of each source's articles in each topic.

    Rows are sources, most articles on top (the article count is in the row
    label); sources past ``max_sources`` are summed into one "other sources"
    row below a white rule. Columns are topics, largest first when ``topics``
    is given (else by id); topics past ``max_topics`` are summed into one
    "other" column. "Other" labels are grey. Cells carry the percentage when
    the grid is at most 15 x 15.

    Parameters
    ----------
    mix : DataFrame
        ``source``, ``topic_id``, ``n`` (articles), ``share`` (of the source's
        articles, 0..1), as in the report's ``source_topics``; a missing source
        is shown as "(unknown)".
    topics : DataFrame, optional
        ``TopicModel.topics_`` (``topic_id``, ``size``) to order the columns.
    ax : matplotlib Axes, optional
        Axes to draw on (its figure gets the colour bar beside it); by default
        a new pyplot figure (constrained layout).
    max_sources : int
        Rows drawn at most before "other sources" (1 to 60).
    max_topics : int
        Columns drawn at most before "other" (1 to 40).
    title : str
        Chart title.

    Returns
    -------
    Figure
        The new figure, or the figure holding ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> mix = pd.DataFrame({"source": ["a", "a", "b"], "topic_id": [0, 1, 1],
    ...                     "n": [3, 1, 2], "share": [0.75, 0.25, 1.0]})
    >>> fig = plot_source_topics(mix)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['a (4)', 'b (2)']
    >>> fig.axes[0].images[0].get_array().tolist()
    [[0.75, 0.25], [0.0, 1.0]]
    >>> plt.close(fig)
    """
    func = "plot_source_topics"
    check_frame(mix, func=func, required=("source", "topic_id", "n", "share"),
                what="the source-topic mix DataFrame (e.g. compute_report_data(...)"
                     ".source_topics)")
    if topics is not None:
        check_frame(topics, func=func, name="topics", what=TOPICS_FRAME, required=("topic_id",))
    check_count(max_sources, func=func, name="max_sources", high=60)
    check_count(max_topics, func=func, name="max_topics", high=40)
    if mix.empty:
        fig, ax = figure_and_axes(ax, (7, 3), func=func)
        _no_data(ax, title)
        return fig
    table = pd.DataFrame({"source": mix["source"].astype(object).to_numpy(),
                          "topic_id": mix["topic_id"].to_numpy(),
                          "n": mix["n"].to_numpy(dtype=float),
                          "share": mix["share"].to_numpy(dtype=float)})
    table["source"] = table["source"].where(table["source"].notna(), "(unknown)").astype(str)
    counts = table.pivot_table(index="source", columns="topic_id", values="n", aggfunc="sum",
                               fill_value=0.0)
    # n / share is the source's article count even when ``mix`` leaves some topics out.
    sums = table.groupby("source")[["n", "share"]].sum()
    totals = (sums["n"] / sums["share"].where(sums["share"] > 0)).fillna(sums["n"])
    kept, rest = _ranked(totals, max_sources)
    grid = counts.loc[kept]
    row_totals = totals[kept].to_numpy(dtype=float)
    names = [f"{_text(_shorten(s, 40))} ({t:,.0f})" for s, t in zip(kept, row_totals,
                                                                    strict=True)]
    grey = set()
    if rest:
        other = counts.loc[rest].sum().rename("other sources").to_frame().T
        grid = pd.concat([grid, other])
        row_totals = np.append(row_totals, totals[rest].sum())
        names.append(f"other sources: {len(rest)} ({totals[rest].sum():,.0f})")
        grey.add(names[-1])
    columns = _topic_order(grid.columns, _topic_table(topics))
    kept_topics, rest_topics = columns[:max_topics], columns[max_topics:]
    column_names = [f"#{t}" for t in kept_topics]
    grid_values = grid[kept_topics]
    if rest_topics:
        grid_values = grid_values.assign(**{OTHER_COLUMN: grid[rest_topics].sum(axis=1)})
        column_names.append(f"{OTHER_COLUMN}: {len(rest_topics)}")
        grey.add(column_names[-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(row_totals[:, None] > 0,
                          grid_values.to_numpy() / row_totals[:, None], 0.0)
    nrows, ncols = shares.shape
    fig, ax = figure_and_axes(ax, (max(5.5, 0.55 * ncols + 4.0), max(2.5, 0.36 * nrows + 1.4)),
                              func=func)
    top = max(float(shares.max()), 0.01)
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=top, aspect="auto",
                      interpolation="nearest")
    if rest:  # a white rule sets the summed row apart
        ax.axhline(nrows - 1.5, color="white", linewidth=3, gid="other-sources-rule")
    if rest_topics:
        ax.axvline(ncols - 1.5, color="white", linewidth=3, gid="other-topics-rule")
    ax.set_xticks(np.arange(ncols), column_names)
    ax.set_yticks(np.arange(nrows), names)
    if nrows <= 15 and ncols <= 15:
        for (i, j), value in np.ndenumerate(shares):
            if grid_values.iat[i, j] > 0:
                text = "<1%" if value < 0.005 else f"{value:.0%}"
                ax.text(j, i, text, ha="center", va="center", fontsize=TICK_SIZE - 1,
                        color="white" if value > 0.55 * top else "#222222", gid="cell")
    colorbar = ax.get_figure().colorbar(image, ax=ax, format=PercentFormatter(1.0, decimals=0),
                                        shrink=0.9, pad=0.02)
    colorbar.set_label("share of the source's articles", fontsize=LABEL_SIZE)
    colorbar.ax.tick_params(labelsize=TICK_SIZE)
    colorbar.outline.set_visible(False)
    xlabel = "topic (largest first)" if topics is not None and not topics.empty else "topic"
    _style(ax, title=title, xlabel=xlabel, ylabel="source (articles)")
    _grey_ticks([*ax.get_xticklabels(), *ax.get_yticklabels()], grey)
    ax.spines[:].set_visible(False)
    ax.tick_params(length=0)
    return fig
