"""Load scraped news articles from files into one typed DataFrame.

:func:`load_articles` is the entry point. It finds the input items (files,
archive members: :mod:`analysis.items`), splits them into units that
worker processes load independently — read with the reader for their
format (:mod:`analysis.formats`, :mod:`analysis.textpage`), cleaned
(:mod:`analysis.clean`), kept per input in the load cache
(:mod:`analysis.units`, :mod:`analysis.unitstore`) — and assembles the rows
here: unique ids, duplicates across the corpus, and a manifest that
accounts for every item.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import shutil
import tempfile
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config, formats, units
from analysis.cache import mark_used, prune_cache, usable_cache_dir
from analysis.clean import (
    DuplicateSketches,
    find_duplicates,
    text_fingerprint,
)
from analysis.cluster import check_dask, dask_client, n_workers
from analysis.dates import date_languages, future_problems
from analysis.items import _MIB, _STRING, OUTPUT_MARKER, _discover, _Item, input_files
from analysis.parallel import give_back_memory, resolve_n_jobs
from analysis.unitstore import UnitStore

__all__ = ["ARTICLE_COLUMNS", "MANIFEST_COLUMNS", "FORMATS", "OUTPUT_MARKER", "input_files",
           "load_articles", "status_counts"]

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

#: Manifest statuses in pipeline order.
_STATUSES = ("loaded", "duplicate", "empty", "rejected")


def _status_order(index: pd.Index) -> pd.Index:
    return index.map(lambda s: _STATUSES.index(s) if s in _STATUSES else len(_STATUSES))


def status_counts(manifest: pd.DataFrame) -> dict[str, int]:
    """Return the number of manifest items per status, in pipeline order.

    Examples
    --------
    >>> status_counts(pd.DataFrame({"status": ["rejected", "loaded", "loaded"]}))
    {'loaded': 2, 'rejected': 1}
    """
    counts = manifest["status"].value_counts().sort_index(key=_status_order)
    return {status: int(n) for status, n in counts.items()}


# --------------------------------------------------------------------------- assembling


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


def _assembled(rows: pd.DataFrame, *, tz: str, bodyless: pd.Series | None = None,
               signatures: Callable[[], np.ndarray] | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the articles and manifest of the loaded rows of every unit, in input order.

    What depends on the whole corpus happens here: unique ids, duplicates,
    and dates in the future (judged today, as cached rows outlive a day).
    Rows without their texts (:mod:`analysis.remote`) say which have no
    body in ``bodyless``, one flag per row, and may bring the records'
    MinHash signatures as one array instead of a ``signature`` column,
    returned by ``signatures()`` when the duplicates are looked for, so that
    the array (half a kilobyte per article) is held only then.
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
    is_record = rows["record"].to_numpy(dtype=bool)
    # No copy when every row is an article (exports): a million rows are half a gigabyte.
    records = rows if is_record.all() else rows[is_record]
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
    sketches = _sketches_of(records, None if signatures is None else signatures())
    if bodyless is None:
        body_missing = _bodyless(articles["text"])
    else:
        body_missing = pd.Series(bodyless.to_numpy(dtype=bool)[
            rows["record"].to_numpy(dtype=bool)], index=articles.index)
    articles["duplicate_of"] = pd.array(
        _duplicates_earliest_first(articles, sketches, body_missing), dtype=_STRING)
    fingerprints = sketches.fingerprints
    del sketches  # and with them the signatures, before the manifest is built
    return articles.reset_index(drop=True), _manifest_frame(rows, articles, fingerprints)


def _bodyless(texts: pd.Series) -> pd.Series:
    """Return which ``texts`` are missing or blank (one definition, here and on Dask workers)."""
    return texts.fillna("").str.strip().eq("")


def _sketches_of(records: pd.DataFrame, signatures: np.ndarray | None = None
                 ) -> DuplicateSketches:
    """Return the sketches stored with ``records`` (see :func:`_add_sketches`).

    ``signatures``, one row per record, replaces their ``signature`` column.
    """
    fingerprints = records["fingerprint"].astype(object).to_numpy().copy()
    fingerprints[pd.isna(fingerprints)] = None
    if signatures is None:
        signatures = np.frombuffer(b"".join(records["signature"]), dtype=np.uint32).reshape(
            len(records), DuplicateSketches.num_perm)
    elif signatures.shape != (len(records), DuplicateSketches.num_perm):
        raise ValueError(f"{signatures.shape[0]} signatures for {len(records)} records")
    return DuplicateSketches(fingerprints, signatures,
                             records["n_shingles"].to_numpy(dtype=np.int64))


def _duplicates_earliest_first(articles: pd.DataFrame, sketches: DuplicateSketches,
                               bodyless: pd.Series) -> list:
    # The earliest-published copy is the original; undated copies and ties
    # fall back to input order, so the result does not depend on file names
    # alone and stays deterministic.
    order = articles["published"].reset_index(drop=True).sort_values(
        kind="stable", na_position="last").index
    flagged = find_duplicates(articles["text"].iloc[order], articles["article_id"].iloc[order],
                              sketches=sketches.taken(np.asarray(order)))
    result = pd.Series(flagged.array, index=order).sort_index()
    return _headline_only_duplicates(articles, order, result, bodyless)


def _headline_only_duplicates(articles: pd.DataFrame, order, result: pd.Series,
                              bodyless: pd.Series) -> pd.Series:
    """Flag records without a body that repeat an earlier record's headline, source and day.

    Wire corpora carry body-less briefs ("Tokyo stock index rises ... in
    first nine minutes") twice; with no text to compare, the same headline
    from the same source on the same day is the same item. Across days a
    repeated headline ("Live updates") may be news, so it is not flagged.
    """
    bodyless = bodyless & articles["title"].notna()
    if not bodyless.any():
        return result
    days = articles["published"].dt.strftime("%Y-%m-%d").fillna("")
    first: dict[tuple, int] = {}
    result = result.copy()
    for pos in (p for p in order if bodyless.iat[p] and pd.isna(result.iat[p])):
        key = (str(articles["source"].iat[pos]), days.iat[pos],
               text_fingerprint(articles["title"].iat[pos]))
        if key[2] and key in first:
            result.iat[pos] = articles["article_id"].iat[first[key]]
        else:
            first.setdefault(key, pos)
    return result


def _manifest_frame(rows: pd.DataFrame, articles: pd.DataFrame,
                    fingerprints: Sequence[str | None]) -> pd.DataFrame:
    """Return the manifest: one entry per loaded row, the ``record`` rows being ``articles``.

    ``fingerprints`` are the articles' :func:`text_fingerprint`. Built column
    by column: a million entries as dictionaries were the peak of loading.
    """
    status = rows["status"].astype(object).to_numpy().copy()
    article_id = np.full(len(rows), None, dtype=object)
    first_reason = np.full(len(rows), None, dtype=object)
    at = np.flatnonzero(rows["record"].to_numpy(dtype=bool))  # article i is row at[i]
    ids = articles["article_id"].to_numpy(dtype=object)
    article_id[at] = ids
    copies = np.flatnonzero(articles["duplicate_of"].notna().to_numpy())
    if len(copies):
        fingerprints = np.asarray(fingerprints, dtype=object)
        row_of = dict(zip(ids.tolist(), range(len(ids)), strict=True))
        originals = articles["duplicate_of"].to_numpy(dtype=object)[copies]
        mine = fingerprints[copies]
        theirs = fingerprints[[row_of[original] for original in originals]]
        status[at[copies]] = "duplicate"
        first_reason[at[copies]] = [
            f"{'headline-only' if m is None else 'exact' if m == t else 'near'} duplicate of {o}"
            for m, t, o in zip(mine, theirs, originals, strict=True)]
    reasons = ["; ".join(listed) if first is None else "; ".join([first, *listed])
               for first, listed in zip(first_reason.tolist(), rows["reasons"].tolist(),
                                        strict=True)]
    return pd.DataFrame({"path": rows["path"].to_numpy(dtype=object),
                         "format": rows["format"].to_numpy(dtype=object), "status": status,
                         "reason": reasons, "article_id": article_id},
                        columns=list(MANIFEST_COLUMNS)).astype(_STRING)


# --------------------------------------------------------------------------- caching


_LIBRARIES = ("pandas", "pyarrow", "trafilatura", "dateparser", "py3langid", "datasketch",
              "charset-normalizer", "stop-words")


def _code_version() -> str:
    # The loader's own source and the libraries whose output it keeps: a
    # change to either must not serve an old result.
    digest = hashlib.blake2b(digest_size=8)
    textpage = sorted(f"textpage/{path.name}"
                      for path in (Path(__file__).parent / "textpage").glob("*.py"))
    for module in ("io.py", "items.py", "units.py", "formats.py", "clean.py", *textpage,
                   "textlines.py", "linemodel.py", "models/line_model.json", "dates.py",
                   "config.py", "unitstore.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    for library in _LIBRARIES:
        digest.update(f"{library}={importlib.metadata.version(library)}".encode())
    return digest.hexdigest()


def _options_of(*, fmt, tz, columns, languages, max_bytes) -> dict:
    """Return the load options that shape every unit's rows, as the cache keys hold them."""
    return {"fmt": fmt, "tz": tz, "columns": dict(columns or {}), "languages": list(languages),
            "max_bytes": max_bytes}


def _unit_base(options: dict) -> str:
    """Return what every unit key shares: the loader's code and the options, not the inputs."""
    shared = {k: v for k, v in options.items() if k != "items"}
    return hashlib.sha256((_code_version() + json.dumps(shared, sort_keys=True, default=str)
                           ).encode()).hexdigest()


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
    dask=None,
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
    dask : "local", scheduler address, distributed.Client or None
        Read, parse and clean the inputs on the workers of a Dask cluster
        instead (:func:`analysis.cluster.dask_client`; ``n_jobs`` is then
        the cluster's). Workers open the files themselves, so they must
        see the same paths; text pages are read here, as a page's site chrome
        is learned from its folder. The result is the same as without.

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
    check_dask(dask)
    n_jobs = resolve_n_jobs(n_jobs)
    fields = formats.resolve_field_names(columns)
    with contextlib.ExitStack() as open_archives:
        items = _discover(sources, open_archives)
        options = {**_options_of(fmt=fmt, tz=tz, columns=columns, languages=languages,
                                 max_bytes=max_bytes), "items": [i.path for i in items]}
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
            load_options = units._Options(fmt, max_bytes, fields, tz, tuple(languages))
            with dask_client(dask) as client:
                rows, complete = units._load_rows(
                    items, load_options, store=store, progress=progress,
                    n_jobs=n_workers(client) if client is not None else n_jobs,
                    base=_unit_base(options), client=client)
            articles, manifest = _assembled(rows, tz=tz)
            if folder and complete:
                _write_cache(folder, articles, manifest)
                prune_cache(folder.parent)
                store.prune()
    if drop_duplicates:
        articles = articles[articles["duplicate_of"].isna()].reset_index(drop=True)
    give_back_memory()
    return (articles, manifest) if return_manifest else articles
