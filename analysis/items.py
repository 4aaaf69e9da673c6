"""Input items: the files and archive members behind ``sources``, and reading their bytes.

The first stage of :func:`analysis.load_articles`: :func:`input_files` and
``_discover`` find the items (folders walked, archives listed member by
member, newsscope's own output folders skipped and accounted for), and the
readers turn an item's bytes into :class:`analysis.formats.Parsed`
outcomes, or into the decoded text of a page whose site chrome is learned
from its folder (:mod:`analysis.units` does that).
"""

from __future__ import annotations

import contextlib
import glob
import io
import os
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis import formats, textpage
from analysis.clean import DecodeError, decode_bytes, looks_binary, normalise_text
from analysis.formats import _mib, _over_limit  # the size wording of every message

__all__ = ["OUTPUT_MARKER", "dump_text", "input_files"]

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
    member: bool = False  # an archive member: ``source`` is the archive


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
                 size, read, str(archive), member=True)


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


def dump_text(raw: bytes) -> str:
    """Return a text dump's bytes as the reader reads them: decoded and normalised.

    The benchmarks read the labelled dumps through this too, so they score
    the text that :func:`analysis.io.load_articles` parses (the line model's
    trainer learns from the files' own text and scores its CV on this).

    Raises
    ------
    DecodeError
        For binary content or undecodable bytes.

    Examples
    --------
    >>> dump_text("Café  opens \\r\\nGrÃ¼ÃŸe".encode("utf-8"))
    'Café opens\\nGrüße'
    """
    return normalise_text(decode_bytes(raw)[0])


def _parse_text_page(path: str, text: str, languages: Sequence[str],
                     boilerplate: frozenset[str]) -> formats.Parsed:
    page = textpage.parse_text_page(text, boilerplate=boilerplate, languages=languages)
    if not page.text.strip():
        return formats.Parsed.empty(path, "no article body found (site chrome only?)")
    record = {"title": page.title, "text": page.text, "source": page.source,
              "published": page.published, "date_text": page.date_text,
              "date_problem": page.date_problem}
    # Kept, but the manifest says the body may be wrong: the analyst can look
    # at those pages instead of trusting them silently.
    reasons = [f"low confidence: {page.low_confidence}"] if page.low_confidence else []
    return formats.Parsed(path, record, reasons=reasons)


def _parse_raw(path: str, raw: bytes, item_fmt: str | None, fields
               ) -> tuple[str, list[formats.Parsed] | str]:
    """Return ``(format, outcomes)`` of read bytes, or ``("text", decoded page)`` for a page."""
    if item_fmt is None:
        return "unknown", [formats.Parsed.reject(
            path, f"unsupported file type {formats._suffix(path) or '(none)'!r}; "
            "pass fmt= to force a format")]
    try:
        if item_fmt == "text":
            return item_fmt, dump_text(raw)
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


