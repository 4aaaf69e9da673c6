"""Hostile export inputs (issue 11): every row of a messy file is read or accounted for."""

from __future__ import annotations

import io
import json
import os
import re
import tarfile
import time

import pandas as pd
import pytest

from analysis import load_articles


def _load(path, **kwargs):
    return load_articles(path, return_manifest=True, cache=False, progress=False, **kwargs)


def _body(i: int) -> str:
    return (f"Article {i} reports that the regional council approved the budget for "
            f"the year after a long debate about roads, schools and water pipes number {i}.")


def test_pandas_csv_with_late_doubled_quotes_reads_every_row(tmp_path):
    rows = []
    for i in range(60):
        text = _body(i) + " " + "Filler words keep the sniffer busy. " * 6
        if i >= 40:
            text += (' The minister said "we will deliver, on time" before the vote.'
                     '\n\nA second paragraph, with commas, follows.')
        rows.append({"id": f"r{i}", "title": f"Headline {i}", "text": text,
                     "published": "2023-03-14T09:15:00Z"})
    frame = pd.DataFrame(rows)
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    raw = path.read_text()
    assert raw.index('""') > 8192
    assert len(pd.read_csv(path)) == 60
    articles, manifest = _load(path)
    assert len(articles) == 60
    assert not (manifest["status"] == "rejected").any()
    text = articles.set_index("article_id").loc["r45", "text"]
    assert '"we will deliver, on time"' in text
    assert "second paragraph, with commas" in text


def test_tsv_named_csv_with_multiline_quoted_fields_reads_every_row(tmp_path):
    lines = ["id\ttitle\ttext\tpublished"]
    for i in range(30):
        text = _body(i) + " " + "More context on the story follows here. " * 8
        if i >= 20:
            text = f'{text} Quoting ""the mayor"".\n\nA second paragraph about item {i}.'
        lines.append(f'r{i}\tHeadline {i}\t"{text}"\t2023-03-14')
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n")
    assert path.read_text().index('""') > 8192
    articles, manifest = _load(path)
    assert len(articles) == 30
    assert not (manifest["status"] == "rejected").any()
    text = articles.set_index("article_id").loc["r25", "text"]
    assert 'Quoting "the mayor".' in text
    assert "second paragraph about item 25" in text


def test_out_of_range_dates_are_implausible_not_a_crash(tmp_path):
    path = tmp_path / "export.jsonl"
    records = [
        {"id": "a", "title": "Ancient", "text": _body(1), "published": "0001-01-01T00:00:00Z"},
        {"id": "b", "title": "Fine", "text": _body(2), "published": "2023-03-14T09:15:00Z"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    articles, manifest = _load(path, tz="America/New_York")
    assert len(articles) == 2
    ancient = articles.set_index("article_id").loc["a", "published"]
    assert pd.isna(ancient)
    reason = manifest.set_index("article_id").loc["a", "reason"]
    assert "implausible date" in reason

    records[0]["published"] = "9999-12-31T23:59:59-05:00"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    articles, manifest = _load(path, tz="UTC")
    assert len(articles) == 2
    assert pd.isna(articles.set_index("article_id").loc["a", "published"])
    assert "implausible date" in manifest.set_index("article_id").loc["a", "reason"]


def _plain_body(i: int) -> str:
    return f"Article {i} reports that the regional council approved the budget number {i}."


def test_unclosed_quote_in_one_csv_row_keeps_the_rows_after_it(tmp_path):
    lines = ["id,title,text,published"]
    for i in range(1, 31):
        text = f'"{_plain_body(i)}' if i == 5 else _plain_body(i)
        lines.append(f"r{i},Headline {i},{text},2023-03-14")
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n")
    articles, manifest = _load(path)
    assert set(articles["article_id"]) == {f"r{i}" for i in range(1, 31)} - {"r5"}
    bad = manifest[manifest["status"] == "rejected"]
    assert list(bad["path"]) == [f"{path}:6"]
    assert bad["reason"].str.contains("malformed CSV").all()
    assert len(manifest) == 30


def test_unclosed_quote_among_quoted_csv_rows_keeps_the_rows_after_it(tmp_path):
    lines = ["id,title,text,published"]
    for i in range(1, 31):
        title = f'"Headline {i}' if i == 5 else f'"Headline {i}"'
        lines.append(f'r{i},{title},"{_body(i)}",2023-03-14')
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n")
    articles, manifest = _load(path)
    assert {f"r{i}" for i in range(6, 31)} <= set(articles["article_id"])
    assert len(manifest) == 30


def test_unclosed_quote_in_last_csv_row_is_rejected(tmp_path):
    lines = ["id,title,text,published"]
    for i in range(1, 6):
        text = f'"{_plain_body(i)}' if i == 5 else _plain_body(i)
        lines.append(f"r{i},Headline {i},{text},2023-03-14")
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n")
    articles, manifest = _load(path)
    assert set(articles["article_id"]) == {"r1", "r2", "r3", "r4"}
    assert list(manifest.loc[manifest["status"] == "rejected", "path"]) == [f"{path}:6"]


def test_deeply_nested_jsonl_line_rejects_only_that_line(tmp_path):
    good = [json.dumps({"id": f"j{i}", "title": f"Headline {i}", "text": _body(i)})
            for i in range(4)]
    deep = '{"title": "Deep", "text": ' + "[" * 10_000 + "]" * 10_000 + "}"
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join([good[0], good[1], deep, good[2], good[3]]) + "\n")
    articles, manifest = _load(path)
    assert set(articles["article_id"]) == {"j0", "j1", "j2", "j3"}
    bad = manifest[manifest["status"] == "rejected"]
    assert list(bad["path"]) == [f"{path}:3"]
    assert "nested too deeply" in bad["reason"].iloc[0]


def test_coerce_published_judges_extreme_years_in_any_zone():
    from analysis.dates import coerce_published

    for value in ("0001-01-01T00:00:00Z", "0001-01-01", "9999-12-31T23:59:59-05:00",
                  "9999-12-31"):
        for tz in ("UTC", "America/New_York", "Asia/Baku"):
            stamp, reason = coerce_published(value, tz=tz)
            assert stamp is None
            assert reason.startswith("implausible date "), (value, tz, reason)


def test_symlinked_folder_is_read_and_a_link_loop_ends(tmp_path):
    # Issue 11, item 6: a symlinked sub-folder was skipped silently (file links were followed).
    from analysis.io import input_files

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.jsonl").write_text('{"id": "b", "title": "B", "text": "beta body"}\n')
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text('{"id": "a", "title": "A", "text": "alpha body"}\n')
    (corpus / "linked").symlink_to(elsewhere, target_is_directory=True)
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)
    names = sorted(p.name for p in input_files(corpus))
    assert names == ["a.jsonl", "b.jsonl"]
    articles = load_articles(corpus, cache=False, progress=False)
    assert sorted(articles["article_id"]) == ["a", "b"]


# ------------------------------------------------------------------------------ odd paths (item 4)


def _bytes_name_supported(folder) -> bool:
    # macOS and Windows file systems refuse names that are not valid UTF-8.
    try:
        (folder / os.fsdecode(b"probe\xe9")).write_bytes(b"")
    except (OSError, UnicodeEncodeError):
        return False
    (folder / os.fsdecode(b"probe\xe9")).unlink()
    return True


_PAGE = ("Cafe opens - Daily Bugle\nCafe opens\n"
         "The new cafe on the main street opened its doors on Monday, the owners said.\n")


def _assert_writable(articles, manifest, tmp_path):
    for name, frame in (("articles", articles), ("manifest", manifest)):
        frame.to_parquet(tmp_path / f"{name}.parquet")
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    assert pd.read_csv(tmp_path / "manifest.csv")["path"].tolist() == manifest["path"].tolist()


def test_file_name_that_is_not_utf8_loads_with_a_printable_path(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    if not _bytes_name_supported(corpus):
        pytest.skip("this file system refuses names that are not UTF-8")
    (corpus / os.fsdecode(b"caf\xe9.txt")).write_text(_PAGE)
    (corpus / "ok.jsonl").write_text('{"id": "ok", "title": "Ok", "text": "fine"}\n')
    articles, manifest = _load(corpus)
    assert set(manifest["status"]) == {"loaded"}
    assert manifest["path"].tolist() == [f"{corpus}/caf\\xe9.txt", f"{corpus}/ok.jsonl:1"]
    assert articles.set_index("path").loc[f"{corpus}/caf\\xe9.txt", "title"] == "Cafe opens"
    _assert_writable(articles, manifest, tmp_path)


def test_tar_member_name_that_is_not_utf8_loads_with_a_printable_path(tmp_path):
    archive = tmp_path / "pages.tar"
    with tarfile.open(archive, "w", encoding="utf-8", errors="surrogateescape") as tar:
        for name, data in ((os.fsdecode(b"caf\xe9.txt"), _PAGE.encode()),
                           ("ok.jsonl", b'{"id": "ok", "title": "Ok", "text": "fine"}\n')):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    articles, manifest = _load(archive)
    assert set(manifest["status"]) == {"loaded"}
    assert manifest["path"].tolist() == [f"{archive}::caf\\xe9.txt", f"{archive}::ok.jsonl:1"]
    _assert_writable(articles, manifest, tmp_path)


def test_lone_surrogate_escape_in_json_text_does_not_sink_the_load(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text('{"id": "s\\udc80", "title": "T", "text": "bad \\ud800 half"}\n'
                    '{"id": "ok", "title": "Ok", "text": "fine"}\n')
    articles, manifest = _load(path)
    assert articles["text"].tolist() == ["bad \ufffd half", "fine"]
    assert articles["article_id"].tolist() == ["s\\x80", "ok"]
    _assert_writable(articles, manifest, tmp_path)


# ------------------------------------------------------------------ linear-time patterns (item 11)


def _adversarial_lines(size: int) -> list[str]:
    # Repeats of each pattern's own characters, ending in a character that
    # makes the match fail at the very end: the shape that backtracks.
    units = ["1.,", ".,", " -", "a ", "| ", " ", "1 ", "1.", "a.", "1-", "© 2024 ", "UTC ", "é "]
    return [prefix + (unit * size)[:size] + suffix for unit in units
            for prefix in ("", "1.") for suffix in ("", "x", "!")]


def _patterns():
    from analysis import clean, dates, textlines
    from analysis.textpage import body, dateline, headline, lines

    found = [(f"{module.__name__}.{name}", value)
             for module in (lines, headline, body, dateline, clean, dates, textlines)
             for name, value in vars(module).items() if isinstance(value, re.Pattern)]
    # The one-character class tests of the page-at-once measurements, and the
    # relative-date patterns (built per language, all alternatives under one
    # word-start test) of the languages the corpora hold.
    found += [(f"textlines._CHAR_TESTS[{bit}]", test.__self__)
              for bit, test in textlines._CHAR_TESTS
              if isinstance(getattr(test, "__self__", None), re.Pattern)]
    found += [(f"dates._relative_pattern({lang!r})", dates._relative_pattern(lang))
              for lang in ("de", "en", "fr", "es", "ru", "tr")]
    return found


def _seconds(call, line: str) -> float:
    if isinstance(call.__self__.pattern, bytes):
        line = line.encode("utf-8")
    start = time.perf_counter()
    call(line)
    return time.perf_counter() - start


def test_every_text_pattern_runs_in_linear_time():
    # Not a timing assertion: the cost of a 4x longer line must grow about
    # 4x (linear), not 16x (quadratic backtracking). The slack and the
    # best-of-three retry keep a busy machine from failing it.
    slow = []
    for name, pattern in _patterns():
        for method in ("search", "match", "fullmatch"):
            call = getattr(pattern, method)
            for short, long in zip(_adversarial_lines(4096), _adversarial_lines(16384),
                                   strict=True):
                for _ in range(3):
                    ratio_ok = _seconds(call, long) < 8 * _seconds(call, short) + 0.05
                    if ratio_ok:
                        break
                if not ratio_ok:
                    slow.append((name, method, short[:8]))
    assert not slow


def test_text_page_with_a_32kb_punctuation_line_keeps_its_article(tmp_path):
    body = ["The regional council approved the budget on Tuesday after a long debate, "
            "officials said.",
            "Roads, schools and water pipes in the northern districts get most of the money."]
    page = "\n".join(["Budget approved - Daily Bugle", "Home", "Budget approved",
                      "13:31 | 22.09.2014", *body, "Reuters", "1." + ".," * 16000 + "x",
                      "Follow us !"])
    path = tmp_path / "page.txt"
    path.write_text(page)
    articles = load_articles(path, cache=False, progress=False)
    assert articles.loc[0, "title"] == "Budget approved"
    assert articles.loc[0, "text"] == "\n\n".join(body)
    assert articles.loc[0, "source"] == "Reuters"


# -------------------------------------------------------------------------- bounded work (item 12)


def test_shingles_of_a_huge_text_are_capped():
    from analysis.clean import MAX_SHINGLE_WORDS, _shingles

    words = [f"w{i}" for i in range(MAX_SHINGLE_WORDS + 5000)]
    shingles = _shingles(" ".join(words), 3)
    assert len(shingles) == MAX_SHINGLE_WORDS - 2
    assert shingles[-1] == " ".join(words[MAX_SHINGLE_WORDS - 3:MAX_SHINGLE_WORDS]).encode()


def test_csv_with_a_huge_field_keeps_the_row_and_the_duplicate_flags(tmp_path):
    stories = ["The regional council approved the budget after a long debate about roads",
               "Heavy rain is expected across the region from Monday forecasters said today",
               "The central bank kept its interest rate unchanged citing slowing inflation",
               "A new football stadium opens next spring with room for forty thousand fans"]
    rows = [{"id": f"r{i}", "title": f"Headline {i}", "text": f"{story}. {story} again, twice.",
             "published": "2023-03-14"} for i, story in enumerate(stories)]
    rows.append({"id": "copy", "title": "Copy", "text": rows[2]["text"].replace("again", "once"),
                 "published": "2023-03-15"})
    frame = pd.DataFrame(rows)
    expected = _load(_write_csv(frame, tmp_path / "small.csv"))[0]
    huge = " ".join(f"word{i % 7919}" for i in range(300_000))
    with_huge = pd.concat([frame, pd.DataFrame([{"id": "huge", "title": "Huge", "text": huge,
                                                 "published": "2023-03-16"}])])
    articles, manifest = _load(_write_csv(with_huge, tmp_path / "huge.csv"))
    assert set(manifest["status"]) == {"loaded", "duplicate"}
    by_id = articles.set_index("article_id")
    assert by_id.loc["huge", "text"] == huge
    assert by_id.loc["huge", "n_words"] == 300_000
    assert by_id.loc["copy", "duplicate_of"] == "r2"
    pd.testing.assert_series_equal(by_id["duplicate_of"].drop("huge"),
                                   expected.set_index("article_id")["duplicate_of"])


def _write_csv(frame, path):
    frame.to_csv(path, index=False)
    return path


def _lying_zip(path, member: str, size: int, claimed: int):
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, b'{"title": "A", "text": "' + b"a" * size + b'"}\n')
    data = bytearray(path.read_bytes())
    # Uncompressed size: offset 22 in the local header, 24 in the central directory.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature) + offset
        data[at:at + 4] = claimed.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def test_zip_member_whose_header_understates_its_size_is_rejected_early(tmp_path):
    import tracemalloc

    archive = _lying_zip(tmp_path / "lying.zip", "big.jsonl", 16 * 2**20, 1000)
    load_articles(_write_csv(pd.DataFrame([{"text": "warm up"}]), tmp_path / "warm.csv"),
                  cache=False, progress=False)  # lazy imports, not the member
    tracemalloc.start()
    try:
        articles, manifest = _load(archive, max_bytes=2**20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert articles.empty
    assert manifest["status"].tolist() == ["rejected"]
    assert manifest["path"].tolist() == [f"{archive}::big.jsonl"]
    reason = manifest["reason"].iloc[0]
    assert reason.startswith("corrupt zip member 'big.jsonl': its data does not match its header")
    # The 16 MiB member was never inflated whole: reads stop at max_bytes.
    assert peak < 8 * 2**20


# ------------------------------------------------------------------------- size messages (item 18)


def test_size_messages_use_mib_like_the_readme(tmp_path):
    import gzip

    big = tmp_path / "big.html"
    big.write_bytes(b"x" * int(2.5 * 2**20))
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(b"x" * 3 * 2**20))
    # In a plain export, max_bytes limits a line, not the file.
    line = tmp_path / "line.jsonl"
    line.write_bytes(b"x" * int(2.5 * 2**20) + b'\n{"title": "A", "text": "b"}\n')
    _, manifest = _load([big, bomb, line], max_bytes=2**20)
    assert manifest["reason"].tolist() == [
        "file is 2.5 MiB, over the 1 MiB limit (max_bytes)",
        "broken gzip data: unpacks to over the 1 MiB limit (max_bytes)",
        "line is 2.5 MiB, over the 1 MiB limit (max_bytes)", ""]
    assert manifest["path"].tolist()[2:] == [f"{line}:1", f"{line}:2"]
    edge = tmp_path / "edge.html"
    edge.write_bytes(b"x" * (2**20 + 1))
    _, manifest = _load(edge, max_bytes=2**20)
    assert manifest["reason"].tolist() == [
        "file is 1,048,577 bytes, over the 1,048,576-byte limit (max_bytes)"]


# ---------------------------------------------------------------------------- own outputs (item 9)


def _corpus_with_report(tmp_path):
    from analysis.io import OUTPUT_MARKER

    corpus = tmp_path / "corpus"
    report = corpus / "report" / "my-slug"
    report.mkdir(parents=True)
    (corpus / "a.jsonl").write_text('{"id": "a", "title": "A", "text": "alpha body"}\n')
    (report / OUTPUT_MARKER).write_text("")
    (report / "articles.csv").write_text("id,title,text\nb,B,beta body\n")
    (report / "index.html").write_text("<html><body><p>Report page</p></body></html>")
    (report / "tables").mkdir()
    (report / "tables" / "topics.csv").write_text("id,title,text\nc,C,gamma body\n")
    return corpus, report


def test_own_output_folder_inside_the_input_is_skipped_and_accounted_for(tmp_path):
    from analysis.io import input_files

    corpus, report = _corpus_with_report(tmp_path)
    assert input_files(corpus) == [corpus / "a.jsonl"]
    articles, manifest = _load(corpus)
    assert articles["article_id"].tolist() == ["a"]
    skipped = manifest[manifest["status"] == "rejected"]
    assert skipped.to_dict("records") == [{
        "path": str(report), "format": "folder", "status": "rejected",
        "reason": "newsscope's own output folder (has .newsscope-output), not an input",
        "article_id": None}]


def test_own_output_folder_named_or_globbed_is_skipped_too(tmp_path):
    corpus, report = _corpus_with_report(tmp_path)
    for source in (report, report / "tables", f"{corpus}/**/*.csv"):
        articles, manifest = _load(source)
        assert articles.empty, source
        assert manifest[["path", "format"]].values.tolist() == [[str(report), "folder"]]
    # A file named explicitly is read: the user asked for that file.
    assert _load(report / "articles.csv")[0]["article_id"].tolist() == ["b"]


# ------------------------------------------------------------------------- cache hygiene (item 17)


def test_interrupted_cache_writes_are_cleaned_up(tmp_path):
    cache = tmp_path / "cache"
    dead = cache / ".tmp-999999999-abc"  # above any pid_max: no such process
    old = cache / f".tmp-{os.getpid()}-old"
    fresh = cache / f".tmp-{os.getpid()}-fresh"  # a write in progress in this process
    for folder in (dead, old, fresh):
        folder.mkdir(parents=True)
        (folder / "articles.parquet").write_bytes(b"partial")
    two_hours_ago = time.time() - 7200
    for stale in (old / "articles.parquet", old):  # nothing in it changed for two hours
        os.utime(stale, (two_hours_ago, two_hours_ago))
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "a", "title": "A", "text": "alpha body"}\n')
    load_articles(path, cache_dir=cache, progress=False)
    assert not dead.exists() and not old.exists() and fresh.exists()
    assert sorted(p.name.split("-")[0] for p in cache.iterdir() if p != fresh) == [
        "articles", "units"]
