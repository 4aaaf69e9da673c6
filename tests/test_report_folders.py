"""The report root: its output marker, and no empty root left by a failed first version."""

from __future__ import annotations

import json

import pytest

from analysis import report
from analysis.report import OUTPUT_MARKER, build_report


def _corpus(folder):
    rows = [{"id": f"a{i}", "title": f"Item {i}", "published": f"2024-0{1 + i % 6}-1{i % 9}",
             "text": ("storm flood rain river coast" if i % 2 else "vote party ballot poll seat")
             + f" word{i}"} for i in range(16)]
    path = folder / "news.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_report_root_carries_the_output_marker(tmp_path, monkeypatch):
    # Nor does a report need the repository's notebooks/ (a pip-installed package has none).
    monkeypatch.setattr("analysis.config.NOTEBOOKS_DIR", tmp_path / "no-notebooks")
    page = build_report([str(_corpus(tmp_path))], out=tmp_path / "reports", title="Marked",
                        k=2, freq="M", progress=False, cache=False)
    root = page.parent.parent
    assert root == tmp_path / "reports" / "marked"
    assert "newsscope" in (root / OUTPUT_MARKER).read_text(encoding="utf-8")
    # The marker is no version and does not disturb the versions index.
    assert len(report.list_versions(root)) == 1


def test_failed_first_version_leaves_no_empty_report_folder(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "blank.txt").write_text("", encoding="utf-8")
    out = tmp_path / "new" / "reports"
    with pytest.raises(ValueError, match="no articles could be loaded"):
        build_report([str(empty)], out=out, title="Nothing", progress=False, cache=False)
    # Neither the root nor the folders this run made for it are left behind.
    assert not (tmp_path / "new").exists()


def test_failed_run_keeps_a_folder_it_did_not_make(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "reports"
    out.mkdir()
    with pytest.raises(ValueError):
        build_report([str(empty)], out=out, title="Nothing", progress=False, cache=False)
    assert out.is_dir() and list(out.iterdir()) == []


def test_failed_run_never_removes_a_root_with_versions(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    root = tmp_path / "reports" / "nothing"
    version = root / "2024-01-01-abcdef0123"
    version.mkdir(parents=True)
    (version / "manifest.json").write_text('{"title": "Nothing"}', encoding="utf-8")
    with pytest.raises(ValueError):
        build_report([str(empty)], out=tmp_path / "reports", title="Nothing", progress=False,
                     cache=False)
    assert (version / "manifest.json").is_file() and (root / OUTPUT_MARKER).is_file()
    assert not list(root.glob(".build-*"))
