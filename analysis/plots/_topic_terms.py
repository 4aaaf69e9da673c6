"""Small multiples of each topic's top terms."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.plots._checks import check_count, check_frame
from analysis.plots._figure import panel_container
from analysis.plots._style import (
    NO_DATA,
    TICK_SIZE,
    TITLE_SIZE,
    _as_terms,
    _no_data,
    _short_name,
    _style,
    _text,
    _topic_fill,
)
from analysis.plots._topic_sizes import TOPICS_FRAME

TITLE = "Top terms per topic (bar length: rank, 1 = most distinctive)"


def plot_topic_terms(topics: pd.DataFrame, *, n_terms: int = 8, max_topics: int = 12,
                     ax=None, fig=None) -> Figure:
    """Return small multiples: each topic's first ``n_terms`` top terms, rank 1 longest.

    ``top_terms`` carries no weights, so bar length is ``n_terms - rank + 1``.
    Each panel is a SubFigure, so a long topic name wraps inside its panel.

    Parameters
    ----------
    topics : DataFrame
        ``TopicModel.topics_``: ``topic_id``, ``label``, ``top_terms`` (a list per row).
    n_terms : int
        Terms shown per topic (1 to 30).
    max_topics : int
        Panels drawn at most: the first rows of ``topics`` (1 to 30); the title
        says how many were left out.
    ax : matplotlib Axes, optional
        The panels take this Axes' place in its grid (the Axes is removed),
        e.g. ``fig, (a, b) = plt.subplots(1, 2)`` then ``ax=a``.
    fig : matplotlib Figure or SubFigure, optional
        An empty (Sub)Figure to draw the panels in, e.g.
        ``plt.figure(layout="constrained").subfigures(1, 2)[0]``. By default
        (neither ``ax`` nor ``fig``) a new pyplot figure.

    Returns
    -------
    Figure
        The new figure, or the root figure holding ``ax`` or ``fig``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> topics = pd.DataFrame({"topic_id": [0, 1], "label": ["oil", "vote"],
    ...                        "top_terms": [["oil", "opec"], ["vote", "poll", "ballot"]]})
    >>> fig = plot_topic_terms(topics, n_terms=2)
    >>> len(fig.axes), [len(a.patches) for a in fig.axes]
    (2, [2, 2])
    >>> plt.close(fig)
    """
    func = "plot_topic_terms"
    check_frame(topics, func=func, what=TOPICS_FRAME, required=("topic_id", "label",
                                                                "top_terms"))
    check_count(n_terms, func=func, name="n_terms", high=30)
    check_count(max_topics, func=func, name="max_topics", high=30)
    table = topics.head(max_topics)
    if table.empty:
        root, container = panel_container(ax, fig, (6, 3), func=func)
        _no_data(container.add_subplot(), TITLE)
        return root
    ncols = min(3, len(table))
    nrows = -(-len(table) // ncols)
    root, container = panel_container(
        ax, fig, (3.3 * ncols, 0.28 * n_terms * nrows + 1.0 * nrows + 0.5), func=func)
    if ax is not None or fig is not None:
        # The room the caller gave: a panel needs about 2.8 inches.
        width = container.bbox.width / root.dpi
        ncols = min(ncols, max(1, int(width // 2.8)))
        nrows = -(-len(table) // ncols)
    grid = container.add_gridspec(nrows, ncols)
    for k, row in enumerate(table.itertuples(index=False)):
        # A SubFigure per panel: its title wraps at the panel's edge, not the figure's.
        panel = container.add_subfigure(grid[k // ncols, k % ncols]).add_subplot()
        terms = _as_terms(row.top_terms)[:n_terms]
        ranks = np.arange(1, len(terms) + 1)
        panel.barh(ranks, n_terms - ranks + 1, height=0.7, linewidth=0, **_topic_fill(k))
        panel.set_yticks(ranks, [_text(t) for t in terms])
        panel.set_ylim(n_terms + 0.5, 0.5)
        panel.set_xticks([])
        _style(panel, title=_short_name(row.topic_id, row.label, 48))
        panel.spines[["bottom"]].set_visible(False)
        if not terms:
            panel.text(0.5, 0.5, NO_DATA, transform=panel.transAxes, ha="center",
                       fontsize=TICK_SIZE)
    title = TITLE
    if len(topics) > len(table):
        title = f"{TITLE}; the first {len(table)} of {len(topics)} topics"
    container.suptitle(title, fontsize=TITLE_SIZE, wrap=True)
    return root
