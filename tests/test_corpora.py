"""load_articles on the real public corpora in NEWSSCOPE_SHARED_DATA (see its README)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import load_articles
from benchmarks.scoring import macro_prf

pytestmark = pytest.mark.corpus


def load(source, **kwargs):
    return load_articles(source, cache=False, progress=False, return_manifest=True, **kwargs)


@pytest.fixture(scope="module")
def bbc(corpus):
    return load(corpus("bbc-fulltext.tar.gz"), fmt="bbc")


def test_bbc_rows_labels_encoding_and_duplicates(bbc):
    df, manifest = bbc
    assert len(df) == 2225
    assert df["label"].value_counts().to_dict() == {
        "sport": 511, "business": 510, "politics": 417, "tech": 401, "entertainment": 386}
    mutu = df[df["path"].str.endswith("bbc/sport/199.txt")].iloc[0]
    assert mutu["title"] == "Chelsea sack Mutu"
    assert "£" in mutu["text"] and "\ufffd" not in mutu["text"]
    assert (df["lang"] == "en").all()
    # The corpus has 133 groups of files with identical bodies: every later copy is flagged
    # and points at the first one.
    groups = df.groupby(df["text"].astype(object), sort=False)["article_id"].agg(list)
    groups = groups[groups.map(len) > 1]
    assert len(groups) >= 133
    flagged = df.set_index("article_id")["duplicate_of"]
    for ids in groups:
        assert flagged[ids[1:]].notna().all()
    readme = manifest[manifest["path"].str.endswith("README.TXT")]
    assert readme["status"].tolist() == ["rejected"]
    assert set(manifest["status"]) == {"loaded", "duplicate", "rejected"}


def test_reuters_rows_dates_and_topics(corpus):
    df, manifest = load(corpus("reuters21578"), fmt="reuters21578")
    assert len(df) == 21578
    assert df["article_id"].astype(int).sort_values().tolist() == list(range(1, 21579))
    assert (df["published"].dt.year == 1987).all()
    assert df["published"].notna().all()
    first = df.set_index("article_id").loc["1"]
    assert first["title"] == "BAHIA COCOA REVIEW"
    assert first["published"] == pd.Timestamp("1987-02-26 15:01:01.79", tz="UTC")
    assert first["label"] == "cocoa"
    assert first["text"].startswith("Showers continued throughout the week in the Bahia")
    assert not first["text"].rstrip().endswith("Reuter")
    assert df["label"].notna().sum() == 11367
    labels = df["label"].dropna().str.split(";").explode()
    assert labels.nunique() == 120
    assert labels.value_counts().head(3).to_dict() == {"earn": 3987, "acq": 2448, "money-fx": 801}
    bad_hour = manifest["reason"].str.contains("invalid time in DATE", regex=False)
    assert bad_hour.sum() == 1
    assert not df["text"].str.contains("&#|&lt;|\x03", regex=True).any()
    support = manifest[~manifest["path"].str.contains(".sgm", regex=False)]
    assert (support["status"] == "rejected").all() and len(support) == 9


def test_ttc3600_rows_labels_and_turkish(corpus):
    df, manifest = load(corpus("ttc3600-turkish-news.tar.gz"), fmt="ttc3600")
    assert len(df) == 3600
    assert df["label"].value_counts().tolist() == [600] * 6
    assert (df["lang"] == "tr").all()
    assert not df["text"].str.contains("\t|\r|\ufeff", regex=True).any()
    assert df["text"].str.contains("ş|ğ|ı", regex=True).mean() > 0.9
    assert manifest["status"].isin(["loaded", "duplicate", "rejected", "empty"]).all()


def test_html_path_f1_on_article_extraction_benchmark(corpus):
    root = corpus("article-extraction-benchmark")
    gold = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    df, manifest = load(root / "html", fmt="html")
    assert len(manifest) == len(gold) == 91
    predicted = dict(zip(df["path"].str.extract(r"([0-9a-f]{64})")[0], df["text"], strict=True))
    _, _, f1 = macro_prf((predicted.get(key, ""), page["articleBody"])
                         for key, page in gold.items())
    assert f1 >= 0.93


def test_headline_stream_json_export(corpus):
    df, manifest = load(corpus("fwd-news-headlines/headlines.json"),
                        columns={"label": "category", "published": "timestamp", "url": "link"})
    assert len(df) == 10037
    assert (manifest["status"] != "rejected").all()
    assert df["published"].min() >= pd.Timestamp("2021-11-16", tz="UTC")
    assert df["published"].max() < pd.Timestamp("2022-07-12", tz="UTC")
    assert df["label"].nunique() == 13
