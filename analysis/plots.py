"""Charts drawn from the tidy DataFrames of :mod:`analysis.trends`.

Each function takes a DataFrame, draws on ``ax`` (or a new figure), returns
the Figure and saves nothing: writing files is :mod:`analysis.report`'s job.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

__all__ = ["plot_article_counts"]


def plot_article_counts(counts: pd.DataFrame, *, ax=None, title: str = "Articles per period"
                        ) -> Figure:
    """Return a stacked bar chart of ``counts`` (columns ``period``, ``group``, ``n``).

    Examples
    --------
    >>> counts = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...                        "group": ["A", "A"], "n": [3, 0]})
    >>> fig = plot_article_counts(counts)
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['2024-01', '2024-02']
    """
    if ax is None:
        fig = Figure(figsize=(9, 3.6), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure()
    wide = counts.pivot_table(index="period", columns="group", values="n", aggfunc="sum",
                              fill_value=0, sort=True)
    bottom = None
    labels = [p.strftime("%Y-%m") if hasattr(p, "strftime") else str(p) for p in wide.index]
    positions = range(len(wide))
    for group in wide.columns:
        # Source names are data: "$" would start matplotlib mathtext and a
        # leading "_" would hide the entry from the legend.
        label = str(group).replace("$", r"\$")
        label = "\u200b" + label if label.startswith("_") else label
        ax.bar(positions, wide[group].to_numpy(), bottom=bottom, label=label, width=0.8)
        bottom = wide[group].to_numpy() if bottom is None else bottom + wide[group].to_numpy()
    # Label at most ~16 periods: a decade of months would print an unreadable smear.
    step = max(1, -(-len(labels) // 16))
    ax.set_xticks(list(positions)[::step], labels[::step], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("articles")
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    if len(wide.columns) > 1:
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    return fig
