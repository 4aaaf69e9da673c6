"""Units: the independently loaded pieces of the input, read by worker processes.

Inputs are split into units that load independently of each other — a
file, an archive member, a shard of a JSON-lines export, a Parquet row
group, a CSV stream, a text page with the chrome lines it contains — so
that worker processes can load them in any number with the same result,
and the per-input cache (:mod:`analysis.unitstore`) can keep each on its
own. Only text pages need their siblings (to learn the site's chrome);
that is done while planning, before they become units. Everything per
record (parsing, cleaning, dates, language, the near-duplicate sketch)
happens in the worker; :mod:`analysis.io` assembles the rows.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import formats, textpage
from analysis.clean import (
    DecodeError,
    detect_languages,
    duplicate_sketches,
    normalise_text,
)
from analysis.dates import coerce_published
from analysis.items import (
    _EXTENSIONS,
    _MIB,
    _STRING,
    _file_item,
    _Item,
    _parse_raw,
    _parse_text_page,
    _printable,
    _read_bytes,
    _read_item,
    _resolve_format,
    _Transient,
    dump_text,
)
from analysis.parallel import ordered_map
from analysis.unitstore import UnitStore

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
# One shard per task: two shards in one (the last, short shard joined to a
# full one) made a task twice as long as the rest, which ran on while the
# other processes had nothing left to do.
_BATCH_BYTES = SHARD_BYTES


def _unit_key(base: str, *parts) -> str:
    digest = hashlib.blake2b(base.encode(), digest_size=16)
    for part in parts:
        digest.update(b"\x1f" + (part if isinstance(part, bytes) else str(part).encode(
            "utf-8", "surrogateescape")))
    return digest.hexdigest()


def _stat_parts(path: str) -> tuple:
    stat = os.stat(path)
    return path, stat.st_size, stat.st_mtime_ns


def _export_units(item: _Item, item_fmt: str, base: str, parts: tuple) -> list[_Unit] | None:
    """Return the units of a plain export file read in parts, or None to read it whole.

    ``parts`` are the file's :func:`_stat_parts`, which every key of it holds.
    """
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
        if guess in (None, "text"):
            planned.append(item)
            continue
        parts = _stat_parts(item.source)
        if item.member:
            key = _unit_key(base, "member", *parts, item.path)
            planned.append((_Unit("bytes", item.path, item.source, item.size, fmt=guess,
                                  key=key), item))
            continue
        units = (None if item.path.lower().endswith(".gz")
                 else _export_units(item, guess, base, parts))
        planned.extend(units or [_Unit("file", item.path, item.source, item.size, fmt=guess,
                                       key=_unit_key(base, "file", *parts))])
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
        if unit.key is not None and unit.key in seen:
            # An archive holding two members of one name: load each afresh.
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
            return item.path, dump_text(raw)
        except DecodeError as exc:
            return _problem(item.path, "text", str(exc))
    # Not cached: the bytes are in hand, and this is rare (a .txt holding HTML).
    return _Unit("bytes", item.path, item.source, item.size, data=raw, fmt=item_fmt or "")


# --------------------------------------------------------------------------- loading units


def _unit_outcomes(unit: _Unit, options: _Options) -> list[tuple[str, formats.Parsed]]:
    """Return ``(format, outcome)`` for everything in ``unit``."""
    if unit.kind == "problem":
        # A transient problem is a rejection now; _load_units keeps it out of the cache.
        status = "rejected" if unit.status == "transient" else unit.status
        return [(unit.fmt, formats.Parsed(unit.path, None, status, [unit.reason]))]
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
    # A "bytes" or "file" unit is never a text page: those are planned as pages.
    if unit.kind == "bytes":
        item_fmt, outcomes = _parse_raw(unit.path, unit.data, unit.fmt or None, options.fields)
    else:
        item_fmt, outcomes = _read_item(_file_item(Path(unit.source)), fmt=options.fmt,
                                        max_bytes=options.max_bytes, fields=options.fields)
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
        if unit.status == "transient":
            transient.add(unit.key)
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
    # str.split() and the regex \S+ part words at the same characters
    # (str.isspace); pandas runs that regex on each text in Python anyway.
    frame["n_words"] = np.fromiter(
        (len(t.split()) if isinstance(t, str) else 0 for t in frame["text"]), dtype=np.int64,
        count=len(frame))
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


def _load_rows(items: list[_Item], options: _Options, *, store: UnitStore | None, n_jobs: int,
               progress: bool | None, base: str, client=None) -> tuple[pd.DataFrame, bool]:
    """Return the loaded rows of every unit in input order, and whether all are cacheable.

    Units the store holds are read from it; the others are loaded in up to
    ``n_jobs`` processes (or on the workers of a Dask ``client``, one batch
    per worker thread at a time), a batch at a time, and stored.
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
    # On a cluster the bar counts its tasks (partitions: batches of inputs), as its dashboard does.
    total, initial, desc, unit = (
        (len(batches), 0, "loading on dask", " partition") if client is not None else
        (len(units), len(units) - sum(len(b) for b in batches), "loading", " input"))
    with tqdm(total=total, initial=initial, desc=desc, unit=unit, disable=not progress) as bar:
        articles, started = 0, time.perf_counter()
        for frame, transient, n_units in ordered_map(
                _loaded_batch, ((batch, options) for batch in batches), n_jobs=n_jobs,
                client=client):
            complete &= not transient
            if store is not None:
                keep = frame["unit"].ne("") & ~frame["unit"].isin(transient)
                store.write(frame[keep].drop(columns="position"))
            parts.append(frame)
            articles += int(frame["record"].sum())
            bar.set_postfix_str(f"{articles / max(time.perf_counter() - started, 1e-9):,.0f} "
                                "articles/s", refresh=False)
            bar.update(1 if client is not None else n_units)
    rows = pd.concat(parts, ignore_index=True) if parts else _load_units([], options)[0]
    # Stable: a unit's rows keep their order.
    return rows.sort_values("position", kind="stable", ignore_index=True), complete


# --------------------------------------------------------------------------- records


def _stable_id(record: dict) -> str:
    key = "\x1f".join(record.get(k) or "" for k in ("source", "title", "text"))
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


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


