"""Report fragments escape untrusted text; the export is one page with nothing to fetch."""

from __future__ import annotations

import dataclasses

import nbformat
import pandas as pd
import pytest

from analysis import report_html as html
from analysis.config import SAMPLE_DIR
from analysis.report_data import compute_report_data

EVIL = '<img src=x onerror="alert(1)">'


@pytest.fixture(scope="module")
def data():
    return compute_report_data([str(SAMPLE_DIR)], title=f"Title {EVIL}", freq="M",
                               since="2023-01-01", tz="Asia/Baku", progress=False)


@pytest.fixture(scope="module")
def hostile(data):
    """The sample with every title, source and reason replaced by markup."""
    articles = data.articles.assign(title=EVIL, source=f"Wire {EVIL}")
    manifest = data.manifest.assign(reason=data.manifest["reason"].fillna("") + EVIL)
    topics = data.topics.assign(headlines=[[EVIL] * 3] * len(data.topics),
                                label=EVIL)
    bursts = pd.DataFrame({"term": [EVIL], "start": [data.window["first"]],
                           "end": [data.window["last"]], "peak": [data.window["last"]],
                           "weight": [2.0], "n_articles": [3],
                           "headlines": [[{"article_id": "a", "title": EVIL}]]})
    source_topics = data.source_topics.assign(source=f"Wire {EVIL}")
    return dataclasses.replace(data, articles=articles, manifest=manifest, topics=topics,
                               bursts=bursts, source_topics=source_topics)


FRAGMENTS = [html.header_section, html.summary_section, html.articles_table, html.topics_table,
             html.bursts_table, html.rising_table, html.sources_table, html.changes_section,
             html.methods_section]


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=lambda f: f.__name__)
def test_fragments_escape_untrusted_text(fragment, hostile):
    out = fragment(hostile)
    assert "<img src=x" not in out._repr_html_()
    assert "<" in repr(out) and "img" not in repr(out)  # short, fixed text/plain for nbval


@pytest.mark.parametrize("fragment", [html.summary_section, html.articles_table,
                                      html.topics_table, html.bursts_table, html.sources_table])
def test_hostile_values_are_shown_as_text(fragment, hostile):
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in fragment(hostile)._repr_html_()


def test_summary_counts_reasons_and_lists_problems_but_not_duplicates(data):
    page = html.summary_section(data)._repr_html_()
    assert "87 items = 77 loaded + 5 duplicate + 2 empty + 3 rejected" in " ".join(page.split())
    assert "near duplicate</td>" in page and "unsupported file type" in page
    assert "caspian-courier/2023-08-migration-03.txt" not in page  # a duplicate: counted only


def test_reason_kinds_strip_the_specifics():
    manifest = pd.DataFrame({"status": ["loaded", "loaded", "rejected"],
                             "reason": ["implausible date 2091-05-12 (in the future)",
                                        "implausible date 2090-01-01 (in the future)",
                                        "binary content (NUL or control bytes), not text"]})
    kinds = html.reason_kinds(manifest)
    assert kinds.values.tolist() == [["loaded", "implausible date", 2],
                                     ["rejected", "binary content", 1]]


def test_sources_table_caps_language_columns(data):
    many = data.articles.assign(lang=[f"l{i % 9}" for i in range(len(data.articles))])
    page = html.sources_table(dataclasses.replace(data, articles=many),
                              max_languages=4)._repr_html_()
    assert page.count("<th>l") == 3 and "<th>other</th>" in page


def test_export_drops_code_scripts_stderr_and_editor_notes(tmp_path):
    nb = nbformat.v4.new_notebook()
    note = nbformat.v4.new_markdown_cell("Editors only", metadata={"tags": ["remove_cell"]})
    cell = nbformat.v4.new_code_cell("secret_code()")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={
            "text/html": "<p>shown</p><script>alert(1)</script>", "text/plain": "x"}),
        nbformat.v4.new_output("stream", name="stderr", text="UserWarning: noisy"),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="}),
    ]
    nb.cells = [note, nbformat.v4.new_markdown_cell("## Heading"), cell]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    page = html.notebook_to_html(path, title="T")
    assert "<p>shown</p>" in page and "Heading" in page
    assert "alert(1)" not in page and page.count("<script") == 1
    assert "secret_code" not in page and "noisy" not in page and "Editors only" not in page
    assert 'alt="chart" src="data:image/png;base64,iVBORw0KGgo=' in page
    assert "://" not in page
