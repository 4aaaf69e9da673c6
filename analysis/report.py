"""Self-contained HTML reports, written atomically.

The corpus overview accounts for every input item and summarises what was
loaded. Charts are embedded as PNG data URIs and all article text goes
through Jinja2's autoescaping, so the page is one file that is safe to share.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from analysis.plots import plot_article_counts
from analysis.trends import article_counts

__all__ = ["corpus_summary", "render_overview", "status_counts", "write_html"]

_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;
padding:1.5rem;color:#1d2327}
h1{margin-bottom:.2rem} .meta{color:#5a6570;font-size:.9rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1.2rem 0}
.card{border:1px solid #dde3e8;border-radius:8px;padding:.6rem 1rem;min-width:8rem}
.card b{display:block;font-size:1.5rem}
table{border-collapse:collapse;width:100%;font-size:.88rem;margin:.5rem 0 1.5rem}
th,td{border-bottom:1px solid #e6eaee;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f6f8} td.num{text-align:right;font-variant-numeric:tabular-nums}
.status-rejected{color:#a61b1b} .status-empty{color:#8a6d00} .status-duplicate{color:#49607a}
img{max-width:100%} .snippet{color:#47525c}
</style></head><body>
<h1>{{ title }}</h1>
<p class="meta">Inputs: {{ sources|join(", ") }} · generated {{ generated }}
· newsscope {{ version }}</p>
<div class="cards">
{% for label, value in cards %}<div class="card"><b>{{ value }}</b>{{ label }}</div>{% endfor %}
</div>
<p>Every input item is accounted for: {{ summary.n_items }} items =
{% for status, n in summary.by_status.items() -%}
{{ n }} {{ status }}{% if not loop.last %} + {% endif %}
{%- endfor %}.
{% if summary.first %}Dated articles run from {{ summary.first }} to {{ summary.last }}
({{ summary.undated }} without a date).{% endif %}</p>
{% if chart %}<h2>Articles over time</h2>
<img alt="Articles per month by source" src="data:image/png;base64,{{ chart }}">{% endif %}
<h2>Sources and languages</h2>
<table><tr><th>source</th>{% for lang in langs %}<th>{{ lang }}</th>{% endfor %}<th>total</th></tr>
{% for row in by_source %}<tr><td>{{ row.source }}</td>{% for lang in langs %}
<td class="num">{{ row[lang] }}</td>{% endfor %}
<td class="num">{{ row.total }}</td></tr>{% endfor %}
</table>
<h2>Items not loaded as new articles, and data problems</h2>
{% if problems %}<table><tr><th>status</th><th>path</th><th>reason</th></tr>
{% for row in problems %}<tr><td class="status-{{ row.status }}">{{ row.status }}</td>
<td>{{ row.path }}</td><td>{{ row.reason }}</td></tr>{% endfor %}</table>
{% else %}<p>None: every item loaded cleanly.</p>{% endif %}
<h2>Articles</h2>
<table><tr><th>published</th><th>source</th><th>lang</th><th>title</th><th>words</th></tr>
{% for row in articles %}<tr><td>{{ row.published }}</td><td>{{ row.source }}</td>
<td>{{ row.lang }}</td><td>{{ row.title }}<div class="snippet">{{ row.snippet }}</div></td>
<td class="num">{{ row.n_words }}</td></tr>{% endfor %}
</table>
{% if more_articles %}<p class="meta">… and {{ more_articles }} more articles.</p>{% endif %}
</body></html>
"""


_STATUSES = ("loaded", "duplicate", "empty", "rejected")


def _status_order(index: pd.Index) -> pd.Index:
    return index.map(lambda s: _STATUSES.index(s) if s in _STATUSES else len(_STATUSES))


def status_counts(manifest: pd.DataFrame) -> dict[str, int]:
    """Return the number of manifest items per status, in pipeline order.

    Examples
    --------
    >>> status_counts(pd.DataFrame({"status": ["rejected", "loaded", "loaded"]}))
    {'loaded': 2, 'rejected': 1}
    """
    counts = manifest["status"].value_counts().sort_index(key=_status_order)
    return {status: int(n) for status, n in counts.items()}


def _when(stamp) -> str:
    # Date-only datelines are stored at midnight; printing "00:00" would
    # claim a time the page never gave.
    if pd.isna(stamp):
        return ""
    return stamp.strftime("%Y-%m-%d" if stamp == stamp.normalize() else "%Y-%m-%d %H:%M")


def corpus_summary(articles: pd.DataFrame, manifest: pd.DataFrame) -> dict:
    """Return headline numbers of a load: items by status, date range, languages.

    Examples
    --------
    >>> arts = pd.DataFrame({"published": pd.to_datetime(["2024-01-02", None], utc=True),
    ...                      "lang": ["en", "ru"], "source": ["A", "B"]})
    >>> man = pd.DataFrame({"status": ["loaded", "loaded", "rejected"]})
    >>> s = corpus_summary(arts, man)
    >>> s["n_items"], s["by_status"], s["undated"], s["first"]
    (3, {'loaded': 2, 'rejected': 1}, 1, '2024-01-02')
    """
    dated = articles["published"].dropna()
    return {
        "n_items": len(manifest),
        "by_status": status_counts(manifest),
        "articles": len(articles),
        "languages": articles["lang"].nunique(),
        "sources": articles["source"].nunique(),
        "undated": int(articles["published"].isna().sum()),
        "first": dated.min().strftime("%Y-%m-%d") if len(dated) else None,
        "last": dated.max().strftime("%Y-%m-%d") if len(dated) else None,
    }


def _png_base64(fig: Figure) -> str:
    buffer = io.BytesIO()
    # No "Software" entry: the PNG then does not change with the matplotlib version.
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _source_language_rows(articles: pd.DataFrame) -> tuple[list[str], list[dict]]:
    table = pd.crosstab(articles["source"].astype(object).fillna("(unknown)"),
                        articles["lang"].astype(object).fillna("?"))
    table["total"] = table.sum(axis=1)
    table = table.sort_values("total", ascending=False)
    langs = [c for c in table.columns if c != "total"]
    return langs, [{"source": src, **row} for src, row in table.to_dict("index").items()]


def _with_original_titles(flagged: pd.DataFrame, articles: pd.DataFrame) -> list[str]:
    # An id alone means nothing to a reader; name the original by its title.
    if "article_id" not in articles or "duplicate_of" not in articles:
        return flagged["reason"].fillna("").tolist()
    titles = dict(zip(articles["article_id"], articles["title"], strict=True))
    originals = dict(zip(articles["article_id"], articles["duplicate_of"], strict=True))
    reasons = []
    for reason, article_id in zip(flagged["reason"].fillna(""), flagged["article_id"],
                                  strict=True):
        original = originals.get(article_id)
        title = titles.get(original) if isinstance(original, str) else None
        reasons.append(f"{reason} (“{title}”)" if isinstance(title, str) else reason)
    return reasons


def render_overview(articles: pd.DataFrame, manifest: pd.DataFrame, *,
                    sources: Sequence[str] = (), title: str = "newsscope corpus overview",
                    max_articles: int = 500, generated: str | None = None) -> str:
    """Return the corpus-overview report as one self-contained HTML string.

    All values from the articles (titles, text, paths, reasons) are escaped.

    Examples
    --------
    >>> arts = pd.DataFrame({"published": pd.to_datetime(["2024-01-02"], utc=True),
    ...     "source": ["<b>Site</b>"], "lang": ["en"], "title": ["<script>x</script>"],
    ...     "text": ["Body"], "n_words": [1]})
    >>> man = pd.DataFrame({"path": ["a.txt"], "status": ["loaded"], "reason": [""]})
    >>> page = render_overview(arts, man, generated="2024-01-03")
    >>> "<script>x" in page, "&lt;script&gt;x&lt;/script&gt;" in page
    (False, True)
    """
    from jinja2 import Environment

    from analysis import __version__

    summary = corpus_summary(articles, manifest)
    counts = article_counts(articles, freq="MS", by="source")
    chart = _png_base64(plot_article_counts(counts, title="Articles per month, by source")
                        ) if len(counts) else None
    langs, by_source = _source_language_rows(articles)
    flagged = manifest[(manifest["status"] != "loaded") | (manifest["reason"].fillna("") != "")]
    flagged = flagged.assign(reason=_with_original_titles(flagged, articles))
    shown = articles.sort_values("published", na_position="last", kind="stable").head(max_articles)
    rows = [{
        "published": _when(r.published),
        "source": r.source if isinstance(r.source, str) else "",
        "lang": r.lang if isinstance(r.lang, str) else "",
        "title": r.title if isinstance(r.title, str) else "(untitled)",
        "snippet": (r.text[:220] + "…") if len(r.text) > 220 else r.text,
        "n_words": r.n_words,
    } for r in shown.itertuples()]
    cards = [("input items", summary["n_items"]), ("articles", summary["articles"]),
             *[(status, n) for status, n in summary["by_status"].items() if status != "loaded"],
             ("sources", summary["sources"]), ("languages", summary["languages"])]
    env = Environment(autoescape=True)
    return env.from_string(_TEMPLATE).render(
        title=title, sources=list(sources), version=__version__,
        generated=generated or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        summary=summary, cards=cards, chart=chart, langs=langs, by_source=by_source,
        problems=flagged.fillna("").to_dict("records"), articles=rows,
        more_articles=max(0, len(articles) - max_articles),
    )


def write_html(html: str, path: str | os.PathLike) -> Path:
    """Write ``html`` to ``path`` atomically and return the path.

    The page is written to a temporary file in the same folder and renamed
    over the target, so a failed run never leaves a half-written report or
    destroys the previous one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
