"""The newsscope command line: ingest and overview (the full report: test_report_build.py)."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import stat
import time
import tomllib
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli, config, report
from analysis.cache import CacheWarning
from analysis.config import PROJ_ROOT, SAMPLE_DIR
from analysis.periods import UndatedArticlesWarning


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


# ------------------------------------------------------ report needs its notebook tools (item 15)

def test_report_names_missing_modules_before_loading(tmp_path, capsys, monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: (
        None if name in ("papermill", "nbconvert") else real_find_spec(name, *args)))
    monkeypatch.setattr(report, "build_report", _must_not_run)
    status = cli.main(["report", str(SAMPLE_DIR), "--out", str(tmp_path / "r"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1
    assert err.startswith("newsscope: error: report needs papermill, nbconvert (not installed")
    assert "pip install papermill nbconvert" in err


def test_report_tools_are_installed_with_newsscope_not_only_with_dev():
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    base = {re.split(r"[<>=!~\[ ;]", d)[0].lower() for d in project["project"]["dependencies"]}
    assert set(cli.REPORT_MODULES) | {"platformdirs"} <= base
    package_data = project["tool"]["setuptools"]["package-data"]["analysis"]
    assert "templates/*.ipynb" in package_data


def _must_not_run(*args, **kwargs):
    raise AssertionError("the command went on after a mistake it could see up front")


# ------------------------------------------------------ caches (item 16)

@pytest.mark.parametrize("option, name, value", [
    ([], "cache", True), (["--no-cache"], "cache", False),
    ([], "n_jobs", None), (["--jobs", "2"], "n_jobs", 2)])
def test_report_passes_cache_and_jobs_on(tmp_path, monkeypatch, option, name, value):
    seen = {}

    def fake_build_report(sources, **kwargs):
        seen.update(kwargs)
        page = tmp_path / "r" / "t" / "v" / "index.html"
        page.parent.mkdir(parents=True)
        return page

    monkeypatch.setattr(report, "build_report", fake_build_report)
    assert cli.main(["report", str(SAMPLE_DIR), "--out", str(tmp_path / "r"), *option]) == 0
    assert seen[name] == value and type(seen[name]) is type(value)


@pytest.mark.parametrize("category", [CacheWarning, UndatedArticlesWarning, FutureWarning])
def test_the_package_warnings_are_one_plain_line(tmp_path, capsys, monkeypatch, category):
    def warn_and_load(*args, **kwargs):
        warnings.warn("cannot use the cache folder /x (Read-only file system); loading "
                      "without a cache", category, stacklevel=2)
        # One article: a load that gives none is an error of its own.
        return pd.DataFrame({"title": ["t"]}), pd.DataFrame(
            {"path": ["a.txt"], "status": ["loaded"], "reason": [""]})

    monkeypatch.setattr(cli, "load_articles", warn_and_load)
    # Another library's warning keeps Python's form, which says where it comes from.
    with (pytest.warns(FutureWarning) if category is FutureWarning
          else contextlib.nullcontext()):
        assert cli.main(["ingest", str(SAMPLE_DIR), "--out", str(tmp_path / "a.parquet")]) == 0
    assert capsys.readouterr().err == ("" if category is FutureWarning else (
        "newsscope: warning: cannot use the cache folder /x (Read-only file system); "
        "loading without a cache\n"))


# ------------------------------------------------------ where outputs go (item 17)

def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("newsscope: error: ") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("command, out, says", [
    ("ingest", "folder", "is a folder; ingest writes one Parquet file, e.g. --out "),
    ("topics", "file", "is a file; topics writes a folder"),
    ("trends", "file", "is a file; trends writes a folder"),
    ("overview", "file", "is a file; overview writes a folder (newsscope-report.html in it) "
                         "or a .html file"),
    ("report", "file", "is a file; report writes a folder"),
    ("topics", "under a file", "is a file, not a folder"),
    ("ingest", "under a file", "is a file, not a folder"),
])
def test_an_out_of_the_wrong_kind_is_refused_before_loading(tmp_path, capsys, monkeypatch,
                                                            command, out, says):
    monkeypatch.setattr(cli, "load_articles", _must_not_run)
    monkeypatch.setattr(report, "build_report", _must_not_run)
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("someone's file", encoding="utf-8")
    target = tmp_path / ("file/x.parquet" if out == "under a file" else out)
    status = cli.main([command, str(SAMPLE_DIR), "--out", str(target), "--quiet"])
    assert status == 2 and says in _one_line_error(capsys)
    assert (tmp_path / "file").read_text(encoding="utf-8") == "someone's file"


def test_a_manifest_path_that_is_a_folder_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "load_articles", _must_not_run)
    status = cli.main(["ingest", str(SAMPLE_DIR), "--out", str(tmp_path / "a.parquet"),
                       "--manifest", str(tmp_path)])
    assert status == 2 and "--manifest" in _one_line_error(capsys)


@pytest.mark.parametrize("command", ["ingest", "topics", "overview"])
def test_a_read_only_out_is_a_write_failure_found_up_front(tmp_path, capsys, monkeypatch,
                                                            command):
    # Tests run as root here, where chmod does not stop a write: pretend instead.
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: (
        False if Path(path) == locked else real_access(path, mode, **kw)))
    monkeypatch.setattr(cli, "load_articles", _must_not_run)
    out = locked / ("a.parquet" if command == "ingest" else "out")
    status = cli.main([command, str(SAMPLE_DIR), "--out", str(out), "--quiet"])
    assert status == 1 and f"{locked} is not writable" in _one_line_error(capsys)


def test_a_write_that_fails_is_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    out = tmp_path / "articles.parquet"
    status = cli.main(["ingest", str(SAMPLE_DIR / "bakudaily"), "--out", str(out), "--no-cache",
                       "--quiet"])
    assert status == 1
    assert f"could not write {out}: Permission denied" in _one_line_error(capsys)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_outputs_follow_the_umask_like_any_file(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        cli._write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
        cli._write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.parquet")
    finally:
        os.umask(old)
    assert {stat.S_IMODE((tmp_path / n).stat().st_mode) for n in ("t.csv", "t.parquet")} == {mode}


def test_a_write_removes_what_interrupted_writes_of_that_output_left(tmp_path):
    def leftover(name: str, age: float) -> Path:
        path = tmp_path / name
        path.write_bytes(b"")
        os.utime(path, (time.time() - age,) * 2)
        return path

    stale = leftover(".t.csv.k3j_9x2a.tmp", 3600)
    running = leftover(".t.csv.0a1b2c3d.tmp", 5)  # another run writing t.csv right now
    other = leftover(".u.csv.k3j_9x2a.tmp", 3600)  # another output's business
    lookalike = leftover(".t.csv.notours.tmp", 3600)
    cli._write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    assert not stale.exists() and running.exists() and other.exists() and lookalike.exists()
    assert sorted(p.name for p in tmp_path.glob(".t.csv.*")) == [running.name, lookalike.name]


def test_ctrl_c_is_one_line_and_status_130(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "load_articles", interrupted)
    status = cli.main(["ingest", str(SAMPLE_DIR), "--out", str(tmp_path / "a.parquet")])
    assert status == 130 and capsys.readouterr().err == "newsscope: interrupted\n"


def test_ctrl_c_while_writing_leaves_no_temporary_file(tmp_path, capsys, monkeypatch):
    def interrupted(self, path, **kwargs):
        Path(path).write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_parquet", interrupted)
    status = cli.main(["ingest", str(SAMPLE_DIR / "bakudaily"), "--out",
                       str(tmp_path / "a.parquet"), "--no-cache", "--quiet"])
    assert status == 130 and list(tmp_path.iterdir()) == []


def test_table_folders_are_marked_as_output(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["trends", str(story_export(tmp_path)), "--columns",
                     "text=story,published=when", "--out", str(out), "--quiet"]) == 0
    assert (out / cli.OUTPUT_MARKER).is_file()
    assert capsys.readouterr().err == ""


def test_a_folder_of_other_files_is_not_marked(tmp_path, capsys):
    # Marking the user's own folder would hide its files from every later load.
    export = story_export(tmp_path)
    status = cli.main(["trends", str(export), "--columns", "text=story,published=when",
                       "--out", str(tmp_path), "--quiet"])
    assert status == 0 and not (tmp_path / cli.OUTPUT_MARKER).exists()
    err = capsys.readouterr().err
    assert err.startswith("newsscope: warning: ") and "export.csv" in err


# ------------------------------------------------------ why inputs were rejected (item 18)

@pytest.fixture
def mixed_inputs(tmp_path) -> Path:
    folder = tmp_path / "in"
    (folder / "deep").mkdir(parents=True)
    (folder / "a.xyz").write_text("not an article", encoding="utf-8")
    (folder / "b.xyz").write_text("not one either", encoding="utf-8")
    (folder / "deep" / "big.html").write_bytes(b" " * 3_000_000)
    story_export(folder)
    return folder


def test_rejection_reasons_are_printed_in_command_line_words(mixed_inputs, tmp_path, capsys):
    status = cli.main(["ingest", str(mixed_inputs), "--columns", "text=story,published=when",
                       "--max-bytes", "2MB", "--out", str(tmp_path / "a.parquet"),
                       "--no-cache", "--quiet"])
    out = capsys.readouterr().out
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "15 input items: 12 loaded, 3 rejected"
    assert lines[1] == (f"  2 rejected, e.g. {mixed_inputs / 'a.xyz'}: unsupported file type "
                        "'.xyz'; pass --format to force a format")
    assert lines[2] == (f"  1 rejected, e.g. {mixed_inputs / 'deep' / 'big.html'}: file is "
                        "2.86 MiB, over the 1.91 MiB limit (--max-bytes)")
    assert "max_bytes" not in out and "fmt=" not in out


def test_the_size_limit_defaults_to_config(mixed_inputs, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(config, "MAX_FILE_BYTES", 1_000_000)
    assert cli.main(["overview", str(mixed_inputs / "deep"), "--out", str(tmp_path),
                     "--no-cache", "--quiet"]) == 0
    assert "over the 0.95 MiB limit (--max-bytes)" in capsys.readouterr().out


def test_topics_and_trends_print_what_they_loaded(mixed_inputs, tmp_path, capsys):
    status = cli.main(["trends", str(mixed_inputs), "--columns", "text=story,published=when",
                       "--max-bytes", "2.5MiB", "--out", str(tmp_path / "out"), "--quiet"])
    out = capsys.readouterr().out
    assert status == 0
    assert out.splitlines()[:2] == [
        "15 input items: 12 loaded, 3 rejected",
        f"  2 rejected, e.g. {mixed_inputs / 'a.xyz'}: unsupported file type '.xyz'; pass "
        "--format to force a format"]
    assert "(--max-bytes)" in out


def test_only_the_five_commonest_reasons_are_listed():
    manifest = pd.DataFrame({"path": [f"f{i}.{i}x" for i in range(8)], "status": "rejected",
                             "reason": [f"reason {chr(97 + i)}" for i in range(8)]})
    lines = cli.rejection_lines(manifest)
    assert len(lines) == 6 and lines[-1] == "  3 more rejected for 3 other reasons"
    assert cli.rejection_lines(manifest.assign(status="loaded")) == []


@pytest.mark.parametrize("text, size", [("50MB", 50_000_000), ("200MiB", 200 * 2**20),
                                        ("1234", 1234), ("2 kb", 2000), ("0.5GiB", 2**29)])
def test_max_bytes_takes_sizes_with_units(text, size):
    assert cli.parse_size(text) == size


@pytest.mark.parametrize("text", ["50M", "fifty", "-3", "0", "1.5.2MB", ""])
def test_a_bad_max_bytes_is_a_one_line_error(tmp_path, capsys, monkeypatch, text):
    monkeypatch.setattr(cli, "load_articles", _must_not_run)
    status = cli.main(["ingest", str(SAMPLE_DIR), "--max-bytes", text, "--out",
                       str(tmp_path / "a.parquet")])
    assert status == 2 and "--max-bytes" in _one_line_error(capsys)


# ------------------------------------------------------ processes: --jobs

def jsonl_corpus(folder: Path, n_files: int = 4, per_file: int = 3) -> Path:
    """A few small JSON-lines files, so that a load has several files to share out."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(n_files):
        subject = list(SUBJECTS)[f % 2]
        lines = [f'{{"title": "{subject} story {f}-{i}", "published": "2024-0{1 + i}-1{f}", '
                 f'"text": "{SUBJECTS[subject]} day {f} item {i}."}}' for i in range(per_file)]
        (folder / f"part-{f}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_any_number_of_jobs_ingests_the_same_table(tmp_path, capsys):
    corpus = jsonl_corpus(tmp_path / "in")
    tables = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs-{jobs}.parquet"
        status = cli.main(["ingest", str(corpus), "--jobs", jobs, "--out", str(out),
                           "--no-cache", "--quiet"])
        assert status == 0, capsys.readouterr().err
        tables.append(pd.read_parquet(out))
    assert len(tables[0]) == 12
    pd.testing.assert_frame_equal(tables[0], tables[1])


@pytest.mark.parametrize("command", ["ingest", "overview", "report", "topics", "trends"])
def test_every_loading_subcommand_takes_jobs(command):
    parser = cli.build_parser()
    assert parser.parse_args([command, "x.csv", "--out", "o", "--jobs", "3"]).jobs == 3
    assert parser.parse_args([command, "x.csv", "--out", "o"]).jobs is None


@pytest.mark.parametrize("text", ["0", "-2", "two", "1.5", ""])
def test_jobs_must_be_a_positive_whole_number(tmp_path, capsys, monkeypatch, text):
    monkeypatch.setattr(cli, "load_articles", _must_not_run)
    with pytest.raises(SystemExit) as exited:
        cli.main(["ingest", str(SAMPLE_DIR), "--jobs", text, "--out", str(tmp_path / "a.parquet")])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and err.startswith("usage: newsscope ingest")
    assert f"argument --jobs: takes a positive number of processes, e.g. --jobs 4, not {text!r}" \
        in err


@pytest.mark.parametrize("command", ["topics", "trends"])
def test_topics_and_trends_pass_jobs_to_the_loader(tmp_path, monkeypatch, command):
    seen = {}

    def fake_load(*args, **kwargs):
        seen.update(kwargs)
        raise ValueError("stop here")

    monkeypatch.setattr(cli, "load_articles", fake_load)
    assert cli.main([command, str(SAMPLE_DIR), "--out", str(tmp_path / "o"), "--jobs", "2",
                     "--quiet"]) == 2
    assert seen["n_jobs"] == 2


# ------------------------------------------------------ nothing loaded: say why

@pytest.fixture
def unloadable(tmp_path) -> Path:
    """One file over a 10-byte --max-bytes and one empty file: nothing loads."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "big.txt").write_text("A story far longer than ten bytes.\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def _unloadable_lines(folder: Path) -> list[str]:
    return [f"  1 empty, e.g. {folder / 'empty.txt'}: empty file",
            f"  1 rejected, e.g. {folder / 'big.txt'}: file is 35 bytes, over the 10-byte "
            "limit (--max-bytes)"]


@pytest.mark.parametrize("command", ["ingest", "report", "topics", "trends"])
def test_nothing_loaded_lists_each_reason_and_path(unloadable, tmp_path, capsys, command):
    out = tmp_path / ("out.parquet" if command == "ingest" else "out")
    status = cli.main([command, str(unloadable), "--max-bytes", "10", "--out", str(out),
                       "--quiet", *(["--no-cache"] if command == "ingest" else [])])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert captured.err.startswith("newsscope: error: no articles could be loaded from")
    lines = captured.out.splitlines()
    assert lines[0] == "2 input items: 1 empty, 1 rejected"
    assert sorted(lines[1:]) == _unloadable_lines(unloadable)
    assert not out.exists()


def test_an_overview_of_nothing_loaded_is_written_and_says_why(unloadable, tmp_path, capsys):
    # The overview's page accounts for every item, so it is worth writing even then.
    status = cli.main(["overview", str(unloadable), "--max-bytes", "10", "--out",
                       str(tmp_path / "out"), "--quiet", "--no-cache"])
    lines = capsys.readouterr().out.splitlines()
    assert status == 0 and (tmp_path / "out" / cli.REPORT_NAME).is_file()
    assert lines[0] == "2 input items: 1 empty, 1 rejected"
    assert sorted(lines[1:3]) == _unloadable_lines(unloadable)


def test_nothing_in_the_sources_is_one_line(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    status = cli.main(["topics", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "--quiet"])
    captured = capsys.readouterr()
    assert status == 2 and captured.out == ""
    assert captured.err == f"newsscope: error: no input items in {tmp_path / 'in'} (names " \
                           "starting with . are skipped)\n"
