"""Versioned reports: folder layout, determinism, what changed, atomicity, the page in a browser."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis import cli, report
from analysis.config import SAMPLE_DIR
from analysis.report import build_report, input_fingerprint, list_versions, slugify
from tests.test_cli import bbc_layout, story_export

SAMPLE_OPTIONS = {"title": "Sample corpus", "freq": "M", "since": "2023-01-01",
                  "tz": "Asia/Baku", "progress": False}
TABLES = {"articles.csv", "manifest.csv", "topics.csv", "doc_topics.csv", "topic_trends.csv",
          "term_trends.csv", "bursts.csv", "rising_terms.csv", "k_selection.csv"}
SCRIPT_TITLE = "<script>alert(1)</script>"
IMG_TITLE = "<img src=x onerror=alert(1)>"


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def sample_reports(tmp_path_factory):
    """Two versions of the sample report (the second with other k), and a rerun elsewhere."""
    out = tmp_path_factory.mktemp("reports")
    first = build_report([str(SAMPLE_DIR)], out=out, **SAMPLE_OPTIONS)
    second = build_report([str(SAMPLE_DIR)], out=out, k=7, **SAMPLE_OPTIONS)
    again = build_report([str(SAMPLE_DIR)], out=tmp_path_factory.mktemp("again"),
                         **SAMPLE_OPTIONS)
    # Rebuilding the first version replaces it and keeps its comparison (none),
    # although a newer version now exists.
    rebuilt = build_report([str(SAMPLE_DIR)], out=out, **SAMPLE_OPTIONS)
    return {"out": out, "first": first.parent, "second": second.parent, "again": again.parent,
            "rebuilt": rebuilt.parent}


def test_version_folder_holds_page_tables_notebook_and_manifest(sample_reports):
    version = sample_reports["first"]
    assert version.parent.name == "sample-corpus"
    day, fingerprint = version.name[:10], version.name[11:]
    assert pd.Timestamp(day) and len(fingerprint) == 10
    assert {p.name for p in (version / "tables").iterdir()} == TABLES
    assert (version / "report.ipynb").is_file() and (version / "index.html").is_file()
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["fingerprint"] == fingerprint and manifest["version"]
    assert manifest["parameters"]["freq"] == "M" and manifest["parameters"]["k"] == "auto"
    assert manifest["counts"]["items"] == 87 and manifest["counts"]["articles"] == 82
    assert set(manifest["tables"]) == TABLES
    assert not list(version.parent.glob(".build-*"))
    assert os.stat(version / "index.html").st_mode & 0o044  # readable by others: shareable


def test_tables_account_for_every_article_and_item(sample_reports):
    tables = sample_reports["first"] / "tables"
    articles = pd.read_csv(tables / "articles.csv")
    manifest = pd.read_csv(tables / "manifest.csv")
    topics = pd.read_csv(tables / "topics.csv")
    assert len(articles) == 82 and articles["article_id"].is_unique
    assert len(manifest) == 87
    assert set(articles["topic_id"]) == set(topics["topic_id"])
    assert topics["size"].sum() == len(articles)
    assert (topics["headlines"].str.count(r" \| ") == 2).all()  # three headlines each


def test_same_input_gives_byte_identical_tables_and_topic_ids(sample_reports):
    first, again = sample_reports["first"], sample_reports["again"]
    assert first.name == again.name  # same fingerprint
    for table in TABLES:
        assert (first / "tables" / table).read_bytes() == (again / "tables" / table).read_bytes()


def test_rebuilding_a_version_keeps_its_comparison_and_tables(sample_reports):
    rebuilt, again = sample_reports["rebuilt"], sample_reports["again"]
    assert rebuilt == sample_reports["first"]
    assert not (rebuilt / "tables" / "topic_changes.csv").exists()
    assert json.loads((rebuilt / "manifest.json").read_text(encoding="utf-8"))["previous"] is None
    for table in TABLES:
        assert (rebuilt / "tables" / table).read_bytes() == (again / "tables" / table).read_bytes()
    # No build or swap folder is left; the output marker is meant to stay.
    assert [p.name for p in rebuilt.parent.iterdir() if p.name.startswith(".")] == [
        report.OUTPUT_MARKER]


def test_paths_in_tables_are_relative_to_the_sources(sample_reports):
    manifest = pd.read_csv(sample_reports["first"] / "tables" / "manifest.csv")
    assert manifest["path"].str.startswith("sample/").all()
    page = (sample_reports["first"] / "index.html").read_text(encoding="utf-8")
    assert str(SAMPLE_DIR) not in page


def test_shipped_notebook_does_not_point_at_the_deleted_handoff(sample_reports):
    notebook = (sample_reports["first"] / "report.ipynb").read_text(encoding="utf-8")
    assert ".report-data.pkl" not in notebook and "data_file = None" in notebook


def test_undated_corpus_still_gets_topics_and_summary(tmp_path):
    rows = [{"id": f"u{i}", "title": f"Item {i}",
             "text": ("storm flood rain river coast" if i % 2 else "vote party ballot poll seat")
             + f" word{i}"} for i in range(16)]
    source = tmp_path / "undated.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    page = build_report([str(source)], out=tmp_path / "reports", k=2, progress=False)
    text = page.read_text(encoding="utf-8")
    assert "no dated articles: no time charts" in text
    assert "No dated articles: nothing to compare." in text
    assert "No dated articles: bursts need publication dates." in text
    assert "attention to every tracked term was steady" not in text
    assert pd.read_csv(page.parent / "tables" / "topics.csv")["size"].sum() == 16


def test_second_version_says_what_changed(sample_reports):
    first, second = sample_reports["first"], sample_reports["second"]
    assert first.name != second.name
    changes = pd.read_csv(second / "tables" / "topic_changes.csv")
    assert set(changes["status"]) <= {"new", "grown", "shrunk", "stable", "gone"}
    before = pd.read_csv(first / "tables" / "topics.csv")
    gone = changes.loc[changes["status"] == "gone", "topic_id"]
    assert set(gone) <= set(before["topic_id"])
    page = (second / "index.html").read_text(encoding="utf-8")
    assert f"Compared with version <b>{first.name}</b>" in page
    assert "first version of this report" in (first / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["previous"] == first.name


def test_versions_index_lists_every_version(sample_reports):
    root = sample_reports["first"].parent
    page = (root / "index.html").read_text(encoding="utf-8")
    for version in (sample_reports["first"], sample_reports["second"]):
        assert f'href="{version.name}/index.html"' in page
    assert f"<td>sample</td><td>{sample_reports['first'].name}</td>" in page  # the comparison
    # Newest first: the rebuilt first version was created last.
    assert list_versions(root)["name"].tolist() == [sample_reports["first"].name,
                                                    sample_reports["second"].name]


def test_page_is_self_contained_with_a_content_security_policy(sample_reports):
    page = (sample_reports["first"] / "index.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "http://" not in page and "https://" not in page
    assert page.count("<script") == 1  # the table sorter, pinned by hash in the CSP
    assert page.count('src="data:image/png;base64,') >= 8
    assert 'alt="Heat map: share of each source&#39;s articles in each topic"' in page \
        or "alt=\"Heat map: share of each source's articles in each topic\"" in page
    assert "print(" not in page and "compute_report_data" not in page  # no code cells


def test_fingerprint_follows_contents_not_paths(tmp_path):
    shutil.copytree(SAMPLE_DIR / "bakudaily", tmp_path / "a")
    shutil.copytree(SAMPLE_DIR / "bakudaily", tmp_path / "b")
    params = {"freq": "W"}
    assert input_fingerprint([str(tmp_path / "a")], params) == \
        input_fingerprint([str(tmp_path / "b")], params)
    assert input_fingerprint([str(tmp_path / "a")], params) != \
        input_fingerprint([str(tmp_path / "a")], {"freq": "M"})
    page = next((tmp_path / "b").iterdir())
    page.write_bytes(page.read_bytes() + b"\n")
    assert input_fingerprint([str(tmp_path / "a")], params) != \
        input_fingerprint([str(tmp_path / "b")], params)


def test_slug_is_folder_safe():
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("Şəki: ölkə") == "seki-olke"
    assert slugify("***") == "report"


def test_failed_run_leaves_earlier_versions_untouched(sample_reports, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    shutil.copytree(sample_reports["first"].parent, out / "sample-corpus")
    before = _tree_digest(out)
    monkeypatch.chdir(tmp_path)  # a relative --out, as `make report` gives, must work too

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("analysis.report_html.notebook_to_html", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build_report([str(SAMPLE_DIR)], out="reports", k=5, **SAMPLE_OPTIONS)
    assert _tree_digest(out) == before
    assert not list((out / "sample-corpus").glob(".build-*"))


def test_killed_run_leaves_earlier_versions_untouched(sample_reports, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(sample_reports["first"].parent, out / "sample-corpus")
    before = _tree_digest(out)
    command = [sys.executable, "-m", "analysis.cli", "report", str(SAMPLE_DIR), "--out", str(out),
               "--title", "Sample corpus", "--freq", "M", "--k", "4", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        # Kill once the run has started writing its version: tables are there.
        while not list((out / "sample-corpus").glob(".build-*/tables/*.csv")):
            assert process.poll() is None, "the report finished before it could be killed"
            assert time.monotonic() < deadline, "the report never started writing"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    leftovers = list((out / "sample-corpus").glob(".build-*"))
    assert leftovers, "the killed run should have left its hidden build folder"
    for leftover in leftovers:  # the only trace, ignored by readers and swept by the next run
        shutil.rmtree(leftover)
    assert _tree_digest(out) == before
    assert sorted(list_versions(out / "sample-corpus")["name"]) == \
        sorted([sample_reports["first"].name, sample_reports["second"].name])


def test_abandoned_build_folders_are_swept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = report._host()
    (tmp_path / f".build-{host}-{dead.pid}-abc").mkdir()
    (tmp_path / f".build-{host}-{os.getpid()}-def").mkdir()  # a running build
    (tmp_path / f".build-otherhost-{dead.pid}-ghi").mkdir()  # maybe running elsewhere
    (tmp_path / f".old-{host}-{dead.pid}-2024-01-01-abc").mkdir()  # died mid-swap
    (tmp_path / f".old-{host}-{dead.pid}-2024-01-02-abc").mkdir()  # swap had finished
    (tmp_path / "2024-01-02-abc").mkdir()
    report._remove_abandoned_builds(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".build-otherhost-" + f"{dead.pid}-ghi", f".build-{host}-{os.getpid()}-def",
        "2024-01-01-abc", "2024-01-02-abc"]


def test_failed_swap_puts_the_old_version_back(tmp_path, monkeypatch):
    target, build = tmp_path / "v1", tmp_path / ".build-x"
    target.mkdir()
    (target / "index.html").write_text("old", encoding="utf-8")
    build.mkdir()
    real_rename, calls = os.rename, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("device busy")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", flaky)
    with pytest.raises(OSError, match="device busy"):
        report._move_into_place(build, target)
    assert (target / "index.html").read_text(encoding="utf-8") == "old"


def test_cli_report_prints_paths_and_rejects_missing_input(tmp_path, capsys):
    status = cli.main(["report", str(tmp_path / "nowhere"), "--out", str(tmp_path), "--quiet"])
    assert status == 2
    assert "input not found" in capsys.readouterr().err
    assert not list(tmp_path.rglob("index.html"))


# ------------------------------------------------------------------- hostile input, in a browser

def _hostile_corpus(folder: Path) -> Path:
    subjects = {
        "storm": "storm flood rain river evacuation weather warning coast damage",
        "vote": "election vote parliament party ballot campaign candidate poll turnout",
    }
    rows = []
    for i in range(24):
        subject = "storm" if i % 2 else "vote"
        title = {0: SCRIPT_TITLE, 1: IMG_TITLE}.get(i, f"{subject.title()} report number {i}")
        rows.append({"id": f"h{i:02d}", "title": title,
                     "source": '<b onmouseover="alert(2)">Evil Wire</b>' if i < 4 else "Wire",
                     "published": f"2024-0{1 + i % 6}-{10 + i % 9}" if i > 1 else "2024-07-01",
                     "text": f"{subjects[subject]} {subjects[subject].split()[i % 9]} "
                             f"day {i}. {SCRIPT_TITLE if i == 2 else ''} more {subject} news."})
    path = folder / "hostile.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    source = _hostile_corpus(folder)
    return build_report([str(source)], out=folder / "reports", title="Hostile <b>titles</b>",
                        freq="M", k=2, progress=False)


def test_hostile_titles_are_escaped_in_the_html(hostile_page):
    page = hostile_page.read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b onmouseover" not in page and "<b>titles</b>" not in page


DOM_CHECKS = {
    "title": "document.querySelector('h1') && document.querySelector('h1').textContent",
    "topics_rows": "document.querySelectorAll('table.topics tbody tr').length",
    "charts": "Array.from(document.images).filter(i => i.src.startsWith('data:image/png')"
              " && i.naturalWidth > 100).length",
    "text": "document.body.innerText",
    "hostile_elements": "document.querySelectorAll('img[src=\"x\"], b[onmouseover],"
                        " main script, td script, li script').length",
    "scripts": "document.scripts.length",
    # Clicking a header runs the (CSP-pinned) sorter: ascending, then descending.
    "sorted_dates": "(() => { const t = document.querySelector('table.articles');"
                    " t.tHead.rows[0].cells[0].click(); return Array.from(t.tBodies[0].rows,"
                    " r => r.cells[0].textContent); })()",
    "sorted_sizes": "(() => { const t = document.querySelector('table.topics');"
                    " const th = t.tHead.rows[0].cells[2]; const first = () =>"
                    " Number(t.tBodies[0].rows[0].cells[2].textContent); th.click();"
                    " const up = first(); th.click(); return [up, first()]; })()",
}


def test_page_in_a_headless_browser(chromium, hostile_page, sample_reports, tmp_path):
    from tests.browser import inspect_page

    for page in (hostile_page, sample_reports["second"] / "index.html"):
        shot = tmp_path / f"{page.parent.parent.name}.png"
        result = inspect_page(page, screenshot=shot, js_checks=DOM_CHECKS)
        assert result.external == [] and result.failed == []
        assert result.errors == [] and result.dialogs == []
        assert shot.stat().st_size > 10_000 and shot.read_bytes()[:4] == b"\x89PNG"
        assert result.checks["topics_rows"] >= 2 and result.checks["charts"] >= 8
        assert result.checks["hostile_elements"] == 0 and result.checks["scripts"] == 1
        smallest, largest = result.checks["sorted_sizes"]
        assert smallest <= largest
    text = result.checks["text"]
    dates = result.checks["sorted_dates"]  # the newest-articles table, sorted by date
    assert len(set(dates)) > 5 and dates == sorted(dates)
    smallest, largest = result.checks["sorted_sizes"]  # the sample's topics differ in size
    assert smallest < largest
    assert result.checks["title"] == "Sample corpus" and "What changed" in text
    hostile = inspect_page(hostile_page, js_checks=DOM_CHECKS)
    assert hostile.checks["title"] == "Hostile <b>titles</b>"
    assert SCRIPT_TITLE in hostile.checks["text"] and IMG_TITLE in hostile.checks["text"]
    assert '<b onmouseover="alert(2)">Evil Wire</b>' in hostile.checks["text"]


def test_versions_index_in_a_headless_browser(chromium, sample_reports):
    from tests.browser import inspect_page

    result = inspect_page(sample_reports["first"].parent / "index.html",
                          js_checks={"links": "document.querySelectorAll('a').length"})
    assert result.errors == [] and result.external == [] and result.checks["links"] == 2


def test_notebook_failure_is_a_clear_error_and_keeps_earlier_versions(
        sample_reports, tmp_path, monkeypatch, capsys):
    out = tmp_path / "reports"
    shutil.copytree(sample_reports["first"].parent, out / "sample-corpus")
    before = _tree_digest(out)
    broken = tmp_path / "broken.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("data_file = None", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("raise RuntimeError('chart library missing')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, broken)
    monkeypatch.setattr(report, "report_template", lambda: broken)
    status = cli.main(["report", str(SAMPLE_DIR), "--out", str(out), "--title", "Sample corpus",
                       "--freq", "M", "--k", "6", "--quiet"])
    assert status == 1
    assert "report notebook failed" in capsys.readouterr().err
    assert _tree_digest(out) == before


# ------------------------------------------------------ how sources are read: --format, --columns

def test_cli_report_reads_a_forced_format(tmp_path, capsys):
    # BBC News is never detected: before --format, a report needed an `ingest` detour.
    out = tmp_path / "reports"
    status = cli.main(["report", str(bbc_layout(tmp_path)), "--format", "bbc", "--k", "2",
                       "--out", str(out), "--title", "BBC", "--quiet"])
    assert status == 0, capsys.readouterr().err
    version = next((out / "bbc").glob("20*"))
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["fmt"] == "bbc" and manifest["parameters"]["columns"] == {}
    articles = pd.read_csv(version / "tables" / "articles.csv")
    assert len(articles) == 8 and set(articles["source"]) == {"BBC News"}
    assert set(pd.read_csv(version / "tables" / "manifest.csv")["format"]) == {"bbc"}


def test_cli_report_maps_export_columns(tmp_path, capsys):
    out = tmp_path / "reports"
    status = cli.main(["report", str(story_export(tmp_path)), "--format", "csv",
                       "--columns", "text=story,published=when", "--k", "2", "--freq", "M",
                       "--out", str(out), "--title", "Stories", "--quiet"])
    assert status == 0, capsys.readouterr().err
    version = next((out / "stories").glob("20*"))
    parameters = json.loads((version / "manifest.json").read_text(encoding="utf-8"))["parameters"]
    assert parameters["fmt"] == "csv"
    assert parameters["columns"] == {"text": "story", "published": "when"}
    articles = pd.read_csv(version / "tables" / "articles.csv")
    assert len(articles) == 12 and (articles["n_words"] > 5).all()
    assert articles["published"].str.startswith("2024-0").all()  # the mapped date column
    # The shipped notebook re-runs from its sources, so it keeps how they were read.
    ran = nbformat.read(version / "report.ipynb", as_version=4).metadata["papermill"]
    assert ran["parameters"]["fmt"] == "csv"
    assert ran["parameters"]["columns"] == {"text": "story", "published": "when"}


def test_format_and_columns_are_part_of_the_fingerprint(tmp_path, monkeypatch):
    source = story_export(tmp_path)
    seen = []

    def fingerprint_then_stop(sources, params):
        seen.append(input_fingerprint(sources, params))
        raise RuntimeError("fingerprinted")

    monkeypatch.setattr(report, "input_fingerprint", fingerprint_then_stop)
    for options in ({}, {"fmt": "csv"}, {"fmt": "csv", "columns": {"text": "story"}},
                    {"fmt": "csv", "columns": {"text": "headline"}}):
        with pytest.raises(RuntimeError, match="fingerprinted"):
            build_report([str(source)], out=tmp_path / "reports", progress=False, **options)
    assert len(set(seen)) == 4


def test_shipped_notebook_holds_relative_paths_that_resolve(sample_reports):
    # Issue 11, item 14: the shipped report.ipynb held the absolute paths of the inputs and
    # of the previous version; relative to the version folder, they still find them.
    import nbformat

    version = sample_reports["second"]
    raw = (version / "report.ipynb").read_text(encoding="utf-8")
    for absolute in (SAMPLE_DIR, version.parent):
        for quote in ("'", '"'):
            assert f"{quote}{absolute}" not in raw  # no parameter starts with an absolute path
    params = nbformat.reads(raw, as_version=4).metadata["papermill"]["parameters"]
    assert not any(os.path.isabs(s) for s in params["sources"] + [params["previous"]])
    assert [(version / s).resolve() for s in params["sources"]] == [SAMPLE_DIR.resolve()]
    assert (version / params["previous"]).resolve() == sample_reports["first"].resolve()


def test_jobs_are_no_part_of_the_fingerprint(tmp_path, monkeypatch):
    # Any number of processes gives the same report, so it must not make a new version.
    source = story_export(tmp_path)
    seen = []

    def fingerprint_then_stop(sources, params):
        seen.append((input_fingerprint(sources, params), params))
        raise RuntimeError("fingerprinted")

    monkeypatch.setattr(report, "input_fingerprint", fingerprint_then_stop)
    for n_jobs in (None, 1, 2):
        with pytest.raises(RuntimeError, match="fingerprinted"):
            build_report([str(source)], out=tmp_path / "reports", progress=False, n_jobs=n_jobs)
    assert len({fingerprint for fingerprint, _ in seen}) == 1
    assert not any("jobs" in key for _, params in seen for key in params)
