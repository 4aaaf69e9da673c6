"""newsscope: from scraped news articles to tables, topics, trends and reports.

The package is imported as ``analysis``. Stages live in their own modules:
``config`` (paths), ``io`` (loading), ``formats`` (readers), ``textpage``
(plain-text page dumps), ``dates``, ``clean``, ``topics`` and ``topic_terms``,
``periods``, ``trends`` and ``bursts``, ``plots``, ``report`` and ``cli``.
"""

from analysis.bursts import detect_bursts
from analysis.io import ARTICLE_COLUMNS, MANIFEST_COLUMNS, load_articles
from analysis.topics import TopicModel, fit_topics, topic_hierarchy
from analysis.trends import (
    keyword_in_context,
    rising_terms,
    rising_topics,
    term_trends,
    topic_trends,
)

__all__ = ["ARTICLE_COLUMNS", "MANIFEST_COLUMNS", "TopicModel", "detect_bursts", "fit_topics",
           "keyword_in_context", "load_articles", "rising_terms", "rising_topics", "term_trends",
           "topic_hierarchy", "topic_trends"]
__version__ = "0.1.0"
