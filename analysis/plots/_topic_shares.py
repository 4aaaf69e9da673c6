"""Stacked areas of each topic's share of articles per period."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.plots._checks import check_count, check_frame
from analysis.plots._figure import figure_and_axes
from analysis.plots._style import (
    OTHER_COLOUR,
    _date_axis,
    _legend,
    _no_data,
    _other_topics,
    _period_ends,
    _shade_partial,
    _style,
    _topic_fill,
    _topic_name,
    _topic_order,
    _topic_table,
    _wall_time,
)
from analysis.plots._topic_sizes import TOPICS_FRAME


def plot_topic_shares(topic_trends: pd.DataFrame, *, topics: pd.DataFrame | None = None,
                      ax=None, max_topics: int = 10) -> Figure:
    """Return a stacked area chart of each topic's share of articles per period.

    Periods without articles (``no_data``) are gaps, not zeros; periods only
    partly covered by the data (``partial_period``) are hatched. Topics past
    the ``max_topics`` largest are summed into one grey "other topics: N" band
    on top.

    Parameters
    ----------
    topic_trends : DataFrame
        :func:`analysis.topic_trends`: ``period``, ``topic_id``, ``share``,
        ``partial_period``, ``no_data``.
    topics : DataFrame, optional
        ``TopicModel.topics_`` (``topic_id``, optionally ``label`` and
        ``size``) to name the bands and rank them by size (by default by their
        summed share).
    ax : matplotlib Axes, optional
        Axes to draw on; by default a new pyplot figure (constrained layout).
    max_topics : int
        Bands drawn in their own style at most (1 to 32).

    Returns
    -------
    Figure
        The new figure, or the figure holding ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> trends = pd.DataFrame({
    ...     "period": pd.to_datetime(["2024-01-01"] * 2 + ["2024-01-08"] * 2, utc=True),
    ...     "topic_id": [0, 1, 0, 1], "share": [0.25, 0.75, 0.5, 0.5],
    ...     "partial_period": False, "no_data": False})
    >>> fig = plot_topic_shares(trends)
    >>> len(fig.axes[0].collections)
    2
    >>> plt.close(fig)
    """
    func = "plot_topic_shares"
    check_frame(topic_trends, func=func, required=("period", "topic_id", "share",
                                                   "partial_period", "no_data"),
                what="the topic_trends DataFrame (e.g. topic_trends(articles, "
                     "model.doc_topics_))")
    if topics is not None:
        check_frame(topics, func=func, name="topics", what=TOPICS_FRAME, required=("topic_id",))
    check_count(max_topics, func=func, name="max_topics", high=32)
    title = "Topic shares of articles per period"
    fig, ax = figure_and_axes(ax, (9, 3.8), func=func)
    if topic_trends.empty:
        _no_data(ax, title)
        return fig
    frame = topic_trends.assign(share=topic_trends["share"].where(~topic_trends["no_data"]))
    wide = frame.pivot_table(index="period", columns="topic_id", values="share",
                             aggfunc="first", dropna=False, sort=True)
    wide = wide.reindex(sorted(frame["period"].unique()))
    partial = frame.groupby("period")["partial_period"].any().reindex(wide.index).to_numpy()
    starts = _wall_time(wide.index)
    labels = {}
    if topics is not None and not topics.empty and "label" in topics:
        labels = dict(zip(topics["topic_id"], topics["label"], strict=False))
    order = _topic_order(wide.columns, _topic_table(topics), wide.sum())
    kept = sorted(order[:max_topics])
    rest = order[max_topics:]
    names = [_topic_name(t, labels.get(t)) for t in kept]
    wide_kept = wide[kept]
    if rest:
        # NaN only where every summed topic is NaN: a period without data.
        wide_kept = wide_kept.assign(_other=wide[rest].sum(axis=1, min_count=1))
        names.append(_other_topics(len(rest)))
    values = wide_kept.to_numpy(dtype=float) * 100
    # Cumulative sums keep NaN, so a period without data breaks every band.
    tops = np.cumsum(values, axis=1)
    bottoms = tops - values
    # Each period is a flat step from its start to its end: a period with gaps
    # on both sides still shows (a line through one point would draw nothing).
    xs = np.column_stack([starts.to_numpy(), _period_ends(starts).to_numpy()]).ravel()
    tops, bottoms = np.repeat(tops, 2, axis=0), np.repeat(bottoms, 2, axis=0)
    for k, name in enumerate(names):
        # Past the palette, a hatch tells topic 8 from topic 0.
        style = _topic_fill(k) if k < len(kept) else {"color": OTHER_COLOUR}
        ax.fill_between(xs, bottoms[:, k], tops[:, k], linewidth=0, alpha=0.9, label=name,
                        **style)
    _shade_partial(ax, starts, partial)
    ax.set_ylim(0, max(100.0, float(np.nanmax(tops)) if np.isfinite(tops).any() else 100.0))
    _date_axis(ax)
    _style(ax, title=title, xlabel="period start", ylabel="share of articles (%)")
    _legend(ax)
    return fig
