"""newsscope: from scraped news articles to tables, topics, trends and reports.

The package is imported as ``analysis``. Stages live in their own modules:
``config`` (paths), ``io`` (loading), ``formats`` (readers), ``textpage``
(plain-text page dumps), ``dates``, ``clean``, ``tokens`` and ``index`` (the
text, tokenised once), ``topics`` and ``topic_terms``, ``periods``,
``trends`` and ``bursts``, ``plots``, ``report_data``, ``report_html``,
``report`` and ``cli``.

The names below are imported when first used (PEP 562), so ``import analysis``
and ``newsscope --help`` do not load scikit-learn and the rest of the
modelling stack until a stage needs it.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what the lazy names are, for type checkers and editors
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

# Each public name and the module that defines it.
_HOMES = {"ARTICLE_COLUMNS": "io", "MANIFEST_COLUMNS": "io", "load_articles": "io",
          "detect_bursts": "bursts", "TopicModel": "topics", "fit_topics": "topics",
          "topic_hierarchy": "topics", "keyword_in_context": "trends",
          "rising_terms": "trends", "rising_topics": "trends", "term_trends": "trends",
          "topic_trends": "trends"}


def __getattr__(name: str):
    if name in _HOMES:
        value = getattr(importlib.import_module(f"analysis.{_HOMES[name]}"), name)
        globals()[name] = value  # found once; later lookups never come here
        return value
    if not name.startswith("_") and importlib.util.find_spec(f"analysis.{name}") is not None:
        # `analysis.trends` after a bare `import analysis`, as when the names were eager.
        return importlib.import_module(f"analysis.{name}")
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
