"""The newsscope command line: ingest and overview (the full report: test_report_build.py)."""

from __future__ import annotations

from pathlib import Path

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


# ------------------------------------------------------ how sources are read: --format, --columns

SUBJECTS = {
    "business": "oil prices opec crude pipeline output barrel market energy exports",
    "tech": "chip makers processors phones laptops silicon factory design semiconductor",
}


def story_export(folder: Path, n: int = 12) -> Path:
    """A CSV export whose text and date columns have names no reader guesses."""
    rows = ["story,when,headline"]
    for i in range(n):
        subject = "business" if i % 2 else "tech"
        words = SUBJECTS[subject].split()
        rows.append(f'"{SUBJECTS[subject]} {words[i % 9]} day {i}.",'
                    f"2024-0{1 + i % 6}-1{i % 9},{subject} story {i}")
    path = folder / "export.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def bbc_layout(folder: Path, n: int = 4) -> Path:
    """The BBC News layout: <label>/<NNN>.txt, headline on the first line."""
    root = folder / "bbc"
    for label, text in SUBJECTS.items():
        (root / label).mkdir(parents=True)
        for i in range(1, n + 1):
            words = text.split()
            (root / label / f"{i:03d}.txt").write_text(
                f"{words[i].title()} news {i}\n\n{text} {words[-i]} today.\n", encoding="utf-8")
    return root


def test_ingest_maps_export_columns(tmp_path, capsys):
    out = tmp_path / "articles.parquet"
    status = cli.main(["ingest", str(story_export(tmp_path)), "--format", "csv",
                       "--columns", "text=story, published=when", "--out", str(out),
                       "--no-cache", "--quiet"])
    assert status == 0, capsys.readouterr().err
    articles = pd.read_parquet(out)
    assert len(articles) == 12 and (articles["n_words"] > 5).all()
    assert articles["text"].str.contains("opec|silicon").all()
    assert articles["published"].notna().all()


def test_trends_read_the_mapped_date_column(tmp_path, capsys):
    status = cli.main(["trends", str(story_export(tmp_path)), "--columns",
                       "text=story,published=when", "--out", str(tmp_path / "out"),
                       "--freq", "M", "--terms", "opec", "--quiet"])
    assert status == 0, capsys.readouterr().err
    trends = pd.read_csv(tmp_path / "out" / "term_trends.csv")
    assert trends["count"].sum() == 6


def test_topics_read_a_forced_format(tmp_path, capsys):
    status = cli.main(["topics", str(bbc_layout(tmp_path)), "--format", "bbc", "--k", "2",
                       "--out", str(tmp_path / "out"), "--quiet"])
    assert status == 0, capsys.readouterr().err
    assert len(pd.read_csv(tmp_path / "out" / "doc_topics.csv")) == 8


@pytest.mark.parametrize("command", ["ingest", "overview", "report", "topics", "trends"])
def test_every_loading_subcommand_takes_format_and_columns(command):
    args = cli.build_parser().parse_args(
        [command, "x.csv", "--format", "csv", "--columns", "text=story"]
        + (["--out", "o"] if command in ("topics", "trends") else []))
    assert args.fmt == "csv" and args.columns == "text=story"


@pytest.mark.parametrize("columns, says", [
    ("story", "--columns takes FIELD=COLUMN pairs separated by commas, e.g. "
              "text=story,published=timestamp; 'story' is not one"),
    ("text=story,published", "'published' is not one"),
    ("body=story", "--columns: unknown field 'body' in 'body=story'; the fields are id, "
                   "title, text, published, source, url, label"),
    ("text=a,text=b", "--columns gives the text field twice"),
])
def test_bad_columns_is_a_one_line_error(tmp_path, capsys, columns, says):
    status = cli.main(["report", str(story_export(tmp_path)), "--columns", columns,
                       "--out", str(tmp_path / "reports"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and err.startswith("newsscope: error: --columns")
    assert says in err
    assert not (tmp_path / "reports").exists()  # refused before anything was read


@pytest.mark.parametrize("option, says", [
    (["--k", "many"], "--k takes a number of topics or 'auto', not 'many'"),
    (["--since", "last spring"], "--since takes a date like 2023-01-01, not 'last spring'"),
    (["--focus", "2024-03"], "--focus takes START:END dates, e.g. 2022-01-01:2022-01-31"),
    (["--tz", "Baku"], "--tz: unknown time zone 'Baku'; use an IANA name like Asia/Baku"),
])
def test_option_mistakes_are_named_by_their_option(tmp_path, capsys, option, says):
    status = cli.main(["report", str(story_export(tmp_path)), "--columns", "text=story",
                       "--out", str(tmp_path / "reports"), "--quiet", *option])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and says in err
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("command", ["report", "topics"])
def test_nothing_loaded_says_why_in_command_line_words(tmp_path, capsys, command):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.xyz").write_text("not an article", encoding="utf-8")
    status = cli.main([command, str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert "no articles could be loaded" in err and "1 input item, 1 rejected" in err
    assert "unsupported file type '.xyz'; pass --format to force a format" in err
    assert "needs --format" in err and "needs --columns" in err
    assert "fmt=" not in err and "columns=" not in err

