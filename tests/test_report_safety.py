"""Report outputs that are safe to open: no spreadsheet formulas in CSVs, one folder per title."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from analysis import cli
from analysis.report import _report_root, report_slug
from analysis.report_data import csv_safe, read_previous, write_tables

HOSTILE = ['=HYPERLINK("http://evil.example/","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)",
           "-1+1", "\t=1+1", "\r=1+1"]
#: ... as a CSV holds them after the quote: a carriage return becomes a line feed, which
#: the writer quotes (a bare one would start a new row, =1+1, in a spreadsheet).
SAFE = [*HOSTILE[:-1], "\n=1+1"]


def _frame() -> pd.DataFrame:
    n = len(HOSTILE) + 1
    return pd.DataFrame({
        "title": [*HOSTILE, "Plain title"],
        "source": pd.Series([*HOSTILE[::-1], None], dtype="string"),
        "change": [-0.5, 1.0, -2.0, 0.0, 3.5, -1.0, 2.0],
        "n": list(range(-3, n - 3)),
        "terms": [["-oil", "=gas"], [], ["a"], ["b", "c"], ["d"], ["e"], ["f"]],
        "meta": [{"k": "=1", "v": -1}] * n,
    })


def _cells(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_report_csvs_quote_formula_cells_and_keep_numbers(tmp_path):
    write_tables({"articles": _frame()}, tmp_path / "tables")
    header, *rows = _cells(tmp_path / "tables" / "articles.csv")
    title, source, change, n = (header.index(c) for c in ("title", "source", "change", "n"))
    assert [r[title] for r in rows] == [f"'{h}" for h in SAFE] + ["Plain title"]
    assert [r[source] for r in rows] == [f"'{h}" for h in SAFE[::-1]] + [""]
    # Numbers, negative ones too, are numbers still.
    assert [r[change] for r in rows] == ["-0.5", "1.0", "-2.0", "0.0", "3.5", "-1.0", "2.0"]
    assert [r[n] for r in rows] == ["-3", "-2", "-1", "0", "1", "2", "3"]
    # No cell a spreadsheet would run: every text cell starting with a trigger is quoted.
    for row in rows:
        for cell in (row[title], row[source]):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_a_leading_tab_is_not_lost(tmp_path):
    write_tables({"t": pd.DataFrame({"title": ["\t=1+1"]})}, tmp_path / "tables")
    assert _cells(tmp_path / "tables" / "t.csv")[1] == ["'\t=1+1"]


def test_a_carriage_return_cannot_start_a_row(tmp_path):
    titles = ["ok\r=1+1", "a\r\n@SUM(1)", "\r-2+3"]
    write_tables({"t": pd.DataFrame({"title": titles, "n": [1, 2, 3]})}, tmp_path / "tables")
    rows = _cells(tmp_path / "tables" / "t.csv")
    assert rows == [["title", "n"], ["ok\n=1+1", "1"], ["a\n@SUM(1)", "2"], ["'\n-2+3", "3"]]
    assert pd.read_parquet(tmp_path / "parquet" / "t.parquet")["title"].tolist() == titles


def test_parquet_twin_keeps_exact_values_lists_and_nested(tmp_path):
    frame = _frame()
    written = write_tables({"articles": frame, "topics": frame.head(2)}, tmp_path / "tables")
    assert [p.name for p in written] == ["articles.csv", "topics.csv"]
    twin = tmp_path / "parquet" / "articles.parquet"
    back = pd.read_parquet(twin)
    assert back["title"].tolist() == frame["title"].tolist()
    assert back["source"].tolist()[:-1] == frame["source"].tolist()[:-1]
    assert pd.isna(back["source"].iloc[-1])
    assert back["change"].tolist() == frame["change"].tolist()
    assert [list(t) for t in back["terms"]] == frame["terms"].tolist()
    assert back["meta"].tolist() == frame["meta"].tolist()
    assert (tmp_path / "parquet" / "topics.parquet").is_file()
    # The table is not changed by writing it.
    assert frame["title"].tolist()[0].startswith("=")


def test_parquet_twins_are_byte_identical_across_writes(tmp_path):
    tables = {"articles": _frame(), "k_selection": pd.DataFrame({"k": [5, 6], "s": [0.5, -0.1]})}
    write_tables(tables, tmp_path / "a" / "tables")
    write_tables(tables, tmp_path / "b" / "tables")
    for name in ("articles", "k_selection"):
        for folder, ext in (("tables", "csv"), ("parquet", "parquet")):
            first = (tmp_path / "a" / folder / f"{name}.{ext}").read_bytes()
            assert first == (tmp_path / "b" / folder / f"{name}.{ext}").read_bytes()


def test_write_tables_can_leave_out_the_twins(tmp_path):
    write_tables({"t": _frame()}, tmp_path / "tables", parquet=None)
    assert not (tmp_path / "parquet").exists()


def test_previous_version_is_read_from_the_exact_twin(tmp_path):
    topics = pd.DataFrame({"topic_id": [0, 1], "label": ["-oil · gas", "vote"],
                           "share": [0.5, 0.5], "top_terms": ["-oil; gas", "vote; poll"]})
    rising = pd.DataFrame({"term": ["+cmd", "oil"], "direction": ["rising", "falling"],
                           "g2": [5.0, -4.0]})
    write_tables({"topics": topics, "rising_terms": rising}, tmp_path / "tables")
    previous = read_previous(tmp_path)
    assert previous["topics"]["label"].tolist() == ["-oil · gas", "vote"]
    assert previous["topics"]["top_terms"].tolist() == [["-oil", "gas"], ["vote", "poll"]]
    assert previous["rising"]["term"].tolist() == ["+cmd", "oil"]


def test_csv_safe_leaves_frames_without_text_alone():
    frame = pd.DataFrame({"x": [-0.5, 1.5], "n": [-1, 2]})
    assert csv_safe(frame) is frame


def test_cli_csvs_quote_formula_cells(tmp_path):
    frame = pd.DataFrame({"headlines": HOSTILE, "weight": [-0.5] * len(HOSTILE)})
    cli._write_table(frame, tmp_path / "bursts.csv")
    rows = _cells(tmp_path / "bursts.csv")[1:]
    assert [r[0] for r in rows] == [f"'{h}" for h in SAFE]
    assert {r[1] for r in rows} == {"-0.5"}
    cli._write_table(frame, tmp_path / "bursts.parquet")
    assert pd.read_parquet(tmp_path / "bursts.parquet")["headlines"].tolist() == HOSTILE


@pytest.mark.parametrize("a, b", [("!!!", "???"), ("Oil & Gas", "oil gas"), ("***", "report"),
                                  ("a/b", "a b"), ("C++", "C#")])
def test_titles_the_slug_cannot_tell_apart_get_their_own_folders(a, b):
    assert report_slug(a) != report_slug(b)


def test_simple_titles_keep_their_readable_slugs():
    assert report_slug("Sample corpus") == "sample-corpus"
    assert report_slug("week-12") == "week-12" and report_slug("bbc") == "bbc"
    assert report_slug("Oil & Gas").startswith("oil-gas-")
    assert report_slug("Oil & Gas") == report_slug("Oil & Gas")  # stable across runs
    assert len(report_slug("x" * 200)) <= 60


def test_a_folder_another_title_owns_is_not_shared(tmp_path):
    version = tmp_path / "oil-gas" / "2024-01-01-abcdef0123"
    version.mkdir(parents=True)
    (version / "manifest.json").write_text(json.dumps({"title": "Oil gas"}), encoding="utf-8")
    assert _report_root(tmp_path, "Oil gas") == (tmp_path / "oil-gas").resolve()
    other = _report_root(tmp_path, "oil-gas")
    assert other != (tmp_path / "oil-gas").resolve() and other.name.startswith("oil-gas-")
    assert _report_root(tmp_path, "new title") == (tmp_path / "new-title").resolve()


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "string[python]"])
def test_csv_safe_changes_exactly_the_cells_the_per_cell_rule_changes(dtype):
    from analysis.report_data import _defused
    cells = [*HOSTILE, "x\ry", "a\r\nb", "plain", "", "mid=dle", "'=quoted", None, "ok-"] * 50
    column = pd.Series(cells, dtype=dtype)
    safe = csv_safe(pd.DataFrame({"c": column}))["c"]
    assert safe.dtype == column.dtype
    def cells_of(series):  # None and NaN are the same empty CSV cell
        return [None if pd.isna(v) else v for v in series.tolist()]

    assert cells_of(safe) == cells_of(column.map(_defused))
    assert column.tolist() == pd.Series(cells, dtype=dtype).tolist()  # caller's frame untouched


def test_csv_safe_mixed_object_columns_keep_their_numbers():
    frame = pd.DataFrame({"c": ["=1", -2, 3.5, None, "\rx"]})
    assert csv_safe(frame)["c"].tolist() == ["'=1", -2, 3.5, None, "'\nx"]
