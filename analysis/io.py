"""Load scraped news articles from files into one typed DataFrame.

:func:`load_articles` is the entry point. It finds the input items (files,
archive members), reads each with the reader for its format
(:mod:`analysis.formats`, :mod:`analysis.textpage`), cleans the text
(:mod:`analysis.clean`) and accounts for every item in a manifest.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import io
import itertools
import json
import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import config, formats, textpage
from analysis.clean import (
    DecodeError,
    decode_bytes,
    detect_languages,
    find_duplicates,
    looks_binary,
    normalise_text,
    text_fingerprint,
)
from analysis.dates import coerce_published

__all__ = ["ARTICLE_COLUMNS", "MANIFEST_COLUMNS", "FORMATS", "load_articles"]

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
# Bump when the output of a reader changes, so stale caches are not reused.
_CACHE_VERSION = "1"


@dataclass
class _Item:
    path: str
    folder: str
    size: int
    read: Callable[[], bytes]


# --------------------------------------------------------------------------- discovery


def _is_hidden(path: Path) -> bool:
    return any(part.startswith(".") and part not in (".", "..") for part in path.parts)


def _file_item(path: Path) -> _Item:
    return _Item(str(path), str(path.parent), path.stat().st_size, path.read_bytes)


def _archive_items(path: Path) -> Iterator[_Item]:
    name = path.name.lower()
    if name.endswith(".zip"):
        archive = zipfile.ZipFile(path)
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if not info.is_dir() and not _is_hidden(Path(info.filename)):
                member = info.filename
                yield _Item(f"{path}::{member}", f"{path}::{Path(member).parent}", info.file_size,
                            lambda m=member: archive.read(m))
        return
    archive = tarfile.open(path)
    for info in sorted(archive.getmembers(), key=lambda i: i.name):
        if info.isfile() and not _is_hidden(Path(info.name)):
            yield _Item(f"{path}::{info.name}", f"{path}::{Path(info.name).parent}", info.size,
                        lambda i=info: archive.extractfile(i).read())


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


def _discover(sources: str | os.PathLike | Iterable[str | os.PathLike]) -> list[_Item]:
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    items: list[_Item] = []
    for source in sources:
        for path in _expand(source):
            if path.is_dir():
                files = sorted(p for p in path.rglob("*")
                               if p.is_file() and not _is_hidden(p.relative_to(path)))
            else:
                files = [path]
            for file in files:
                if file.name.lower().endswith(_ARCHIVES):
                    items.extend(_archive_items(file))
                else:
                    items.append(_file_item(file))
    return items


def _suffix(path: str) -> str:
    name = path.split("::")[-1].lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return Path(name).suffix


def _sniff(head: bytes) -> str | None:
    start = head.lstrip()[:200].lower()
    if start.startswith((b"<!doctype html", b"<html")) or b"<html" in start:
        return "html"
    if start.startswith((b"<!doctype lewis", b"<reuters")):
        return "reuters21578"
    return None


def _resolve_format(item: _Item, fmt: str, raw: bytes) -> str | None:
    if fmt != "auto":
        return fmt
    by_extension = _EXTENSIONS.get(_suffix(item.path))
    sniffed = _sniff(raw[:4096])
    if by_extension == "text" and sniffed:
        return sniffed
    return by_extension or sniffed


# --------------------------------------------------------------------------- reading


def _read_bytes(item: _Item, max_bytes: int) -> tuple[bytes | None, formats.Parsed | None]:
    if item.size > max_bytes:
        return None, formats.Parsed.reject(
            item.path, f"file is {item.size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit "
            "(max_bytes)")
    try:
        raw = item.read()
    except OSError as exc:
        return None, formats.Parsed.reject(item.path, f"could not read file: {exc}")
    if item.path.lower().endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            return None, formats.Parsed.reject(item.path, f"broken gzip data: {exc}")
    if not raw.strip():
        return None, formats.Parsed.empty(item.path, "empty file")
    return raw, None


def _parse_structured(fmt: str, raw: bytes, path: str, fields) -> list[formats.Parsed]:
    if fmt == "parquet":
        try:
            frame = pd.read_parquet(io.BytesIO(raw))
        except Exception as exc:  # pyarrow raises several types for corrupt files
            return [formats.Parsed.reject(path, f"unreadable parquet: {exc}")]
        return [formats._outcome_for_record(f"{path}#{i}", formats.record_from_mapping(row, fields))
                for i, row in enumerate(frame.to_dict("records"))]
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


def _parse_text_pages(
    pages: list[tuple[str, str]], languages: Sequence[str]
) -> list[formats.Parsed]:
    boilerplate = (textpage.recurring_lines(text for _, text in pages)
                   if len(pages) >= 3 else frozenset())
    out = []
    for path, text in pages:
        page = textpage.parse_text_page(text, boilerplate=boilerplate, languages=languages)
        if not page.text.strip():
            out.append(formats.Parsed.empty(path, "no article body found (site chrome only?)"))
            continue
        record = {"title": page.title, "text": page.text, "source": page.source,
                  "published": page.published, "date_text": page.date_text}
        out.append(formats.Parsed(path, record))
    return out


def _iter_outcomes(items: list[_Item], *, fmt: str, max_bytes: int, fields,
                   languages: Sequence[str], progress) -> Iterator[tuple[str, formats.Parsed]]:
    from tqdm.auto import tqdm

    bar = tqdm(total=len(items), desc="loading", unit="file", disable=progress)
    try:
        for _, group in itertools.groupby(items, key=lambda i: i.folder):
            pages: list[tuple[str, str]] = []
            for item in group:
                raw, problem = _read_bytes(item, max_bytes)
                item_fmt = _resolve_format(item, fmt, raw or b"")
                bar.update()
                if problem is not None:
                    yield item_fmt or fmt, problem
                    continue
                if item_fmt is None:
                    yield "unknown", formats.Parsed.reject(
                        item.path, f"unsupported file type {_suffix(item.path) or '(none)'!r}; "
                        "pass fmt= to force a format")
                    continue
                try:
                    if item_fmt == "text":
                        text, _ = decode_bytes(raw)
                        pages.append((item.path, normalise_text(text)))
                        continue
                    outcomes = _parse_structured(item_fmt, raw, item.path, fields)
                    if not outcomes:
                        outcomes = [formats.Parsed.empty(item.path, "no records in the file")]
                    for outcome in outcomes:
                        yield item_fmt, outcome
                except DecodeError as exc:
                    yield item_fmt, formats.Parsed.reject(item.path, str(exc))
            for outcome in _parse_text_pages(pages, languages):
                yield "text", outcome
    finally:
        bar.close()


# --------------------------------------------------------------------------- assembling


def _stable_id(record: dict) -> str:
    key = "\x1f".join(record.get(k) or "" for k in ("source", "title", "text"))
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def _unique(ids: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for article_id in ids:
        n = seen.get(article_id, 0) + 1
        seen[article_id] = n
        out.append(article_id if n == 1 else f"{article_id}~{n}")
    return out


def _finish_record(fmt: str, outcome: formats.Parsed, *, tz: str,
                   languages: Sequence[str]) -> dict:
    record = outcome.record
    published, problem = coerce_published(record.get("published"), tz=tz, languages=languages)
    problem = record.get("date_problem") or problem
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
        "own_id": record.get("id"),
        "source": line("source"),
        "url": line("url"),
        "title": line("title"),
        "published": published,
        "text": normalise_text(record.get("text") or ""),
        "lang": record.get("lang"),
        "path": outcome.path,
        "label": line("label"),
    }


def _build_frames(outcomes: Iterable[tuple[str, formats.Parsed]], *, tz: str,
                  languages: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, manifest = [], []
    for fmt, outcome in outcomes:
        entry = {"path": outcome.path, "format": fmt, "status": outcome.status, "row": None}
        if outcome.record is not None:
            entry["row"] = len(rows)
            rows.append(_finish_record(fmt, outcome, tz=tz, languages=languages))
        entry["reasons"] = outcome.reasons
        manifest.append(entry)

    articles = pd.DataFrame(rows, columns=["own_id", *ARTICLE_COLUMNS])
    articles["article_id"] = _unique([r["own_id"] or _stable_id(r) for r in rows])
    missing_lang = [i for i, r in enumerate(rows) if not r["lang"]]
    detected = detect_languages(
        [rows[i]["text"] or rows[i]["title"] for i in missing_lang])
    for i, lang in zip(missing_lang, detected, strict=True):
        rows[i]["lang"] = lang
    articles["lang"] = [r["lang"] for r in rows]
    articles["published"] = pd.to_datetime(
        pd.Series([r["published"] for r in rows], dtype=object), utc=True
    ).dt.tz_convert(tz).astype(f"datetime64[ns, {tz}]")
    articles["n_words"] = articles["text"].astype(_STRING).str.count(r"\S+").astype("int64")
    articles["duplicate_of"] = _duplicates_earliest_first(articles)
    articles = articles.drop(columns="own_id").astype(
        {c: _STRING for c, d in ARTICLE_COLUMNS.items() if d == _STRING})
    return articles.reset_index(drop=True), _manifest_frame(manifest, articles)


def _duplicates_earliest_first(articles: pd.DataFrame) -> list:
    # The earliest-published copy is the original; undated copies and ties
    # fall back to input order, so the result does not depend on file names
    # alone and stays deterministic.
    order = articles["published"].reset_index(drop=True).sort_values(
        kind="stable", na_position="last").index
    flagged = find_duplicates(articles["text"].iloc[order].tolist(),
                              articles["article_id"].iloc[order].tolist())
    return pd.Series(flagged.array, index=order).sort_index().tolist()


def _manifest_frame(entries: list[dict], articles: pd.DataFrame) -> pd.DataFrame:
    ids = articles["article_id"].tolist()
    dups = articles["duplicate_of"].tolist()
    fingerprints: dict[str, str] = {}
    records = []
    for entry in entries:
        article_id, reasons, status = None, list(entry["reasons"]), entry["status"]
        if entry["row"] is not None:
            article_id = ids[entry["row"]]
            original = dups[entry["row"]]
            if original is not pd.NA and original is not None:
                status = "duplicate"
                if not fingerprints:
                    fingerprints = dict(zip(ids, map(text_fingerprint, articles["text"]),
                                            strict=True))
                same = fingerprints[article_id] == fingerprints[original]
                reasons.insert(0, f"{'exact' if same else 'near'} duplicate of {original}")
        records.append({"path": entry["path"], "format": entry["format"], "status": status,
                        "reason": "; ".join(reasons), "article_id": article_id})
    return pd.DataFrame(records, columns=list(MANIFEST_COLUMNS)).astype(_STRING)


# --------------------------------------------------------------------------- caching


def _code_version() -> str:
    digest = hashlib.blake2b(_CACHE_VERSION.encode(), digest_size=8)
    for module in ("io.py", "formats.py", "clean.py", "textpage.py", "dates.py", "config.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()


def _fingerprint(items: list[_Item], options: dict) -> str:
    digest = hashlib.sha256(_code_version().encode())
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    files = sorted({i.path.split("::")[0] for i in items})
    for file in files:
        stat = os.stat(file)
        digest.update(f"{file}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    digest.update(str(len(items)).encode())
    return digest.hexdigest()[:24]


def _read_cache(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    try:
        return (pd.read_parquet(folder / "articles.parquet"),
                pd.read_parquet(folder / "manifest.parquet"))
    except (OSError, ValueError):
        return None


def _write_cache(folder: Path, articles: pd.DataFrame, manifest: pd.DataFrame) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".tmp-"))
    try:
        articles.to_parquet(tmp / "articles.parquet", index=False)
        manifest.to_parquet(tmp / "manifest.parquet", index=False)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- public API


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
        For exports, which column holds each field, e.g.
        ``{"text": "story", "published": "pub_date"}``.
    languages : sequence of str
        Language hints for datelines in text pages.
    max_bytes : int
        Files larger than this are rejected unread.
    cache, cache_dir : bool, path
        Reuse the result of an identical earlier load (same files, sizes,
        modification times and options) from ``data/processed/cache``.
    progress : bool or None
        Show a progress bar; ``None`` shows it only on a terminal.

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

    Examples
    --------
    >>> from analysis import config
    >>> df = load_articles(config.SAMPLE_DIR / "bakudaily", cache=False, progress=False)
    >>> df.loc[0, ["title", "source", "lang"]].tolist()
    ['OSCE supports study visit of Azerbaijani experts to Hungary', 'Bakudaily.Az', 'en']
    >>> str(df.loc[0, "published"])
    '2014-09-22 13:31:00+00:00'
    """
    if fmt != "auto" and fmt not in FORMATS:
        raise ValueError(f"unknown fmt {fmt!r}; expected 'auto' or one of {', '.join(FORMATS)}")
    fields = formats.resolve_field_names(columns)
    items = _discover(sources)
    options = {"fmt": fmt, "tz": tz, "columns": dict(columns or {}), "languages": list(languages),
               "max_bytes": max_bytes, "items": [i.path for i in items]}
    key = _fingerprint(items, options) if cache else None
    folder = Path(cache_dir or config.PROCESSED_DATA_DIR / "cache") / f"articles-{key}"
    cached = _read_cache(folder) if cache else None
    if cached is not None:
        articles, manifest = cached
    else:
        outcomes = _iter_outcomes(items, fmt=fmt, max_bytes=max_bytes, fields=fields,
                                  languages=languages,
                                  progress=None if progress is None else not progress)
        articles, manifest = _build_frames(outcomes, tz=tz, languages=languages)
        if cache:
            _write_cache(folder, articles, manifest)
    if drop_duplicates:
        articles = articles[articles["duplicate_of"].isna()].reset_index(drop=True)
    return (articles, manifest) if return_manifest else articles
