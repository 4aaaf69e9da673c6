"""Diverging bars of the terms rising and falling in a focus window."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis.plots._checks import check_count, check_frame
from analysis.plots._figure import figure_and_axes
from analysis.plots._style import (
    FALLING_COLOUR,
    RISING_COLOUR,
    TICK_SIZE,
    _no_data,
    _style,
    _text,
)


def plot_rising_terms(rising: pd.DataFrame, *, n: int = 10, ax=None) -> Figure:
    """Return diverging bars of the log2 share ratio for the top ``n`` rising and falling terms.

    Terms absent from the baseline (``is_new``) are hatched and marked "(new)".

    Parameters
    ----------
    rising : DataFrame
        :func:`analysis.rising_terms`: ``term``, ``g2``, ``log_ratio``,
        ``direction`` and optionally ``is_new``; the strongest (by ``g2``) of
        each direction are shown.
    n : int
        Terms shown per direction (1 to 50).
    ax : matplotlib Axes, optional
        Axes to draw on; by default a new pyplot figure (constrained layout).

    Returns
    -------
    Figure
        The new figure, or the figure holding ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> rising = pd.DataFrame({"term": ["oil", "rain", "vote"], "g2": [9.0, 5.0, 3.0],
    ...     "log_ratio": [2.0, -1.0, 0.5], "direction": ["rising", "falling", "rising"],
    ...     "is_new": [True, False, False]})
    >>> fig = plot_rising_terms(rising)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['oil (new)', 'vote', 'rain']
    >>> plt.close(fig)
    """
    func = "plot_rising_terms"
    check_frame(rising, func=func, required=("term", "g2", "log_ratio", "direction"),
                what="the rising_terms DataFrame (e.g. rising_terms(articles, focus=...))")
    check_count(n, func=func, name="n", high=50)
    title = "Rising and falling terms (focus vs baseline)"
    if rising.empty:
        fig, ax = figure_and_axes(ax, (8, 3), func=func)
        _no_data(ax, title)
        return fig
    order = rising.sort_values(["g2", "term"], ascending=[False, True])
    picked = pd.concat([order[order["direction"] == "rising"].head(n),
                        order[order["direction"] != "rising"].head(n)])
    picked = picked.sort_values(["log_ratio", "term"], ascending=[False, True])
    fig, ax = figure_and_axes(ax, (8, max(2.5, 0.3 * len(picked) + 1.2)), func=func)
    positions = np.arange(len(picked))
    up = (picked["direction"] == "rising").to_numpy()
    new = (picked["is_new"].fillna(False).astype(bool).to_numpy() if "is_new" in picked
           else np.zeros(len(picked), dtype=bool))
    bars = ax.barh(positions, picked["log_ratio"].to_numpy(dtype=float), height=0.7,
                   color=np.where(up, RISING_COLOUR, FALLING_COLOUR))
    for bar, is_new in zip(bars, new, strict=True):
        if is_new:
            bar.set_hatch("//")
            bar.set_edgecolor("white")
    names = [_text(t) + (" (new)" if is_new else "") for t, is_new
             in zip(picked["term"], new, strict=True)]
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ax.axvline(0, color="#333333", linewidth=0.8)
    handles = [Patch(color=RISING_COLOUR, label="rising"),
               Patch(color=FALLING_COLOUR, label="falling")]
    if new.any():
        handles.append(Patch(facecolor=RISING_COLOUR, edgecolor="white", hatch="//",
                             label="new (absent from baseline)"))
    ax.legend(handles=handles, fontsize=TICK_SIZE, frameon=False, loc="upper left",
              bbox_to_anchor=(1, 1))
    _style(ax, title=title, xlabel="log2 ratio of article shares (focus / baseline)")
    return fig
