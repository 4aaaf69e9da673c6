"""The per-input load cache: loaded records kept per input file, shard or page.

:func:`analysis.load_articles` splits its inputs into *units* — a file, an
archive member, a shard of a JSON-lines export, a Parquet row group, a
text page with the site chrome it contains — and reads each unit
independently. A :class:`UnitStore` keeps each unit's loaded rows under a
key naming the unit's bytes and the options that shaped them, so adding
1,000 files to a folder of 100,000 reads and parses only the 1,000: the
rest comes from here.

Layout: ``<cache>/units/catalog.sqlite`` maps unit keys to *segments*,
Parquet files each holding the rows of one batch of units
(``<cache>/units/seg-<hash>.parquet``). SQLite makes concurrent loads on
one cache safe; a segment is written under a temporary name and renamed,
so a reader never sees half of one. Anything unreadable is a cache miss,
never an error: the cache only saves time.

Retention: :meth:`UnitStore.prune` drops units not used for
``max_age_days`` and the segments nothing refers to any more.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

__all__ = ["UnitStore"]

#: Units unused for longer than this are dropped by :meth:`UnitStore.prune`.
MAX_AGE_DAYS = 30
_SQL_TIMEOUT_S = 30.0


class UnitStore:
    """Loaded rows of input units, found again by unit key.

    Parameters
    ----------
    folder : path
        Where the catalog and segments live (created on first write).

    Examples
    --------
    >>> import tempfile
    >>> store = UnitStore(Path(tempfile.mkdtemp()) / "units")
    >>> store.write(pd.DataFrame({"unit": ["k1", "k1", "k2"], "x": [1, 2, 3]}))
    >>> found = store.read(["k2", "k3"])
    >>> found["x"].tolist(), sorted(store.lookup(["k1", "k3"]))
    ([3], ['k1'])
    """

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    @contextlib.contextmanager
    def _catalog(self) -> Iterator[sqlite3.Connection]:
        self.folder.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.folder / "catalog.sqlite", timeout=_SQL_TIMEOUT_S)
        try:
            connection.execute("CREATE TABLE IF NOT EXISTS unit "
                               "(key TEXT PRIMARY KEY, segment TEXT NOT NULL, used REAL NOT NULL)")
            with connection:
                yield connection
        finally:
            connection.close()

    def lookup(self, keys: Iterable[str]) -> dict[str, str]:
        """Return ``{key: segment}`` for the keys that are stored (an empty dict on any error)."""
        keys = list(dict.fromkeys(keys))
        if not keys or not (self.folder / "catalog.sqlite").exists():
            return {}
        found: dict[str, str] = {}
        try:
            with self._catalog() as db:
                for start in range(0, len(keys), 900):  # SQLite's limit on bound parameters
                    part = keys[start:start + 900]
                    marks = ",".join("?" * len(part))
                    found.update(db.execute(
                        f"SELECT key, segment FROM unit WHERE key IN ({marks})", part))
        except sqlite3.Error:
            return {}
        return found

    def read(self, keys: Iterable[str]) -> pd.DataFrame | None:
        """Return the stored rows of ``keys`` (those found), or None when none can be read.

        Rows keep their stored order within a segment; the caller orders
        units. Found units are marked as used.
        """
        where = self.lookup(keys)
        frames = []
        wanted_by_segment: dict[str, set[str]] = {}
        for key, segment in where.items():
            wanted_by_segment.setdefault(segment, set()).add(key)
        for segment, wanted in wanted_by_segment.items():
            try:
                frame = pd.read_parquet(self.folder / segment)
            except (OSError, ValueError):
                continue  # pruned or damaged meanwhile: those units are read again
            frames.append(frame[frame["unit"].isin(wanted)])
        if not frames:
            return None
        self._touch(wanted_by_segment)
        return pd.concat(frames, ignore_index=True)

    def _touch(self, segments: Iterable[str]) -> None:
        with contextlib.suppress(sqlite3.Error), self._catalog() as db:
            db.executemany("UPDATE unit SET used = ? WHERE segment = ?",
                           [(time.time(), s) for s in segments])

    def write(self, rows: pd.DataFrame) -> None:
        """Store ``rows`` (a ``unit`` column names each row's unit) as one segment.

        A unit must be written whole, in one call. Errors leave the store as
        it was: the rows are simply not cached.
        """
        if rows.empty:
            return
        digest = hashlib.blake2b(digest_size=12)
        for key in rows["unit"].unique():
            digest.update(key.encode() + b"\n")
        segment = f"seg-{digest.hexdigest()}.parquet"
        tmp = self.folder / f".tmp-{os.getpid()}-{segment}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            rows.to_parquet(tmp, index=False)
            os.replace(tmp, self.folder / segment)
            now = time.time()
            with self._catalog() as db:
                db.executemany("INSERT OR REPLACE INTO unit VALUES (?, ?, ?)",
                               [(key, segment, now) for key in rows["unit"].unique()])
        except (OSError, ValueError, sqlite3.Error):
            with contextlib.suppress(OSError):
                tmp.unlink()

    def prune(self, *, max_age_days: float = MAX_AGE_DAYS,
              grace_seconds: float = 3600) -> list[str]:
        """Drop units unused for ``max_age_days`` and unreferenced segments; return the latter.

        A segment younger than ``grace_seconds`` is kept even when nothing
        refers to it yet: another load may be between writing it and
        cataloguing its units.

        Examples
        --------
        >>> import tempfile
        >>> store = UnitStore(Path(tempfile.mkdtemp()) / "units")
        >>> store.write(pd.DataFrame({"unit": ["k1"], "x": [1]}))
        >>> time.sleep(0.01)
        >>> store.prune(max_age_days=1e-7, grace_seconds=0)
        ['seg-...parquet']
        >>> store.lookup(["k1"])
        {}
        """
        if not (self.folder / "catalog.sqlite").exists():
            return []
        try:
            with self._catalog() as db:
                db.execute("DELETE FROM unit WHERE used < ?",
                           (time.time() - max_age_days * 86400,))
                live = {s for (s,) in db.execute("SELECT DISTINCT segment FROM unit")}
        except sqlite3.Error:
            return []
        removed = []
        settled = time.time() - grace_seconds
        for path in sorted(self.folder.glob("seg-*.parquet")):
            if path.name not in live:
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime > settled:
                        continue
                    path.unlink()
                    removed.append(path.name)
        return removed
