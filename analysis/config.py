"""Paths and defaults used across newsscope.

Every path the package reads or writes by default is defined here, so a
reader finds them in one place. Nothing is created or logged at import.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]

DATA_DIR = PROJ_ROOT / "data"
SAMPLE_DIR = DATA_DIR / "sample"
PROCESSED_DATA_DIR = DATA_DIR / "processed"
REPORTS_DIR = PROJ_ROOT / "reports"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"

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
