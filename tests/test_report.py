"""The HTML corpus overview: escaping, accounting, atomic writes."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.report import corpus_summary, render_overview, write_html

EVIL = '<img src=x onerror="alert(1)">'


@pytest.fixture
def frames():
    articles = pd.DataFrame({
        "article_id": ["a", "b"],
        "published": pd.to_datetime(["2024-01-02 10:00", None], utc=True),
        "source": [EVIL, "Wire"], "lang": ["en", "ru"], "title": [EVIL, None],
        "text": [f"Body {EVIL}", "Текст"], "n_words": [3, 1],
    })
    manifest = pd.DataFrame({
        "path": ["a.txt", f"{EVIL}.txt", "c.bin"], "format": ["text", "text", "text"],
        "status": ["loaded", "loaded", "rejected"],
        "reason": ["", "no date found", f"binary {EVIL}"], "article_id": ["a", "b", None],
    })
    return articles, manifest


def test_untrusted_text_is_escaped_everywhere(frames):
    html = render_overview(*frames, sources=[EVIL], generated="fixed")
    assert "<img src=x" not in html
    assert html.count("&lt;img src=x onerror=") >= 5


def test_accounts_for_every_item(frames):
    html = render_overview(*frames, generated="fixed")
    assert "3 items =" in html and "2 loaded" in html and "1 rejected" in html
    assert "no date found" in html
    summary = corpus_summary(*frames)
    assert summary["by_status"] == {"loaded": 2, "rejected": 1}
    assert summary["undated"] == 1


def test_same_input_renders_identically(frames):
    assert render_overview(*frames, generated="x") == render_overview(*frames, generated="x")


def test_write_html_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    write_html("old", target)

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("analysis.report.os.replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_html("new", target)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


def test_dollar_and_underscore_source_names_render(frames):
    articles, manifest = frames
    articles = articles.assign(source=["Money $\\notacommand{x}$ Daily", "_hidden"])
    html = render_overview(articles, manifest, generated="fixed")
    assert "Money $\\notacommand{x}$ Daily" in html


def test_overview_shares_the_report_page_shell_and_its_policy(frames):
    html = render_overview(*frames, generated="fixed")
    assert html.count("<html") == 1 and "Content-Security-Policy" in html
    assert "default-src 'none'" in html and "://" not in html
