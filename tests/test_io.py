"""Tests for analysis.io.load_articles on tiny in-file inputs, the seed and the sample corpus."""

from __future__ import annotations

import gzip
import io as io_module
import json
import os
import subprocess
import sys
import tarfile
import zipfile

import pandas as pd
import pytest

from analysis import ARTICLE_COLUMNS, MANIFEST_COLUMNS, load_articles, units
from analysis.config import PROJ_ROOT, SAMPLE_DIR

PAGE = """Parliament passes the new water law
Home
Politics
Economy
09:15 | 14.03.2023
Parliament passes the new water law
Lawmakers approved the new water law on Tuesday after three readings, giving regional \
councils the power to set irrigation quotas for farms during droughts.
The opposition said the bill left rivers without protection, but the ministry promised \
that a separate conservation act would follow before the summer.
Farmers' unions welcomed the quotas, saying the old rules had favoured large estates \
over family farms in the southern districts.
Caspian Courier
Follow us !
REKLAM
Latest
Football club signs new striker
"""

JSONL = "\n".join([
    json.dumps({"id": "x1", "title": "Oil output rises", "text": "OPEC members raised crude "
                "output again in March, the cartel said.", "published": "2024-03-02T10:00:00+04:00",
                "source": "Wire", "url": "https://example.org/1"}),
    "{this is not json",
    json.dumps({"id": "x2", "title": "Hospital opens", "text": "A new children's hospital "
                "opened in the capital on Monday.", "published": "1712044800"}),
    json.dumps(["not", "an", "object"]),
    json.dumps({"id": "x3", "title": "", "text": ""}),
])

HTML = """<!DOCTYPE html><html><head><title>Rain returns to the valley | Valley Times</title>
<meta property="og:site_name" content="Valley Times">
<meta property="article:published_time" content="2023-06-01T08:00:00+00:00"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Rain returns to the valley</h1>
<p>After four months without rain, storms brought relief to farmers across the valley on \
Wednesday, filling reservoirs that had fallen to a third of their capacity.</p>
<p>Officials warned that one wet week would not end the drought &lt;script&gt;alert(1)\
&lt;/script&gt; and asked residents to keep saving water through the summer.</p>
<p>The weather service expects more showers in the north over the weekend, while the \
south should stay dry and warm until the middle of next week.</p>
</article><footer>© Valley Times. All rights reserved.</footer></body></html>"""


def load(*args, **kwargs):
    kwargs.setdefault("cache", False)
    kwargs.setdefault("progress", False)
    kwargs.setdefault("return_manifest", True)
    return load_articles(*args, **kwargs)


def test_seed_loads_as_the_reference_article(seed_path):
    df = load(seed_path, tz="Asia/Baku", return_manifest=False)
    assert len(df) == 1
    row = df.iloc[0]
    assert row["title"] == "OSCE supports study visit of Azerbaijani experts to Hungary"
    assert row["published"] == pd.Timestamp("2014-09-22 13:31", tz="Asia/Baku")
    assert str(row["published"].tz) == "Asia/Baku"
    assert row["source"] == "Bakudaily.Az"
    assert row["lang"] == "en"
    assert row["text"].startswith("The OSCE Project Co-ordinator in Baku")
    assert row["text"].endswith("shelter for trafficking victims in Mosonmagyarovar.")
    for chrome in ("Follow us", "REKLAM", "Latest", "Remittances to Azerbaijan"):
        assert chrome not in row["text"]


def test_schema_and_dtypes_are_documented_ones(write):
    write("site/page.txt", PAGE)
    write("export.jsonl", JSONL)
    write("page.html", HTML)
    df, manifest = load(write("x.txt", PAGE).parent)
    assert list(df.columns) == list(ARTICLE_COLUMNS)
    assert list(manifest.columns) == list(MANIFEST_COLUMNS)
    for column, dtype in ARTICLE_COLUMNS.items():
        if dtype == "string[pyarrow]":
            assert df[column].dtype == pd.StringDtype("pyarrow"), column
    assert isinstance(df["published"].dtype, pd.DatetimeTZDtype)
    assert str(df["published"].dt.tz) == "UTC"
    assert df["n_words"].dtype == "int64"
    assert df["article_id"].is_unique


def test_text_page_fields_and_chrome_removed(write):
    df, manifest = load(write("page.txt", PAGE), tz="Asia/Baku")
    row = df.iloc[0]
    assert row["title"] == "Parliament passes the new water law"
    assert row["published"] == pd.Timestamp("2023-03-14 09:15", tz="Asia/Baku")
    assert row["text"].startswith("Lawmakers approved")
    assert row["text"].endswith("in the southern districts.")
    assert "Follow us" not in row["text"] and "Football club" not in row["text"]
    assert row["n_words"] == len(row["text"].split())
    assert manifest["status"].tolist() == ["loaded"]


def test_jsonl_bad_lines_reject_records_not_the_file(write):
    df, manifest = load(write("export.jsonl", JSONL))
    assert df["article_id"].tolist() == ["x1", "x2"]
    statuses = dict(zip(manifest["path"].str.rsplit(":", n=1).str[-1], manifest["status"],
                        strict=True))
    assert statuses == {"1": "loaded", "2": "rejected", "3": "loaded", "4": "rejected",
                        "5": "empty"}
    assert manifest.loc[1, "reason"].startswith("malformed JSON")
    assert df.loc[0, "published"] == pd.Timestamp("2024-03-02 06:00", tz="UTC")
    # Unix seconds written as a string, as CSV and many JSON exports hold them.
    assert df.loc[1, "published"] == pd.Timestamp(1712044800, unit="s", tz="UTC")
    assert df.loc[0, "path"].endswith("export.jsonl:1")


def test_csv_with_column_mapping_and_ragged_row(write):
    csv_text = ('story_id,headline,story,when\n'
                '7,Bridge reopens,"The old bridge reopened to traffic, a year late.",2023-05-01\n'
                '8,Broken row,too,many,fields\n'
                '9,Market dips,"Shares fell on Friday.",02.06.2023\n')
    df, manifest = load(write("export.csv", csv_text),
                        columns={"id": "story_id", "text": "story", "published": "when"})
    assert df["article_id"].tolist() == ["7", "9"]
    assert df["published"].dt.strftime("%Y-%m-%d").tolist() == ["2023-05-01", "2023-06-02"]
    rejected = manifest[manifest["status"] == "rejected"]
    assert rejected["path"].str.endswith("export.csv:3").all() and len(rejected) == 1
    assert "expected 4 fields, got 5" in rejected["reason"].iloc[0]


def test_json_array_and_parquet_exports(write, tmp_path):
    records = [{"id": "a", "title": "T1", "body": "Text one about rain."},
               {"id": "b", "title": "T2", "body": "Text two about snow."}]
    write("array.json", json.dumps(records))
    pd.DataFrame(records).to_parquet(tmp_path / "in" / "table.parquet")
    df, manifest = load(tmp_path / "in")
    assert sorted(df["article_id"]) == ["a", "a~2", "b", "b~2"]
    assert set(manifest["format"]) == {"json", "parquet"}


def test_html_page_via_trafilatura_and_escaped_text_kept_literal(write):
    df, _ = load(write("page.html.gz", gzip.compress(HTML.encode())))
    row = df.iloc[0]
    assert row["title"] == "Rain returns to the valley"
    assert row["source"] == "Valley Times"
    assert row["published"].strftime("%Y-%m-%d") == "2023-06-01"
    assert row["text"].startswith("After four months without rain")
    assert "Home" not in row["text"] and "All rights reserved" not in row["text"]
    assert "<script>alert(1)</script>" in row["text"]  # as text, to be escaped on output


def test_every_item_accounted_for_with_bad_inputs(write, tmp_path):
    write("ok.txt", PAGE.replace("water", "rail").replace("farms", "trains"))
    write("empty.txt", b"")
    write("blank.txt", "\n \n")
    write("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write("big.txt", "word " * 3000)
    write("notes.md", "# not an article format")
    write("bad-date.txt", PAGE.replace("14.03.2023", "31.02.2023"))
    write("future.txt", PAGE.replace("14.03.2023", "12.05.2091").replace("water", "gas"))
    write("broken.html.gz", b"\x1f\x8b\x08\x00garbage")
    write(".hidden/skip.txt", PAGE)
    df, manifest = load(tmp_path / "in", max_bytes=10_000)
    assert manifest["path"].is_unique
    by_name = manifest.set_index(manifest["path"].str.rsplit("/", n=1).str[-1])
    assert len(by_name) == 9  # hidden folder is not an input
    assert by_name.loc["ok.txt", "status"] == "loaded"
    assert by_name.loc["empty.txt", "status"] == "empty"
    assert by_name.loc["blank.txt", "status"] == "empty"
    assert by_name.loc["binary.txt", "status"] == "rejected"
    assert "binary" in by_name.loc["binary.txt", "reason"]
    assert by_name.loc["big.txt", "status"] == "rejected"
    assert "limit" in by_name.loc["big.txt", "reason"]
    assert by_name.loc["notes.md", "status"] == "rejected"
    assert "unsupported file type '.md'" in by_name.loc["notes.md", "reason"]
    assert by_name.loc["broken.html.gz", "status"] == "rejected"
    assert by_name.loc["bad-date.txt", "status"] in ("loaded", "duplicate")
    assert "31.02.2023" in by_name.loc["bad-date.txt", "reason"]
    assert "implausible date 2091-05-12" in by_name.loc["future.txt", "reason"]
    dated = df.set_index(df["path"].str.rsplit("/", n=1).str[-1])["published"]
    assert pd.isna(dated["bad-date.txt"]) and pd.isna(dated["future.txt"])
    # Loaded rows and manifest agree one to one.
    in_table = manifest[manifest["article_id"].notna()]
    assert sorted(in_table["article_id"]) == sorted(df["article_id"])


def test_duplicates_flagged_and_dropped_only_when_asked(write, tmp_path):
    write("a/1.txt", PAGE)
    write("b/2.txt", PAGE.replace("Caspian Courier", "Other Site"))
    write("b/3.txt", PAGE.replace("three readings", "four readings"))
    df, manifest = load(tmp_path / "in")
    assert df["duplicate_of"].isna().sum() == 1
    first = df.loc[df["duplicate_of"].isna(), "article_id"].iloc[0]
    assert (df["duplicate_of"].dropna() == first).all()
    reasons = manifest.loc[manifest["status"] == "duplicate", "reason"].tolist()
    assert sorted(r.split()[0] for r in reasons) == ["exact", "near"]
    kept = load(tmp_path / "in", drop_duplicates=True, return_manifest=False)
    assert kept["article_id"].tolist() == [first]


def test_same_input_same_output(write, tmp_path):
    write("a/1.txt", PAGE)
    write("export.jsonl", JSONL)
    first, m1 = load(tmp_path / "in")
    second, m2 = load(tmp_path / "in")
    pd.testing.assert_frame_equal(first, second)
    pd.testing.assert_frame_equal(m1, m2)


def test_cache_reused_and_invalidated(write, tmp_path, monkeypatch):
    page = write("1.txt", PAGE)
    cache_dir = tmp_path / "cache"
    first = load_articles(page.parent, cache_dir=cache_dir, progress=False)

    def fail(*args, **kwargs):
        raise AssertionError("cache not used")

    with monkeypatch.context() as patched:
        patched.setattr(units, "_load_rows", fail)
        again = load_articles(page.parent, cache_dir=cache_dir, progress=False)
    pd.testing.assert_frame_equal(first, again)
    page.write_text(PAGE.replace("water", "forest"), encoding="utf-8")
    changed = load_articles(page.parent, cache_dir=cache_dir, progress=False)
    assert "forest" in changed.loc[0, "title"]


def test_sources_as_glob_list_and_archive(write, tmp_path):
    write("a.txt", PAGE)
    write("b.jsonl", JSONL)
    archive = tmp_path / "pages.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("site/p1.txt", PAGE.replace("water", "energy"))
        zf.writestr("site/readme.md", "not an article")
    df, manifest = load([str(tmp_path / "in" / "*.txt"), archive])
    assert len(manifest) == 3
    assert manifest["path"].str.contains("pages.zip::site/p1.txt", regex=False).any()
    with pytest.raises(FileNotFoundError, match="no files match"):
        load(str(tmp_path / "nothing-*.txt"))
    with pytest.raises(FileNotFoundError, match="input not found"):
        load(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="unknown fmt"):
        load(tmp_path / "in", fmt="pdf")


def test_recurring_site_chrome_is_learned_per_folder(write, tmp_path):
    bodies = [
        "The city council voted to extend the tram line to the airport by 2026, a plan "
        "that will cost more than the council first said.",
        "A heatwave pushed temperatures above forty degrees in the south, and hospitals "
        "reported a rise in admissions among elderly people.",
        "The national team won its qualifier three goals to one, with two late goals from "
        "the young striker who joined in the winter.",
        "Exporters said the new customs rules had cut waiting times at the border by half "
        "since they came into force in the spring.",
    ]
    for i, body in enumerate(bodies):
        write(f"site/{i}.txt", f"Headline number {i}\n10:00 | 0{i + 1}.02.2024\n{body}\n"
              "Subscribe to our evening newsletter for the day's best reads\n"
              "Copyright Steppe Wire media group, all rights reserved\n")
    df, _ = load(tmp_path / "in")
    assert len(df) == 4
    assert not df["text"].str.contains("newsletter|Copyright").any()


def test_broken_containers_are_rejected_not_raised(write, tmp_path):
    write("fake.zip", b"PK\x03\x04 this is not a zip")
    good = io_module.BytesIO()

    with tarfile.open(fileobj=good, mode="w:gz") as tar:
        data = PAGE.encode()
        info = tarfile.TarInfo("site/p.txt")
        info.size = len(data)
        tar.addfile(info, io_module.BytesIO(data))
    write("cut.tar.gz", good.getvalue()[: len(good.getvalue()) // 2])
    write("bad.html.gz", gzip.compress(HTML.encode())[:-30] + b"\x00" * 30)
    write("deep.json", "[" * 200_000)
    df, manifest = load(tmp_path / "in")
    assert manifest["status"].eq("rejected").all()
    assert len(manifest) >= 4 and df.empty


def test_gzip_cannot_expand_past_the_size_limit(write):
    big = gzip.compress(("word " * 100_000).encode())
    _, manifest = load(write("bomb.jsonl.gz", big), max_bytes=50_000)
    assert manifest.loc[0, "status"] == "rejected"
    assert "limit" in manifest.loc[0, "reason"]


def test_unknown_time_zone_is_a_clear_error(write):
    with pytest.raises(ValueError, match="unknown time zone"):
        load(write("a.txt", PAGE), tz="Mars/Olympus")


def test_a_file_named_twice_is_one_input(write):
    page = write("a.txt", PAGE)
    df, manifest = load([page.parent, page, str(page.parent / "*.txt")])
    assert len(manifest) == 1 and len(df) == 1


def test_parquet_missing_values_and_lists(tmp_path):
    frame = pd.DataFrame({"id": [1, None], "title": ["Real title", None],
                          "text": [None, "Body only."], "tags": [["a", "b"], []]})
    (tmp_path / "in").mkdir()
    frame.to_parquet(tmp_path / "in" / "t.parquet")
    df, manifest = load(tmp_path / "in", columns={"label": "tags"})
    assert df["title"].tolist()[0] == "Real title"
    assert pd.isna(df["title"].tolist()[1])
    assert df["text"].tolist() == ["", "Body only."]
    assert df["article_id"].tolist()[0] == "1"
    assert df["label"].tolist()[0] == "a;b"
    assert not manifest["reason"].str.contains("nan").any()


def test_site_chrome_learned_across_interleaved_subfolders(write, tmp_path):
    footer = "Subscribe to our evening newsletter for the day's best reads\n"
    for name in ("a", "c", "d"):
        write(f"site/{name}.txt", PAGE.replace("water", name * 3) + footer)
    write("site/b/z.txt", PAGE.replace("water", "zzz") + footer)
    df, _ = load(tmp_path / "in")
    assert not df["text"].str.contains("newsletter").any()


def test_options_and_failures_change_what_the_cache_serves(write, tmp_path, monkeypatch):
    page = write("1.txt", PAGE)
    cache_dir = tmp_path / "cache"
    utc = load_articles(page.parent, cache_dir=cache_dir, progress=False)
    baku = load_articles(page.parent, cache_dir=cache_dir, progress=False, tz="Asia/Baku")
    assert str(baku["published"].dt.tz) == "Asia/Baku" != str(utc["published"].dt.tz)

    other = write("2.txt", PAGE.replace("water", "gas"))
    calls = {"n": 0}
    real = units._read_bytes  # what reads a page, in the planning step

    def flaky(item, max_bytes):
        calls["n"] += 1
        if item.path == str(other) and calls["n"] <= 2:
            raise units._Transient("could not read file: disk hiccup")
        return real(item, max_bytes)

    monkeypatch.setattr(units, "_read_bytes", flaky)
    _, first = load_articles(page.parent, cache_dir=cache_dir, progress=False,
                             return_manifest=True)
    assert "disk hiccup" in first.set_index("path").loc[str(other), "reason"]
    _, second = load_articles(page.parent, cache_dir=cache_dir, progress=False,
                              return_manifest=True)
    assert second.set_index("path").loc[str(other), "status"] in ("loaded", "duplicate")


def test_output_does_not_depend_on_hash_seed(tmp_path):
    script = (
        "import sys; from analysis import load_articles; "
        "df = load_articles(sys.argv[1], cache=False, progress=False); "
        "print(df[['article_id', 'duplicate_of', 'lang', 'source']].to_json())"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script, str(SAMPLE_DIR)], capture_output=True,
                       text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed},
                       cwd=PROJ_ROOT).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1] and len(runs[0]) > 1000


@pytest.mark.parametrize("name, content", [
    ("semi.csv", "title;text;date\nA;Oil rose again.;1712044800\n"),
    ("tabs.tsv.gz", gzip.compress(b"title\ttext\tdate\nA\tOil rose again.\t1712044800\n")),
])
def test_csv_delimiters_and_epoch_strings(write, name, content):
    df, manifest = load(write(name, content))
    assert manifest["status"].tolist() == ["loaded"]
    assert df.loc[0, "text"] == "Oil rose again."
    assert df.loc[0, "published"] == pd.Timestamp(1712044800, unit="s", tz="UTC")


def test_csv_long_fields_and_multiline_rows(write):
    body = "word " * 40_000
    text = f'title,text\nLong,"{body}"\nMulti,"line one\nline two"\nBad,row,extra\n'
    df, manifest = load(write("long.csv", text))
    assert df["n_words"].tolist() == [40_000, 4]
    assert manifest["path"].str.rsplit(":", n=1).str[-1].tolist() == ["2", "3", "5"]


def test_bodyless_records_repeating_a_headline_the_same_day_are_duplicates(write, tmp_path):
    rows = [
        {"id": "a", "title": "Tokyo stocks up 63 points", "text": "", "source": "Wire",
         "published": "1987-10-20T20:13:00Z"},
        {"id": "b", "title": "TOKYO STOCKS UP 63 POINTS", "text": "", "source": "Wire",
         "published": "1987-10-20T20:15:00Z"},
        {"id": "c", "title": "Tokyo stocks up 63 points", "text": "", "source": "Wire",
         "published": "1987-10-21T09:00:00Z"},  # another day: maybe news again
        {"id": "d", "title": "Tokyo stocks up 63 points", "text": "", "source": "Other",
         "published": "1987-10-20T21:00:00Z"},  # another source
    ]
    path = write("briefs.jsonl", "\n".join(json.dumps(r) for r in rows))
    articles, manifest = load_articles(path, return_manifest=True, cache=False, progress=False)
    assert articles.set_index("article_id")["duplicate_of"].isna().to_dict() == \
        {"a": True, "b": False, "c": True, "d": True}
    assert manifest.set_index("article_id").loc["b", "reason"].startswith(
        "headline-only duplicate of a")


# --------------------------------------------------------------------------- export dates

DISPLAY = "July 11, 2022 12:18 AM"  # the wall clock of some newsroom, zone unknown
EPOCH = 1657513103  # 2022-07-11 04:18:23 UTC
MACHINE = pd.Timestamp(EPOCH, unit="s", tz="UTC")
STORY = {"id": "u1", "title": "Leaked files", "text": "Files reveal years of lobbying."}


@pytest.mark.parametrize(("name", "content", "field", "kind", "ignored"), [
    ("a.json", json.dumps([STORY | {"published": DISPLAY, "timestamp": EPOCH}]),
     "timestamp", "Unix epoch", "published"),
    ("a.jsonl", json.dumps(STORY | {"date": DISPLAY, "timestamp": str(EPOCH * 1000)}),
     "timestamp", "Unix epoch", "date"),
    ("a.csv", f'id,title,text,published,time\nu1,Leaked files,Lobbying.,"{DISPLAY}",{EPOCH}\n',
     "time", "Unix epoch", "published"),
    ("b.jsonl", json.dumps(STORY | {"published": DISPLAY,
                                    "published_at": "2022-07-11T00:18:23-04:00"}),
     "published_at", "ISO 8601 with offset", "published"),
    ("c.json", json.dumps(STORY | {"date": DISPLAY, "datetime": "2022-07-11T04:18:23Z"}),
     "datetime", "ISO 8601 with offset", "date"),
])
def test_export_machine_time_wins_over_display_string(write, name, content, field, kind,
                                                      ignored):
    df, manifest = load(write(name, content), tz="America/New_York")
    assert df.loc[0, "published"] == MACHINE
    assert manifest.loc[0, "reason"] == f"date from {field!r} ({kind}); {ignored!r} ignored"


def test_export_date_columns_that_agree_need_no_note(write):
    df, manifest = load(write("a.jsonl", json.dumps(STORY | {"date": "2022-07-11T04:18:23Z",
                                                             "published": "2022-07-11T04:18:23Z"})))
    assert df.loc[0, "published"] == MACHINE
    assert manifest.loc[0, "reason"] == ""


def test_export_mapped_date_column_wins_and_an_empty_one_is_reported(write):
    rows = [STORY | {"published": DISPLAY, "timestamp": EPOCH},
            {"id": "u2", "title": "Ferry strike", "text": "Ferries stay in port.",
             "published": "", "timestamp": EPOCH}]
    df, manifest = load(write("a.json", json.dumps(rows)), tz="America/New_York",
                        columns={"published": "published"})
    # The caller says the display string is New York wall-clock time: it is used as such.
    assert df.loc[0, "published"] == pd.Timestamp("2022-07-11 00:18", tz="America/New_York")
    assert manifest.loc[0, "reason"] == ""
    assert df.loc[1, "published"] == MACHINE
    assert manifest.loc[1, "reason"] == (
        "no value in the mapped column 'published'; date from 'timestamp' (Unix epoch)")


def test_export_machine_time_keeps_the_implausible_date_reason(write):
    content = json.dumps(STORY | {"published": DISPLAY, "timestamp": 4_000_000_000})
    df, manifest = load(write("a.jsonl", content))
    assert pd.isna(df.loc[0, "published"])
    assert manifest.loc[0, "reason"] == ("date from 'timestamp' (Unix epoch); 'published' ignored; "
                                         "implausible date 2096-10-02 (in the future)")


@pytest.mark.corpus
def test_headline_stream_dates_are_the_unix_timestamps(corpus):
    # Each record has `timestamp` (Unix seconds) and `published`, a display string
    # ("July 11, 2022 12:18 AM") on a US clock: read as UTC, 7,761 of 10,037 dates
    # were 4 or 5 hours off and 9,999 differed from the timestamp.
    path = corpus("fwd-news-headlines/headlines.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    df, manifest = load(path)
    assert len(df) == len(raw) == 10037
    record = df["path"].str.rsplit("#", n=1).str[-1].astype(int)
    expected = pd.Series(pd.to_datetime([raw[i]["timestamp"] for i in record], unit="s",
                                        utc=True))
    assert int((df["published"] != expected).sum()) == 0
    assert manifest["reason"].str.endswith(
        "date from 'timestamp' (Unix epoch); 'published' ignored").all()


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"columns": ["text"]}, TypeError, r"columns must be a mapping of field to column name"),
    ({"columns": {"body": "story"}}, ValueError, r"columns has an unknown field 'body'; the "
     r"fields are id, title, text, published, source, url, label .*\{'text': 'story'\}"),
    ({"columns": {"story": "text"}}, ValueError, r"did you mean \{'text': 'story'\}"),
    ({"columns": {"text": 3}}, TypeError, r"columns\['text'\] must be a column name"),
    ({"tz": None}, TypeError, r"tz must be an IANA time zone name"),
    ({"tz": "utc"}, ValueError, r"unknown time zone tz='utc'.*did you mean 'UTC'"),
    ({"languages": "en"}, TypeError, r"languages must be a sequence of language codes"),
    ({"languages": ["xx"]}, ValueError, r"languages has codes dateparser does not know: 'xx'"),
    ({"max_bytes": "10MB"}, ValueError, r"max_bytes must be a positive number of bytes"),
    ({"max_bytes": 0}, ValueError, r"max_bytes must be a positive number of bytes"),
])
def test_arguments_are_checked_with_messages_naming_them(write, kwargs, error, message):
    with pytest.raises(error, match=message):
        load(write("a.txt", PAGE), **kwargs)


@pytest.mark.parametrize("sources", [None, 7, [7]])
def test_sources_that_are_not_paths_are_a_clear_error(sources):
    with pytest.raises(TypeError, match="sources must be a file, folder, glob or archive path"):
        load(sources)
