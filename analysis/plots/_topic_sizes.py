"""Horizontal bars of topic sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.plots._checks import check_count, check_frame
from analysis.plots._figure import figure_and_axes
from analysis.plots._style import (
    OTHER_COLOUR,
    PALETTE,
    TICK_SIZE,
    _grey_ticks,
    _no_data,
    _other_topics,
    _short_name,
    _style,
)

TOPICS_FRAME = "the topics_ DataFrame (e.g. model.topics_)"


def plot_topic_sizes(topics: pd.DataFrame, *, ax=None, max_topics: int = 30) -> Figure:
    """Return horizontal bars of topic sizes, largest on top, share of articles annotated.

    Topics past the ``max_topics`` largest are summed into one grey
    "other topics: N" bar at the bottom.

    Parameters
    ----------
    topics : DataFrame
        ``TopicModel.topics_``: ``topic_id``, ``label``, ``size``, ``share``.
    ax : matplotlib Axes, optional
        Axes to draw on; by default a new pyplot figure (constrained layout).
    max_topics : int
        Bars drawn at most before "other topics" (1 to 60).

    Returns
    -------
    Figure
        The new figure, or the figure holding ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> topics = pd.DataFrame({"topic_id": [0, 1], "label": ["oil", "vote"],
    ...                        "size": [3, 7], "share": [0.3, 0.7]})
    >>> fig = plot_topic_sizes(topics)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['#1 vote', '#0 oil']
    >>> plt.close(fig)
    """
    func = "plot_topic_sizes"
    check_frame(topics, func=func, what=TOPICS_FRAME,
                required=("topic_id", "label", "size", "share"))
    check_count(max_topics, func=func, name="max_topics", high=60)
    title = "Topic sizes (articles per topic)"
    rows = min(len(topics), max_topics + 1)
    fig, ax = figure_and_axes(ax, (8, max(2.5, 0.35 * rows + 1.2)), func=func)
    if topics.empty:
        _no_data(ax, title)
        return fig
    table = topics.sort_values(["size", "topic_id"], ascending=[False, True])
    shown, rest = table.head(max_topics), table.iloc[max_topics:]
    names = [_short_name(i, lab, 48) for i, lab in zip(shown["topic_id"], shown["label"],
                                                         strict=True)]
    sizes = shown["size"].to_numpy(dtype=float)
    shares = shown["share"].to_numpy(dtype=float)
    colours = [PALETTE[0]] * len(shown)
    if len(rest):
        names.append(_other_topics(len(rest)))
        sizes = np.append(sizes, rest["size"].astype(float).sum())
        shares = np.append(shares, rest["share"].astype(float).sum())
        colours.append(OTHER_COLOUR)
    positions = np.arange(len(names))
    bars = ax.barh(positions, sizes, color=colours, height=0.7)
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ax.bar_label(bars, labels=[f"{s:.1%}" for s in shares], padding=3, fontsize=TICK_SIZE)
    ax.margins(x=0.12)
    _style(ax, title=title, xlabel="articles")
    if len(rest):
        _grey_ticks(ax.get_yticklabels(), {names[-1]})
    return fig
