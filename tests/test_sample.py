"""The bundled sample corpus loads as its hand-written ground truth says.

``tests/fixtures/sample_expected.json`` was written together with the pages
in ``data/sample`` (see its README); every field is checked for every page.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis import load_articles
from analysis.config import SAMPLE_DIR

EXPECTED = json.loads(
    (Path(__file__).parent / "fixtures" / "sample_expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample():
    df, manifest = load_articles(SAMPLE_DIR, tz="Asia/Baku", cache=False, progress=False,
                                 return_manifest=True)
    key = df["path"].str.removeprefix(str(SAMPLE_DIR) + "/")
    return df.set_index(key), manifest


# A bare outlet name after the body ("Bosphorus Post") is trusted as the source only when
# the site repeats it on its other pages; on real pages that slot also holds "Previous" or
# "Topics". Syndicated copies and pages alone in a folder therefore get no source. Known
# limitation, kept visible here rather than hidden in the ground truth.
BARE_CREDIT_NOT_TRUSTED = {
    "broken/bad-date.txt", "broken/future-date.txt",
    "caspian-courier/2023-08-migration-03.txt", "caspian-courier/2023-11-health-02.txt",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_matches_ground_truth(sample, name):
    df, _ = sample
    want = EXPECTED[name]
    got = df.loc[name]
    assert got["title"] == want["title"]
    source = None if pd.isna(got["source"]) else got["source"]
    assert source == (None if name in BARE_CREDIT_NOT_TRUSTED else want["source"])
    assert got["lang"] == want["lang"]
    assert got["text"].startswith(want["body_first"])
    assert got["text"].endswith(want["body_last"])
    if want["published"] is None or want["published"].startswith("2091"):
        assert pd.isna(got["published"])
    else:
        assert got["published"] == pd.Timestamp(want["published"], tz="Asia/Baku")


def test_duplicates_point_to_the_originals(sample):
    df, _ = sample
    flagged = {name: df.loc[name, "duplicate_of"] for name in df.index
               if pd.notna(df.loc[name, "duplicate_of"])}
    id_to_name = dict(zip(df["article_id"], df.index, strict=True))
    want = {name: v["duplicate_of"] for name, v in EXPECTED.items() if v["duplicate_of"]}
    assert {name: id_to_name[original] for name, original in flagged.items()} == want


def test_every_sample_file_is_accounted_for(sample):
    _, manifest = sample
    files = sorted(str(p) for p in SAMPLE_DIR.rglob("*") if p.is_file())
    items = manifest["path"].str.replace(r"(\.jsonl):\d+$", r"\1", regex=True)
    assert sorted(set(items)) == files
    status = manifest.set_index(manifest["path"].str.removeprefix(str(SAMPLE_DIR) + "/"))
    assert status.loc["broken/empty.txt", "status"] == "empty"
    assert status.loc["broken/chrome-only.txt", "status"] == "empty"
    assert status.loc["broken/logo.txt", "status"] == "rejected"
    assert status.loc["README.md", "status"] == "rejected"
    jsonl = status[status.index.str.startswith("broken/export.jsonl:")]
    assert jsonl["status"].value_counts().to_dict() == {"loaded": 4, "rejected": 1}


def test_sample_is_multilingual_and_spans_a_year(sample):
    df, _ = sample
    assert {"en", "ru", "az", "tr"} <= set(df["lang"])
    dated = df["published"].dropna()
    months = dated[dated.dt.year >= 2023].dt.strftime("%Y-%m").nunique()
    assert months >= 12
    cp1251 = df.loc["steppe-wire/2023-05-migration-02.txt"]
    assert cp1251["lang"] == "ru" and "Шымкент" in cp1251["text"]
