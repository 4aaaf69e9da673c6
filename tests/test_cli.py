"""The newsscope command line: ingest and overview (the full report: test_report_build.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import cli, report
from analysis.config import SAMPLE_DIR


def test_ingest_writes_parquet_and_manifest(tmp_path, capsys):
    out = tmp_path / "articles.parquet"
    manifest = tmp_path / "manifest.csv"
    status = cli.main(["ingest", str(SAMPLE_DIR / "caspian-courier"), "--out", str(out),
                       "--manifest", str(manifest), "--no-cache", "--quiet", "--tz", "Asia/Baku"])
    assert status == 0
    articles = pd.read_parquet(out)
    listed = pd.read_csv(manifest)
    assert len(articles) == 25 and len(listed) == 25
    assert str(articles["published"].dt.tz) == "Asia/Baku"
    assert articles["title"].dtype == pd.StringDtype("pyarrow")
    printed = capsys.readouterr().out
    assert "25 input items" in printed and f"wrote 25 articles to {out}" in printed


def test_overview_writes_html_and_prints_its_path(tmp_path, capsys):
    status = cli.main(["overview", str(SAMPLE_DIR), "--out", str(tmp_path), "--no-cache",
                       "--quiet"])
    assert status == 0
    page = tmp_path / cli.REPORT_NAME
    html = page.read_text(encoding="utf-8")
    assert f"report: {page.resolve()}" in capsys.readouterr().out
    assert "OSCE supports study visit of Azerbaijani experts to Hungary" in html
    assert "data:image/png;base64," in html
    assert "unsupported file type" in html  # the README.md is accounted for, not hidden


def test_failed_overview_keeps_the_previous_one(tmp_path, monkeypatch):
    page = tmp_path / cli.REPORT_NAME
    page.write_text("previous report", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("rendering failed")

    monkeypatch.setattr(report, "render_overview", broken)
    with pytest.raises(RuntimeError):
        cli.main(["overview", str(SAMPLE_DIR / "bakudaily"), "--out", str(tmp_path), "--no-cache",
                  "--quiet"])
    assert page.read_text(encoding="utf-8") == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == [cli.REPORT_NAME]


def test_missing_input_is_a_clear_error(tmp_path, capsys):
    assert cli.main(["ingest", str(tmp_path / "nope"), "--out", str(tmp_path / "x.parquet")]) == 2
    assert "input not found" in capsys.readouterr().err
