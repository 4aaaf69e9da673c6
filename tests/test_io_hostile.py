"""Hostile export inputs (issue 11): every row of a messy file is read or accounted for."""

from __future__ import annotations

import json

import pandas as pd

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
