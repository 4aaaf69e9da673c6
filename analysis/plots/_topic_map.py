"""A 2-D scatter map of articles coloured by topic."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis.plots._checks import check_count, check_frame
from analysis.plots._figure import figure_and_axes
from analysis.plots._style import (
    LABEL_SIZE,
    OTHER_COLOUR,
    PALETTE,
    TICK_SIZE,
    _no_data,
    _other_topics,
    _short_name,
    _style,
    _topic_order,
    _topic_style,
    _topic_table,
)
from analysis.plots._topic_sizes import TOPICS_FRAME


def plot_topic_map(points: pd.DataFrame, *, topics: pd.DataFrame | None = None, ax=None,
                   title: str = "Articles by topic (2-D map)", max_topics: int = 16) -> Figure:
    """Return a scatter map of articles coloured by topic, each topic's number at its centre.

    Topics are drawn largest first (so small ones stay visible on top) and
    coloured with the palette; past its eight colours the marker shape
    changes. Topics past the ``max_topics`` largest are drawn underneath as
    grey "other topics: N" points, without a number. Mixed articles
    (``is_mixed``) are hollow. The coordinates of a 2-D projection have no
    units, so the axes carry no ticks.

    Parameters
    ----------
    points : DataFrame
        :func:`analysis.topics.topic_map`: ``article_id``, ``x``, ``y``,
        ``topic_id`` and optionally ``is_mixed``; rows without coordinates are
        skipped.
    topics : DataFrame, optional
        ``TopicModel.topics_`` (``topic_id``, optionally ``label`` and
        ``size``): legend names, and topics ordered by ``size`` (by default by
        points on the map).
    ax : matplotlib Axes, optional
        Axes to draw on; by default a new pyplot figure (constrained layout).
    title : str
        Chart title.
    max_topics : int
        Topics drawn in their own style at most (1 to 64).

    Returns
    -------
    Figure
        The new figure, or the figure holding ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> points = pd.DataFrame({"article_id": ["a", "b", "c"], "x": [0.0, 1.0, 5.0],
    ...                        "y": [0.0, 1.0, 5.0], "topic_id": [1, 1, 0],
    ...                        "is_mixed": [False, True, False]})
    >>> fig = plot_topic_map(points)
    >>> [len(c.get_offsets()) for c in fig.axes[0].collections]
    [2, 1]
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "topic-label"]
    ['#1', '#0']
    >>> plt.close(fig)
    """
    func = "plot_topic_map"
    check_frame(points, func=func, required=("article_id", "x", "y", "topic_id"),
                what="the topic map DataFrame (e.g. topic_map(model, articles))")
    if topics is not None:
        check_frame(topics, func=func, name="topics", what=TOPICS_FRAME, required=("topic_id",))
    check_count(max_topics, func=func, name="max_topics", high=len(PALETTE) * 8)
    fig, ax = figure_and_axes(ax, (9, 6.5), func=func)
    frame = points.dropna(subset=["x", "y", "topic_id"])
    if frame.empty:
        _no_data(ax, title)
        return fig
    mixed = (frame["is_mixed"].fillna(False).astype(bool).to_numpy() if "is_mixed" in frame
             else np.zeros(len(frame), dtype=bool))
    frame = pd.DataFrame({"article_id": frame["article_id"].astype(str).to_numpy(),
                          "x": frame["x"].to_numpy(dtype=float),
                          "y": frame["y"].to_numpy(dtype=float),
                          "topic_id": frame["topic_id"].to_numpy(), "is_mixed": mixed})
    table = _topic_table(topics)
    order = _topic_order(frame["topic_id"].unique(), table, frame["topic_id"].value_counts())
    order, rest = order[:max_topics], order[max_topics:]
    # Every other topic shares one rank past the named ones.
    frame["rank"] = frame["topic_id"].map({t: k for k, t in enumerate(order)}).fillna(
        len(order)).astype(int)
    frame = frame.sort_values(["rank", "article_id"], kind="stable")
    labels = dict(zip(table["topic_id"], table["label"], strict=True))
    size = float(np.clip(16000 / len(frame), 6, 40))
    handles, centres = [], []
    if rest:  # underneath everything: a grey no topic gets
        group = frame[frame["rank"] == len(order)]
        name = _other_topics(len(rest))
        _scatter(ax, group, OTHER_COLOUR, "o", size, gid="topic-other", label=name)
    for k, topic_id in enumerate(order):
        group = frame[frame["rank"] == k]
        colour, marker = _topic_style(k)
        name = _short_name(topic_id, labels.get(topic_id))
        _scatter(ax, group, colour, marker, size, gid=f"topic-{topic_id}", label=name)
        handles.append(Line2D([], [], linestyle="", marker=marker, markersize=6, color=colour,
                              label=name))
        centres.append((group["x"].median(), group["y"].median()))
    if rest:
        handles.append(Line2D([], [], linestyle="", marker="o", markersize=6,
                              color=OTHER_COLOUR, label=_other_topics(len(rest))))
    if frame["is_mixed"].any():
        handles.append(Line2D([], [], linestyle="", marker="o", markersize=6,
                              markerfacecolor="none", markeredgecolor="#555555",
                              label="hollow: mixed article (no clear topic)"))
    _label_centres(ax, frame, order, np.array(centres))
    ax.set_xticks([])
    ax.set_yticks([])
    _style(ax, title=title, ylabel="map dimension 2",
           xlabel="map dimension 1 (the axes have no units: nearby points are similar articles)")
    ax.spines[["left", "bottom"]].set_color("#BBBBBB")
    ax.legend(handles=handles, fontsize=TICK_SIZE, frameon=False, loc="upper left",
              bbox_to_anchor=(1, 1), ncols=2 if len(handles) > 24 else 1)
    return fig


def _scatter(ax, group: pd.DataFrame, colour: str, marker: str, size: float, **kwargs) -> None:
    hollow = group["is_mixed"].to_numpy()
    solid = to_rgba(colour, 0.85)
    ax.scatter(group["x"], group["y"], s=size, marker=marker,
               facecolors=[(1, 1, 1, 0) if h else solid for h in hollow],
               edgecolors=[to_rgba(colour, 0.7) if h else (1, 1, 1, 0.6) for h in hollow],
               linewidths=np.where(hollow, 0.8, 0.25), **kwargs)


def _spread_labels(points: np.ndarray, gap: float = 0.05) -> np.ndarray:
    """Return ``points`` (scaled to 0..1) nudged upwards until no two are closer than ``gap``."""
    placed: list[np.ndarray] = []
    for point in points:
        point = point.copy()
        for _ in range(20):
            if all(np.hypot(*(point - other)) >= gap for other in placed):
                break
            point[1] += gap
        placed.append(point)
    return np.array(placed).reshape(-1, 2)


def _label_centres(ax, frame: pd.DataFrame, order: list, centres: np.ndarray) -> None:
    """Write each topic's number at its median point, nudged apart, with a white halo."""
    low = frame[["x", "y"]].min().to_numpy()
    span = np.maximum(frame[["x", "y"]].max().to_numpy() - low, 1e-12)
    spread = _spread_labels((centres - low) / span) * span + low
    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    for topic_id, (x, y) in zip(order, spread, strict=True):
        # Just above the centre: a small topic's points would hide under its label.
        ax.annotate(f"#{topic_id}", (x, y), xytext=(0, 8), textcoords="offset points",
                    ha="center", va="bottom", fontsize=LABEL_SIZE, fontweight="bold",
                    color="#222222", path_effects=halo, gid="topic-label", zorder=5)
