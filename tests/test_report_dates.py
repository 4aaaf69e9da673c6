"""Reports on awkward dates: one timestamp for all, a stray date decades away (issue 11)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis.periods import DateOutliersWarning
from analysis.report import build_report
from analysis.report_data import compute_report_data, report_tables

SUBJECTS = ("storm flood rain river coast warning", "vote party ballot poll seat campaign")


def _jsonl(path: Path, dates: list[str | None]) -> Path:
    rows = [{"id": f"a{i}", "title": f"{SUBJECTS[i % 2].split()[i % 6].title()} item {i}",
             "text": f"{SUBJECTS[i % 2]} {SUBJECTS[i % 2].split()[(i + 1) % 6]} word{i}.",
             **({"published": date} if date else {})}
            for i, date in enumerate(dates)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _year_2024(n: int = 60) -> list[str]:
    return [d.strftime("%Y-%m-%dT%H:%M:%SZ")
            for d in pd.date_range("2024-01-01", "2024-12-31", periods=n)]


def test_one_timestamp_for_every_article_still_builds_and_says_why(tmp_path):
    # Before: "focus and baseline windows must each hold dated articles" and no report.
    source = _jsonl(tmp_path / "same.jsonl", ["2024-03-01T00:00:00Z"] * 16)
    page = build_report([str(source)], out=tmp_path / "reports", k=2, progress=False,
                        cache=False)
    text = page.read_text(encoding="utf-8")
    why = ("all 16 dated articles share one timestamp (2024-03-01 00:00 UTC): "
           "no time span to chart")
    assert why in text
    assert f"No bursts: {why}." in text and f"Nothing to compare: {why}." in text
    assert "time charts cover" not in text
    tables = page.parent / "tables"
    assert pd.read_csv(tables / "topics.csv")["size"].sum() == 16
    assert pd.read_csv(tables / "term_trends.csv").empty


def test_one_timestamp_says_why_in_the_data(tmp_path):
    source = _jsonl(tmp_path / "same.jsonl", ["2024-03-01T12:30:00Z"] * 12 + [None] * 2)
    data = compute_report_data([str(source)], k=2, progress=False, cache=False)
    assert data.window["no_time"].startswith("all 12 dated articles share one timestamp "
                                             "(2024-03-01 12:30 UTC)")
    assert data.window["focus"] is None and data.term_trends.empty and data.bursts.empty


def test_most_articles_at_one_timestamp_still_get_a_baseline(tmp_path):
    # The newest quarter began at the first timestamp: nothing came before it.
    dates = ["2024-03-01T00:00:00Z"] * 14 + ["2024-03-20T00:00:00Z"] * 2
    data = compute_report_data([str(_jsonl(tmp_path / "two.jsonl", dates))], k=2,
                               progress=False, cache=False)
    assert data.window["no_time"] is None
    assert data.window["n_baseline"] == 14 and data.window["n_focus"] == 2


def test_a_stray_date_is_left_out_of_the_time_sections_with_a_warning(tmp_path):
    source = _jsonl(tmp_path / "stray.jsonl", [*_year_2024(), "1900-01-01T00:00:00Z"])
    with pytest.warns(DateOutliersWarning, match=r"1 of the 61 dated articles has a date far "
                                                 r"from all the others \(1900-01-01\)"):
        data = compute_report_data([str(source)], k=2, freq="W", progress=False, cache=False)
    assert data.window["first"].year == 2024 and data.window["n_date_outliers"] == 1
    assert data.date_outliers["published"].dt.year.tolist() == [1900]
    assert bool(data.date_outliers["excluded"].iloc[0])
    assert data.term_trends["period"].min().year >= 2023  # week of 2024-01-01 starts in 2024
    assert data.counts["n"].sum() == 60
    assert data.topics["size"].sum() == 61  # topics still count it
    assert len(report_tables(data)["date_outliers"]) == 1


def test_stray_dates_can_be_kept(tmp_path):
    source = _jsonl(tmp_path / "stray.jsonl", [*_year_2024(20), "1900-01-01T00:00:00Z"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DateOutliersWarning)
        data = compute_report_data([str(source)], k=2, freq="Y", progress=False, cache=False,
                                   include_date_outliers=True)
    assert data.window["first"].year == 1900 and data.counts["n"].sum() == 21
    assert not bool(data.date_outliers["excluded"].iloc[0])
    assert data.params["include_date_outliers"] is True


def test_report_lists_the_stray_date_in_its_summary(tmp_path):
    source = _jsonl(tmp_path / "stray.jsonl", [*_year_2024(), "1900-01-01T00:00:00Z"])
    with pytest.warns(DateOutliersWarning):
        page = build_report([str(source)], out=tmp_path / "reports", k=2, freq="M",
                            progress=False, cache=False)
    text = page.read_text(encoding="utf-8")
    assert "Dates far from all the others" in text and "1900-01-01" in text
    assert "time charts cover 2024-01-01 to 2024-12-31" in text
    tables = page.parent / "tables"
    assert pd.read_csv(tables / "date_outliers.csv")["published"].str[:4].tolist() == ["1900"]
    assert pd.read_csv(tables / "term_trends.csv")["period"].str[:4].min() == "2024"
    manifest = json.loads((page.parent / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["date_outliers"] == 1
    assert manifest["parameters"]["include_date_outliers"] is False
