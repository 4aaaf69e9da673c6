"""The month-partitioned Parquet dataset: a load's articles, written here or by Dask workers."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from analysis import cli, config
from analysis.dataset import DATASET_MARKER, NoArticlesError, write_dataset
from analysis.io import load_articles
from tests.daskcluster import run_killing_a_worker, scheduler_with_workers
from tests.test_io_parallel import _mixed_corpus

if os.environ.get("CI") == "true":
    import distributed  # noqa: F401 - `make` installs the scale lock: CI must have it
else:
    pytest.importorskip("distributed", reason="the scale extra is not installed")


def _by_month(articles: pd.DataFrame) -> pd.DataFrame:
    """``articles`` in the dataset's order: by month, then input order."""
    months = articles["published"].dt.strftime("%Y-%m").fillna("undated")
    return articles.iloc[months.argsort(kind="stable")].reset_index(drop=True)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("inputs")
    _mixed_corpus(root / "mixed")
    return [str(root / "mixed"), str(config.SAMPLE_DIR)]


@pytest.fixture(scope="module")
def here(inputs, tmp_path_factory):
    out = tmp_path_factory.mktemp("here") / "articles"
    manifest = write_dataset(inputs, out, cache=False, progress=False)
    return out, manifest


def test_the_dataset_holds_the_articles_load_articles_gives_by_month(inputs, here):
    out, manifest = here
    articles, expected_manifest = load_articles(inputs, cache=False, progress=False,
                                                return_manifest=True)
    back = pd.read_parquet(out)
    assert back["month"].astype(str).is_monotonic_increasing
    assert set(back["month"].astype(str)) >= {"2014-09", "2024-03", "undated"}
    pd.testing.assert_frame_equal(back.drop(columns="month"), _by_month(articles))
    pd.testing.assert_frame_equal(manifest, expected_manifest)
    assert (out / DATASET_MARKER).is_file()


def test_dask_and_load_articles_read_the_dataset_back(here):
    import dask.dataframe as dd

    out, _ = here
    back = pd.read_parquet(out)
    lazy = dd.read_parquet(out).compute().reset_index(drop=True)
    assert lazy["article_id"].tolist() == back["article_id"].tolist()
    assert lazy["text"].tolist() == back["text"].tolist()
    again = load_articles(out, cache=False, progress=False)
    # Own ids are kept, so a dataset loads as the same articles (found under its files' paths).
    assert sorted(again["article_id"]) == sorted(back["article_id"])
    merged = again.merge(back, on="article_id", suffixes=("", "_dataset"))
    assert merged["text"].equals(merged["text_dataset"])
    assert merged["published"].equals(merged["published_dataset"])
    assert merged["duplicate_of"].isna().equals(merged["duplicate_of_dataset"].isna())


def test_workers_on_a_scheduler_write_the_same_dataset(inputs, here, tmp_path):
    out, manifest = here
    with scheduler_with_workers(2, log_dir=tmp_path) as (address, _):
        theirs = write_dataset(inputs, tmp_path / "theirs", cache=False, progress=False,
                               dask=address)
        write_dataset(inputs, tmp_path / "dropped", cache=False, progress=False,
                      dask=address, drop_duplicates=True)
    write_dataset(inputs, tmp_path / "dropped-here", cache=False, progress=False,
                  drop_duplicates=True)
    pd.testing.assert_frame_equal(theirs, manifest)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "theirs"), pd.read_parquet(out))
    # Files by partition of the load: several per month, each named for its batch.
    assert len(list((tmp_path / "theirs").rglob("part-*.parquet"))) > len(
        list(out.rglob("part-*.parquet")))
    kept = pd.read_parquet(tmp_path / "dropped")
    pd.testing.assert_frame_equal(kept, pd.read_parquet(tmp_path / "dropped-here"))
    assert kept["duplicate_of"].isna().all()
    assert len(kept) == int(manifest["status"].eq("loaded").sum())


def test_a_worker_killed_mid_run_leaves_the_same_dataset(inputs, here, tmp_path):
    import distributed

    out, manifest = here
    with scheduler_with_workers(2, nanny=False, log_dir=tmp_path) as (address, workers), \
            distributed.Client(address) as client:
        theirs = run_killing_a_worker(client, workers[0], lambda: write_dataset(
            inputs, tmp_path / "theirs", cache=False, progress=False, dask=client))
    pd.testing.assert_frame_equal(theirs, manifest)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "theirs"), pd.read_parquet(out))
    assert not list((tmp_path / "theirs").rglob(".part-*"))



def test_months_are_the_load_time_zone_s(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text(
        '{"id": "late", "title": "Late", "text": "Filed late at night in New York.", '
        '"published": "2021-02-01T03:00:00Z"}\n'
        '{"id": "day", "title": "Day", "text": "Filed in the afternoon, the next day.", '
        '"published": "2021-02-01T20:00:00Z"}\n', encoding="utf-8")
    write_dataset(tmp_path / "in", tmp_path / "ny", tz="America/New_York", cache=False,
                  progress=False)
    back = pd.read_parquet(tmp_path / "ny")
    assert dict(zip(back["article_id"], back["month"].astype(str), strict=True)) == {
        "late": "2021-01", "day": "2021-02"}
    assert str(back["published"].dt.tz) == "America/New_York"


def test_a_load_that_gives_nothing_writes_nothing(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("", encoding="utf-8")
    write_dataset(config.SAMPLE_DIR / "bakudaily", tmp_path / "ds", cache=False, progress=False)
    with pytest.raises(NoArticlesError, match="no dataset was written") as caught:
        write_dataset(tmp_path / "in", tmp_path / "ds", cache=False, progress=False)
    assert caught.value.manifest["status"].tolist() == ["empty"]
    assert len(pd.read_parquet(tmp_path / "ds")) == 1  # the earlier dataset stays
    status = cli.main(["ingest", str(tmp_path / "in"), "--dataset", "--out",
                       str(tmp_path / "ds"), "--no-cache", "--quiet"])
    assert status == 2
    assert "no articles could be loaded" in capsys.readouterr().err
    status = cli.main(["ingest", str(tmp_path / "missing"), "--dataset", "--out",
                       str(tmp_path / "ds"), "--no-cache", "--quiet"])
    assert status == 2  # an input that is not there is the input's fault, not the output's
    assert "could not write" not in capsys.readouterr().err


def test_a_dataset_replaces_only_a_dataset_and_only_when_complete(tmp_path):
    out = tmp_path / "articles"
    write_dataset(config.SAMPLE_DIR / "bakudaily", out, cache=False, progress=False)
    first = pd.read_parquet(out)
    with pytest.raises(FileNotFoundError):
        write_dataset(tmp_path / "missing", out, cache=False, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(out), first)
    write_dataset(config.SAMPLE_DIR, out, cache=False, progress=False)
    assert len(pd.read_parquet(out)) > len(first)
    assert not [p for p in tmp_path.iterdir() if p.name != "articles"]  # no build left behind
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ValueError, match="not a newsscope dataset"):
        write_dataset(config.SAMPLE_DIR, tmp_path / "mine", cache=False, progress=False)
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_the_cli_writes_a_dataset_with_dask_local(tmp_path, capsys):
    out = tmp_path / "ds"
    status = cli.main(["ingest", str(config.SAMPLE_DIR), "--dataset", "--out", str(out),
                       "--dask", "local", "--no-cache", "--quiet",
                       "--manifest", str(tmp_path / "manifest.csv")])
    printed = capsys.readouterr().out
    assert status == 0
    assert f"wrote 82 articles to the dataset {out}" in printed
    assert len(pd.read_parquet(out)) == 82
    assert len(pd.read_csv(tmp_path / "manifest.csv")) == 87
    status = cli.main(["ingest", str(config.SAMPLE_DIR), "--dataset", "--out",
                       str(config.SAMPLE_DIR)])
    assert status == 2
    assert "holds other files" in capsys.readouterr().err
