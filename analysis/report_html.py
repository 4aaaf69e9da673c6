"""HTML pieces of the shared report: escaped fragments, the page shell and the export.

The report notebook displays the fragments built here; :func:`notebook_to_html`
turns the executed notebook into one self-contained page (no code, images
inline, no external request) with a restrictive Content-Security-Policy whose
only allowed script is the table sorter, pinned by its hash.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pandas as pd
from jinja2 import Environment

from analysis.report_data import ReportData, status_counts

__all__ = ["Fragment", "articles_table", "bursts_table", "changes_section", "header_section",
           "methods_section", "notebook_to_html", "reason_kinds", "render_page", "rising_table",
           "sources_table",
           "summary_section", "topics_table"]

_ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)

SORT_SCRIPT = (
    "document.querySelectorAll('table.sortable th').forEach(function(th){"
    "th.title='Click to sort';th.addEventListener('click',function(){"
    "var t=th.closest('table'),b=t.tBodies[0],i=Array.prototype.indexOf.call("
    "th.parentNode.children,th),asc=th.getAttribute('data-dir')!=='asc';"
    "t.querySelectorAll('th').forEach(function(h){h.removeAttribute('data-dir')});"
    "th.setAttribute('data-dir',asc?'asc':'desc');var rows=Array.from(b.rows);"
    "rows.sort(function(x,y){var a=x.cells[i],c=y.cells[i];"
    "a=a.getAttribute('data-v')||a.textContent;c=c.getAttribute('data-v')||c.textContent;"
    "var num=/^\\s*[+-]?\\d+(\\.\\d+)?%?\\s*$/,r=(num.test(a)&&num.test(c))?"
    "parseFloat(a)-parseFloat(c):a.localeCompare(c);return asc?r:-r});"
    "rows.forEach(function(r){b.appendChild(r)})})});"
)


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(SORT_SCRIPT.encode()).digest()).decode()
    # Nothing may be fetched: images are data URIs, styles inline, and the only
    # script allowed is the sorter above.
    return ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'")


class Fragment:
    """Escaped HTML that a notebook shows as HTML and prints as a short fixed name."""

    def __init__(self, html: str, name: str):
        self.html, self.name = html, name

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<{self.name}>"


def _render(template: str, name: str, **values) -> Fragment:
    return Fragment(_ENV.from_string(template).render(**values), name)


def _day(stamp) -> str:
    return "" if stamp is None or pd.isna(stamp) else pd.Timestamp(stamp).strftime("%Y-%m-%d")


def _pct(share) -> str:
    return "" if share is None or pd.isna(share) else f"{100 * share:.1f}%"


# ---------------------------------------------------------------------------- fragments

_HEADER = """<div class="ns-header"><h1>{{ title }}</h1>
<p class="meta">{{ n }} articles ({{ distinct }} not duplicates) from {{ sources }} ·
{% if not no_time %}time charts cover {{ first }} to {{ last }}, {{ freq_name }}
{%- else %}{{ no_time }}{% endif %} · {{ k }} topics</p></div>"""


def _no_time(data: ReportData) -> str | None:
    """Return why the report has no time sections, or None when it has them."""
    window = data.window
    # Report data pickled before the reason was recorded: only undated corpora had none.
    fallback = None if window.get("first") is not None else "no dated articles: no time charts"
    return window.get("no_time", fallback)


def _n_sources(articles: pd.DataFrame) -> int:
    return int(articles["source"].nunique())


def _sources_phrase(articles: pd.DataFrame) -> str:
    named, unknown = _n_sources(articles), int(articles["source"].isna().sum())
    phrase = f"{named:,} source{'s' if named != 1 else ''}"
    return phrase + (f" ({unknown:,} articles without one)" if unknown else "")


_FREQ_NAMES = {"D": "daily", "W": "weekly", "M": "monthly", "Q": "quarterly", "Y": "yearly"}


def header_section(data: ReportData) -> Fragment:
    """Return the title and the period the report covers."""
    arts = data.articles
    return _render(_HEADER, "header", title=data.params["title"], n=f"{len(arts):,}",
                   distinct=f"{int(arts['duplicate_of'].isna().sum()):,}",
                   sources=_sources_phrase(arts), first=_day(data.window["first"]),
                   last=_day(data.window["last"]), k=len(data.topics), no_time=_no_time(data),
                   freq_name=_FREQ_NAMES.get(data.params["freq"], data.params["freq"]))


_SUMMARY = """<div class="cards">{% for label, value in cards %}
<div class="card"><b>{{ value }}</b>{{ label }}</div>{% endfor %}</div>
<p>Every input item is accounted for: {{ n_items }} items =
{% for status, n in by_status %}{{ n }} {{ status }}{{ " + " if not loop.last }}{% endfor %}.
{{ n_undated }} articles have no usable date{% if n_before_since %} and {{ n_before_since }}
published before {{ since }} are left out of the time charts{% endif %}.
{%- if no_time and dated %} The time sections are empty: {{ no_time }}.{% endif %}</p>
{% if outliers %}<h3>Dates far from all the others</h3>
<p>{{ outliers|length }} article{{ "s" if outliers|length != 1 }} {{ "has a date" if
outliers|length == 1 else "have dates" }} cut off from the other {{ n_rest }} dated articles
by a gap longer than a year and than their whole time span (see Methods).
{% set one = outliers|length == 1 %}
{% if outliers[0].excluded %}{{ "It is" if one else "They are" }} left out of the time charts,
trends, bursts and rising terms, which would otherwise stretch over empty years;
{{ "it still counts" if one else "they still count" }} in the topics
(newsscope report --include-date-outliers keeps {{ "it" if one else "them" }}).
{% else %}{{ "It is" if outliers|length == 1 else "They are" }} kept in the time sections, as
asked.{% endif %}</p>
<table class="sortable"><thead><tr><th>published</th><th>source</th><th>title</th>
<th>item</th></tr></thead><tbody>{% for r in outliers %}<tr><td>{{ r.published }}</td>
<td>{{ r.source }}</td><td>{{ r.title }}</td><td>{{ r.path }}</td></tr>{% endfor %}
</tbody></table>{% endif %}
{% if kinds %}<table class="sortable"><thead><tr><th>status</th><th>reason</th><th>items</th>
</tr></thead><tbody>{% for r in kinds %}<tr><td class="st-{{ r.status }}">{{ r.status }}</td>
<td>{{ r.kind }}</td><td class="num">{{ r.n }}</td></tr>{% endfor %}</tbody></table>{% endif %}
{% if problems %}<h3>Items that were not loaded, or have a doubtful date</h3>
<table class="sortable"><thead><tr><th>status</th><th>item</th><th>reason</th>
</tr></thead><tbody>{% for r in problems %}<tr><td class="st-{{ r.status }}">{{ r.status }}</td>
<td>{{ r.path }}</td><td>{{ r.reason }}</td></tr>{% endfor %}</tbody></table>
{% if more %}<p class="meta">… and {{ more }} more in tables/manifest.csv.</p>{% endif %}
{% elif not kinds %}<p>No item was rejected, empty or a duplicate, and no date was doubtful.</p>
{% endif %}{% if n_duplicates %}<p class="meta">Duplicates are listed with their original in
tables/manifest.csv and tables/articles.csv (column duplicate_of).</p>{% endif %}"""

# Reasons carry specifics (ids, dates, columns); their kind is the text before them.
_REASON_DETAIL = re.compile(r"""\s*(?:\bof\b|[:(\d'"“]).*$""", re.DOTALL)


def reason_kinds(manifest: pd.DataFrame) -> pd.DataFrame:
    """Return items per status and kind of reason, e.g. ("duplicate", "near duplicate", 25).

    Examples
    --------
    >>> man = pd.DataFrame({"status": ["duplicate", "duplicate", "loaded", "rejected"],
    ...     "reason": ["exact duplicate of a1", "exact duplicate of b2", "", "malformed JSON: x"]})
    >>> reason_kinds(man).values.tolist()
    [['duplicate', 'exact duplicate', 2], ['rejected', 'malformed JSON', 1]]
    """
    reason = manifest["reason"].astype(object).fillna("").astype(str)
    flagged = (manifest["status"] != "loaded") | (reason != "")
    kinds = reason[flagged].str.replace(_REASON_DETAIL, "", regex=True).str.strip()
    frame = pd.DataFrame({"status": manifest.loc[flagged, "status"].to_numpy(),
                          "kind": kinds.where(kinds != "", "(no reason)").to_numpy()})
    counted = frame.value_counts(["status", "kind"]).rename("n").reset_index()
    return counted.sort_values(["status", "n", "kind"], ascending=[True, False, True],
                               kind="stable", ignore_index=True)


def summary_section(data: ReportData, *, max_rows: int = 100) -> Fragment:
    """Return headline numbers, items by kind of reason, and each problem item.

    Duplicates are only counted here (a syndicated corpus has thousands);
    rejected and empty items and doubtful dates are listed one by one.
    """
    manifest = data.manifest
    by_status = status_counts(manifest)
    problems = manifest[(manifest["status"] != "duplicate")
                        & ((manifest["status"] != "loaded")
                           | (manifest["reason"].fillna("") != ""))]
    outliers = getattr(data, "date_outliers", None)
    outliers = [] if outliers is None else [
        {"published": _day(r.published), "excluded": bool(r.excluded),
         "source": r.source if isinstance(r.source, str) else "",
         "title": r.title if isinstance(r.title, str) else "(untitled)",
         "path": r.path if isinstance(r.path, str) else ""}
        for r in outliers.itertuples()]
    n_dated = len(data.articles) - data.window["n_undated"]
    langs = data.articles["lang"].value_counts(normalize=True)
    main = int((langs >= 0.01).sum())
    cards = [("input items", f"{len(manifest):,}"), ("articles", f"{len(data.articles):,}"),
             ("sources", f"{_n_sources(data.articles):,}"),
             ("languages" if main == len(langs) else
              f"languages with ≥1% of articles (+{len(langs) - main} rarer)", main),
             *[(s, f"{n:,}") for s, n in by_status.items() if s != "loaded"]]
    return _render(_SUMMARY, "corpus summary", cards=cards, n_items=len(manifest),
                   by_status=list(by_status.items()),
                   n_undated=data.window["n_undated"],
                   n_before_since=data.window["n_before_since"], since=data.params["since"],
                   no_time=_no_time(data), dated=bool(n_dated), outliers=outliers,
                   n_rest=f"{n_dated - data.window['n_before_since'] - len(outliers):,}",
                   kinds=reason_kinds(manifest).to_dict("records"),
                   problems=problems.head(max_rows).fillna("").to_dict("records"),
                   more=max(0, len(problems) - max_rows),
                   n_duplicates=int(by_status.get("duplicate", 0)))


_ARTICLES = """<table class="sortable articles"><thead><tr><th>published</th><th>source</th>
<th>lang</th><th>topic</th><th>title</th></tr></thead><tbody>{% for a in rows %}
<tr><td>{{ a.published }}</td>
<td>{{ a.source }}</td><td>{{ a.lang }}</td><td class="num">{{ a.topic }}</td>
<td>{{ a.title }}</td></tr>{% endfor %}</tbody></table>
<p class="meta">The newest {{ rows|length }} of {{ total }} articles that are not duplicates;
all {{ everything }} are in tables/articles.csv.</p>"""


def articles_table(data: ReportData, *, n: int = 25) -> Fragment:
    """Return the newest ``n`` articles that are not duplicates, with their topic."""
    arts = data.articles.assign(topic_id=data.doc_topics["topic_id"].to_numpy())
    arts = arts[arts["duplicate_of"].isna()].sort_values(
        ["published", "article_id"], ascending=[False, True], na_position="last", kind="stable")
    rows = [{"published": _day(a.published), "source": a.source if isinstance(a.source, str)
             else "", "lang": a.lang if isinstance(a.lang, str) else "", "topic": a.topic_id,
             "title": a.title if isinstance(a.title, str) else "(untitled)"}
            for a in arts.head(n).itertuples()]
    return _render(_ARTICLES, "articles table", rows=rows, total=len(arts),
                   everything=len(data.articles))


_TOPICS = """<table class="sortable topics"><thead><tr><th>topic</th><th>label</th>
<th>articles</th><th>share</th><th>top terms</th><th>representative headlines</th></tr></thead>
<tbody>{% for t in topics %}<tr><td class="num">{{ t.topic_id }}</td><td>{{ t.label }}</td>
<td class="num">{{ t.size }}</td><td class="num" data-v="{{ t.share }}">{{ t.pct }}</td>
<td class="terms">{{ t.terms }}</td><td><ul>{% for h in t.headlines %}<li>{{ h }}</li>
{% endfor %}</ul></td></tr>{% endfor %}</tbody></table>"""


def topics_table(data: ReportData, *, n_terms: int = 10) -> Fragment:
    """Return the topics table: label, size, share, top terms and three headlines."""
    rows = [{"topic_id": t.topic_id, "label": t.label, "size": t.size, "share": t.share,
             "pct": _pct(t.share), "terms": ", ".join(t.top_terms[:n_terms]),
             "headlines": t.headlines[:3]}
            for t in data.topics.sort_values("size", ascending=False, kind="stable").itertuples()]
    return _render(_TOPICS, "topics table", topics=rows)


_BURSTS = """{% if rows %}<p class="meta">Periods are named by their first day: a burst
from and to the same date lasted one period. Strength is how much better the burst explains
the counts than the term's usual rate (Kleinberg's weight; higher is stronger). The headlines
are examples from the peak period.</p>
<table class="sortable"><thead><tr><th>term</th><th>first period</th><th>last period</th>
<th>peak period</th><th>articles</th><th>strength</th><th>example headlines</th></tr></thead>
<tbody>{% for b in rows %}<tr><td>{{ b.term }}</td><td>{{ b.start }}</td><td>{{ b.end }}</td>
<td>{{ b.peak }}</td><td class="num">{{ b.n_articles }}</td><td class="num">{{ b.weight }}</td>
<td><ul>{% for h in b.headlines %}<li>{{ h }}</li>{% endfor %}</ul></td></tr>{% endfor %}
</tbody></table>{% elif not dated %}<p>No dated articles: bursts need publication dates.</p>
{% elif no_time %}<p>No bursts: {{ no_time }}.</p>
{% else %}<p>No term burst: attention to every tracked term was steady.</p>
{% endif %}"""


def bursts_table(data: ReportData, *, n: int = 15) -> Fragment:
    """Return the strongest bursts with the headlines that drive them."""
    top = data.bursts.sort_values(["weight", "term"], ascending=[False, True], kind="stable")
    rows = [{"term": b.term, "start": _day(b.start), "end": _day(b.end), "peak": _day(b.peak),
             "n_articles": b.n_articles, "weight": f"{b.weight:.2f}",
             "headlines": [h["title"] if isinstance(h["title"], str) else "(untitled)"
                           for h in b.headlines[:3]]}
            for b in top.head(n).itertuples()]
    return _render(_BURSTS, "bursts table", rows=rows,
                   dated=bool(data.window.get("n_dated", 0)), no_time=_no_time(data))


_RISING = """{% if not focus and not dated %}<p>No dated articles: nothing to compare.</p>
{% elif not focus %}<p>Nothing to compare: {{ no_time }}.</p>{% else %}
<p class="meta">{{ n_focus }} articles in {{ focus }} compared with the {{ n_base }} before.
G² is the log-likelihood ratio (higher = less likely to be chance); shown are terms with
G² ≥ {{ g2_min }} (p &lt; 0.05) in at least {{ min_count }} articles, without month and day
names (all terms are in tables/rising_terms.csv). The log2 ratio adds half an article to each
count, so a term absent before gets a finite ratio.</p>
{% if rows %}<table class="sortable"><thead><tr><th>term</th><th>direction</th>
<th>articles (focus)</th><th>articles (before)</th><th>share (focus)</th>
<th>share (before)</th><th>log2 ratio</th><th>G²</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r.term }}{% if r.is_new %} <span class="new">new</span>{% endif %}
</td><td class="dir-{{ r.direction }}">{{ r.direction }}</td><td class="num">{{ r.count_focus }}
</td><td class="num">{{ r.count_baseline }}</td><td class="num">{{ r.share_focus }}</td>
<td class="num">{{ r.share_baseline }}</td><td class="num">{{ r.log_ratio }}</td>
<td class="num">{{ r.g2 }}</td></tr>{% endfor %}</tbody></table>
{% else %}<p>No term changed its share enough to report.</p>{% endif %}{% endif %}"""


def rising_table(data: ReportData, *, n: int = 12) -> Fragment:
    """Return the top ``n`` rising and top ``n`` falling terms of the focus window."""
    rising = data.rising
    picked = pd.concat([rising[rising["direction"] == "rising"].head(n),
                        rising[rising["direction"] == "falling"].head(n)])
    rows = [{"term": r.term, "direction": r.direction, "count_focus": r.count_focus,
             "count_baseline": r.count_baseline, "share_focus": _pct(r.share_focus),
             "share_baseline": _pct(r.share_baseline), "log_ratio": f"{r.log_ratio:+.2f}",
             "g2": f"{r.g2:.1f}", "is_new": bool(r.is_new)} for r in picked.itertuples()]
    focus = data.window["focus"]
    return _render(_RISING, "rising terms table", rows=rows,
                   focus=f"{_day(focus[0])} to {_day(focus[1])}" if focus else None,
                   n_focus=f"{data.window.get('n_focus', 0):,}",
                   n_base=f"{data.window.get('n_baseline', 0):,}",
                   g2_min=data.params["rising_min_g2"], min_count=data.params["rising_min_count"],
                   dated=bool(data.window.get("n_dated", 0)), no_time=_no_time(data))


_SOURCES = """<table class="sortable"><thead><tr><th>source</th><th>articles</th>
{% for lang in langs %}<th>{{ lang }}</th>{% endfor %}<th>main topic</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r.source }}</td><td class="num">{{ r.total }}</td>
{% for n in r.langs %}<td class="num">{{ n }}</td>{% endfor %}<td>{{ r.topic }}</td></tr>
{% endfor %}</tbody></table>"""


def sources_table(data: ReportData, *, max_rows: int = 50, max_languages: int = 6) -> Fragment:
    """Return articles per source and language, with each source's main topic.

    Languages beyond the ``max_languages`` most common are summed as "other".
    """
    arts = data.articles
    source = arts["source"].astype(object).where(arts["source"].notna(), "(unknown)")
    lang = arts["lang"].astype(object).where(arts["lang"].notna(), "?")
    common = lang.value_counts().sort_index().sort_values(ascending=False, kind="stable")
    if len(common) > max_languages:
        lang = lang.where(lang.isin(common.index[: max_languages - 1]), "other")
    table = pd.crosstab(source, lang)
    langs = table.sum().sort_values(ascending=False, kind="stable").index.tolist()
    langs = [g for g in langs if g != "other"] + (["other"] if "other" in langs else [])
    totals = table.sum(axis=1).sort_values(ascending=False, kind="stable")
    labels = data.topics.set_index("topic_id")["label"]
    mix = data.source_topics.sort_values(["source", "n", "topic_id"],
                                         ascending=[True, False, True], kind="stable")
    main = mix.drop_duplicates("source").set_index("source")
    rows = [{"source": s, "total": int(totals[s]), "langs": [int(table.at[s, g]) for g in langs],
             "topic": (f"#{main.at[s, 'topic_id']} {labels[main.at[s, 'topic_id']]} "
                       f"({_pct(main.at[s, 'share'])})")}
            for s in totals.index[:max_rows]]
    return _render(_SOURCES, "sources table", langs=langs, rows=rows)


_CHANGES = """{% if not changes %}<p class="meta">This is the first version of this report:
there is no earlier version to compare with.</p>{% else %}<h2>What changed</h2>
<p>Compared with version <b>{{ changes.previous }}</b>: a topic keeps its number when its top
terms match a topic of that version.</p>
<table class="sortable"><thead><tr><th>topic</th><th>label</th><th>status</th>
<th>share before</th><th>share now</th><th>change (points)</th></tr></thead><tbody>
{% for r in topics %}<tr><td class="num">{{ r.topic_id }}</td><td>{{ r.label }}</td>
<td class="ch-{{ r.status }}">{{ r.status }}</td><td class="num">{{ r.before }}</td>
<td class="num">{{ r.now }}</td><td class="num">{{ r.change }}</td></tr>{% endfor %}
</tbody></table>
<p class="meta">Grown or shrunk: the share moved by at least 1 percentage point and 20% of
its previous value.</p>
<p><b>Newly rising terms</b> (significantly rising now, not in the previous version):
{% if rising %}{{ rising|join(", ") }}{% else %}none{% endif %}.</p>{% endif %}"""


def changes_section(data: ReportData) -> Fragment:
    """Return "What changed" against the previous version, or say there is none."""
    changes = data.changes
    if not changes:
        return _render(_CHANGES, "what changed", changes=None)
    order = {"new": 0, "grown": 1, "shrunk": 2, "gone": 3, "stable": 4}
    table = changes["topics"].sort_values(
        "status", key=lambda s: s.map(order), kind="stable")
    rows = [{"topic_id": r.topic_id, "label": r.label, "status": r.status,
             "before": _pct(r.share_before), "now": _pct(r.share_now),
             "change": "" if pd.isna(r.change_points) else f"{r.change_points:+.1f}"}
            for r in table.itertuples()]
    return _render(_CHANGES, "what changed", changes=changes, topics=rows,
                   rising=changes["new_rising"]["term"].tolist())


_METHODS = """<h3>Parameters</h3><table><tbody>{% for k, v in params %}<tr><th>{{ k }}</th>
<td>{{ v }}</td></tr>{% endfor %}</tbody></table>
<h3>How the numbers are made</h3><ul>
<li>Loading: each input is read by its format (text dumps lose their site chrome, HTML goes
through trafilatura, exports and news-corpus files are read field by field); dates come from
the record or from datelines in the article's language. Exact and near
duplicates (MinHash, Jaccard ≥ 0.7) are flagged, not removed: topics are learned from first
copies only, while topic sizes and trends count every copy as the coverage it is (a story
syndicated by three outlets counts three times).</li>
<li>Topics: TF-IDF vectors reduced with LSA, clustered (k-means with merged micro-clusters,
chosen by silhouette) and refined by a linear SVM classifier;
{% if k_rows %}k was chosen automatically, among {{ k_rows[0].k }} to {{ k_rows[-1].k }}, as the
coarsest number of topics whose clusterings of overlapping subsamples agree nearly as well as the
best once finer topics are credited (table below)
{%- else %}k was set to {{ k }}{% if found != k %} ({{ found }} topics found: clusters
that end up empty or identical are merged){% endif %}{% endif %}.
A topic's terms are its most distinctive words; an article's weight compares its closeness to
its topic with the runner-up.</li>
<li>Trends count articles mentioning a term per period (share of that period's articles);
periods without articles are gaps, not zeros; partial first/last periods are marked.
Bursts are Kleinberg two-state bursts (s = 2, γ = 1). Rising terms compare the focus window
with everything before it by G² and the log2 ratio of shares (terms in at least
{{ min_count }} articles, shown when G² ≥ 3.84, i.e. p &lt; 0.05; tables/rising_terms.csv has
them all).</li>
<li>Dates far from all the others: a group of articles at either end of the date range, holding
at most 1% of the dated articles (one article always may), is an outlier group when the gap
that cuts it off is longer than a year and than the whole time span of the other articles, and
at least 10 dated articles remain. Such groups, typically a default date like 1900-01-01 or a
mistyped year, are listed in the corpus summary and {{ "kept in" if include_outliers else
"left out of" }} the time charts, trends, bursts and rising terms; they count in the topics.
</li></ul>
{% if k_rows %}<h3>Choice of k</h3><p class="meta">For each k, k-means on pairs of
overlapping 80% subsamples; stability is how much the two partitions agree (NMI, 1 = the same).
The chosen k is the coarsest whose score (stability + 0.08 · ln k, which pays for finer topics)
is within 0.05 of the best.</p><table><thead><tr><th>k</th><th>stability (NMI)</th>
<th>score</th><th>chosen</th></tr></thead><tbody>{% for r in k_rows %}<tr>
<td class="num">{{ r.k }}</td><td class="num">{{ r.stability }}</td>
<td class="num">{{ r.score }}</td><td>{{ "✓" if r.chosen }}</td></tr>{% endfor %}
</tbody></table>{% endif %}
<h3>Versions</h3><p class="meta">{% for name, v in versions %}{{ name }} {{ v }}
{{ " · " if not loop.last }}{% endfor %}</p>"""


def methods_section(data: ReportData) -> Fragment:
    """Return the methods appendix: parameters, how each number is made, k selection, versions."""
    p = data.params
    params = [("sources", ", ".join(p["sources"])), ("period", p["freq"]), ("topics (k)", p["k"]),
              ("terms", ", ".join(p["terms"]) or "(strongest bursts among frequent terms)"),
              ("focus window", p["focus"] or "newest quarter of the articles"),
              ("since", p["since"] or "(all dates)"), ("previous version", p["previous"] or "none"),
              ("time zone", p["tz"]), ("random seed", p["random_state"]),
              ("dates far from the rest", "kept in the time sections"
               if p.get("include_date_outliers") else "left out of the time sections")]
    k_rows = [] if data.k_selection is None else [
        {"k": int(r.k), "stability": f"{r.stability:.3f}", "score": f"{r.score:.3f}",
         "chosen": bool(r.chosen)}
        for r in data.k_selection.itertuples()]
    return _render(_METHODS, "methods", params=params, k_rows=k_rows, k=p["k"],
                   include_outliers=p.get("include_date_outliers", False),
                   found=str(len(data.topics)),
                   min_count=p["rising_min_count"], versions=list(data.versions.items()))


# ---------------------------------------------------------------------------- page and export

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp|safe }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{ title }}</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1120px;padding:1.5rem 2rem;color:#1d2327;background:#fff}
h1{font-size:1.9rem;margin:.2rem 0} h2{margin-top:2.2rem;border-bottom:2px solid #e6eaee;
padding-bottom:.2rem} h3{margin-bottom:.3rem} .meta,.ns-page-meta{color:#5a6570;font-size:.9rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{border:1px solid #dde3e8;border-radius:8px;padding:.5rem 1rem;min-width:7rem}
.card b{display:block;font-size:1.45rem}
table{border-collapse:collapse;width:100%;font-size:.86rem;margin:.5rem 0 1.2rem}
th,td{border-bottom:1px solid #e6eaee;padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th,table.dataframe th{background:#f4f6f8} td.num{text-align:right;
font-variant-numeric:tabular-nums} table.sortable th{cursor:pointer}
th[data-dir=asc]::after{content:" ▲"} th[data-dir=desc]::after{content:" ▼"}
td ul{margin:0;padding-left:1.1rem} td.terms{color:#334;max-width:22rem}
.st-rejected,.ch-gone{color:#a61b1b} .st-empty{color:#8a6d00} .st-duplicate{color:#49607a}
.ch-new,.ch-grown,.dir-rising{color:#0b6e4f} .ch-shrunk,.dir-falling{color:#a64b00}
.snippet{color:#47525c}
.new{font-size:.75rem;background:#e5f4ee;color:#0b6e4f;border-radius:4px;padding:0 .3rem}
img{max-width:100%;height:auto;display:block;margin:.4rem 0 1rem}
.anchor-link{display:none} .jp-OutputArea-output pre{white-space:pre-wrap}
footer{margin-top:3rem;color:#5a6570;font-size:.85rem;border-top:1px solid #e6eaee}
</style></head><body>
<p class="ns-page-meta">{{ subtitle }}</p>
{{ body|safe }}
<footer><p>{{ footer }}</p></footer>
<script>{{ script|safe }}</script>
</body></html>
"""


def render_page(body_html: str, *, title: str, subtitle: str = "", footer: str = "") -> str:
    """Return a complete page around ``body_html`` (trusted, already escaped) with the CSP.

    Examples
    --------
    >>> page = render_page("<p>hi</p>", title="<T>")
    >>> "&lt;T&gt;" in page, "Content-Security-Policy" in page, "://" in page
    (True, True, False)
    """
    return _ENV.from_string(_PAGE).render(body=body_html, title=title, subtitle=subtitle,
                                          footer=footer, csp=_csp(), script=SORT_SCRIPT)


_SCRIPT_TAG = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)


def _drop_noise(nb):
    # Warnings on stderr belong in the executed notebook, not in the page a
    # reader gets; nor does the template's note to its editors.
    nb.cells = [c for c in nb.cells if "remove_cell" not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return nb


def notebook_to_html(path: str | Path, *, title: str, subtitle: str = "",
                     footer: str = "") -> str:
    """Return the executed notebook at ``path`` as one self-contained HTML page.

    Code cells and prompts are left out and images stay inline as data URIs.
    Any script an output carried is removed (the CSP would block it anyway).
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = _drop_noise(nbformat.read(str(path), as_version=4))
    exporter = HTMLExporter(template_name="basic", exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    body = _SCRIPT_TAG.sub("", body).replace(
        'alt="No description has been provided for this image"', 'alt="chart"')
    return render_page(body, title=title, subtitle=subtitle, footer=footer)
