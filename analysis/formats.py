"""Readers that turn one input item into article records.

Each reader takes what :mod:`analysis.io` hands it (decoded text or raw
bytes plus where they came from) and returns a list of :class:`Parsed`
outcomes, one per input item: a file, an export line, an SGML record. A
reader never raises for bad content; it records a rejection reason instead,
so the loader can account for every item.

Records are plain dicts with some of the keys ``id``, ``source``, ``url``,
``title``, ``published``, ``date_text``, ``text``, ``label`` and ``lang``,
plus ``date_problem`` (a date kept with a flaw) and ``date_choice`` (which of
an export's date columns gave ``published``), which the loader reports in the
manifest.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from analysis.dates import machine_time_kind

__all__ = [
    "Parsed",
    "DEFAULT_FIELD_NAMES",
    "FieldNames",
    "resolve_field_names",
    "record_from_mapping",
    "parse_html",
    "parse_export_lines",
    "parse_json_document",
    "parse_csv",
    "parse_bbc",
    "parse_ttc3600",
    "parse_reuters_sgml",
]


@dataclass
class Parsed:
    """The outcome for one input item: a record, or why there is none."""

    path: str
    record: dict | None = None
    status: str = "loaded"  # loaded | rejected | empty
    reasons: list[str] = field(default_factory=list)

    @classmethod
    def reject(cls, path: str, reason: str) -> Parsed:
        return cls(path, None, "rejected", [reason])

    @classmethod
    def empty(cls, path: str, reason: str) -> Parsed:
        return cls(path, None, "empty", [reason])


#: Column names recognised in exports, in order of preference, per field.
DEFAULT_FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id", "article_id", "guid", "uuid", "doc_id"),
    "title": ("title", "headline", "heading"),
    "text": ("text", "body", "content", "articleBody", "article", "maintext", "description"),
    "published": ("published", "date", "published_at", "pubdate", "datetime", "timestamp", "time"),
    "source": ("source", "sitename", "site", "domain", "publisher", "outlet"),
    "url": ("url", "link", "href"),
    "label": ("label", "category", "topic", "section"),
}


class FieldNames(dict):
    """Candidate column names per record field, in order of preference.

    ``mapped`` holds the fields the caller named a column for (``columns``):
    that column is taken as it is, even when another column holds a machine
    timestamp.
    """

    def __init__(self, names: Mapping[str, tuple[str, ...]], mapped: frozenset[str] = frozenset()):
        super().__init__(names)
        self.mapped = frozenset(mapped)


def resolve_field_names(columns: Mapping[str, str] | None) -> FieldNames:
    """Return the export field lookup with the user's ``columns`` mapping first.

    Raises ``TypeError`` when ``columns`` is not a mapping of field to column
    name and ``ValueError`` for a field that is not one of
    :data:`DEFAULT_FIELD_NAMES`.

    Examples
    --------
    >>> resolve_field_names({"text": "story"})["text"][:2]
    ('story', 'text')
    >>> resolve_field_names({"story": "text"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: columns has an unknown field 'story'; ... did you mean {'text': 'story'}?)
    """
    if columns is None:
        columns = {}
    if not isinstance(columns, Mapping):
        raise TypeError("columns must be a mapping of field to column name, like "
                        f"{{'text': 'story'}}, not {type(columns).__name__} {columns!r}")
    names = dict(DEFAULT_FIELD_NAMES)
    for target, column in columns.items():
        if target not in names:
            # A column name given as the key: the mapping written backwards, or an
            # alias of a field ("body", "date").
            field = column if isinstance(column, str) and column in names else next(
                (f for f, aliases in names.items() if target in aliases), None)
            pair = {field: target if field == column else column}
            hint = (f" (keys are fields, values column names: did you mean {pair!r}?)"
                    if field else "")
            raise ValueError(f"columns has an unknown field {target!r}; the fields are "
                             f"{', '.join(names)}{hint}")
        if not isinstance(column, str) or not column:
            raise TypeError(f"columns[{target!r}] must be a column name (a non-empty string), "
                            f"not {column!r}")
        names[target] = (column, *(n for n in names[target] if n != column))
    return FieldNames(names, mapped=frozenset(columns))


def _is_missing(value) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    return isinstance(value, float) and math.isnan(value)


def _as_text(value) -> str:
    if isinstance(value, (list, tuple)):
        return ";".join(_as_text(v) for v in value if not _is_missing(v))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id column with gaps comes back as floats
    return str(value)


def record_from_mapping(obj: Mapping, fields: Mapping[str, Sequence[str]]) -> dict:
    """Return a record built from an export row using the field lookup.

    Missing values (None, NaN, blank strings) count as absent, so the next
    candidate column is tried; lists become ``;``-joined text. For the
    published date, the first candidate holding a machine timestamp (Unix
    time, ISO 8601 with an offset) wins over a display string that only
    names a wall-clock time; ``date_choice`` then says which column was used
    and which were ignored. A column the caller mapped (see
    :class:`FieldNames`) is used as it is whenever it has a value.

    Examples
    --------
    >>> record_from_mapping({"id": 7.0, "headline": "A", "body": float("nan"), "text": "B"},
    ...                     resolve_field_names(None))
    {'id': '7', 'title': 'A', 'text': 'B'}
    >>> row = {"published": "July 11, 2022 12:18 AM", "timestamp": 1657513103}
    >>> record = record_from_mapping(row, resolve_field_names(None))
    >>> record["published"], record["date_choice"]
    (1657513103, "date from 'timestamp' (Unix epoch); 'published' ignored")
    """
    record: dict = {}
    for target, candidates in fields.items():
        if target == "published":
            record.update(_published_from(obj, candidates,
                                          mapped="published" in getattr(fields, "mapped", ())))
            continue
        for name in candidates:
            value = obj.get(name)
            if not _is_missing(value):
                record[target] = value
                break
    for key in ("id", "title", "text", "source", "url", "label"):
        if key in record and not isinstance(record[key], str):
            record[key] = _as_text(record[key])
    return record


def _published_from(obj: Mapping, candidates: Sequence[str], *, mapped: bool) -> dict:
    """Return ``published``, and ``date_choice`` when date columns disagreed, for an export row."""
    present = {name: obj.get(name) for name in candidates if not _is_missing(obj.get(name))}
    if not present:
        return {}
    if mapped and candidates[0] in present:
        return {"published": present[candidates[0]]}
    kinds = {name: machine_time_kind(value) for name, value in present.items()}
    name = next((n for n, kind in kinds.items() if kind), next(iter(present)))
    value = present[name]
    ignored = [n for n, v in present.items() if n != name and str(v) != str(value)]
    notes = [f"no value in the mapped column {candidates[0]!r}"] if mapped else []
    if notes or ignored:
        notes.append(f"date from {name!r}" + (f" ({kinds[name]})" if kinds[name] else ""))
    if ignored:
        notes.append(f"{', '.join(map(repr, ignored))} ignored")
    return {"published": value, "date_choice": "; ".join(notes)} if notes else {"published": value}


def _outcome_for_record(path: str, record: dict) -> Parsed:
    if not (record.get("text") or "").strip() and not (record.get("title") or "").strip():
        return Parsed.empty(path, "record has neither title nor text")
    return Parsed(path, record)


def parse_export_lines(
    text: str, *, path: str, fields: Mapping[str, Sequence[str]]
) -> Iterator[Parsed]:
    """Yield one outcome per non-blank line of a JSON-lines export.

    Examples
    --------
    >>> fields = resolve_field_names(None)
    >>> [p.status for p in parse_export_lines('{"title": "A", "text": "b"}\\n{oops\\n',
    ...                                        path="x.jsonl", fields=fields)]
    ['loaded', 'rejected']
    """
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Parsed.reject(where, f"malformed JSON: {exc.msg} at column {exc.colno}")
            continue
        except RecursionError:
            yield Parsed.reject(where, "malformed JSON: structure nested too deeply")
            continue
        if not isinstance(obj, dict):
            yield Parsed.reject(where, f"JSON line is a {type(obj).__name__}, not an object")
            continue
        yield _outcome_for_record(where, record_from_mapping(obj, fields))


def parse_json_document(
    text: str, *, path: str, fields: Mapping[str, Sequence[str]]
) -> Iterator[Parsed]:
    """Yield outcomes for a JSON array of objects, or an object keyed by id."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith("{") and "\n{" in text:
            # Many ".json" exports are really JSON lines.
            yield from parse_export_lines(text, path=path, fields=fields)
            return
        yield Parsed.reject(path, f"malformed JSON: {exc.msg} at line {exc.lineno}")
        return
    if isinstance(doc, dict) and doc and all(isinstance(v, dict) for v in doc.values()):
        items = [({"id": key} | value) for key, value in doc.items()]
    elif isinstance(doc, dict):
        items = [doc]
    elif isinstance(doc, list):
        items = doc
    else:
        yield Parsed.reject(path, f"JSON document is a {type(doc).__name__}, not objects")
        return
    for number, obj in enumerate(items):
        where = f"{path}#{number}"
        if not isinstance(obj, dict):
            yield Parsed.reject(where, f"array element is a {type(obj).__name__}, not an object")
        else:
            yield _outcome_for_record(where, record_from_mapping(obj, fields))


_CSV_DELIMITERS = (",", "\t", ";", "|")


def _csv_dialect(text: str, path: str) -> type[csv.Dialect]:
    """Return an RFC 4180 dialect (``""`` escapes a quote) with the file's delimiter.

    Only the delimiter is detected: the sniffer's quoting guesses come from
    the first 8 KB and turn doubled quotes off when none occur there.  The
    delimiter is the candidate (sniffer's guess first) that gives the most of
    the first 200 rows the header's field count.
    """
    if _suffix(path) == ".tsv":
        candidates: list[str] = ["\t"]
    else:
        try:
            sniffed = csv.Sniffer().sniff(text[:8192], delimiters="".join(_CSV_DELIMITERS))
            candidates = [sniffed.delimiter]
        except csv.Error:
            candidates = []
        candidates += [d for d in _CSV_DELIMITERS if d not in candidates]
    best, best_score = candidates[0], -1
    for delimiter in candidates:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        score = 0
        try:
            header = next(reader)
            if len(header) > 1:
                for row in itertools.islice(reader, 200):
                    score += len(row) == len(header)
        except (StopIteration, csv.Error):
            pass
        if score > best_score:
            best, best_score = delimiter, score

    class _Dialect(csv.excel):
        delimiter = best
        strict = True

    return _Dialect


def parse_csv(text: str, *, path: str, fields: Mapping[str, Sequence[str]]) -> Iterator[Parsed]:
    """Yield one outcome per CSV data row; rows with the wrong field count are rejected.

    The delimiter (``,``, ``;``, tab or ``|``) is detected; each row's path
    names the line the row starts on.  A row with broken quoting (an
    unclosed quote, a stray quote after a closing one) is rejected by its
    first line and reading resumes on the next line, so one bad row cannot
    swallow the rows after it.

    Examples
    --------
    >>> fields = resolve_field_names(None)
    >>> text = 'title,text\\nA,"one\\nB,two\\nC,three\\n'
    >>> [(p.path, p.status) for p in parse_csv(text, path="x.csv", fields=fields)]
    [('x.csv:2', 'rejected'), ('x.csv:3', 'loaded'), ('x.csv:4', 'loaded')]
    """
    # Article bodies easily exceed the csv module's 128 KB default field limit.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    dialect = _csv_dialect(text, path)
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines, dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        yield Parsed.empty(path, "CSV file has no header row")
        return
    start = reader.line_num  # index of the first line the current reader reads
    while start < len(lines):
        reader = csv.reader(itertools.islice(lines, start, None), dialect)
        while True:
            first = start + reader.line_num  # index of the line this row starts on
            where = f"{path}:{first + 1}"
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # Read the row leniently: a stray quote inside one line is harmless.
                lenient = csv.reader(itertools.islice(lines, first, None), dialect, strict=False)
                try:
                    row = next(lenient, [])
                except csv.Error:
                    row = []
                if lenient.line_num == 1 and len(row) == len(header):
                    yield _outcome_for_record(
                        where, record_from_mapping(dict(zip(header, row, strict=True)), fields))
                else:
                    yield Parsed.reject(where, f"malformed CSV: {exc}")
                start = first + 1
                break
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield Parsed.reject(where, f"expected {len(header)} fields, got {len(row)}")
                continue
            record = record_from_mapping(dict(zip(header, row, strict=True)), fields)
            yield _outcome_for_record(where, record)


def _suffix(path: str) -> str:
    name = path.split("::")[-1].lower().removesuffix(".gz")
    return PurePosixPath(name).suffix


def parse_html(markup: str, *, path: str) -> Parsed:
    """Return the article in an HTML page, extracted by trafilatura.

    ``favor_precision`` is used because on real news pages it drops related
    links and comment teasers without losing body text (0.978 vs 0.965 token
    F1 on the article-extraction benchmark, see ``benchmarks/RESULTS.md``).
    """
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            markup, with_metadata=True, include_comments=False, include_tables=True,
            favor_precision=True,
        )
    except Exception as exc:  # trafilatura raises assorted lxml errors on broken markup
        return Parsed.reject(path, f"HTML could not be parsed: {type(exc).__name__}: {exc}")
    if doc is None or not (doc.text or "").strip():
        return Parsed.empty(path, "no article body found in the HTML page")
    lines = [line.strip() for line in doc.text.splitlines() if line.strip()]
    if doc.title and lines and lines[0].casefold() == doc.title.strip().casefold():
        lines = lines[1:]  # the page's <h1> repeats the title
    record = {
        "title": doc.title,
        "text": "\n\n".join(lines),  # trafilatura gives one line per paragraph
        "source": doc.sitename or doc.hostname,
        "url": doc.url,
        "published": doc.date,
        "date_text": doc.date,
    }
    return Parsed(path, {k: v for k, v in record.items() if v})


def _label_and_name(path: str) -> tuple[str, str]:
    parts = PurePosixPath(path.replace("\\", "/").split("::")[-1]).parts
    return (parts[-2] if len(parts) >= 2 else ""), parts[-1]


_BBC_NAME = re.compile(r"^\d{3}\.txt$")
_BBC_LABELS = {"business", "entertainment", "politics", "sport", "tech"}


def parse_bbc(text: str, *, path: str) -> Parsed:
    """Return a BBC News record: headline on line 1, body after, label from the folder."""
    label, name = _label_and_name(path)
    if label not in _BBC_LABELS or not _BBC_NAME.match(name):
        return Parsed.reject(path, "not a BBC article file (<label>/<NNN>.txt)")
    title, _, body = text.partition("\n")
    record = {"id": f"bbc/{label}/{name[:-4]}", "title": title, "text": body, "label": label,
              "source": "BBC News"}
    return _outcome_for_record(path, record)


_TTC_NAME = re.compile(r"^c \(\d+\)\.txt$")


def parse_ttc3600(text: str, *, path: str) -> Parsed:
    """Return a TTC-3600 record: body only, label from the folder, language Turkish."""
    label, name = _label_and_name(path)
    if not _TTC_NAME.match(name) or not label:
        return Parsed.reject(path, "not a TTC-3600 article file (<label>/c (N).txt)")
    number = name[3:-5]
    # 181 of the files keep HTML entities from their RSS source ("&uuml;").
    record = {"id": f"ttc3600/{label}/{number}", "text": html.unescape(text), "label": label,
              "lang": "tr"}
    return _outcome_for_record(path, record)


_REUTERS = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_D = re.compile(r"<D>(.*?)</D>", re.S)
_REUTERS_DATE = re.compile(
    r"^\s*(\d{1,2})-([A-Z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?", re.I
)
_REUTERS_DAY = re.compile(r"^\s*(\d{1,2})-([A-Z]{3})-(\d{4})", re.I)
_MONTHS = {m: i for i, m in enumerate(
    "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}


def _tag(block: str, name: str) -> str | None:
    m = re.search(rf"<{name}\b[^>]*>(.*?)</{name}>", block, re.S)
    return m.group(1) if m else None


def _unescape_sgml(s: str) -> str:
    # &#3; ends every body and &#2;/&#5; are wire control codes: drop them
    # before unescaping so they cannot become control characters in the text.
    return html.unescape(re.sub(r"&#(?:[0-9]|[12][0-9]|3[01]|127);", " ", s))


def reuters_date(raw: str) -> tuple[tuple[int, ...] | None, str | None]:
    """Return ``((Y, M, D, h, m, s, cs) or None, problem)`` for a Reuters DATE value.

    Examples
    --------
    >>> reuters_date("26-FEB-1987 15:01:01.79")
    ((1987, 2, 26, 15, 1, 1, 79), None)
    >>> reuters_date("31-MAR-1987 605:12:19.12")
    ((1987, 3, 31, 0, 0, 0, 0), "invalid time in DATE '31-MAR-1987 605:12:19.12'; kept the day")
    """
    m = _REUTERS_DATE.match(raw)
    if m and m.group(2).upper() in _MONTHS:
        day, mon, year, hh, mm, ss, cs = m.groups()
        if int(hh) < 24 and int(mm) < 60 and int(ss) < 60:
            return (int(year), _MONTHS[mon.upper()], int(day), int(hh), int(mm), int(ss),
                    int((cs or "0").ljust(2, "0"))), None
    d = _REUTERS_DAY.match(raw)
    if d and d.group(2).upper() in _MONTHS:
        day, mon, year = d.groups()
        return ((int(year), _MONTHS[mon.upper()], int(day), 0, 0, 0, 0),
                f"invalid time in DATE {raw.strip()!r}; kept the day")
    return None, f"unparseable DATE {raw.strip()!r}"


def parse_reuters_sgml(text: str, *, path: str) -> Iterator[Parsed]:
    """Yield one outcome per ``<REUTERS>`` element of a Reuters-21578 ``.sgm`` file."""
    for number, m in enumerate(_REUTERS.finditer(text), start=1):
        attrs = dict(_ATTR.findall(m.group(1)))
        block = m.group(2)
        newid = attrs.get("NEWID")
        where = f"{path}#NEWID={newid}" if newid else f"{path}#{number}"
        record: dict = {"source": "Reuters", "label": None}
        if newid:
            record["id"] = newid
        raw_date = _tag(block, "DATE")
        if raw_date:
            record["date_text"] = _unescape_sgml(raw_date).strip()
            parts, problem = reuters_date(record["date_text"])
            record["published"] = parts
            if problem:
                record["date_problem"] = problem
        topics = _D.findall(_tag(block, "TOPICS") or "")
        record["label"] = ";".join(topics) or None
        text_block = _tag(block, "TEXT") or ""
        title = _tag(text_block, "TITLE")
        body = _tag(text_block, "BODY")
        if body is None and title is None:
            # TYPE="UNPROC" documents have their text directly inside <TEXT>.
            body = re.sub(r"<[^>]+>", " ", text_block)
        record["title"] = _unescape_sgml(title) if title else None
        body = _unescape_sgml(body or "")
        # The wire sign-off is not part of the story.
        record["text"] = _reflow(re.sub(r"\s*\bReut(?:er|ers)\s*$", "", body.rstrip()))
        if not record["text"] and not record["title"]:
            # Kept as a row: it is one of the corpus's 21,578 documents, and
            # research splits refer to it by NEWID.
            yield Parsed(where, record, "empty", ["no title or body in the corpus record"])
        else:
            yield Parsed(where, record)


def _reflow(body: str) -> str:
    r"""Join the wire's fixed-width lines; an indented line starts a paragraph.

    Examples
    --------
    >>> _reflow("    Oil rose\nsharply today.\n    Traders said\nso.")
    'Oil rose sharply today.\n\nTraders said so.'
    """
    paragraphs = re.split(r"\n(?=[ \t]{2,}\S)|\n\s*\n", body)
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
