"""The ``newsscope`` command line.

``newsscope ingest SOURCES... --out FILE`` loads articles into a Parquet file;
``newsscope report SOURCES... --out DIR`` builds the versioned, shareable HTML
report (topics, trends, bursts, what changed); ``newsscope overview`` writes
the quick one-page corpus overview; ``topics`` and ``trends`` write tables.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import tempfile
import zoneinfo
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.formats import DEFAULT_FIELD_NAMES
from analysis.io import FORMATS, load_articles

REPORT_NAME = "newsscope-report.html"
FREQS = ("D", "W", "M", "Q", "Y")
COLUMNS_EXAMPLE = "text=story,published=timestamp"


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


def _add_load_options(parser: argparse.ArgumentParser) -> None:
    _add_source_options(parser)
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
    ingest.add_argument("--out", default=str(config.PROCESSED_DATA_DIR / "articles.parquet"),
                        help="output Parquet file (default: %(default)s)")
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
    report.add_argument("--quiet", action="store_true", help="no progress bar")
    overview = commands.add_parser("overview", help="write the one-page HTML corpus overview")
    _add_load_options(overview)
    overview.add_argument("--out", default=str(config.REPORTS_DIR),
                          help="output folder or .html file (default: %(default)s)")
    overview.add_argument("--title", default="newsscope corpus overview")
    topics = commands.add_parser("topics", help="fit topic clusters and write them as CSV/Parquet")
    _add_source_options(topics, sources_help="a Parquet file from `newsscope ingest`, "
                                             "or sources to load")
    topics.add_argument("--out", required=True, help="output folder")
    topics.add_argument("--k", default="auto", help="number of topics, or 'auto' (default)")
    topics.add_argument("--method", default="hybrid", choices=("hybrid", "nmf", "embeddings"))
    topics.add_argument("--previous", help="folder of an earlier run: matched topics keep ids")
    topics.add_argument("--seed", type=int, default=0, help="random_state (default 0)")
    topics.add_argument("--quiet", action="store_true", help="no progress bar")
    trends = commands.add_parser("trends", help="term trends, rising terms and bursts as CSV")
    _add_source_options(trends, sources_help="a Parquet file from `newsscope ingest`, "
                                             "or sources to load")
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


def _check_options(args: argparse.Namespace) -> None:
    """Parse ``--columns`` and check the options the parser cannot, before anything is read.

    A mistake is reported in the command line's words, at once rather than
    after minutes of loading.
    """
    args.columns = parse_columns(getattr(args, "columns", None))
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
_CLI_WORDS = {"fmt=": "--format", "columns=": "--columns", "tz=": "--tz "}


def _cli_words(message: str) -> str:
    """Return a library message with argument names replaced by command-line options.

    Examples
    --------
    >>> _cli_words("unsupported file type '.xyz'; pass fmt= to force a format")
    "unsupported file type '.xyz'; pass --format to force a format"
    """
    for python, option in _CLI_WORDS.items():
        message = message.replace(python, option)
    return message


def _error(exc: BaseException) -> int:
    print(f"newsscope: error: {_cli_words(str(exc))}", file=sys.stderr)
    return 2


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        if path.suffix == ".csv":
            from analysis.report_data import csv_safe

            # Spreadsheets run text cells such as =HYPERLINK(...) as formulas.
            csv_safe(frame).to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _status_line(manifest: pd.DataFrame) -> str:
    from analysis.report import status_counts

    counts = status_counts(manifest)
    return f"{len(manifest)} input items: " + ", ".join(f"{n} {s}" for s, n in counts.items())


def _load(args) -> tuple[pd.DataFrame, pd.DataFrame]:
    return load_articles(args.sources, fmt=args.fmt, columns=args.columns, tz=args.tz,
                         drop_duplicates=args.drop_duplicates, return_manifest=True,
                         cache=not args.no_cache, progress=False if args.quiet else None)


def _articles_from_sources(args) -> pd.DataFrame:
    if (len(args.sources) == 1 and args.sources[0].endswith(".parquet") and args.fmt == "auto"
            and not args.columns):
        frame = pd.read_parquet(args.sources[0])
        if {"article_id", "title", "text"} <= set(frame.columns):
            return frame  # the table `newsscope ingest` wrote
    articles, manifest = load_articles(args.sources, fmt=args.fmt, columns=args.columns,
                                       return_manifest=True,
                                       progress=False if args.quiet else None)
    if articles.empty:
        from analysis.report_data import nothing_loaded_error

        raise nothing_loaded_error(args.sources, manifest)
    return articles


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
                           previous=previous)
    except (FileNotFoundError, ValueError) as exc:
        return _error(exc)
    out = Path(args.out)
    doc_topics = model.doc_topics_.rename(columns={"article_id": "id", "topic_id": "topic"})
    _write_table(doc_topics[["id", "topic"]], out / "doc_topics.csv")
    terms = model.topics_[["topic_id", "top_terms"]].explode("top_terms").dropna()
    terms = terms.assign(rank=terms.groupby("topic_id").cumcount() + 1).rename(
        columns={"topic_id": "topic", "top_terms": "term"})
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
        out = Path(args.out)
        _write_table(term_trends(articles, terms=args.terms, freq=args.freq),
                     out / "term_trends.csv")
        _write_table(rising_terms(articles, focus=focus, terms=args.terms),
                     out / "rising_terms.csv")
        bursts = detect_bursts(articles, terms=args.terms, freq=args.freq)
        bursts = bursts.assign(headlines=bursts["headlines"].map(
            lambda items: " | ".join(f"{h['article_id']}: {h['title']}" for h in items)))
        _write_table(bursts, out / "bursts.csv")
        if args.topics:
            doc_topics = pd.read_parquet(Path(args.topics) / "doc_topics.parquet")
            _write_table(topic_trends(articles, doc_topics, freq=args.freq),
                         out / "topic_trends.csv")
    except (FileNotFoundError, ValueError) as exc:
        return _error(exc)
    print(f"trends of {len(articles)} articles -> {out}")
    return 0


def _report(args) -> int:
    from analysis.report import build_report

    for name in ("trafilatura", "htmldate"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        previous = None if args.previous == "none" else args.previous
        page = build_report(args.sources, out=args.out, title=args.title, fmt=args.fmt,
                            columns=args.columns, freq=args.freq, k=args.k, terms=args.terms,
                            focus=args.focus, since=args.since, previous=previous, tz=args.tz,
                            random_state=args.seed, progress=False if args.quiet else None)
    except (FileNotFoundError, ValueError) as exc:
        return _error(exc)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        _check_options(args)
    except ValueError as exc:
        return _error(exc)
    if args.command == "topics":
        return _topics(args)
    if args.command == "trends":
        return _trends(args)
    if args.command == "report":
        return _report(args)
    # trafilatura logs every unparseable page at ERROR; the manifest already
    # records those, and a wall of log lines would bury the summary.
    for name in ("trafilatura", "htmldate"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        articles, manifest = _load(args)
    except (FileNotFoundError, ValueError) as exc:
        return _error(exc)
    print(_status_line(manifest))
    if args.command == "ingest":
        out = Path(args.out)
        _write_table(articles, out)
        print(f"wrote {len(articles)} articles to {out}")
        if args.manifest:
            _write_table(manifest, Path(args.manifest))
            print(f"wrote the manifest to {args.manifest}")
        return 0
    from analysis.report import render_overview, write_html

    out = Path(args.out)
    target = out if out.suffix == ".html" else out / REPORT_NAME
    html = render_overview(articles, manifest, sources=args.sources, title=args.title)
    path = write_html(html, target)
    print(f"report: {path.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
