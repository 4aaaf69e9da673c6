"""Loading in worker processes, in shards, and from the per-input cache gives one answer."""

from __future__ import annotations

import io as stdio
import json
import zipfile

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis import formats, units
from analysis.io import load_articles

CHROME = "Daily Bugle\nHome | World | Sport\nFollow us !\nLatest\n"


def _page(i: int) -> str:
    return (f"Story number {i} - Daily Bugle\n{CHROME}Story number {i}\n12.03.2024 10:{i:02d}\n"
            f"The council met on day {i} to discuss the new budget for roads and schools.\n"
            f"Members said the plan number {i} would be voted on next week after a debate.\n"
            "Reuters\nFollow us !\nLatest\nOther headline in the sidebar")


def _mixed_corpus(root):
    pages = root / "site"
    pages.mkdir(parents=True)
    for i in range(8):
        (pages / f"{i}.txt").write_text(_page(i), encoding="utf-8")
    lines = [json.dumps({"id": f"j{i}", "title": f"Export {i}", "published": "2024-03-01",
                         "text": f"Line {i} of the export about trade and tariffs " * 3})
             for i in range(40)]
    lines.insert(7, "{not json")
    lines.insert(20, "")
    (root / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "table.csv").write_text(
        'title,text,date\nA,"alpha body, about rain",2024-01-02\nB,"beta\nbody",2024-01-03\n'
        'C,only,two,many\n', encoding="utf-8")
    table = pa.table({"title": [f"P{i}" for i in range(10)],
                      "text": [f"parquet body {i} on energy prices" for i in range(10)]})
    pq.write_table(table, root / "rows.parquet", row_group_size=3)
    buffer = stdio.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.html", "<html><head><title>Zip page</title></head><body><article>"
                         "<p>A zipped article body about the harbour and ferries.</p>"
                         "</article></body></html>")
        archive.writestr("b.jsonl", '{"title": "Zipped line", "text": "zipped text"}\n')
    (root / "bundle.zip").write_bytes(buffer.getvalue())
    (root / "empty.txt").write_text("", encoding="utf-8")
    (root / "bad.parquet").write_bytes(b"PAR1 not really")
    return root


def _load(source, **kwargs):
    kwargs.setdefault("progress", False)
    return load_articles(source, return_manifest=True, **kwargs)


def _same(left, right):
    pd.testing.assert_frame_equal(left[0], right[0])
    pd.testing.assert_frame_equal(left[1], right[1])


def test_workers_and_shards_do_not_change_the_result(tmp_path, monkeypatch):
    root = _mixed_corpus(tmp_path / "in")
    one = _load(root, n_jobs=1, cache=False)
    monkeypatch.setattr(units, "SHARD_BYTES", 300)  # the export in many shards
    monkeypatch.setattr(units, "_BATCH_UNITS", 2)  # many tasks for the workers
    assert len(formats.jsonl_shards(root / "export.jsonl", shard_bytes=300)) > 5
    two = _load(root, n_jobs=2, cache=False)
    _same(one, two)
    manifest = one[1]
    # Every input accounted for, each export line and Parquet row on its own.
    assert manifest["path"].str.startswith(str(root / "export.jsonl:")).sum() == 41
    assert manifest["path"].str.startswith(str(root / "rows.parquet#")).sum() == 10
    assert (manifest["path"] == str(root / "bad.parquet")).sum() == 1
    assert set(manifest.loc[manifest["path"] == str(root / "empty.txt"), "status"]) == {"empty"}
    assert one[0]["article_id"].is_unique


def test_the_cache_reads_only_what_changed(tmp_path, monkeypatch):
    root = _mixed_corpus(tmp_path / "in")
    cache = tmp_path / "cache"
    first = _load(root, cache_dir=cache, n_jobs=1)
    loaded = []
    real = units._unit_outcomes

    def counting(unit, options):
        loaded.append(unit.path)
        return real(unit, options)

    monkeypatch.setattr(units, "_unit_outcomes", counting)
    (root / "more.jsonl").write_text('{"title": "New", "text": "a new day of news"}\n',
                                     encoding="utf-8")
    (root / "site" / "8.txt").write_text(_page(8), encoding="utf-8")
    second = _load(root, cache_dir=cache, n_jobs=1)
    # The new files are read; every other unit (other pages, whose chrome
    # did not change, export shards, row groups, archive members) comes
    # from the cache. Problem items cost nothing and are not cached.
    assert sorted(p for p in loaded if "bad.parquet" not in p and "empty.txt" not in p) == \
        sorted([str(root / "more.jsonl"), str(root / "site" / "8.txt")])
    fresh = _load(root, cache=False, n_jobs=1)
    _same(second, fresh)
    assert len(second[0]) == len(first[0]) + 2


def test_a_record_over_max_bytes_is_rejected_alone(tmp_path):
    path = tmp_path / "export.jsonl"
    big = json.dumps({"title": "Big", "text": "x" * 5000})
    path.write_text(f'{{"title": "A", "text": "a"}}\n{big}\n{{"title": "C", "text": "c"}}\n')
    articles, manifest = _load(path, max_bytes=1000, cache=False)
    assert articles["title"].tolist() == ["A", "C"]
    assert manifest.loc[1, "status"] == "rejected"
    assert "over the" in manifest.loc[1, "reason"] and manifest.loc[1, "path"] == f"{path}:2"


@pytest.mark.parametrize("n_jobs", [0, -1, 1.5, "2"])
def test_n_jobs_is_checked(tmp_path, n_jobs):
    with pytest.raises(ValueError, match="n_jobs must be a positive number"):
        load_articles(tmp_path, n_jobs=n_jobs)


@pytest.mark.corpus
@pytest.mark.parametrize("name, fmt", [("bbc-fulltext.tar.gz", "bbc"), ("textdumps", "auto")])
def test_real_corpora_same_with_two_processes(corpus, name, fmt):
    one = _load(corpus(name), fmt=fmt, n_jobs=1, cache=False)
    two = _load(corpus(name), fmt=fmt, n_jobs=2, cache=False)
    _same(one, two)
    assert len(one[0]) > 80


def _fail_on_three(x):
    if x == 3:
        raise RuntimeError("task 3 failed")
    return x


def test_ordered_map_keeps_order_and_raises_a_task_error():
    from analysis.parallel import ordered_map

    assert list(ordered_map(pow, [(i, 2) for i in range(20)], n_jobs=2)) == [
        i * i for i in range(20)]
    with pytest.raises(RuntimeError, match="task 3 failed"):
        list(ordered_map(_fail_on_three, [(i,) for i in range(50)], n_jobs=2))


def test_an_export_with_a_non_utf8_name_is_still_read_line_by_line(tmp_path):
    import os

    path = tmp_path / os.fsdecode(b"caf\xe9.jsonl")
    path.write_text('{"title": "A", "text": "a"}\n{"title": "' + "x" * 3000 + '"}\n')
    articles, manifest = _load(path, max_bytes=1000, cache=False)
    # max_bytes limits the long line, not the file: the first record loads.
    assert articles["title"].tolist() == ["A"]
    assert manifest["status"].tolist() == ["loaded", "rejected"]
    assert manifest.loc[1, "path"].endswith("caf\\xe9.jsonl:2")


def test_give_back_memory_returns_freed_heap_pages_to_the_system():
    import sys

    import psutil

    from analysis.parallel import give_back_memory

    if not sys.platform.startswith("linux"):
        pytest.skip("malloc_trim is glibc's")
    # 1 KB strings come from malloc's heap (not Python's small-object arenas);
    # one in a thousand stays alive, so the freed pages lie between live ones
    # and free() alone cannot shrink the heap.
    strings = [bytes([i % 251]) * 1024 for i in range(300_000)]
    kept = strings[::1000]
    del strings
    before = psutil.Process().memory_info().rss
    assert give_back_memory()
    after = psutil.Process().memory_info().rss
    assert before - after > 150 * 2**20, (before >> 20, after >> 20)
    assert len(kept) == 300


def _heap_kept_here(_):
    from analysis import parallel

    return parallel.heap_kept


@pytest.mark.parametrize("fresh", [False, True])
def test_worker_processes_keep_their_heap_and_the_caller_does_not(fresh):
    import ctypes.util

    from analysis import cluster, parallel

    flags = list(parallel.ordered_map(_heap_kept_here, [(i,) for i in range(4)], n_jobs=2,
                                      fresh=fresh))
    glibc = cluster._libc_mallopt() is not None and ctypes.util.find_library("c") is not None
    assert flags == [glibc] * 4
    assert parallel.heap_kept is False  # this process is the caller's: left as it was

