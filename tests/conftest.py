"""Shared fixtures: the real corpora in NEWSSCOPE_SHARED_DATA and tiny in-file pages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests draw charts off-screen; set before anything imports pyplot.
os.environ.setdefault("MPLBACKEND", "Agg")

from analysis.config import PROJ_ROOT, shared_data_dir

SAMPLE = PROJ_ROOT / "data" / "sample"
SEED_NAME = "000_44115efe8942b383.txt"


def _missing(what: str) -> None:
    message = (f"{what} not found; set NEWSSCOPE_SHARED_DATA to the folder holding the shared "
               "corpora (default ../shared/data)")
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared real corpora; skips (fails under CI=true) when absent."""
    root = shared_data_dir()
    if not root.is_dir():
        _missing(f"shared data folder {root}")
    return root


@pytest.fixture(scope="session")
def corpus(shared_data):
    """Return a function giving the path of one corpus inside the shared data."""

    def locate(name: str) -> Path:
        path = shared_data / name
        if not path.exists():
            _missing(f"corpus {path}")
        return path

    return locate


@pytest.fixture(scope="session")
def seed_path() -> Path:
    bundled = SAMPLE / "bakudaily" / SEED_NAME
    return bundled if bundled.exists() else PROJ_ROOT.parent / "shared" / "seed" / SEED_NAME


@pytest.fixture
def write(tmp_path):
    """Return ``write(name, content, encoding="utf-8") -> Path`` writing into ``tmp_path/in``."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
        return path

    return _write


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a Chromium for `tests.browser`; skips (fails under CI=true) when absent."""
    from tests.browser import ENV_VAR, find_chromium

    path = find_chromium()
    if path is None:
        message = (f"Chromium not found; install it (apt-get install chromium) or set {ENV_VAR} "
                   "to the browser's path")
        if os.environ.get(ENV_VAR):
            message = f"{ENV_VAR}={os.environ[ENV_VAR]!r} is not an executable"
        # CI installs Chromium (.ci/run), so a missing browser there is a broken
        # setup, not a reason to silently skip the browser checks.
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {message}")
        pytest.skip(message)
    return path
