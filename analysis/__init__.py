"""newsscope: from scraped news articles to tables, topics, trends and reports.

The package is imported as ``analysis``. Stages live in their own modules:
``config`` (paths), ``io`` (loading), ``clean``, ``textpage`` (plain-text
page dumps), ``report`` and ``cli``.
"""

from analysis.io import ARTICLE_COLUMNS, MANIFEST_COLUMNS, load_articles

__all__ = ["ARTICLE_COLUMNS", "MANIFEST_COLUMNS", "load_articles"]
__version__ = "0.1.0"
