"""Load scraped news articles from files into one typed DataFrame.

:func:`load_articles` is the entry point. It finds the input items (files,
archive members), reads each with the reader for its format
(:mod:`analysis.formats`, :mod:`analysis.textpage`), cleans the text
(:mod:`analysis.clean`) and accounts for every item in a manifest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import glob
import hashlib
import importlib.metadata
import io
import itertools
import json
import os
import shutil
import sys
import tarfile
import tempfile
import time
import zipfile
import zlib
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config, formats, textpage
from analysis.cache import mark_used, prune_cache, usable_cache_dir
from analysis.clean import (
    DecodeError,
    DuplicateSketches,
    decode_bytes,
    detect_languages,
    duplicate_sketches,
    find_duplicates,
    looks_binary,
    normalise_text,
    text_fingerprint,
)
from analysis.dates import coerce_published, date_languages, future_problems
from analysis.formats import _mib, _over_limit  # the size wording of every message
from analysis.parallel import ordered_map, resolve_n_jobs
from analysis.unitstore import UnitStore

__all__ = ["ARTICLE_COLUMNS", "MANIFEST_COLUMNS", "FORMATS", "OUTPUT_MARKER", "input_files",
           "load_articles"]

#: Output columns of :func:`load_articles`, in order, with their dtypes.
ARTICLE_COLUMNS: dict[str, str] = {
    "article_id": "string[pyarrow]",
    "source": "string[pyarrow]",
    "url": "string[pyarrow]",
    "title": "string[pyarrow]",
    "published": "datetime64[ns, <tz>]",
    "text": "string[pyarrow]",
    "lang": "string[pyarrow]",
    "n_words": "int64",
    "path": "string[pyarrow]",
    "label": "string[pyarrow]",
    "duplicate_of": "string[pyarrow]",
}
#: Columns of the manifest: one row per input item.
MANIFEST_COLUMNS = ("path", "format", "status", "reason", "article_id")
FORMATS = ("text", "html", "jsonl", "json", "csv", "parquet", "bbc", "reuters21578", "ttc3600")

_STRING = "string[pyarrow]"
_EXTENSIONS = {
    ".txt": "text", ".text": "text", "": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".csv": "csv", ".tsv": "csv",
    ".parquet": "parquet", ".pq": "parquet",
    ".sgm": "reuters21578",
}
_ARCHIVES = (".tar.gz", ".tgz", ".tar", ".zip")

#: Name of the marker file in every folder newsscope writes (reports, topic and
#: trend tables). Folder discovery skips such folders: the tool's own outputs
#: are never read back as articles.
OUTPUT_MARKER = ".newsscope-output"
_OUTPUT_REASON = f"newsscope's own output folder (has {OUTPUT_MARKER}), not an input"
_MIB = 1024 * 1024


@dataclass
class _Item:
    path: str  # printable: shown in the manifest and the path column
    folder: str
    size: int
    read: Callable[[int], bytes]  # reads at most limit + 1 bytes
    source: str  # the file or archive on disk, as the OS names it
    problem: str | None = None  # set when the item cannot even be opened
    kind: str | None = None  # manifest format of a non-file item ("folder")


class _BadContent(Exception):
    """An item's bytes cannot be read as stored (a corrupt archive member): reject it."""


def _printable(path: str) -> str:
    r"""Return ``path`` as text that can be written anywhere (Parquet, CSV, a terminal).

    A file name that is not valid UTF-8 reaches Python with lone surrogates
    (``os.fsdecode``), which no UTF-8 writer accepts; its raw bytes are
    shown as ``\xNN`` escapes instead.

    Examples
    --------
    >>> _printable(os.fsdecode(b"news/caf\xe9.txt"))
    'news/caf\\xe9.txt'
    >>> _printable("news/café.txt")
    'news/café.txt'
    """
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate not produced by surrogateescape
        return path.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


# --------------------------------------------------------------------------- discovery


def _is_hidden(path: Path) -> bool:
    return any(part.startswith(".") and part not in (".", "..") for part in path.parts)


def _nothing(limit: int) -> bytes:  # the reader of an item that has a problem instead
    return b""


def _read_file(path: Path, limit: int) -> bytes:
    # Bounded: a file may have grown since it was listed.
    with path.open("rb") as file:
        return file.read(limit + 1)


def _file_item(path: Path) -> _Item:
    return _Item(_printable(str(path)), _printable(str(path.parent)), path.stat().st_size,
                 lambda limit: _read_file(path, limit), str(path))


def _member_item(archive: Path, name: str, size: int, read: Callable[[int], bytes]) -> _Item:
    return _Item(_printable(f"{archive}::{name}"), _printable(f"{archive}::{Path(name).parent}"),
                 size, read, str(archive))


def _read_zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    # Streamed and bounded: ZipFile.read inflates a member in one call, so a
    # member whose header understates its size (a "lying" header) would
    # expand completely in memory before zipfile notices.
    try:
        with archive.open(info) as stream:
            return stream.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise _BadContent(
            f"corrupt zip member {_printable(info.filename)!r}: its data does not match its "
            f"header (which says {_mib(info.file_size)}): {exc}") from exc


def _read_tar_member(archive: tarfile.TarFile, info: tarfile.TarInfo, limit: int) -> bytes:
    return archive.extractfile(info).read(limit + 1)


def _archive_items(path: Path, stack: contextlib.ExitStack) -> list[_Item]:
    # Members are listed in archive order: reading a gzip-compressed tar out
    # of order decompresses it again from the start for every backward seek.
    items = []
    if path.name.lower().endswith(".zip"):
        archive = stack.enter_context(zipfile.ZipFile(path))
        for info in archive.infolist():
            if not info.is_dir() and not _is_hidden(Path(info.filename)):
                items.append(_member_item(
                    path, info.filename, info.file_size,
                    lambda limit, i=info: _read_zip_member(archive, i, limit)))
        return items
    archive = stack.enter_context(tarfile.open(path))
    for info in archive:
        if info.isdir() or _is_hidden(Path(info.name)):
            continue
        item = _member_item(path, info.name, info.size,
                            lambda limit, i=info: _read_tar_member(archive, i, limit))
        if not info.isfile():
            item.problem = "archive member is a link or device, not a regular file"
        items.append(item)
    return items


def _expand(source: str | os.PathLike) -> list[Path]:
    path = Path(source).expanduser()
    if path.exists():
        return [path]
    pattern = str(source)
    if any(ch in pattern for ch in "*?["):
        matches = sorted(Path(p) for p in glob.glob(os.path.expanduser(pattern), recursive=True))
        if not matches:
            raise FileNotFoundError(f"no files match {pattern!r}")
        return matches
    raise FileNotFoundError(f"input not found: {pattern!r}")


def _output_folder(folder: Path) -> Path | None:
    """Return ``folder`` or the ancestor of it that newsscope wrote (holds the marker), if any."""
    if (folder / OUTPUT_MARKER).is_file():
        return folder
    return next((p for p in Path(os.path.abspath(folder)).parents
                 if (p / OUTPUT_MARKER).is_file()), None)


def _files_under(path: Path) -> tuple[list[Path], list[Path]]:
    """Return the files in ``path`` (itself if a file) and the output folders skipped in it."""
    if not path.is_dir():
        return [path], []
    # Symlinked folders are followed like symlinked files (Path.rglob skips them
    # silently before Python 3.13); each real folder is read once, so a link
    # loop ends instead of recursing.
    found, outputs, seen = [], [], set()
    for root, dirs, files in os.walk(path, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        if OUTPUT_MARKER in files:
            # A report written inside its own input folder must not be read
            # back as articles by the next run.
            outputs.append(Path(root))
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in files
                  if not f.startswith(".") and (Path(root) / f).is_file()]
    return sorted(found), outputs


def _walk_sources(sources: Iterable[str | os.PathLike]) -> tuple[list[Path], list[Path]]:
    """Return the input files of ``sources``, each once, and the output folders skipped.

    A folder given or matched by a glob is skipped when it, or a folder
    above it, is newsscope's output; so is a glob match inside one. A file
    named explicitly is read wherever it is: the caller asked for it.
    """
    files: dict[Path, Path] = {}
    outputs: dict[Path, Path] = {}
    for source in sources:
        paths = _expand(source)
        named = paths == [Path(source).expanduser()]
        for path in paths:
            owner = None
            if path.is_dir() or not named:
                owner = _output_folder(path if path.is_dir() else path.parent)
            found, skipped = ([], [owner]) if owner else _files_under(path)
            # Overlapping sources (a folder and a file in it, two globs) name
            # the same file twice; it is one input.
            for file in found:
                files.setdefault(file.resolve(), file)
            for folder in skipped:
                outputs.setdefault(folder.resolve(), folder)
    return list(files.values()), list(outputs.values())


def input_files(sources: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """Return the files ``sources`` name, each once: folders expanded, hidden files skipped.

    Archives are returned as one file each (their members are not listed).
    Folders holding :data:`OUTPUT_MARKER` (newsscope's own outputs) are
    skipped, with everything in them.
    """
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    return _walk_sources(sources)[0]


def _discover(sources: str | os.PathLike | Iterable[str | os.PathLike],
              stack: contextlib.ExitStack) -> list[_Item]:
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    files, outputs = _walk_sources(sources)
    items: list[_Item] = []
    for file in files:
        if not file.name.lower().endswith(_ARCHIVES):
            items.append(_file_item(file))
            continue
        try:
            items.extend(_archive_items(file, stack))
        except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile) as exc:
            items.append(_Item(_printable(str(file)), _printable(str(file.parent)),
                               file.stat().st_size, _nothing, str(file),
                               f"unreadable archive: {type(exc).__name__}: {exc}"))
    # Skipped output folders are accounted for, so they do not vanish silently.
    items += [_Item(_printable(str(folder)), _printable(str(folder)), 0, _nothing, str(folder),
                    _OUTPUT_REASON, "folder") for folder in outputs]
    return items


def _sniff(head: bytes) -> str | None:
    start = head.lstrip()[:200].lower()
    if start.startswith(b"<!doctype html") or b"<html" in start:
        return "html"
    if start.startswith((b"<!doctype lewis", b"<reuters")):
        return "reuters21578"
    return None


def _resolve_format(item: _Item, fmt: str, raw: bytes) -> str | None:
    if fmt != "auto":
        return fmt
    by_extension = _EXTENSIONS.get(formats._suffix(item.path))
    sniffed = _sniff(raw[:4096])
    if by_extension == "text" and sniffed:
        return sniffed
    return by_extension or sniffed


# --------------------------------------------------------------------------- reading


class _Transient(Exception):
    """An item failed for a reason that may not recur (I/O, a bug): don't cache the load."""


def _gunzip(raw: bytes, limit: int) -> bytes:
    # Bounded, so a small .gz cannot expand past max_bytes in memory.
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    out = inflater.decompress(raw, limit + 1)
    if len(out) > limit or inflater.unconsumed_tail:
        raise ValueError(f"unpacks to over the {_mib(limit)} limit (max_bytes)")
    if not inflater.eof:
        raise ValueError("truncated gzip data")
    return out


def _read_bytes(item: _Item, max_bytes: int) -> tuple[bytes | None, formats.Parsed | None]:
    if item.problem:
        return None, formats.Parsed.reject(item.path, item.problem)
    if item.size > max_bytes:
        return None, formats.Parsed.reject(item.path,
                                           f"file is {_over_limit(item.size, max_bytes)}")
    max_bytes = int(max_bytes)  # a limit given as 5e7 still sizes reads and zlib buffers
    try:
        raw = item.read(max_bytes)
    except _BadContent as exc:
        return None, formats.Parsed.reject(item.path, str(exc))
    except (OSError, RuntimeError, NotImplementedError, tarfile.TarError, zipfile.BadZipFile,
            EOFError) as exc:
        raise _Transient(f"could not read file: {type(exc).__name__}: {exc}") from exc
    if len(raw) > max_bytes:  # grew since it was listed
        return None, formats.Parsed.reject(item.path, f"file is over the {_mib(max_bytes)} "
                                           "limit (max_bytes)")
    if item.path.lower().endswith(".gz"):
        try:
            raw = _gunzip(raw, max_bytes)
        except (ValueError, zlib.error) as exc:
            return None, formats.Parsed.reject(item.path, f"broken gzip data: {exc}")
    if not raw.strip():
        return None, formats.Parsed.empty(item.path, "empty file")
    return raw, None


def _parse_structured(fmt: str, raw: bytes, path: str, fields) -> list[formats.Parsed]:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            # pyarrow gives None for nulls and lists for list columns, where
            # pandas would give NaN and numpy arrays.
            rows = pq.read_table(io.BytesIO(raw)).to_pylist()
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for corrupt files
            return [formats.Parsed.reject(path, f"unreadable parquet: {exc}")]
        return [formats._outcome_for_record(f"{path}#{i}", formats.record_from_mapping(row, fields))
                for i, row in enumerate(rows)]
    if fmt == "html":
        if looks_binary(raw):
            return [formats.Parsed.reject(path, "binary content, not an HTML page")]
        # trafilatura detects the charset itself, including from <meta> tags.
        return [formats.parse_html(raw, path=path)]
    text, _ = decode_bytes(raw)
    if fmt == "reuters21578":
        if not path.lower().endswith(".sgm") and "<REUTERS" not in text[:2000]:
            return [formats.Parsed.reject(path, "not a Reuters-21578 .sgm data file")]
        return list(formats.parse_reuters_sgml(text, path=path))
    readers = {
        "jsonl": formats.parse_export_lines,
        "json": formats.parse_json_document,
        "csv": formats.parse_csv,
    }
    if fmt in readers:
        return list(readers[fmt](text, path=path, fields=fields))
    if fmt == "bbc":
        return [formats.parse_bbc(text, path=path)]
    if fmt == "ttc3600":
        return [formats.parse_ttc3600(text, path=path)]
    raise ValueError(f"unknown format {fmt!r}")


def _parse_text_page(path: str, text: str, languages: Sequence[str],
                     boilerplate: frozenset[str]) -> formats.Parsed:
    page = textpage.parse_text_page(text, boilerplate=boilerplate, languages=languages)
    if not page.text.strip():
        return formats.Parsed.empty(path, "no article body found (site chrome only?)")
    record = {"title": page.title, "text": page.text, "source": page.source,
              "published": page.published, "date_text": page.date_text}
    return formats.Parsed(path, record)


def _parse_raw(path: str, raw: bytes, item_fmt: str | None, fields
               ) -> tuple[str, list[formats.Parsed] | str]:
    """Return ``(format, outcomes)`` of read bytes, or ``("text", decoded page)`` for a page."""
    if item_fmt is None:
        return "unknown", [formats.Parsed.reject(
            path, f"unsupported file type {formats._suffix(path) or '(none)'!r}; "
            "pass fmt= to force a format")]
    try:
        if item_fmt == "text":
            return item_fmt, normalise_text(decode_bytes(raw)[0])
        outcomes = _parse_structured(item_fmt, raw, path, fields)
    except (DecodeError, RecursionError) as exc:
        reason = str(exc) if isinstance(exc, DecodeError) else "structure nested too deeply"
        return item_fmt, [formats.Parsed.reject(path, reason)]
    return item_fmt, outcomes or [formats.Parsed.empty(path, "no records in the file")]


def _read_item(item: _Item, *, fmt: str, max_bytes: int, fields
               ) -> tuple[str, list[formats.Parsed] | str]:
    """Return ``(format, outcomes)``, or ``("text", decoded page)`` for a text page."""
    raw, problem = _read_bytes(item, max_bytes)
    item_fmt = _resolve_format(item, fmt, raw or b"")
    if problem is not None:
        return item.kind or item_fmt or fmt, [problem]
    return _parse_raw(item.path, raw, item_fmt, fields)


# --------------------------------------------------------------------------- units
#
# Inputs are split into units that load independently of each other — a
# file, an archive member, a shard of a JSON-lines export, a Parquet row
# group, a text page with the chrome lines it contains — so that worker
# processes can load them in any number and the load cache can keep each
# on its own (analysis.unitstore). Only text pages need their siblings (to
# learn the site's chrome); that is done here, before they become units.


@dataclass(frozen=True)
class _Unit:
    """One independently loaded piece of input; picklable, for worker processes."""

    kind: str  # file | bytes | jsonl | csv | parquet | page | problem
    path: str  # printable
    source: str = ""  # the file on disk (file, jsonl, parquet)
    size: int = 0
    data: bytes | str | None = None  # an archive member's bytes; a page's text
    span: tuple = ()  # jsonl: (start, end, first_line); parquet: (group, first_row)
    boilerplate: frozenset = frozenset()  # a page's lines that are its site's chrome
    fmt: str = ""  # the format, where known before reading
    reason: str = ""  # a problem unit's reason
    status: str = "rejected"  # a problem unit's status; "transient" is not cached
    key: str | None = None  # load-cache key; None: not cached


@dataclass(frozen=True)
class _Options:
    fmt: str
    max_bytes: int
    fields: formats.FieldNames
    tz: str
    languages: tuple[str, ...]


#: JSON-lines exports are split into shards of about this size, loaded in parallel.
SHARD_BYTES = 4 * _MIB
_BATCH_UNITS = 256  # units per worker task: enough to amortise the hand-over
_BATCH_BYTES = 8 * _MIB


def _unit_key(base: str, *parts) -> str:
    digest = hashlib.blake2b(base.encode(), digest_size=16)
    for part in parts:
        digest.update(b"\x1f" + (part if isinstance(part, bytes) else str(part).encode(
            "utf-8", "surrogateescape")))
    return digest.hexdigest()


def _stat_parts(path: str) -> tuple:
    stat = os.stat(path)
    return path, stat.st_size, stat.st_mtime_ns


def _export_units(item: _Item, item_fmt: str, base: str) -> list[_Unit] | None:
    """Return the units of a plain export file read in parts, or None to read it whole."""
    parts = _stat_parts(item.source)
    if item_fmt == "csv":  # a quoted field may hold newlines: read in one stream, not shards
        return [_Unit("csv", item.path, item.source, item.size, fmt="csv",
                      key=_unit_key(base, "csv", *parts))]
    if item_fmt == "jsonl" and item.size > 0 and not _utf16(item.source):
        return [_Unit("jsonl", item.path, item.source, end - start, span=(start, end, line),
                      fmt="jsonl", key=_unit_key(base, "jsonl", *parts, start, end))
                for start, end, line in formats.jsonl_shards(item.source,
                                                             shard_bytes=SHARD_BYTES)]
    if item_fmt == "parquet":
        try:
            groups = formats.parquet_row_groups(item.source)
        except Exception:  # noqa: BLE001 - read whole, the reader says what is wrong
            return None
        if not groups:
            return None
        return [_Unit("parquet", item.path, item.source, n_rows, span=(group, first_row),
                      fmt="parquet", key=_unit_key(base, "parquet", *parts, group))
                for group, first_row, n_rows in groups]
    return None


def _utf16(path: str) -> bool:
    # Only the first shard would see the byte order mark: such a file is read whole.
    with open(path, "rb") as file:
        return file.read(2) in (b"\xff\xfe", b"\xfe\xff")


def _plan_units(items: list[_Item], options: _Options, base: str, store
                ) -> tuple[list[_Unit], set[str]]:
    """Return the units of ``items`` in input order, and the keys ``store`` already holds.

    Text pages (and files whose extension does not tell their format) are
    read here: a page's chrome is learned from its folder, and reading the
    start of a file is how its format is found. Everything else is read by
    whoever loads the unit, unless the cache has it.
    """
    planned: list = []  # a _Unit, or an _Item still to read, or (unit, member _Item)
    for item in items:
        if item.problem:
            planned.append(_problem(item.path, item.kind or options.fmt, item.problem))
            continue
        guess = options.fmt if options.fmt != "auto" else _EXTENSIONS.get(
            formats._suffix(item.path))
        in_archive = item.source != item.path
        if guess in (None, "text"):
            planned.append(item)
            continue
        plain = not in_archive and not item.path.lower().endswith(".gz")
        units = _export_units(item, guess, base) if plain else None
        if units is not None:
            planned.extend(units)
        elif in_archive:
            key = _unit_key(base, "member", *_stat_parts(item.source), item.path)
            planned.append((_Unit("bytes", item.path, item.source, item.size, fmt=guess,
                                  key=key), item))
        else:
            planned.append(_Unit("file", item.path, item.source, item.size, fmt=guess,
                                 key=_unit_key(base, "file", *_stat_parts(item.source))))
    keys = [p[0].key if isinstance(p, tuple) else p.key for p in planned
            if not isinstance(p, _Item)]
    stored = set(store.lookup(k for k in keys if k)) if store else set()
    pages: dict[str, list[int]] = {}
    for index, entry in enumerate(planned):
        if isinstance(entry, tuple):
            unit, member = entry
            # Read in archive order: a compressed tar cannot seek backwards cheaply.
            planned[index] = unit if unit.key in stored else _read_member(unit, member, options)
        elif isinstance(entry, _Item):
            planned[index] = _read_unknown(entry, options)
            if isinstance(planned[index], tuple):
                pages.setdefault(entry.folder, []).append(index)
    for indexes in pages.values():
        boilerplate = textpage.recurring_lines(planned[i][1] for i in indexes)
        for i in indexes:
            path, text = planned[i]
            # The page needs only the chrome lines it has; with those in its
            # key, pages added to the folder leave it cached unless they
            # change which of its own lines count as chrome.
            mine = frozenset(boilerplate.intersection(map(textpage._norm, text.splitlines())))
            planned[i] = _Unit("page", path, data=text, boilerplate=mine, fmt="text",
                               key=_unit_key(base, "page", path,
                                             text.encode("utf-8", "surrogatepass"), *sorted(mine)))
    seen: set[str] = set()
    for index, unit in enumerate(planned):
        if unit.key in seen:  # an archive holding two members of one name: load each afresh
            planned[index] = dataclasses.replace(unit, key=None)
        seen.add(unit.key)
    if store and pages:
        stored |= set(store.lookup(u.key for u in planned if u.kind == "page" and u.key))
    return planned, stored


def _problem(path: str, fmt: str, reason: str, status: str = "rejected") -> _Unit:
    return _Unit("problem", path, fmt=fmt, reason=reason, status=status)


def _read_member(unit: _Unit, member: _Item, options: _Options) -> _Unit:
    try:
        raw, problem = _read_bytes(member, options.max_bytes)
    except _Transient as exc:
        return _problem(unit.path, unit.fmt, str(exc), "transient")
    if problem is not None:
        return _problem(unit.path, unit.fmt, "; ".join(problem.reasons), problem.status)
    return _Unit("bytes", unit.path, unit.source, unit.size, data=raw, fmt=unit.fmt,
                 key=unit.key)


def _read_unknown(item: _Item, options: _Options) -> _Unit | tuple[str, str]:
    """Read an item that may be a text page: return ``(path, text)`` if it is one."""
    try:
        raw, problem = _read_bytes(item, options.max_bytes)
    except _Transient as exc:
        return _problem(item.path, options.fmt, str(exc), "transient")
    item_fmt = _resolve_format(item, options.fmt, raw or b"")
    if problem is not None:
        return _problem(item.path, item_fmt or options.fmt, "; ".join(problem.reasons),
                        problem.status)
    if item_fmt == "text":
        try:
            return item.path, normalise_text(decode_bytes(raw)[0])
        except DecodeError as exc:
            return _problem(item.path, "text", str(exc))
    # Not cached: the bytes are in hand, and this is rare (a .txt holding HTML).
    return _Unit("bytes", item.path, item.source, item.size, data=raw, fmt=item_fmt or "")


# --------------------------------------------------------------------------- loading units


def _unit_outcomes(unit: _Unit, options: _Options) -> list[tuple[str, formats.Parsed]]:
    """Return ``(format, outcome)`` for everything in ``unit``."""
    if unit.kind == "problem":
        outcome = formats.Parsed(unit.path, None, unit.status, [unit.reason])
        if unit.status == "transient":
            raise _Transient(unit.reason)
        return [(unit.fmt, outcome)]
    if unit.kind == "page":
        return [("text", _parse_text_page(unit.path, unit.data, options.languages,
                                          unit.boilerplate))]
    if unit.kind == "jsonl":
        start, end, first_line = unit.span
        with open(unit.source, "rb") as stream:
            stream.seek(start)
            outcomes = list(formats.parse_export_stream(
                stream, path=unit.path, fields=options.fields, max_bytes=options.max_bytes,
                first_line=first_line, end=end))
        if not outcomes and start == 0 and end >= os.path.getsize(unit.source):
            outcomes = [formats.Parsed.empty(unit.path, "no records in the file")]
        return [("jsonl", o) for o in outcomes]
    if unit.kind == "csv":
        with open(unit.source, "rb") as stream:
            outcomes = list(formats.parse_csv_stream(
                stream, path=unit.path, fields=options.fields, max_bytes=options.max_bytes))
        return [("csv", o) for o in outcomes or [
            formats.Parsed.empty(unit.path, "no records in the file")]]
    if unit.kind == "parquet":
        group, first_row = unit.span
        return [("parquet", o) for o in formats.parse_parquet_row_group(
            unit.source, group, first_row=first_row, fields=options.fields,
            max_bytes=options.max_bytes)]
    if unit.kind == "bytes":
        item_fmt, outcomes = _parse_raw(unit.path, unit.data, unit.fmt or None, options.fields)
    else:
        item = _Item(unit.path, "", unit.size,
                     lambda limit: _read_file(Path(unit.source), limit), unit.source)
        item_fmt, outcomes = _read_item(item, fmt=options.fmt, max_bytes=options.max_bytes,
                                        fields=options.fields)
    if isinstance(outcomes, str):  # a text page where the extension promised something else
        return [("text", _parse_text_page(unit.path, outcomes, options.languages, frozenset()))]
    return [(item_fmt, o) for o in outcomes]


_ROW_COLUMNS = ("position", "unit", "path", "format", "status", "reasons", "record", "own_id",
                "stable_id", "source", "url", "title", "published", "text", "lang", "label")


def _load_units(units: list[_Unit], options: _Options, *, positions: Sequence[int] = ()
                ) -> tuple[pd.DataFrame, set[str]]:
    """Return one row per outcome of ``units`` (in order), and the keys that failed transiently.

    Runs in a worker process: everything per record — reading, parsing,
    cleaning, dates, language — happens here.
    """
    rows, transient = [], set()
    for position, unit in itertools.zip_longest(positions, units):
        try:
            outcomes = _unit_outcomes(unit, options)
        except Exception as exc:  # noqa: BLE001 - one bad item must not sink the load
            transient.add(unit.key)
            reason = str(exc) if isinstance(exc, _Transient) else (
                f"unexpected error: {type(exc).__name__}: {exc}")
            outcomes = [(unit.fmt or options.fmt, formats.Parsed.reject(unit.path, reason))]
        for fmt, outcome in outcomes:
            row = {"position": position, "unit": unit.key or "", "path": outcome.path,
                   "format": fmt,
                   "status": outcome.status, "record": outcome.record is not None}
            if outcome.record is not None:
                finished = _finish_record(fmt, outcome, tz=options.tz,
                                          languages=options.languages)
                finished["stable_id"] = _stable_id(finished)
                row.update(finished)
            row["reasons"] = list(outcome.reasons)
            rows.append(row)
    frame = pd.DataFrame(rows, columns=list(_ROW_COLUMNS))
    lang = frame["lang"].astype(object).fillna("")
    missing = (frame["record"].astype(bool) & lang.eq("")).to_numpy()
    if missing.any():
        texts = frame["text"].where(frame["text"].fillna("").astype(bool), frame["title"])
        frame["lang"] = frame["lang"].astype(object)
        frame.loc[missing, "lang"] = detect_languages(texts[missing].tolist())
    frame["published"] = pd.to_datetime(frame["published"].astype(object), utc=True)
    _add_sketches(frame)
    frame["n_words"] = frame["text"].astype(_STRING).str.count(r"\S+").fillna(0).astype("int64")
    frame["record"] = frame["record"].astype(bool)
    for column in ("unit", "path", "format", "status", "own_id", "stable_id", "source", "url",
                   "title", "text", "lang", "label"):
        frame[column] = frame[column].astype(_STRING)
    return frame, transient


def _add_sketches(frame: pd.DataFrame) -> None:
    """Add each record's near-duplicate sketch: computed with the record, cached with it."""
    has = frame["record"].to_numpy(dtype=bool)
    texts = frame.loc[has, "text"].fillna("").tolist()
    sketches = duplicate_sketches(texts) if texts else None
    fingerprints = [None] * len(frame)
    signatures: list[bytes | None] = [None] * len(frame)
    n_shingles = np.zeros(len(frame), dtype=np.int64)
    if sketches is not None:
        positions = np.flatnonzero(has)
        for position, fingerprint, signature in zip(positions, sketches.fingerprints,
                                                    sketches.signatures, strict=True):
            fingerprints[position] = fingerprint
            signatures[position] = signature.tobytes()
        n_shingles[positions] = sketches.n_shingles
    frame["fingerprint"] = pd.array(fingerprints, dtype=_STRING)
    frame["signature"] = pd.Series(signatures, dtype=object)
    frame["n_shingles"] = n_shingles


def _sketches_of(records: pd.DataFrame) -> DuplicateSketches:
    """Return the sketches stored with ``records`` (see :func:`_add_sketches`)."""
    fingerprints = records["fingerprint"].astype(object).to_numpy().copy()
    fingerprints[pd.isna(fingerprints)] = None
    signatures = np.frombuffer(b"".join(records["signature"]), dtype=np.uint32)
    return DuplicateSketches(fingerprints,
                             signatures.reshape(len(records), DuplicateSketches.num_perm),
                             records["n_shingles"].to_numpy(dtype=np.int64))


def _batches(units: list[tuple[int, _Unit]], *, n_jobs: int = 1
             ) -> Iterator[list[tuple[int, _Unit]]]:
    """Group units into worker tasks of a bounded number and size, keeping their order.

    At least four tasks per process when there are units enough, so that a
    few hundred slow pages still keep every process busy to the end.
    """
    most = max(1, min(_BATCH_UNITS, -(-len(units) // (4 * n_jobs))))
    batch: list = []
    size = 0
    for entry in units:
        unit = entry[1]
        weight = unit.size if unit.kind != "page" else len(unit.data)
        if batch and (len(batch) >= most or size + weight > _BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += weight
    if batch:
        yield batch


def _loaded_batch(batch: list[tuple[int, _Unit]], options: _Options):
    frame, transient = _load_units([u for _, u in batch], options,
                                   positions=[i for i, _ in batch])
    return frame, transient, len(batch)


def _unit_base(options: dict) -> str:
    """Return what every unit key shares: the loader's code and the options, not the inputs."""
    shared = {k: v for k, v in options.items() if k != "items"}
    return hashlib.sha256((_code_version() + json.dumps(shared, sort_keys=True, default=str)
                           ).encode()).hexdigest()


def _load_rows(items: list[_Item], options: _Options, *, store: UnitStore | None, n_jobs: int,
               progress: bool | None, base: str) -> tuple[pd.DataFrame, bool]:
    """Return the loaded rows of every unit in input order, and whether all are cacheable.

    Units the store holds are read from it; the others are loaded in up to
    ``n_jobs`` processes, a batch at a time, and stored.
    """
    from tqdm.auto import tqdm

    units, stored = _plan_units(items, options, base, store)
    todo = [(i, u) for i, u in enumerate(units) if not (u.key and u.key in stored)]
    n_jobs = min(n_jobs, max(1, len(todo)))
    batches = list(_batches(todo, n_jobs=n_jobs))
    parts: list[pd.DataFrame] = []
    complete = True
    cached = store.read(u.key for u in units if u.key in stored) if stored else None
    if cached is not None:
        positions = {u.key: i for i, u in enumerate(units) if u.key}
        parts.append(cached.assign(position=cached["unit"].map(positions).astype("int64")))
    missing = {u.key for u in units if u.key in stored} - set(
        [] if cached is None else cached["unit"].unique())
    if missing:  # pruned between lookup and read: load those units after all
        batches += list(_batches([(i, u) for i, u in enumerate(units) if u.key in missing],
                                 n_jobs=n_jobs))
    if progress is None:  # a terminal only: tqdm.auto's notebook widget ignores disable=None
        progress = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    n_jobs = min(n_jobs, len(batches))
    with tqdm(total=len(units), initial=len(units) - sum(len(b) for b in batches),
              desc="loading", unit=" input", disable=not progress) as bar:
        articles, started = 0, time.perf_counter()
        for frame, transient, n_units in ordered_map(
                _loaded_batch, ((batch, options) for batch in batches), n_jobs=n_jobs):
            complete &= not transient
            if store is not None:
                keep = frame["unit"].ne("") & ~frame["unit"].isin(transient)
                store.write(frame[keep].drop(columns="position"))
            parts.append(frame)
            articles += int(frame["record"].sum())
            bar.set_postfix_str(f"{articles / max(time.perf_counter() - started, 1e-9):,.0f} "
                                "articles/s", refresh=False)
            bar.update(n_units)
    rows = pd.concat(parts, ignore_index=True) if parts else _load_units([], options)[0]
    # Stable: a unit's rows keep their order.
    return rows.sort_values("position", kind="stable", ignore_index=True), complete


# --------------------------------------------------------------------------- assembling


def _stable_id(record: dict) -> str:
    key = "\x1f".join(record.get(k) or "" for k in ("source", "title", "text"))
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def _unique(ids: list[str]) -> list[str]:
    """Return ``ids`` with later repeats suffixed ``~2``, ``~3``, … (never reusing an id).

    Examples
    --------
    >>> _unique(["a~2", "a", "a", "b"])
    ['a~2', 'a', 'a~3', 'b']
    """
    taken = set(ids)
    seen: set[str] = set()
    out = []
    for article_id in ids:
        candidate, n = article_id, 1
        # A suffixed id must not take an id that another record has of its own.
        while candidate in seen or (n > 1 and candidate in taken):
            n += 1
            candidate = f"{article_id}~{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


def _finish_record(fmt: str, outcome: formats.Parsed, *, tz: str,
                   languages: Sequence[str]) -> dict:
    record = outcome.record
    # The future is judged when rows are assembled: a cached row outlives today.
    published, problem = coerce_published(record.get("published"), tz=tz, languages=languages,
                                          check_future=False)
    problem = record.get("date_problem") or problem
    if record.get("date_choice"):
        outcome.reasons.append(record["date_choice"])
    if problem is None and published is None and record.get("date_text"):
        problem = f"unparseable date {record['date_text'][:60]!r}"
    elif problem is None and published is None and fmt in ("text", "html"):
        problem = "no date found"
    if problem:
        outcome.reasons.append(problem)

    def line(key: str):
        value = record.get(key)
        return normalise_text(value, keep_paragraphs=False) or None if value else None

    return {
        "own_id": _printable(record["id"]) if record.get("id") else None,
        "source": line("source"),
        "url": line("url"),
        "title": line("title"),
        "published": published,
        "text": normalise_text(record.get("text") or ""),
        "lang": record.get("lang"),
        "path": outcome.path,
        "label": line("label"),
    }


def _assembled(rows: pd.DataFrame, *, tz: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the articles and manifest of the loaded rows of every unit, in input order.

    What depends on the whole corpus happens here: unique ids, duplicates,
    and dates in the future (judged today, as cached rows outlive a day).
    """
    rows = rows.reset_index(drop=True)
    future = future_problems(rows["published"])
    late = future.notna().to_numpy()
    if late.any():
        rows = rows.copy()
        rows.loc[late, "published"] = pd.NaT
        rows.loc[late, "reasons"] = pd.Series(
            [[*reasons, problem] for reasons, problem in zip(rows.loc[late, "reasons"],
                                                               future[late], strict=True)],
            index=rows.index[late], dtype=object)
    records = rows[rows["record"].to_numpy(dtype=bool)]
    articles = pd.DataFrame({column: records[column].to_numpy() if column in records else None
                             for column in ARTICLE_COLUMNS}, index=range(len(records)))
    # Columns as lists first: iterating an Arrow-backed column item by item is slow.
    articles["article_id"] = _unique([
        own if isinstance(own, str) else stable for own, stable in
        zip(records["own_id"].tolist(), records["stable_id"].tolist(), strict=True)])
    articles["published"] = pd.to_datetime(records["published"].to_numpy(), utc=True)
    articles["published"] = articles["published"].dt.tz_convert(tz).astype(
        f"datetime64[ns, {tz}]")
    articles["n_words"] = records["n_words"].to_numpy(dtype="int64")
    articles = articles.astype({c: _STRING for c, d in ARTICLE_COLUMNS.items() if d == _STRING})
    sketches = _sketches_of(records)
    articles["duplicate_of"] = pd.array(_duplicates_earliest_first(articles, sketches),
                                        dtype=_STRING)
    entries = [{"path": path, "format": fmt, "status": status, "reasons": list(reasons),
                "row": None} for path, fmt, status, reasons in
               zip(rows["path"].tolist(), rows["format"].tolist(), rows["status"].tolist(),
                   rows["reasons"].tolist(), strict=True)]
    for row, position in enumerate(np.flatnonzero(rows["record"].to_numpy(dtype=bool))):
        entries[position]["row"] = row
    return articles.reset_index(drop=True), _manifest_frame(entries, articles,
                                                            sketches.fingerprints)


def _duplicates_earliest_first(articles: pd.DataFrame, sketches: DuplicateSketches) -> list:
    # The earliest-published copy is the original; undated copies and ties
    # fall back to input order, so the result does not depend on file names
    # alone and stays deterministic.
    order = articles["published"].reset_index(drop=True).sort_values(
        kind="stable", na_position="last").index
    flagged = find_duplicates(articles["text"].iloc[order].tolist(),
                              articles["article_id"].iloc[order].tolist(),
                              sketches=_sketches_taken(sketches, np.asarray(order)))
    result = pd.Series(flagged.array, index=order).sort_index().tolist()
    return _headline_only_duplicates(articles, order, result)


def _sketches_taken(sketches: DuplicateSketches, order: np.ndarray) -> DuplicateSketches:
    return dataclasses.replace(sketches, fingerprints=sketches.fingerprints[order],
                               signatures=sketches.signatures[order],
                               n_shingles=sketches.n_shingles[order])


def _headline_only_duplicates(articles: pd.DataFrame, order, result: list) -> list:
    """Flag records without a body that repeat an earlier record's headline, source and day.

    Wire corpora carry body-less briefs ("Tokyo stock index rises ... in
    first nine minutes") twice; with no text to compare, the same headline
    from the same source on the same day is the same item. Across days a
    repeated headline ("Live updates") may be news, so it is not flagged.
    """
    bodyless = articles["text"].fillna("").str.strip().eq("") & articles["title"].notna()
    if not bodyless.any():
        return result
    ids = articles["article_id"].tolist()
    days = articles["published"].dt.strftime("%Y-%m-%d").fillna("")
    first: dict[tuple, int] = {}
    for pos in (p for p in order if bodyless.iat[p] and pd.isna(result[p])):
        key = (str(articles["source"].iat[pos]), days.iat[pos],
               text_fingerprint(articles["title"].iat[pos]))
        if key[2] and key in first:
            result[pos] = ids[first[key]]
        else:
            first.setdefault(key, pos)
    return result


def _manifest_frame(entries: list[dict], articles: pd.DataFrame,
                    fingerprints: Sequence[str | None]) -> pd.DataFrame:
    """Return the manifest; ``fingerprints`` are the articles' :func:`text_fingerprint`."""
    ids = articles["article_id"].tolist()
    dups = articles["duplicate_of"].tolist()
    texts = dict(zip(ids, articles["text"], strict=True))
    fingerprint_of = dict(zip(ids, fingerprints, strict=True))
    records = []
    for entry in entries:
        article_id, reasons, status = None, list(entry["reasons"]), entry["status"]
        if entry["row"] is not None:
            article_id = ids[entry["row"]]
            original = dups[entry["row"]]
            if original is not pd.NA and original is not None:
                status = "duplicate"
                text = texts[article_id]
                same = fingerprint_of[article_id] == fingerprint_of[original]
                kind = ("exact" if same else "near") if (text or "").strip() else "headline-only"
                reasons.insert(0, f"{kind} duplicate of {original}")
        records.append({"path": entry["path"], "format": entry["format"], "status": status,
                        "reason": "; ".join(reasons), "article_id": article_id})
    return pd.DataFrame(records, columns=list(MANIFEST_COLUMNS)).astype(_STRING)


# --------------------------------------------------------------------------- caching


_LIBRARIES = ("pandas", "pyarrow", "trafilatura", "dateparser", "py3langid", "datasketch",
              "charset-normalizer")


def _code_version() -> str:
    # The loader's own source and the libraries whose output it keeps: a
    # change to either must not serve an old result.
    digest = hashlib.blake2b(digest_size=8)
    for module in ("io.py", "formats.py", "clean.py", "textpage.py", "dates.py", "config.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    for library in _LIBRARIES:
        digest.update(f"{library}={importlib.metadata.version(library)}".encode())
    return digest.hexdigest()


def _fingerprint(items: list[_Item], options: dict) -> str:
    digest = hashlib.sha256(_code_version().encode())
    # "Implausible: in the future" depends on today's date.
    options = {**options, "today": dt.date.today().isoformat()}
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    for file in sorted({i.source for i in items}):
        stat = os.stat(file)
        digest.update(os.fsencode(file) + f"\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:24]


def _read_cache(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    try:
        return (pd.read_parquet(folder / "articles.parquet"),
                pd.read_parquet(folder / "manifest.parquet"))
    except (OSError, ValueError):
        return None


def _write_cache(folder: Path, articles: pd.DataFrame, manifest: pd.DataFrame) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    # The pid in the name tells prune_cache whether the writer is still alive.
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".tmp-{os.getpid()}-"))
    try:
        articles.to_parquet(tmp / "articles.parquet", index=False)
        manifest.to_parquet(tmp / "manifest.parquet", index=False)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- public API


def _check_sources(sources) -> list:
    """Return ``sources`` as a list, or raise TypeError saying what load_articles takes."""
    items = [sources] if isinstance(sources, (str, os.PathLike)) else sources
    if isinstance(items, Iterable) and not isinstance(items, (bytes, Mapping)):
        items = list(items)
        if all(isinstance(s, (str, os.PathLike)) for s in items):
            return items
        sources = next(s for s in items if not isinstance(s, (str, os.PathLike)))
    raise TypeError("sources must be a file, folder, glob or archive path, or a list of them; "
                    f"got {type(sources).__name__} {sources!r}")


def _check_options(*, fmt, tz, languages, max_bytes) -> None:
    """Raise a ValueError or TypeError naming the load_articles argument that is wrong."""
    if fmt != "auto" and fmt not in FORMATS:
        raise ValueError(f"unknown fmt {fmt!r}; expected 'auto' or one of {', '.join(FORMATS)}")
    if not isinstance(tz, str):
        raise TypeError(f"tz must be an IANA time zone name like 'Asia/Baku', not "
                        f"{type(tz).__name__} {tz!r}")
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        near = [z for z in sorted(zoneinfo.available_timezones()) if z.casefold() == tz.casefold()]
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ValueError(f"unknown time zone tz={tz!r}; use an IANA name like "
                         f"'Asia/Baku' or 'UTC'{hint}") from exc
    if (isinstance(languages, str) or not isinstance(languages, Sequence)
            or not all(isinstance(lang, str) for lang in languages)):
        raise TypeError(f"languages must be a sequence of language codes like ('en', 'ru'), "
                        f"not {languages!r}")
    known = set(date_languages())
    unknown = [lang for lang in languages if lang not in known]
    if unknown:
        raise ValueError(f"languages has codes dateparser does not know: "
                         f"{', '.join(map(repr, unknown))}; use ISO 639-1 codes like 'en', 'ru', "
                         "'az', 'tr'")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, float)) or max_bytes <= 0:
        raise ValueError(f"max_bytes must be a positive number of bytes, like {50 * _MIB} "
                         f"(50 MiB), not {max_bytes!r}")


def load_articles(
    sources: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    fmt: str = "auto",
    tz: str = "UTC",
    drop_duplicates: bool = False,
    return_manifest: bool = False,
    columns: Mapping[str, str] | None = None,
    languages: Sequence[str] = config.DEFAULT_LANGUAGES,
    max_bytes: int = config.MAX_FILE_BYTES,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
    progress: bool | None = None,
    n_jobs: int | None = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load news articles from files into one clean, typed DataFrame.

    Parameters
    ----------
    sources : path, folder, glob or list of them
        Folders are searched recursively (names starting with ``.`` are not
        inputs); ``.tar.gz``/``.tgz``/``.tar``/``.zip`` archives are read
        member by member without unpacking.
    fmt : {"auto", "text", "html", "jsonl", "json", "csv", "parquet", "bbc", \
"reuters21578", "ttc3600"}
        ``"auto"`` picks a reader per file by extension and content.
    tz : str
        Time zone of the ``published`` column. Dates printed without an
        offset are taken as wall-clock time in this zone.
    drop_duplicates : bool
        Remove rows flagged in ``duplicate_of`` (they stay in the manifest).
    return_manifest : bool
        Also return the manifest: one row per input item with ``path``,
        ``format``, ``status`` (``loaded``, ``duplicate``, ``rejected``,
        ``empty``), ``reason`` and ``article_id``.
    columns : mapping, optional
        For exports, which column holds each field (keys among ``id``,
        ``title``, ``text``, ``published``, ``source``, ``url``, ``label``),
        e.g. ``{"text": "story", "published": "pub_date"}``. A mapped column
        is used whenever it has a value. Unmapped, the date comes from the
        first recognised column holding a machine timestamp (Unix seconds or
        milliseconds, ISO 8601 with ``Z`` or an offset) before any display
        string such as ``"July 11, 2022 12:18 AM"``; when several date
        columns disagree, the manifest ``reason`` names the one used.
    languages : sequence of str
        Language hints for datelines in text pages.
    max_bytes : int
        Files larger than this are rejected unread.
    cache, cache_dir : bool, path
        Reuse the result of an identical earlier load (same files, sizes,
        modification times and options) from ``data/processed/cache``.
    progress : bool or None
        Show a progress bar; ``None`` shows it only on a terminal.
    n_jobs : int or None
        Processes that read, parse and clean the inputs; ``None`` uses every
        core. The result is the same for any value.

    Returns
    -------
    DataFrame, or (DataFrame, DataFrame) with ``return_manifest=True``
        Columns and dtypes as in :data:`ARTICLE_COLUMNS`: ``article_id``
        (the record's own id, else a stable hash of source, title and
        text), ``source``, ``url``, ``title``, ``published`` (tz-aware,
        NaT when unknown), ``text`` (body only), ``lang`` (ISO 639-1),
        ``n_words``, ``path`` (file, plus ``:line`` or ``#record``),
        ``label`` (ground-truth category, ``;``-joined when several) and
        ``duplicate_of`` (article_id of the first copy).

    Raises
    ------
    FileNotFoundError
        A source path or glob matches nothing.
    ValueError, TypeError
        An argument is not one this function takes; the message names it
        (an unknown ``fmt`` lists the formats, an unknown ``columns`` key
        lists the fields). Bad *content* never raises: it is in the manifest.

    Examples
    --------
    >>> from analysis import config
    >>> df = load_articles(config.SAMPLE_DIR / "bakudaily", cache=False, progress=False)
    >>> df.loc[0, ["title", "source", "lang"]].tolist()
    ['OSCE supports study visit of Azerbaijani experts to Hungary', 'Bakudaily.Az', 'en']
    >>> str(df.loc[0, "published"])
    '2014-09-22 13:31:00+00:00'
    """
    sources = _check_sources(sources)
    _check_options(fmt=fmt, tz=tz, languages=languages, max_bytes=max_bytes)
    n_jobs = resolve_n_jobs(n_jobs)
    fields = formats.resolve_field_names(columns)
    with contextlib.ExitStack() as open_archives:
        items = _discover(sources, open_archives)
        options = {"fmt": fmt, "tz": tz, "columns": dict(columns or {}),
                   "languages": list(languages), "max_bytes": max_bytes,
                   "items": [i.path for i in items]}
        folder = None
        if cache:
            # None, after a CacheWarning, when the folder cannot be written: load uncached.
            root = usable_cache_dir(cache_dir)
            if root is not None:
                folder = root / f"articles-{_fingerprint(items, options)}"
        cached = _read_cache(folder) if folder else None
        if cached is not None:
            articles, manifest = cached
            mark_used(folder)
        else:
            store = UnitStore(folder.parent / "units") if folder else None
            load_options = _Options(fmt, max_bytes, fields, tz, tuple(languages))
            rows, complete = _load_rows(items, load_options, store=store, n_jobs=n_jobs,
                                        progress=progress, base=_unit_base(options))
            articles, manifest = _assembled(rows, tz=tz)
            if folder and complete:
                _write_cache(folder, articles, manifest)
                prune_cache(folder.parent)
                store.prune()
    if drop_duplicates:
        articles = articles[articles["duplicate_of"].isna()].reset_index(drop=True)
    return (articles, manifest) if return_manifest else articles
