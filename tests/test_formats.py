"""Streamed readers in analysis.formats: JSON-lines shards, CSV streams, Parquet row groups."""

from __future__ import annotations

import io
import json
import random
import tracemalloc

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis import formats
from analysis.formats import (
    jsonl_shards,
    parquet_row_groups,
    parse_csv,
    parse_csv_stream,
    parse_export_lines,
    parse_export_stream,
    parse_parquet_row_group,
    resolve_field_names,
)

FIELDS = resolve_field_names(None)
MIB = 1024 * 1024


def _as_tuples(outcomes):
    return [(p.path, p.status, p.record, p.reasons) for p in outcomes]


def _random_jsonl(rng: random.Random) -> bytes:
    lines = []
    for i in range(rng.randint(0, 40)):
        kind = rng.random()
        if kind < 0.6:
            line = json.dumps({"id": i, "title": f"T{i}", "text": "é" * rng.randint(0, 300)},
                              ensure_ascii=rng.random() < 0.5)
        elif kind < 0.7:
            line = ""
        elif kind < 0.8:
            line = "  \t "
        elif kind < 0.9:
            line = "{oops" + "x" * rng.randint(0, 50)
        else:
            line = rng.choice(["[1, 2]", '"s"', '{"title": ""}', "3"])
        lines.append(line)
    newline = rng.choice(["\n", "\r\n"])
    text = newline.join(lines) + (newline if rng.random() < 0.5 else "")
    return text.encode("utf-8")


def _read_shards(path, data: bytes, shard_bytes: int, max_bytes: int = MIB):
    outcomes = []
    with open(path, "rb") as stream:
        for start, end, first_line in jsonl_shards(path, shard_bytes=shard_bytes):
            stream.seek(start)
            outcomes += parse_export_stream(stream, path="x.jsonl", fields=FIELDS,
                                            max_bytes=max_bytes, first_line=first_line, end=end)
    return outcomes


def test_shards_cover_the_file_and_number_its_lines(tmp_path, monkeypatch):
    # Small blocks make shard cuts and block edges fall in every position of a line.
    monkeypatch.setattr(formats, "_BLOCK", 7)
    rng = random.Random(11)
    path = tmp_path / "x.jsonl"
    for _ in range(200):
        data = _random_jsonl(rng)
        path.write_bytes(data)
        shard_bytes = rng.choice([1, 2, 5, 30, 200, 10_000])
        shards = jsonl_shards(path, shard_bytes=shard_bytes)
        assert shards[0][0] == 0 and shards[-1][1] == len(data)
        for (_, end, _), (start, _, _) in zip(shards, shards[1:], strict=False):
            assert end == start
        for start, end, first_line in shards:
            assert end > start or len(data) == 0
            assert first_line == data.count(b"\n", 0, start) + 1
            assert data[end - 1:end] == b"\n" or end == len(data)
            if end < len(data):
                assert end - start >= shard_bytes


def test_shards_of_a_file_without_newlines_and_of_an_empty_file(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"title": "A"}' * 100)
    assert jsonl_shards(path, shard_bytes=10) == [(0, 1400, 1)]
    path.write_bytes(b"")
    assert jsonl_shards(path, shard_bytes=10) == [(0, 0, 1)]


def test_streaming_every_shard_equals_parsing_the_whole_text(tmp_path):
    rng = random.Random(5)
    path = tmp_path / "x.jsonl"
    for _ in range(150):
        data = _random_jsonl(rng)
        if rng.random() < 0.2:
            data = b"\xef\xbb\xbf" + data
        path.write_bytes(data)
        expected = _as_tuples(parse_export_lines(data.decode("utf-8-sig"), path="x.jsonl",
                                                 fields=FIELDS))
        for shard_bytes in (1, rng.randint(2, 400), 10 * MIB):
            assert _as_tuples(_read_shards(path, data, shard_bytes)) == expected


def test_a_non_seekable_stream_reads_to_its_end():
    data = b'{"title": "A"}\n\n{"title": "B"}\r\n[1]'
    expected = _as_tuples(parse_export_lines(data.decode(), path="x.jsonl", fields=FIELDS))
    stream = io.BufferedReader(_Unseekable(data))
    assert _as_tuples(parse_export_stream(stream, path="x.jsonl", fields=FIELDS,
                                          max_bytes=MIB)) == expected


class _Unseekable(io.RawIOBase):
    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buffer):
        return self._data.readinto(buffer)


def test_a_line_over_the_limit_is_skipped_in_bounded_memory(tmp_path):
    path = tmp_path / "big.jsonl"
    with open(path, "wb") as file:
        file.write(b'{"title": "first"}\n{"title": "')
        for _ in range(20):
            file.write(b"x" * MIB)
        file.write(b'"}\r\n{"title": "after"}\n')
    tracemalloc.start()
    try:
        with open(path, "rb") as stream:
            outcomes = list(parse_export_stream(stream, path="big.jsonl", fields=FIELDS,
                                                max_bytes=MIB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(p.path, p.status) for p in outcomes] == [
        ("big.jsonl:1", "loaded"), ("big.jsonl:2", "rejected"), ("big.jsonl:3", "loaded")]
    assert outcomes[1].reasons == ["line is 20 MiB, over the 1 MiB limit (max_bytes)"]
    assert outcomes[2].record["title"] == "after"
    assert peak < 5 * MIB


@pytest.mark.parametrize(("content", "status"), [
    (b"x" * 100, "rejected"),
    (b"x" * 99, "loaded"),  # a line of exactly max_bytes, with or without CR LF
])
def test_the_line_limit_counts_the_line_without_its_terminator(content, status):
    line = b'{"text": "' + content + b'"}'  # 12 bytes around the content
    for ending in (b"\n", b"\r\n", b""):
        outcome, = parse_export_stream(io.BytesIO(line + ending), path="x", fields=FIELDS,
                                       max_bytes=111)
        assert outcome.status == status
        if status == "rejected":
            assert outcome.reasons == ["line is 112 bytes, over the 111-byte limit (max_bytes)"]


def test_a_cp1252_line_is_decoded_like_a_cp1252_file():
    data = '{"title": "Mutu cost £15.8m"}\n{"title": "ok"}\n'.encode("cp1252")
    outcomes = list(parse_export_stream(io.BytesIO(data), path="x", fields=FIELDS,
                                        max_bytes=MIB))
    assert [p.record["title"] for p in outcomes] == ["Mutu cost £15.8m", "ok"]


def test_a_utf16_export_is_one_rejection():
    data = '{"title": "A"}\n'.encode("utf-16")
    outcome, = parse_export_stream(io.BytesIO(data), path="x", fields=FIELDS, max_bytes=MIB)
    assert outcome.status == "rejected" and "UTF-16" in outcome.reasons[0]


# ------------------------------------------------------------------------------- CSV


def _body(i: int) -> str:
    return (f"Article {i} reports that the regional council approved the budget for "
            f"the year after a long debate about roads, schools and water pipes number {i}.")


def _csv_cases() -> list[tuple[str, str]]:
    # The inputs of the CSV tests in tests/test_io.py and tests/test_io_hostile.py.
    cases = [
        ("export.csv", 'story_id,headline,story,when\n'
                       '7,Bridge reopens,"The old bridge reopened to traffic, a year late.",'
                       '2023-05-01\n8,Broken row,too,many,fields\n'
                       '9,Market dips,"Shares fell on Friday.",02.06.2023\n'),
        ("semi.csv", "title;text;date\nA;Oil rose again.;1712044800\n"),
        ("tabs.tsv", "title\ttext\tdate\nA\tOil rose again.\t1712044800\n"),
        ("long.csv", f'title,text\nLong,"{"word " * 40_000}"\nMulti,"line one\nline two"\n'
                     'Bad,row,extra\n'),
        ("a.csv", 'id,title,text,published,time\nu1,Leaked files,Lobbying.,'
                  '"July 11, 2022 12:18 AM",1657513103\n'),
        ("e.csv", 'title,text\nA,Oil prices rose.\nB,"Markets, again"\n'),
        ("x.csv", 'title,text\nA,"one\nB,two\nC,three\n'),
        ("blank.csv", "title,text\n\n , \nA,b\n\n"),
        ("empty.csv", ""),
        ("stray.csv", 'title,text\nA,say "hi" now\nB,"ok"x\nC,"fine"\n'),
        ("cr.csv", 'title,text\rA,"multi\rline"\rB,two\r'),
        ("crlf.csv", 'title,text\r\nA,"multi\r\nline"\r\nB,"two"\r\n'),
    ]
    rows = []
    for i in range(60):
        text = _body(i) + " " + "Filler words keep the sniffer busy. " * 6
        if i >= 40:
            text += (' The minister said ""we will deliver, on time"" before the vote.'
                     '\n\nA second paragraph, with commas, follows.')
        rows.append(f'r{i},Headline {i},"{text}",2023-03-14T09:15:00Z')
    cases.append(("late.csv", "id,title,text,published\n" + "\n".join(rows) + "\n"))
    lines = ["id\ttitle\ttext\tpublished"]
    for i in range(30):
        text = _body(i) + " " + "More context on the story follows here. " * 8
        if i >= 20:
            text = f'{text} Quoting ""the mayor"".\n\nA second paragraph about item {i}.'
        lines.append(f'r{i}\tHeadline {i}\t"{text}"\t2023-03-14')
    cases.append(("tsv_named.csv", "\n".join(lines) + "\n"))
    for n, bad in ((30, 5), (5, 5)):
        lines = ["id,title,text,published"]
        for i in range(1, n + 1):
            text = f'"{_body(i)}' if i == bad else _body(i)
            lines.append(f"r{i},Headline {i},{text},2023-03-14")
        cases.append((f"unclosed{n}.csv", "\n".join(lines) + "\n"))
    lines = ["id,title,text,published"]
    for i in range(1, 31):
        title = f'"Headline {i}' if i == 5 else f'"Headline {i}"'
        lines.append(f'r{i},{title},"{_body(i)}",2023-03-14')
    cases.append(("unclosed_quoted.csv", "\n".join(lines) + "\n"))
    return cases


@pytest.mark.parametrize(("name", "text"), _csv_cases(), ids=[n for n, _ in _csv_cases()])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_stream_equals_parse_csv(name, text, encoding):
    text = text.replace("Oil", "Öl")  # something for the decoder to get right
    expected = _as_tuples(parse_csv(text, path=name, fields=FIELDS))
    stream = io.BufferedReader(_Unseekable(text.encode(encoding)), buffer_size=1000)
    assert _as_tuples(parse_csv_stream(stream, path=name, fields=FIELDS,
                                       max_bytes=MIB)) == expected


def test_unclosed_quote_early_in_a_big_csv_is_rejected_at_the_limit(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "wb") as file:
        file.write(b'title,text\nA,"unclosed\n')
        for i in range(200_000):  # about 20 MiB of good rows after it
            file.write(b"Row %d,a body of some words for the row that follows the bad one\n" % i)
    tracemalloc.start()
    try:
        with open(path, "rb") as stream:
            outcomes = parse_csv_stream(stream, path="big.csv", fields=FIELDS, max_bytes=MIB)
            first = [next(outcomes) for _ in range(3)]
            rest = sum(1 for p in outcomes if p.status == "loaded")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(p.path, p.status) for p in first] == [
        ("big.csv:2", "rejected"), ("big.csv:3", "loaded"), ("big.csv:4", "loaded")]
    assert first[0].reasons == ["row is over the 1 MiB limit (max_bytes); an unclosed quote?"]
    assert first[1].record == {"title": "Row 0", "text": first[1].record["text"]}
    assert rest == 200_000 - 2
    assert peak < 20 * MIB  # for the 1 MiB delimiter sample and about max_bytes of rows


def test_a_csv_line_over_the_limit_is_skipped_and_counted_as_one_line():
    data = (b"title,text\r\nA,one\r\nB," + b"x" * 5000 + b"\r\nC,three\r\n")
    outcomes = list(parse_csv_stream(io.BytesIO(data), path="x.csv", fields=FIELDS,
                                     max_bytes=1000))
    assert [(p.path, p.status) for p in outcomes] == [
        ("x.csv:2", "loaded"), ("x.csv:3", "rejected"), ("x.csv:4", "loaded")]


def test_binary_csv_is_one_rejection():
    outcome, = parse_csv_stream(io.BytesIO(b"\x00\x01" * 100), path="x.csv", fields=FIELDS,
                                max_bytes=MIB)
    assert outcome.status == "rejected" and "binary" in outcome.reasons[0]


# --------------------------------------------------------------------------- Parquet


def _parquet(path, rows: int, group: int):
    table = pa.table({
        "id": [f"r{i}" for i in range(rows)],
        "title": [None if i % 7 == 3 else f"Headline {i}" for i in range(rows)],
        "text": [None if i % 5 == 1 else _body(i) for i in range(rows)],
        "tags": [[f"t{i}", "x"] for i in range(rows)],
    })
    pq.write_table(table, path, row_group_size=group)


def test_parquet_row_groups_give_the_records_of_the_whole_table(tmp_path):
    path = tmp_path / "x.parquet"
    _parquet(path, 40, 7)  # row 31 has neither title nor text
    groups = parquet_row_groups(path)
    assert groups == [(0, 0, 7), (1, 7, 7), (2, 14, 7), (3, 21, 7), (4, 28, 7), (5, 35, 5)]
    outcomes = [p for group, first, _ in groups
                for p in parse_parquet_row_group(path, group, first_row=first, fields=FIELDS,
                                                 max_bytes=MIB)]
    rows = pq.read_table(path).to_pylist()
    expected = [formats._outcome_for_record(f"{path}#{i}", formats.record_from_mapping(row, FIELDS))
                for i, row in enumerate(rows)]
    assert _as_tuples(outcomes) == _as_tuples(expected)
    assert {p.status for p in outcomes} == {"loaded", "empty"}


def test_a_parquet_row_group_over_the_limit_is_one_rejection(tmp_path):
    path = tmp_path / "x.parquet"
    _parquet(path, 20, 10)
    outcome, = parse_parquet_row_group(path, 1, first_row=10, fields=FIELDS, max_bytes=100)
    assert outcome.path == f"{path}#10" and outcome.status == "rejected"
    assert outcome.reasons[0].startswith("row group 1 (rows 10-19) is ")
    assert outcome.reasons[0].endswith(" uncompressed, over the 100-byte limit (max_bytes)")


def test_an_unreadable_parquet_file_is_one_rejection(tmp_path):
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1 this is not parquet PAR1")
    assert parquet_row_groups(path) == [(0, 0, 0)]
    outcome, = parse_parquet_row_group(path, 0, first_row=0, fields=FIELDS, max_bytes=MIB)
    assert outcome.path == str(path) and outcome.status == "rejected"
    assert outcome.reasons[0].startswith("unreadable parquet: ")
