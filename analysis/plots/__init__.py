"""Charts drawn from the tidy DataFrames of :mod:`analysis.trends` and :mod:`analysis.topics`.

One chart per module, all importable from here. Each function takes a
DataFrame (never a model object: ``plot_topic_sizes(model.topics_)``), checks
it has the columns it needs, draws and returns the Figure; none saves a file
(that is :mod:`analysis.report`'s job).

Where a chart is drawn:

* no ``ax``: a new figure made through pyplot (constrained layout, a bounded
  size), so ``plt.show()`` shows it and a notebook shows it once, whether the
  call ends the cell, ends with ``;`` or is followed by ``plt.show()``
  (:class:`ChartFigure`). In a script, close it once saved:
  ``fig.savefig(path); plt.close(fig)``.
* ``ax=``: on that Axes (``fig, (a, b) = plt.subplots(1, 2, layout="constrained")``);
  the function returns ``a``'s figure. That figure is yours: end the cell
  with ``;`` or ``plt.show()``, as with any figure made with ``plt.subplots``,
  or a notebook shows it twice (as the cell's result and as a pyplot figure).
* ``plot_topic_terms`` draws several panels: ``ax=`` gives them that Axes'
  place in its grid, ``fig=`` an empty Figure or SubFigure.

Charts that draw one bar, row or colour per category draw at most a few
(``max_topics``, ``max_sources``, ...) and sum the rest into one "other"
category, in a grey no named category gets (:data:`OTHER_COLOUR`), so a figure's
size is bounded whatever its input.
"""

from analysis.plots._article_counts import plot_article_counts
from analysis.plots._figure import MAX_FIGSIZE, ChartFigure
from analysis.plots._rising_terms import plot_rising_terms
from analysis.plots._source_topics import plot_source_topics
from analysis.plots._sources_languages import plot_sources_languages
from analysis.plots._style import (
    FALLING_COLOUR,
    LABEL_SIZE,
    LINESTYLES,
    MARKERS,
    NO_DATA,
    OTHER_COLOUR,
    PALETTE,
    PARTIAL_COLOUR,
    RISING_COLOUR,
    TICK_SIZE,
    TITLE_SIZE,
    TOPIC_HATCHES,
)
from analysis.plots._term_trends import plot_term_trends
from analysis.plots._topic_map import plot_topic_map
from analysis.plots._topic_shares import plot_topic_shares
from analysis.plots._topic_sizes import plot_topic_sizes
from analysis.plots._topic_terms import plot_topic_terms

__all__ = ["FALLING_COLOUR", "LABEL_SIZE", "LINESTYLES", "MARKERS", "MAX_FIGSIZE", "NO_DATA",
           "OTHER_COLOUR", "PALETTE", "PARTIAL_COLOUR", "RISING_COLOUR", "TICK_SIZE",
           "TITLE_SIZE", "TOPIC_HATCHES", "ChartFigure", "plot_article_counts",
           "plot_rising_terms", "plot_source_topics", "plot_sources_languages",
           "plot_term_trends", "plot_topic_map", "plot_topic_shares", "plot_topic_sizes",
           "plot_topic_terms"]
