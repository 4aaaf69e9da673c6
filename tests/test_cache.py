"""Load caches: a usable folder or none (with a warning), and pruning (issue 11 item 16)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from analysis import cache, config
from analysis.cache import CacheWarning, prune_cache, usable_cache_dir

HOUR, DAY = 3600, 86400


def _age(path: Path, seconds: float) -> Path:
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))
    return path


def _entry(root: Path, name: str, age: float) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "articles.parquet").write_bytes(b"x")
    _age(folder / "articles.parquet", age)
    return _age(folder, age)


# ------------------------------------------------------------------------------ the folder

def test_a_writable_folder_is_created_and_used(tmp_path):
    assert usable_cache_dir(tmp_path / "a" / "cache") == tmp_path / "a" / "cache"
    assert (tmp_path / "a" / "cache").is_dir()


def test_the_default_folder_comes_from_config(monkeypatch, tmp_path):
    monkeypatch.setenv(config.CACHE_DIR_ENV, str(tmp_path / "env"))
    assert usable_cache_dir() == tmp_path / "env"


def test_a_folder_that_cannot_be_made_means_no_cache_and_a_warning(tmp_path):
    (tmp_path / "file").write_text("in the way", encoding="utf-8")
    with pytest.warns(CacheWarning, match="loading without a cache"):
        assert usable_cache_dir(tmp_path / "file" / "cache") is None


def test_a_read_only_default_folder_means_no_cache_and_names_the_variable(monkeypatch,
                                                                          tmp_path):
    # A system-wide install run by a user: ingest raised PermissionError here.
    folder = tmp_path / "cache"
    monkeypatch.setenv(config.CACHE_DIR_ENV, str(folder))
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: (
        False if Path(path) == folder else real_access(path, mode, **kw)))
    with pytest.warns(CacheWarning, match=f"{folder} .not writable.*{config.CACHE_DIR_ENV}"):
        assert usable_cache_dir() is None


def test_mark_used_ignores_a_read_only_cache(tmp_path):
    cache.mark_used(tmp_path / "gone")  # no error
    entry = _entry(tmp_path, "articles-a", 10 * DAY)
    cache.mark_used(entry)
    assert entry.stat().st_mtime > time.time() - 60


# ------------------------------------------------------------------------------ pruning

def test_prune_keeps_the_most_recently_used_entries(tmp_path):
    for i in range(5):
        _entry(tmp_path, f"articles-{i}", age=i * HOUR)
    removed = prune_cache(tmp_path, max_entries=3)
    assert [p.name for p in removed] == ["articles-4", "articles-3"]  # oldest first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles-0", "articles-1", "articles-2"]


def test_prune_removes_entries_unused_for_too_long(tmp_path):
    _entry(tmp_path, "articles-fresh", age=HOUR)
    _entry(tmp_path, "articles-stale", age=40 * DAY)
    assert [p.name for p in prune_cache(tmp_path)] == ["articles-stale"]
    assert [p.name for p in prune_cache(tmp_path, max_age_days=1 / 48)] == ["articles-fresh"]


def test_prune_removes_abandoned_temporary_folders_only(tmp_path):
    dead = _entry(tmp_path, ".tmp-dead", age=2 * HOUR)
    live = _entry(tmp_path, ".tmp-live", age=2 * HOUR)
    (live / "manifest.parquet").write_bytes(b"being written")  # a write in progress
    young = _entry(tmp_path, ".tmp-young", age=60)
    assert prune_cache(tmp_path) == [dead]
    assert live.exists() and young.exists()


def test_prune_leaves_everything_else_alone(tmp_path):
    # The folder may be one the user named in NEWSSCOPE_CACHE_DIR.
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    _entry(tmp_path, "project", age=400 * DAY)
    (tmp_path / "articles-file").write_text("not an entry", encoding="utf-8")
    _age(tmp_path / "articles-file", 400 * DAY)
    assert prune_cache(tmp_path, max_entries=1) == []
    assert len(list(tmp_path.iterdir())) == 3


def test_prune_of_a_missing_folder_does_nothing(tmp_path):
    assert prune_cache(tmp_path / "never-written") == []


@pytest.mark.parametrize("options", [{"max_entries": 0}, {"max_entries": 2.5},
                                     {"max_entries": True}, {"max_age_days": 0}])
def test_prune_refuses_limits_that_would_empty_the_cache(tmp_path, options):
    with pytest.raises(ValueError, match=next(iter(options))):
        prune_cache(tmp_path, **options)
