"""The ``newsscope`` command line.

``newsscope ingest SOURCES... --out FILE`` loads articles into a Parquet file;
``newsscope report SOURCES... --out DIR`` builds the versioned, shareable HTML
report (topics, trends, bursts, what changed); ``newsscope overview`` writes
the quick one-page corpus overview; ``topics`` and ``trends`` write tables.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import logging
import os
import re
import secrets
import sys
import time
import warnings
import zoneinfo
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.cluster import check_dask, dask_client, describe
from analysis.formats import DEFAULT_FIELD_NAMES
from analysis.io import FORMATS, OUTPUT_MARKER, load_articles, status_counts

REPORT_NAME = "newsscope-report.html"
FREQS = ("D", "W", "M", "Q", "Y")
COLUMNS_EXAMPLE = "text=story,published=timestamp"
# What `report` imports to run and export its notebook. ipykernel is the python3 kernel:
# when it is importable, jupyter_client offers it under that name even with no kernelspec
# installed, so finding the module is the kernel check.
REPORT_MODULES = ("papermill", "nbconvert", "nbformat", "ipykernel")
# A temporary table unchanged this long belongs to a run that died: a live write
# changes it far more often (see _remove_stale_tmp).
STALE_TMP_SECONDS = 600
# Exit status of a run stopped with Ctrl-C, as shells report it (128 + SIGINT).
INTERRUPTED = 130


class CommandError(Exception):
    """A failure the command line reports as one ``newsscope: error:`` line.

    ``status`` is the exit status: 2 for a bad argument, 1 for a failed write.
    """

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def _add_source_options(parser: argparse.ArgumentParser, *,
                        sources_help: str = "files, folders, globs or archives") -> None:
    """Add SOURCES, ``--format`` and ``--columns``: how every subcommand reads its inputs."""
    parser.add_argument("sources", nargs="+", help=sources_help)
    parser.add_argument("--format", dest="fmt", default="auto", choices=("auto", *FORMATS),
                        help="force one reader instead of detecting per file "
                             "(bbc and ttc3600 are never detected)")
    parser.add_argument("--columns", metavar="FIELD=COLUMN,...",
                        help="export columns (jsonl, json, csv, parquet) that hold each field, "
                             f"e.g. {COLUMNS_EXAMPLE}; fields: {', '.join(DEFAULT_FIELD_NAMES)}")


def _add_max_bytes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-bytes", metavar="SIZE",
                        help="reject larger files unread: 50MB, 200MiB or a number of bytes "
                             f"(default: {config.MAX_FILE_BYTES // 2**20}MiB)")


def parse_jobs(text: str) -> int:
    """Return a ``--jobs`` value: a positive number of processes.

    Examples
    --------
    >>> parse_jobs("2")
    2
    >>> parse_jobs("0")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: takes a positive number of processes, e.g. --jobs 4, not '0'
    """
    if not re.fullmatch(r"\s*\d+\s*", text) or int(text) < 1:
        raise argparse.ArgumentTypeError("takes a positive number of processes, e.g. --jobs 4, "
                                         f"not {text!r}")
    return int(text)


def _add_jobs(parser: argparse.ArgumentParser) -> None:
    # None, not os.cpu_count(): the loader resolves "every core" itself, where it runs.
    parser.add_argument("--jobs", type=parse_jobs, metavar="N",
                        help="processes that load (and index) the articles, threads "
                             "that fit topics "
                             f"(default: every core, {os.cpu_count() or 1} here); "
                             "any N gives the same results")


def _add_dask(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dask", metavar="ADDRESS",
                        help="load (and index) on a Dask cluster: 'local' starts one on this "
                             "machine, tcp://host:8786 uses a running scheduler whose workers "
                             "see the same paths; same results as without (needs the scale "
                             "extra)")


def _add_load_options(parser: argparse.ArgumentParser) -> None:
    _add_source_options(parser)
    _add_max_bytes(parser)
    _add_jobs(parser)
    _add_dask(parser)
    parser.add_argument("--tz", default="UTC", help="time zone of the published column")
    parser.add_argument("--drop-duplicates", action="store_true",
                        help="leave out rows flagged as duplicates (they stay in the manifest)")
    parser.add_argument("--no-cache", action="store_true", help="ignore and do not write the cache")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``newsscope`` command."""
    parser = argparse.ArgumentParser(prog="newsscope", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="load articles into a Parquet table")
    _add_load_options(ingest)
    ingest.add_argument("--out", help="output Parquet file (default: "
                        f"{config.PROCESSED_DATA_DIR / 'articles.parquet'}), or with --dataset "
                        f"its folder (default: {config.PROCESSED_DATA_DIR / 'articles'})")
    ingest.add_argument("--dataset", action="store_true",
                        help="write a Parquet dataset folder, one month=YYYY-MM subfolder per "
                             "month, instead of one file; with --dask the workers write it")
    ingest.add_argument("--manifest", help="also write the manifest (.csv or .parquet)")

    report = commands.add_parser(
        "report", help="build the versioned HTML report: topics, trends, bursts, what changed")
    _add_source_options(report)
    report.add_argument("--out", default=str(config.REPORTS_DIR),
                        help="reports folder (default: %(default)s)")
    report.add_argument("--title", help="report title (default: the first source's name)")
    report.add_argument("--freq", default="W", choices=FREQS,
                        help="period of the trend charts (default: W)")
    report.add_argument("--k", default="auto", help="number of topics, or 'auto' (default)")
    report.add_argument("--terms", nargs="+", help="terms to chart: words, phrases, traffick*")
    report.add_argument("--focus", help="START:END window for rising terms "
                        "(default: the newest quarter of the articles)")
    report.add_argument("--since", help="leave older articles out of the time charts")
    report.add_argument("--previous", default="auto",
                        help="version folder to compare with; 'auto' (default) takes the "
                             "newest earlier version, 'none' compares with nothing")
    report.add_argument("--tz", default="UTC", help="time zone of dates (default: UTC)")
    report.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    report.add_argument("--include-date-outliers", action="store_true",
                        help="keep articles dated far from all the others in the time charts "
                             "(by default they are listed in the summary and left out)")
    _add_max_bytes(report)
    _add_jobs(report)
    _add_dask(report)
    report.add_argument("--no-cache", action="store_true", help="ignore and do not write the cache")
    report.add_argument("--quiet", action="store_true", help="no progress bar")
    overview = commands.add_parser("overview", help="write the one-page HTML corpus overview")
    _add_load_options(overview)
    overview.add_argument("--out", default=str(config.REPORTS_DIR),
                          help="output folder or .html file (default: %(default)s)")
    overview.add_argument("--title", default="newsscope corpus overview")
    topics = commands.add_parser("topics", help="fit topic clusters and write them as CSV/Parquet")
    _add_source_options(topics, sources_help="a Parquet file from `newsscope ingest`, "
                                             "or sources to load")
    _add_max_bytes(topics)
    _add_jobs(topics)
    _add_dask(topics)
    topics.add_argument("--out", required=True, help="output folder")
    topics.add_argument("--k", default="auto", help="number of topics, or 'auto' (default)")
    topics.add_argument("--method", default="hybrid", choices=("hybrid", "nmf", "embeddings"))
    topics.add_argument("--previous", help="folder of an earlier run: matched topics keep ids")
    topics.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    topics.add_argument("--quiet", action="store_true", help="no progress bar")
    trends = commands.add_parser("trends", help="term trends, rising terms and bursts as CSV")
    _add_source_options(trends, sources_help="a Parquet file from `newsscope ingest`, "
                                             "or sources to load")
    _add_max_bytes(trends)
    _add_jobs(trends)
    _add_dask(trends)
    trends.add_argument("--out", required=True, help="output folder")
    trends.add_argument("--freq", default="W", choices=FREQS)
    trends.add_argument("--terms", nargs="+", help="words, phrases or patterns like traffick*")
    trends.add_argument("--focus", help="START:END window for rising terms "
                                        "(default: the latest quarter of the articles)")
    trends.add_argument("--topics",
                        help="folder of a `newsscope topics` run: adds topic_trends.csv")
    trends.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def parse_columns(text: str | None) -> dict[str, str] | None:
    """Return the ``--columns`` option as a mapping of field to export column.

    Raises ``ValueError`` in the option's own words when the text is not
    ``FIELD=COLUMN`` pairs separated by commas, or names an unknown field.

    Examples
    --------
    >>> parse_columns("text=story, published=timestamp")
    {'text': 'story', 'published': 'timestamp'}
    >>> parse_columns("story")
    Traceback (most recent call last):
    ValueError: --columns takes FIELD=COLUMN pairs separated by commas, ...
    """
    if text is None:
        return None
    mapping: dict[str, str] = {}
    for pair in text.split(","):
        field, equals, column = (part.strip() for part in pair.partition("="))
        if not (field and equals and column):
            raise ValueError("--columns takes FIELD=COLUMN pairs separated by commas, e.g. "
                             f"{COLUMNS_EXAMPLE}; {pair.strip()!r} is not one")
        if field not in DEFAULT_FIELD_NAMES:
            raise ValueError(f"--columns: unknown field {field!r} in {pair.strip()!r}; "
                             f"the fields are {', '.join(DEFAULT_FIELD_NAMES)}")
        if field in mapping:
            raise ValueError(f"--columns gives the {field} field twice")
        mapping[field] = column
    return mapping


# Decimal units as disk makers and most tools print sizes, binary ones as `ls -lh`.
_SIZE_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
               "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def parse_size(text: str) -> int:
    """Return a size such as ``--max-bytes`` takes, in bytes.

    A number of bytes, or a number with a unit: kB, MB, GB, TB (powers of
    1000) or KiB, MiB, GiB, TiB (powers of 1024), in any letter case. A bare
    ``M`` is refused rather than guessed, as tools disagree on what it means.

    Examples
    --------
    >>> parse_size("50MB"), parse_size("200 MiB"), parse_size("1.5gb"), parse_size("1000")
    (50000000, 209715200, 1500000000, 1000)
    >>> parse_size("50M")
    Traceback (most recent call last):
    ValueError: --max-bytes takes a size like 50MB, 200MiB or a number of bytes, not '50M'
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*", text.casefold())
    if not match or match[2] not in _SIZE_UNITS:
        raise ValueError("--max-bytes takes a size like 50MB, 200MiB or a number of bytes, "
                         f"not {text!r}")
    size = round(float(match[1]) * _SIZE_UNITS[match[2]])
    if size < 1:
        raise ValueError(f"--max-bytes must be at least 1 byte, not {text!r}")
    return size


def _check_options(args: argparse.Namespace) -> None:
    """Parse ``--columns`` and check the options the parser cannot, before anything is read.

    A mistake is reported in the command line's words, at once rather than
    after minutes of loading.
    """
    args.columns = parse_columns(getattr(args, "columns", None))
    if getattr(args, "max_bytes", None) is not None:
        args.max_bytes = parse_size(args.max_bytes)
    k = getattr(args, "k", "auto")
    if k != "auto":
        if not re.fullmatch(r"\s*\d+\s*", k):
            raise ValueError(f"--k takes a number of topics or 'auto', not {k!r}")
        args.k = int(k)
    tz = getattr(args, "tz", "UTC")
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"--tz: unknown time zone {tz!r}; use an IANA name like "
                         "Asia/Baku or UTC") from exc
    if getattr(args, "dask", None) is not None:
        try:
            check_dask(args.dask)
        except ValueError as exc:
            raise ValueError(f"--{exc}") from None
    since = getattr(args, "since", None)
    if since:
        try:
            pd.Timestamp(since)
        except ValueError as exc:
            raise ValueError(f"--since takes a date like 2023-01-01, not {since!r}") from exc
    focus = getattr(args, "focus", None)
    if focus:
        from analysis.report_data import focus_window

        try:
            start, end = focus_window(pd.DataFrame({"published": []}), focus)
            pd.Timestamp(start), pd.Timestamp(end)
        except ValueError as exc:
            raise ValueError("--focus takes START:END dates, e.g. 2022-01-01:2022-01-31, "
                             f"not {focus!r}") from exc


# What the library's messages call an argument, and the option that sets it here.
_CLI_WORDS = {r"\bfmt=": "--format", r"\bcolumns=": "--columns", r"\btz=": "--tz ",
              r"\bfocus=": "--focus ", r"\bmax_bytes\b": "--max-bytes"}


def _cli_words(message: str) -> str:
    """Return a library message with argument names replaced by command-line options.

    Examples
    --------
    >>> _cli_words("unsupported file type '.xyz'; pass fmt= to force a format")
    "unsupported file type '.xyz'; pass --format to force a format"
    >>> _cli_words("file is 63.2 MiB, over the 50 MiB limit (max_bytes)")
    'file is 63.2 MiB, over the 50 MiB limit (--max-bytes)'
    """
    for python, option in _CLI_WORDS.items():
        message = re.sub(python, option, message)
    return message


def _error(exc: BaseException) -> int:
    # A load that gave no article (report_data.NothingLoadedError) carries its
    # manifest: what each item was and why is listed first, as after any load,
    # since the command writes no manifest to look in.
    manifest = getattr(exc, "manifest", None)
    if isinstance(manifest, pd.DataFrame) and not manifest.empty:
        _print_load_summary(manifest, statuses=_not_loaded(manifest))
    print(f"newsscope: error: {_cli_words(str(exc))}", file=sys.stderr)
    return 2


def _warn(message: str) -> None:
    print(f"newsscope: warning: {message}", file=sys.stderr)


@contextlib.contextmanager
def _plain_warnings() -> Iterator[None]:
    """Print the package's own warnings as one ``newsscope: warning:`` line.

    Python's format (file, line number, source line) is for programmers; a
    warning such as "loading without a cache" or "3 articles have no date"
    is for whoever runs the command. Other libraries' warnings keep their
    usual form, which says where they come from.
    """
    with warnings.catch_warnings():
        show = warnings.showwarning

        def plain(message, category, *args, **kwargs):
            if category.__module__.partition(".")[0] == "analysis":
                _warn(str(message))
            else:
                show(message, category, *args, **kwargs)

        warnings.showwarning = plain
        yield


def missing_modules(names: Sequence[str] = REPORT_MODULES) -> list[str]:
    """Return those of ``names`` that cannot be imported, without importing any.

    Examples
    --------
    >>> missing_modules(["json", "no_such_module_here"])
    ['no_such_module_here']
    """
    missing = []
    for name in names:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a broken parent package, a bad __spec__
            found = False
        if not found:
            missing.append(name)
    return missing


def _check_report_modules() -> None:
    # Checked before loading: without them the report fails only after its
    # slowest steps, with a chained ModuleNotFoundError.
    missing = missing_modules(REPORT_MODULES)
    if missing:
        raise CommandError(f"report needs {', '.join(missing)} (not installed; they are "
                           f"newsscope dependencies: pip install {' '.join(missing)}, or "
                           "reinstall newsscope)")


# ------------------------------------------------------------------------------ outputs


def _nearest_existing(path: Path) -> Path:
    path = Path(os.path.abspath(path))
    while not os.path.lexists(path) and path != path.parent:
        path = path.parent
    return path


def _check_target(path: Path, *, option: str, kind: str, hint: str) -> None:
    """Raise a CommandError when ``path`` cannot become the ``kind`` ("file"/"folder") asked.

    A file where a folder is expected (or the reverse) is a bad argument
    (status 2); a place that cannot be written is a write failure (status 1).
    Both are found before minutes of loading, not after.
    """
    if kind == "file" and path.is_dir():
        raise CommandError(f"{option} {path} is a folder; {hint}")
    if kind == "folder" and path.exists() and not path.is_dir():
        raise CommandError(f"{option} {path} is a file; {hint}")
    existing = _nearest_existing(path if kind == "folder" else path.parent)
    if not existing.is_dir():
        raise CommandError(f"{option} {path}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CommandError(f"cannot write {option} {path}: {existing} is not writable",
                           status=1)


def _check_outputs(args: argparse.Namespace) -> None:
    """Check every output path of the command before anything is read."""
    if args.command == "ingest" and args.out is None:
        args.out = str(config.PROCESSED_DATA_DIR / ("articles" if args.dataset
                                                    else "articles.parquet"))
    out = Path(args.out)
    if args.command == "ingest" and args.dataset:
        from analysis.dataset import check_target

        _check_target(out, option="--out", kind="folder", hint="--dataset writes a folder")
        try:
            check_target(out)
        except ValueError as exc:
            raise CommandError(f"--out {exc}") from None
    elif args.command == "ingest":
        _check_target(out, option="--out", kind="file",
                      hint=f"ingest writes one Parquet file, e.g. --out {out / 'articles.parquet'}"
                           " (or a folder with --dataset)")
        if args.manifest:
            _check_target(Path(args.manifest), option="--manifest", kind="file",
                          hint="the manifest is one .csv or .parquet file")
    elif args.command == "overview" and out.suffix == ".html":
        _check_target(out, option="--out", kind="file",
                      hint=f"give a folder (the page is {REPORT_NAME} in it) or a .html file")
    else:
        _check_target(out, option="--out", kind="folder",
                      hint=f"{args.command} writes a folder" + (
                          f" ({REPORT_NAME} in it) or a .html file"
                          if args.command == "overview" else ""))


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Report a failed write of ``path`` as a CommandError with status 1."""
    try:
        yield
    except OSError as exc:
        raise CommandError(f"could not write {path}: {exc.strerror or exc}", status=1) from exc


def _tmp_pattern(path: Path) -> re.Pattern:
    # Ours, and those mkstemp made before: .<name>.<8 of [a-z0-9_]>.tmp
    return re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}\.tmp")


def _remove_stale_tmp(path: Path) -> None:
    """Remove the temporary files interrupted writes of ``path`` left beside it.

    Only this output's own names, and only those unchanged for
    STALE_TMP_SECONDS: a run writing the same output right now keeps its
    younger file, so two runs never undo each other's write.
    """
    pattern, limit = _tmp_pattern(path), time.time() - STALE_TMP_SECONDS
    with os.scandir(path.parent) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                if (pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)
                        and entry.stat(follow_symlinks=False).st_mtime < limit):
                    os.unlink(entry.path)


def _new_tmp(path: Path) -> Path:
    # Created 0o666 and left to the umask like any file the user writes: mkstemp's
    # 0o600 hid tables from the colleagues a report (0o644) is shared with.
    # os.open applies the umask itself, so it is never read or changed here.
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return tmp
    raise FileExistsError(f"no free temporary name beside {path}")


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_tmp(path)
    tmp = _new_tmp(path)
    try:
        if path.suffix == ".csv":
            from analysis.report_data import csv_safe

            # Spreadsheets run text cells such as =HYPERLINK(...) as formulas.
            csv_safe(frame).to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _mark_output_folder(folder: Path) -> None:
    """Mark ``folder`` as newsscope output, so loading a folder around it skips it.

    Only a folder holding nothing else visible is marked: marking a folder
    of the user's own files would hide them from every later load.
    """
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / OUTPUT_MARKER
    if marker.exists():
        return
    others = sorted(p.name for p in folder.iterdir()
                    if not p.name.startswith(".") and p.name not in _TABLES)
    if others:
        _warn(f"{folder} also holds other files (e.g. {others[0]}), so it is not marked as "
              "newsscope output; loading a folder that contains it will try to read its tables")
        return
    marker.write_text("Tables written by newsscope. The newsscope loader skips this folder.\n",
                      encoding="utf-8")


# Every table `topics` and `trends` write: a folder holding only these is output.
_TABLES = frozenset({"doc_topics.csv", "topics.csv", "topics.parquet", "doc_topics.parquet",
                     "k_selection.csv", "term_trends.csv", "rising_terms.csv", "bursts.csv",
                     "topic_trends.csv"})


# ------------------------------------------------------------------------------ loading


def _status_line(manifest: pd.DataFrame) -> str:
    counts = status_counts(manifest)
    return f"{len(manifest)} input items: " + ", ".join(f"{n} {s}" for s, n in counts.items())


def _reason_kind(reason: str) -> str:
    # Reasons name their file's own numbers and values ("file is 63.2 MB",
    # "type '.xyz'"); without them, reasons of one kind group together.
    reason = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", reason)
    return re.sub(r"\d+(?:[.,]\d+)*", "#", reason)


def rejection_lines(manifest: pd.DataFrame, n: int = 5, *,
                    statuses: Sequence[str] = ("rejected",)) -> list[str]:
    """Return the input items of ``statuses``, grouped by kind of reason, as lines to print.

    The ``n`` most common kinds, each with its count and one example item
    and its reason in command-line words; then how many more there are.
    By default only the rejected items, which a load that went well still
    has to explain; a load that gave nothing lists every status.

    Examples
    --------
    >>> manifest = pd.DataFrame({
    ...     "path": ["a.pdf", "big.jsonl", "b.doc", "ok.txt"],
    ...     "status": ["rejected", "rejected", "rejected", "loaded"],
    ...     "reason": ["unsupported file type '.pdf'; pass fmt= to force a format",
    ...                "file is 63.2 MiB, over the 50 MiB limit (max_bytes)",
    ...                "unsupported file type '.doc'; pass fmt= to force a format", ""]})
    >>> print("\\n".join(rejection_lines(manifest)))
      2 rejected, e.g. a.pdf: unsupported file type '.pdf'; pass --format to force a format
      1 rejected, e.g. big.jsonl: file is 63.2 MiB, over the 50 MiB limit (--max-bytes)
    >>> empty = pd.DataFrame({"path": ["blank.txt"], "status": ["empty"], "reason": ["no text"]})
    >>> print("\\n".join(rejection_lines(pd.concat([manifest, empty]), 2,
    ...                                  statuses=("empty", "rejected"))))
      2 rejected, e.g. a.pdf: unsupported file type '.pdf'; pass --format to force a format
      1 rejected, e.g. big.jsonl: file is 63.2 MiB, over the 50 MiB limit (--max-bytes)
      1 more not loaded for 1 other reason
    """
    shown = manifest[manifest["status"].isin(statuses)].reset_index(drop=True)
    if shown.empty:
        return []
    reasons = shown["reason"].astype(object).fillna("").replace("", "no reason given")
    kinds = shown["status"].astype(str) + "|" + reasons.map(_reason_kind)
    # Most common first; among equals, the kind met first.
    counts = sorted(kinds.groupby(kinds, sort=False).size().items(), key=lambda kv: -kv[1])
    lines = []
    for kind, count in counts[:n]:
        first = int(kinds.eq(kind).to_numpy().argmax())
        reason = _cli_words(reasons[first])
        reason = reason if len(reason) <= 200 else reason[:199] + "…"
        lines.append(f"  {count} {shown.at[first, 'status']}, e.g. {shown.at[first, 'path']}: "
                     f"{reason}")
    rest = counts[n:]
    if rest:
        label = statuses[0] if len(statuses) == 1 else "not loaded"
        lines.append(f"  {sum(c for _, c in rest)} more {label} for {len(rest)} other "
                     f"reason{'s' if len(rest) > 1 else ''}")
    return lines


def _not_loaded(manifest: pd.DataFrame) -> list[str]:
    """Return the statuses in ``manifest`` other than loaded: all a load that gave nothing has."""
    return sorted(set(manifest["status"].astype(str)) - {"loaded"})


def _print_load_summary(manifest: pd.DataFrame, *,
                        statuses: Sequence[str] = ("rejected",)) -> None:
    print(_status_line(manifest))
    for line in rejection_lines(manifest, statuses=statuses):
        print(line)


def _max_bytes(args: argparse.Namespace) -> int:
    # Read at run time, not when the parser is built: config may be changed.
    return config.MAX_FILE_BYTES if args.max_bytes is None else args.max_bytes


def _load(args) -> tuple[pd.DataFrame, pd.DataFrame]:
    return load_articles(args.sources, fmt=args.fmt, columns=args.columns, tz=args.tz,
                         drop_duplicates=args.drop_duplicates, return_manifest=True,
                         max_bytes=_max_bytes(args), cache=not args.no_cache,
                         progress=False if args.quiet else None, n_jobs=args.jobs,
                         dask=args.dask)


def _articles_from_sources(args) -> pd.DataFrame:
    if (len(args.sources) == 1 and args.sources[0].endswith(".parquet") and args.fmt == "auto"
            and not args.columns):
        frame = pd.read_parquet(args.sources[0])
        if {"article_id", "title", "text"} <= set(frame.columns):
            return frame  # the table `newsscope ingest` wrote
    articles, manifest = load_articles(args.sources, fmt=args.fmt, columns=args.columns,
                                       return_manifest=True, max_bytes=_max_bytes(args),
                                       progress=False if args.quiet else None,
                                       n_jobs=args.jobs, dask=args.dask)
    if articles.empty:
        from analysis.report_data import nothing_loaded_error

        raise nothing_loaded_error(args.sources, manifest)
    _print_load_summary(manifest)
    return articles


# ------------------------------------------------------------------------------ commands


def _topics(args) -> int:
    from analysis.topics import fit_topics

    try:
        if args.previous and not (Path(args.previous) / "topics.parquet").is_file():
            raise ValueError(f"--previous folder {args.previous} has no topics.parquet "
                             "(the output folder of an earlier `newsscope topics` run)")
        articles = _articles_from_sources(args)
        previous = (pd.read_parquet(Path(args.previous) / "topics.parquet")
                    if args.previous else None)
        model = fit_topics(articles, k=args.k, method=args.method, random_state=args.seed,
                           previous=previous, n_jobs=args.jobs)
    except (FileNotFoundError, ValueError) as exc:
        return _error(exc)
    out = Path(args.out)
    doc_topics = model.doc_topics_.rename(columns={"article_id": "id", "topic_id": "topic"})
    terms = model.topics_[["topic_id", "top_terms"]].explode("top_terms").dropna()
    terms = terms.assign(rank=terms.groupby("topic_id").cumcount() + 1).rename(
        columns={"topic_id": "topic", "top_terms": "term"})
    with _writing(out):
        _mark_output_folder(out)
        _write_table(doc_topics[["id", "topic"]], out / "doc_topics.csv")
        _write_table(terms[["topic", "rank", "term"]], out / "topics.csv")
        _write_table(model.topics_, out / "topics.parquet")
        _write_table(model.doc_topics_, out / "doc_topics.parquet")
        if model.k_selection_ is not None:
            _write_table(model.k_selection_, out / "k_selection.csv")
    print(f"{len(model.topics_)} topics over {len(model.doc_topics_)} articles -> {out}")
    for row in model.topics_.itertuples():
        print(f"  {row.topic_id:>3}  {row.size:>6}  {row.label}")
    return 0


def _trends(args) -> int:
    from analysis.bursts import detect_bursts
    from analysis.report_data import focus_window
    from analysis.trends import rising_terms, term_trends, topic_trends

    try:
        articles = _articles_from_sources(args)
        focus = focus_window(articles, args.focus)
        tables = {"term_trends.csv": term_trends(articles, terms=args.terms, freq=args.freq),
                  "rising_terms.csv": rising_terms(articles, focus=focus, terms=args.terms)}
        bursts = detect_bursts(articles, terms=args.terms, freq=args.freq)
        tables["bursts.csv"] = bursts.assign(headlines=bursts["headlines"].map(
            lambda items: " | ".join(f"{h['article_id']}: {h['title']}" for h in items)))
        if args.topics:
            doc_topics = pd.read_parquet(Path(args.topics) / "doc_topics.parquet")
            tables["topic_trends.csv"] = topic_trends(articles, doc_topics, freq=args.freq)
    except (FileNotFoundError, ValueError) as exc:
        return _error(exc)
    out = Path(args.out)
    with _writing(out):
        _mark_output_folder(out)
        for name, table in tables.items():
            _write_table(table, out / name)
    print(f"trends of {len(articles)} articles -> {out}")
    return 0


def _report(args) -> int:
    from analysis.report import build_report

    try:
        previous = None if args.previous == "none" else args.previous
        page = build_report(args.sources, out=args.out, title=args.title, fmt=args.fmt,
                            columns=args.columns, freq=args.freq, k=args.k, terms=args.terms,
                            focus=args.focus, since=args.since, previous=previous, tz=args.tz,
                            random_state=args.seed, cache=not args.no_cache,
                            include_date_outliers=args.include_date_outliers,
                            max_bytes=_max_bytes(args), progress=False if args.quiet else None,
                            n_jobs=args.jobs, dask=args.dask)
    except (FileNotFoundError, ValueError) as exc:
        return _error(exc)
    except ConnectionError:
        raise  # a Dask cluster that went away, said so by _run
    except OSError as exc:
        print(f"newsscope: error: could not write the report: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        from papermill.exceptions import PapermillExecutionError

        if not isinstance(exc, PapermillExecutionError):
            raise
        print(f"newsscope: error: the report notebook failed in cell {exc.exec_count}: "
              f"{exc.ename}: {exc.evalue}", file=sys.stderr)
        return 1
    print(f"report: {page.resolve()}")
    print(f"versions: {page.parent.parent.resolve() / 'index.html'}")
    return 0


def _dataset(args) -> int:
    from analysis.dataset import NoArticlesError, write_dataset
    from analysis.report_data import nothing_loaded_error

    out = Path(args.out)
    try:
        manifest = write_dataset(
            args.sources, out, fmt=args.fmt, columns=args.columns, tz=args.tz,
            drop_duplicates=args.drop_duplicates, max_bytes=_max_bytes(args),
            cache=not args.no_cache, progress=False if args.quiet else None,
            n_jobs=args.jobs, dask=args.dask)
    except NoArticlesError as exc:
        return _error(nothing_loaded_error(args.sources, exc.manifest))
    except (FileNotFoundError, ValueError) as exc:  # an input, not the output
        return _error(exc)
    except ConnectionError:
        raise  # a Dask cluster that went away, said so by _run
    except OSError as exc:
        raise CommandError(f"could not write {out}: {exc.strerror or exc}", status=1) from exc
    _print_load_summary(manifest)
    loaded = int(manifest["status"].eq("loaded").sum())
    kept = loaded if args.drop_duplicates else loaded + int(manifest["status"].eq(
        "duplicate").sum())
    print(f"wrote {kept} articles to the dataset {out} (one folder per month)")
    _write_manifest(args, manifest)
    return 0


def _write_manifest(args, manifest: pd.DataFrame) -> None:
    if args.manifest:
        with _writing(Path(args.manifest)):
            _write_table(manifest, Path(args.manifest))
        print(f"wrote the manifest to {args.manifest}")


def _ingest_or_overview(args) -> int:
    if args.command == "ingest" and args.dataset:
        return _dataset(args)
    try:
        articles, manifest = _load(args)
        if articles.empty and args.command == "ingest":
            from analysis.report_data import nothing_loaded_error

            raise nothing_loaded_error(args.sources, manifest)
    except (FileNotFoundError, ValueError) as exc:
        return _error(exc)
    # The overview of a load that gave nothing is still written: its page accounts for
    # every item, and the lines printed here say why none loaded.
    _print_load_summary(manifest, statuses=_not_loaded(manifest) if articles.empty
                        else ("rejected",))
    if args.command == "ingest":
        out = Path(args.out)
        with _writing(out):
            _write_table(articles, out)
        print(f"wrote {len(articles)} articles to {out}")
        _write_manifest(args, manifest)
        return 0
    from analysis.report import render_overview, write_html

    out = Path(args.out)
    target = out if out.suffix == ".html" else out / REPORT_NAME
    html = render_overview(articles, manifest, sources=args.sources, title=args.title)
    with _writing(target):
        path = write_html(html, target)
    print(f"report: {path.resolve()}")
    return 0


def _run(args: argparse.Namespace) -> int:
    try:
        _check_options(args)
    except ValueError as exc:
        return _error(exc)
    _check_outputs(args)
    if args.command == "report":
        _check_report_modules()
    # trafilatura logs every unparseable page at ERROR; the manifest already
    # records those, and a wall of log lines would bury the summary.
    for name in ("trafilatura", "htmldate"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    commands = {"topics": _topics, "trends": _trends, "report": _report}
    command = commands.get(args.command, _ingest_or_overview)
    if args.dask is None:
        return command(args)
    try:
        with dask_client(args.dask) as client:
            if not args.quiet:
                print(describe(client), file=sys.stderr)
            args.dask = client  # one cluster for the whole command
            return command(args)
    except BrokenPipeError:
        raise  # our own output closed (`| head`), not the cluster
    except (ConnectionError, ValueError) as exc:
        return _error(exc)
    except Exception as exc:
        if type(exc).__name__ != "KilledWorker":
            raise
        # A task that took down every worker it was given to, or a cluster that lost them all.
        print(f"newsscope: error: the Dask cluster lost its workers: {exc}", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    A mistake or failure is one ``newsscope: error:`` line on stderr, with
    status 2 for a bad argument or input and 1 for an output that could not
    be written; Ctrl-C prints ``newsscope: interrupted`` and gives 130.

    Examples
    --------
    >>> main(["ingest", "news/", "--max-bytes", "lots"])  # stderr: newsscope: error: ...
    2
    """
    try:
        args = build_parser().parse_args(argv)
        with _plain_warnings():
            return _run(args)
    except KeyboardInterrupt:
        print("newsscope: interrupted", file=sys.stderr)
        return INTERRUPTED
    except CommandError as exc:
        print(f"newsscope: error: {_cli_words(str(exc))}", file=sys.stderr)
        return exc.status


if __name__ == "__main__":
    raise SystemExit(main())
