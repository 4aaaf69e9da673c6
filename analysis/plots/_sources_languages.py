"""Stacked bars of articles per source, split by language."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.plots._checks import check_count, check_frame
from analysis.plots._figure import figure_and_axes
from analysis.plots._style import (
    OTHER_COLOUR,
    PALETTE,
    _grey_ticks,
    _legend,
    _no_data,
    _ranked,
    _shorten,
    _style,
    _text,
)

OTHER_LANGUAGE = "other"


def plot_sources_languages(articles: pd.DataFrame, *, ax=None, max_sources: int = 15,
                           max_languages: int = 6) -> Figure:
    """Return stacked horizontal bars of articles per source, split by language.

    Missing sources and languages are shown as "(unknown)"; the largest source
    is on top. Sources past the ``max_sources`` largest are summed into one
    "other sources: N" row at the bottom. Languages beyond the
    ``max_languages - 1`` most common are summed as "other", stacked last in a
    grey no language gets (language detection gives stray codes to tables and
    tickers).

    Parameters
    ----------
    articles : DataFrame
        Articles with ``source`` and ``lang`` columns (e.g. from
        :func:`analysis.load_articles`).
    ax : matplotlib Axes, optional
        Axes to draw on; by default a new pyplot figure (constrained layout).
    max_sources : int
        Rows drawn at most before "other sources" (1 to 60).
    max_languages : int
        Colours at most, "other" included (2 to 8).

    Returns
    -------
    Figure
        The new figure, or the figure holding ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> arts = pd.DataFrame({"source": ["a", "a", "b"], "lang": ["en", None, "en"]})
    >>> fig = plot_sources_languages(arts)
    >>> len(fig.axes[0].containers), [t.get_text() for t in fig.axes[0].get_yticklabels()]
    (2, ['a', 'b'])
    >>> plt.close(fig)
    """
    func = "plot_sources_languages"
    check_frame(articles, func=func, required=("source", "lang"),
                what="the articles DataFrame (e.g. load_articles(...))")
    check_count(max_sources, func=func, name="max_sources", high=60)
    check_count(max_languages, func=func, name="max_languages", low=2, high=len(PALETTE))
    title = "Articles per source, by language"
    table = articles[["source", "lang"]].astype(object)
    table = table.where(table.notna(), "(unknown)").astype(str)
    sizes = table["source"].value_counts()
    rows = min(len(sizes), max_sources + 1)
    fig, ax = figure_and_axes(ax, (8, max(2.5, 0.35 * rows + 1.2)), func=func)
    if table.empty:
        _no_data(ax, title)
        return fig
    languages = table["lang"].value_counts()
    if len(languages) > max_languages:
        kept, _ = _ranked(languages, max_languages - 1)
        table["lang"] = table["lang"].where(table["lang"].isin(kept), OTHER_LANGUAGE)
    kept_sources, rest = _ranked(sizes, max_sources)
    names = [_text(_shorten(s, 40)) for s in kept_sources]
    if rest:
        names.append(f"other sources: {len(rest)}")
        table["source"] = table["source"].where(table["source"].isin(kept_sources), names[-1])
    counts = pd.crosstab(table["source"], table["lang"])
    counts = counts.reindex([*kept_sources, *names[len(kept_sources):]])
    named = [g for g in counts.sum(axis=0).sort_values(ascending=False, kind="stable").index
             if g != OTHER_LANGUAGE]
    columns = named + ([OTHER_LANGUAGE] if OTHER_LANGUAGE in counts.columns else [])
    positions = np.arange(len(counts))
    left = np.zeros(len(counts))
    for k, lang in enumerate(columns):
        values = counts[lang].to_numpy(dtype=float)
        colour = OTHER_COLOUR if lang == OTHER_LANGUAGE else PALETTE[k % len(PALETTE)]
        ax.barh(positions, values, left=left, height=0.7, color=colour, label=_text(lang))
        left += values
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    _style(ax, title=title, xlabel="articles")
    _grey_ticks(ax.get_yticklabels(), set(names[len(kept_sources):]))
    _legend(ax)
    return fig
