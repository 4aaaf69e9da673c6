"""Where newsscope keeps its load caches: analysis.config.cache_dir (issue 11 item 16)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis import config


@pytest.fixture
def no_cache_env(monkeypatch):
    monkeypatch.delenv(config.CACHE_DIR_ENV, raising=False)


def _pyproject(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n', encoding="utf-8")
    return folder


def test_the_environment_variable_wins(monkeypatch, tmp_path):
    monkeypatch.setenv(config.CACHE_DIR_ENV, str(tmp_path / "mine"))
    assert config.cache_dir() == tmp_path / "mine"


def test_an_empty_environment_variable_is_unset(monkeypatch):
    monkeypatch.setenv(config.CACHE_DIR_ENV, "")
    assert config.cache_dir() == config.PROCESSED_DATA_DIR / "cache"  # this checkout


def test_a_writable_checkout_keeps_its_cache_in_data_processed(no_cache_env, monkeypatch,
                                                               tmp_path):
    monkeypatch.setattr(config, "PROJ_ROOT", _pyproject(tmp_path / "repo", "newsscope"))
    assert config.cache_dir() == config.PROCESSED_DATA_DIR / "cache"


@pytest.mark.parametrize("layout", ["installed", "other project", "read-only checkout"])
def test_elsewhere_the_cache_goes_to_the_user_cache_folder(no_cache_env, monkeypatch, tmp_path,
                                                           layout):
    # site-packages has no pyproject.toml; another project's must not count; a checkout
    # the user cannot write (a shared clone) is no place for their cache either.
    root = tmp_path / "site-packages"
    root.mkdir()
    if layout != "installed":
        _pyproject(root, "newsscope" if layout == "read-only checkout" else "something-else")
    if layout == "read-only checkout":
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda path, mode, **kw: (
            False if Path(path) == root else real_access(path, mode, **kw)))
    monkeypatch.setattr(config, "PROJ_ROOT", root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert config.cache_dir() == tmp_path / "xdg" / "newsscope"


def test_cache_dir_creates_nothing(no_cache_env, monkeypatch, tmp_path):
    monkeypatch.setattr(config, "PROJ_ROOT", tmp_path / "site-packages")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    config.cache_dir()
    assert not list(tmp_path.iterdir())
