"""Where load caches live, and how much of them is kept.

:func:`usable_cache_dir` returns the cache folder (:func:`analysis.config.cache_dir`,
or one given explicitly), or ``None`` with a :class:`CacheWarning` when it
cannot be written: a run then goes on without a cache instead of failing.
:func:`prune_cache` applies the retention policy below after each write, and
:func:`mark_used` records a cache hit.

Retention policy
----------------
A cache entry is one ``articles-<key>`` folder, written whole by one load
(or an ``index-<key>`` or ``topics-<key>`` folder beside it, written by a
report; the per-input rows in ``units/`` and the tokenised chunks in
``termchunks/`` have their own pruning, see :mod:`analysis.unitstore` and
:func:`analysis.index.prune_store`).
Its modification time is when it was last used: set when it is written and
again on each hit. :func:`prune_cache`

* removes entries not used for ``max_age_days`` (default 30 days);
* then keeps only the ``max_entries`` (default 20) most recently used ones;
* removes ``.tmp-*`` folders that a load killed while writing its cache
  left: those whose writer (``.tmp-<pid>-…``) is no longer running, and any
  unchanged for an hour (a write in progress changes its folder far more
  often; a pid may have been reused, or the cache is shared by machines).

Nothing else in the folder is touched, as it may be one the user chose.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config

__all__ = ["CacheWarning", "frame_digest", "mark_used", "prune_cache", "usable_cache_dir"]

#: Entries kept by :func:`prune_cache`, newest first.
MAX_ENTRIES = 20
#: Entries unused for longer than this are removed by :func:`prune_cache`.
MAX_AGE_DAYS = 30
#: A ``.tmp-*`` folder unchanged for this long belongs to a run that died.
STALE_TMP_SECONDS = 3600


class CacheWarning(UserWarning):
    """The cache folder cannot be used; the load goes on without a cache."""


def frame_digest(frame: pd.DataFrame) -> bytes:
    """Return a SHA-256 digest of ``frame``'s columns: names, values and missing values.

    The cache keys of a corpus's term index and topics. Text columns, which
    are most of the bytes, are hashed as their UTF-8 bytes and lengths in one
    pass (a corpus of 100,000 articles in a tenth of a second, where
    ``pandas.util.hash_pandas_object`` takes seconds); other columns by pandas.
    The index is not part of it.

    Examples
    --------
    >>> frame = pd.DataFrame({"text": ["Oil rose.", None], "n": [1, 2]})
    >>> frame_digest(frame) == frame_digest(frame.astype({"text": "string"}))
    True
    >>> frame_digest(frame) == frame_digest(frame.assign(text=["Oil rose.", ""]))
    False
    >>> frame_digest(frame) == frame_digest(frame.assign(text=["Oil ros", "e."]))
    False
    >>> frame_digest(frame.assign(text=["", ""])) == frame_digest(frame.assign(text=["", None]))
    False
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    digest = hashlib.sha256(f"{len(frame)}|{list(map(str, frame.columns))}|".encode())
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.StringDtype) or column.dtype == object:
            try:
                values = pa.chunked_array([pa.array(column, type=pa.large_string(),
                                                    from_pandas=True)])
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                values = None  # not all strings: pandas hashes them
            if values is not None:
                # A missing value has length -1: not the same as "".
                lengths = pc.binary_length(values).fill_null(-1)
                digest.update(b"s" + np.ascontiguousarray(
                    lengths.to_numpy(), dtype="<i8").tobytes())
                for chunk in pc.fill_null(values, "").chunks:
                    _, offsets, data = chunk.buffers()
                    if data is None:  # every string empty
                        continue
                    ends = np.frombuffer(offsets, dtype="<i8")[
                        chunk.offset:chunk.offset + len(chunk) + 1]
                    digest.update(memoryview(data)[ends[0]:ends[-1]])
                continue
        digest.update(b"p" + pd.util.hash_pandas_object(column, index=False)
                      .to_numpy().tobytes())
    return digest.digest()


def usable_cache_dir(folder: str | os.PathLike | None = None) -> Path | None:
    """Return the cache folder, created, or ``None`` when it cannot be written.

    Parameters
    ----------
    folder : path, optional
        The folder to use; defaults to :func:`analysis.config.cache_dir`.

    Returns
    -------
    Path or None
        ``None`` (after a :class:`CacheWarning`) when the folder cannot be
        created or written, e.g. a read-only install or a full disk: caching
        is an optimisation and must not fail the run.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> usable_cache_dir(root / "cache") == root / "cache"
    True
    >>> import warnings
    >>> (root / "file").write_text("not a folder")
    12
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     print(usable_cache_dir(root / "file"))
    None
    >>> "loading without a cache" in str(caught[0].message)
    True
    """
    explicit = folder is not None
    folder = Path(folder).expanduser() if explicit else config.cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problem = exc.strerror or type(exc).__name__
    else:
        if os.access(folder, os.W_OK | os.X_OK):
            return folder
        problem = "not writable"
    hint = "" if explicit else f"; set {config.CACHE_DIR_ENV} to a writable folder to cache loads"
    warnings.warn(f"cannot use the cache folder {folder} ({problem}); loading without a "
                  f"cache{hint}", CacheWarning, stacklevel=2)
    return None


def mark_used(entry: str | os.PathLike) -> None:
    """Record that a cache entry was just read, so :func:`prune_cache` keeps it longer.

    A cache on a read-only medium stays usable: failing to record is ignored.

    Examples
    --------
    >>> import tempfile
    >>> entry = Path(tempfile.mkdtemp())
    >>> os.utime(entry, (0, 0))
    >>> mark_used(entry)
    >>> entry.stat().st_mtime > 0
    True
    """
    try:
        os.utime(entry)
    except OSError:
        pass


def _last_change(path: Path) -> float:
    # A folder's own mtime moves when files are added, not while one grows.
    times = [path.stat().st_mtime]
    if path.is_dir():
        times += [child.stat().st_mtime for child in path.iterdir()]
    return max(times)


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":
        return True  # on Windows os.kill(pid, 0) would terminate the process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists but is not ours, or cannot tell: keep its folder
    return True


def _abandoned(tmp: Path, now: float) -> bool:
    """Return whether ``.tmp-*`` folder or file ``tmp`` is left over from a write that died."""
    pid = tmp.name.split("-")[1] if tmp.name.count("-") >= 2 else ""
    if pid.isdigit() and not _alive(int(pid)):
        return True
    return _last_change(tmp) < now - STALE_TMP_SECONDS


def prune_cache(folder: str | os.PathLike, *, max_entries: int = MAX_ENTRIES,
                max_age_days: float = MAX_AGE_DAYS) -> list[Path]:
    """Remove old cache entries and abandoned temporary folders; return what was removed.

    Parameters
    ----------
    folder : path
        A cache folder, e.g. from :func:`usable_cache_dir`. A missing one is
        nothing to prune.
    max_entries : int
        Keep at most this many ``articles-*``, ``index-*`` and ``topics-*``
        entries, the most recently used.
    max_age_days : float
        Remove entries not used for longer than this.

    Returns
    -------
    list of Path
        The folders removed, oldest entries first, then stale ``.tmp-*`` ones.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> for age, name in enumerate(["articles-new", "articles-mid", "articles-old"]):
    ...     (root / name).mkdir()
    ...     os.utime(root / name, (time.time() - age * 60,) * 2)
    >>> [p.name for p in prune_cache(root, max_entries=2)]
    ['articles-old']
    >>> sorted(p.name for p in root.iterdir())
    ['articles-mid', 'articles-new']
    """
    if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
        raise ValueError(f"max_entries must be a whole number >= 1, not {max_entries!r}")
    if not isinstance(max_age_days, (int, float)) or max_age_days <= 0:
        raise ValueError(f"max_age_days must be a positive number, not {max_age_days!r}")
    folder = Path(folder)
    if not folder.is_dir():
        return []
    now = time.time()
    entries = []
    for entry in [*folder.glob("articles-*"), *folder.glob("index-*"), *folder.glob("topics-*")]:
        try:
            if entry.is_dir():
                entries.append((entry.stat().st_mtime, entry))
        except OSError:  # removed meanwhile by another run's pruning
            continue
    entries.sort(reverse=True)
    too_old = now - max_age_days * 86400
    doomed = [path for rank, (mtime, path) in enumerate(entries)
              if rank >= max_entries or mtime < too_old][::-1]
    for tmp in sorted(folder.glob(".tmp-*")):
        try:
            if tmp.is_dir() and _abandoned(tmp, now):
                doomed.append(tmp)
        except OSError:
            continue
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
    return [path for path in doomed if not path.exists()]
