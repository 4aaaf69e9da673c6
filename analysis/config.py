"""Paths and defaults used across newsscope.

Every path the package reads or writes by default is defined here, so a
reader finds them in one place. Nothing is created or logged at import.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]

DATA_DIR = PROJ_ROOT / "data"
SAMPLE_DIR = DATA_DIR / "sample"
PROCESSED_DATA_DIR = DATA_DIR / "processed"
REPORTS_DIR = PROJ_ROOT / "reports"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"

#: Environment variable naming the folder for load caches (see :func:`cache_dir`).
CACHE_DIR_ENV = "NEWSSCOPE_CACHE_DIR"

#: Default per-file size limit for ingestion; larger files are rejected, not read.
MAX_FILE_BYTES = 50 * 1024 * 1024

#: Languages whose month names and stopwords the text-page parser knows.
DEFAULT_LANGUAGES = ("en", "ru", "az", "tr")


def shared_data_dir() -> Path:
    """Return the folder holding the shared real corpora.

    Read from ``NEWSSCOPE_SHARED_DATA``; defaults to ``../shared/data`` next
    to the repository.

    Examples
    --------
    >>> shared_data_dir().name
    'data'
    """
    env = os.environ.get("NEWSSCOPE_SHARED_DATA")
    if env:
        return Path(env).expanduser()
    return PROJ_ROOT.parent / "shared" / "data"


def _is_checkout(root: Path) -> bool:
    """Return whether ``root`` is a writable newsscope source checkout.

    An installed package has no ``pyproject.toml`` beside it; another
    project's file at that place must not count, hence the name check.
    """
    try:
        with open(root / "pyproject.toml", "rb") as handle:
            name = tomllib.load(handle).get("project", {}).get("name")
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return name == "newsscope" and os.access(root, os.W_OK | os.X_OK)


def cache_dir() -> Path:
    """Return the folder where :func:`analysis.load_articles` keeps its caches.

    In order: the ``NEWSSCOPE_CACHE_DIR`` environment variable when set;
    ``data/processed/cache`` when running from a writable source checkout
    (where the project has always kept it); otherwise the user's cache
    folder (``~/.cache/newsscope`` on Linux, via :mod:`platformdirs`), so a
    system-wide or read-only install never writes into its own package
    folder. Nothing is created here: see :func:`analysis.cache.usable_cache_dir`.

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"NEWSSCOPE_CACHE_DIR": "/tmp/newsscope-cache"}):
    ...     print(cache_dir())
    /tmp/newsscope-cache
    """
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return Path(env).expanduser()
    if _is_checkout(PROJ_ROOT):
        return PROCESSED_DATA_DIR / "cache"
    import platformdirs  # only when needed: config stays cheap to import

    return Path(platformdirs.user_cache_dir("newsscope"))
