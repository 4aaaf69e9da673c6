"""newsscope: from scraped news articles to tables, topics, trends and reports.

The package is imported as ``analysis``. Stages live in their own modules:
``config`` (paths), ``io`` (loading), ``formats`` (readers), ``textpage``
(plain-text page dumps), ``dates``, ``clean``, ``topics`` and ``topic_terms``,
``trends``, ``plots``, ``report`` and ``cli``.
"""

from analysis.io import ARTICLE_COLUMNS, MANIFEST_COLUMNS, load_articles
from analysis.topics import TopicModel, fit_topics, topic_hierarchy

__all__ = ["ARTICLE_COLUMNS", "MANIFEST_COLUMNS", "TopicModel", "fit_topics", "load_articles",
           "topic_hierarchy"]
__version__ = "0.1.0"
