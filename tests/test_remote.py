"""Articles whose texts stay on the Dask workers that loaded them: same rows, same index."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from analysis import config
from analysis.index import _text_digest, build_index, save_index
from analysis.io import load_articles
from analysis.shards import ShardedCounts, local_matrix
from analysis.tokens import article_texts
from analysis.topics import fit_topics, topic_map
from tests.test_io_parallel import _mixed_corpus

if os.environ.get("CI") == "true":
    import distributed  # noqa: F401 - `make` installs the scale lock: CI must have it
else:
    pytest.importorskip("distributed", reason="the scale extra is not installed")


@pytest.fixture(scope="module")
def client():
    import distributed

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return [str(_mixed_corpus(tmp_path_factory.mktemp("inputs") / "mixed")), str(config.SAMPLE_DIR)]


@pytest.fixture(scope="module")
def here(inputs):
    return load_articles(inputs, cache=False, progress=False, return_manifest=True)


@pytest.fixture(scope="module")
def there(client, inputs):
    from analysis.remote import load_on_cluster

    return load_on_cluster(client, inputs, fmt="auto", tz="UTC", columns=None,
                           languages=config.DEFAULT_LANGUAGES, max_bytes=config.MAX_FILE_BYTES,
                           progress=False)


def test_the_rows_are_load_articles_without_the_texts(here, there):
    articles, manifest = here
    rows, their_manifest, texts = there
    assert "text" not in rows
    pd.testing.assert_frame_equal(rows, articles.drop(columns="text"))
    pd.testing.assert_frame_equal(their_manifest, manifest)
    assert len(texts) == len(articles) and len(set(texts.batch.tolist())) > 1
    assert all(future.status == "finished" for future in texts.batches)
    expected = article_texts(articles)
    assert texts.digests.tolist() == [_text_digest(t) for t in expected]


def test_texts_come_back_in_the_order_asked_across_batches(here, there):
    articles, _ = here
    texts = there[2]
    expected = article_texts(articles)
    positions = np.random.default_rng(0).permutation(len(articles))[:40]
    assert texts(positions) == [expected[i] for i in positions]
    part = texts.take(positions[:7])
    assert part(np.arange(7)[::-1]) == [expected[i] for i in positions[:7][::-1]]
    mask = articles["source"].eq("Bakudaily.Az").fillna(False).to_numpy(dtype=bool)
    assert texts.take(mask)(np.arange(mask.sum())) == [t for t, m in zip(expected, mask,
                                                                          strict=True) if m]


def _arrays(index) -> dict:
    counts = local_matrix(index.counts)
    return {"codes": index.codes, "copies": index.copies, "words": np.array(index.words),
            "pairs": index.pairs, "data": counts.data, "indices": counts.indices,
            "indptr": counts.indptr, "n_words": index.n_words}


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 40 texts: the index's counts are held in several blocks, on both workers."""
    from analysis import index

    monkeypatch.setattr(index, "_CHUNK", 40)


@pytest.mark.parametrize("stored", [False, True])
def test_the_index_tokenised_on_the_workers_is_the_local_index(here, there, tmp_path, stored,
                                                               small_chunks):
    articles, _ = here
    rows, _, texts = there
    store = tmp_path / "chunks" if stored else None
    remote = build_index(rows, min_df=2, texts=texts, store=store)
    local = build_index(articles, min_df=2)
    assert remote.texts is texts
    # The counts stayed on the workers, in blocks.
    assert isinstance(remote.counts, ShardedCounts) and len(remote.counts.parts) > 3
    assert remote.counts.shape == local.counts.shape
    mine, theirs = _arrays(local), _arrays(remote)
    for name, values in mine.items():
        np.testing.assert_array_equal(theirs[name], values, err_msg=name)
    if stored:  # a second build reads every chunk back: the same index again
        assert len(list(store.glob("*.npz"))) == len(remote.counts.parts)
        again = build_index(rows, min_df=2, texts=texts, store=store)
        np.testing.assert_array_equal(local_matrix(again.counts).data, local.counts.data)


def test_what_the_analyses_read_off_the_blocks_is_what_one_matrix_gives(here, there, tmp_path,
                                                                      small_chunks):
    from analysis.topic_vectors import index_word_counts

    articles, _ = here
    rows, _, texts = there
    local, remote = build_index(articles, min_df=2), build_index(rows, min_df=2, texts=texts)
    rng = np.random.default_rng(1)
    some = rng.choice(len(rows), 60, replace=True)  # out of order, some twice
    for mine, theirs in [(local, remote), (local.take(some), remote.take(some))]:
        assert isinstance(theirs.counts, ShardedCounts)
        np.testing.assert_array_equal(theirs.codes, mine.codes)
        for sample in (None, 25):
            m1, n1 = mine.top_terms(15, languages=["en"], sample=sample)
            m2, n2 = theirs.top_terms(15, languages=["en"], sample=sample)
            assert n2 == n1 and m2.dtype == m1.dtype and (m2 != m1).nnz == 0
        groups = sp.csr_matrix((rng.integers(1, 3, mine.n_texts),
                                (rng.integers(0, 3, mine.n_texts), np.arange(mine.n_texts))),
                               shape=(3, mine.n_texts))
        chosen = mine.top_columns(40, languages=["en"])[0]
        for binary in (True, False):
            np.testing.assert_array_equal(theirs.summed(groups, chosen, binary=binary),
                                          mine.summed(groups, chosen, binary=binary))
        terms = ["azerbaijan*", "oil", "human trafficking", "no such word"]
        m1, _ = mine.columns(terms)
        m2, _ = theirs.columns(terms)
        assert m1.sum() > 0 and (m2 != m1).nnz == 0
        b1, l1 = mine.binary_terms(np.arange(0, len(mine.codes), 3), min_df=2)
        b2, l2 = theirs.binary_terms(np.arange(0, len(mine.codes), 3), min_df=2)
        assert l2.tolist() == l1.tolist() and (b2 != b1).nnz == 0
        for positions in (np.unique(mine.codes, return_index=True)[1], np.arange(0, 50, 2)):
            x1, v1 = index_word_counts(mine, positions, stop_words={"the"}, min_df=2, max_df=0.9)
            x2, v2 = index_word_counts(theirs, positions, stop_words={"the"}, min_df=2,
                                       max_df=0.9)
            assert v2.vocabulary_ == v1.vocabulary_ and x2.dtype == x1.dtype
            assert (x2 != x1).nnz == 0
    np.testing.assert_array_equal(remote.counts.column_sums(limit=100),
                                  np.bincount(local.counts.indices[local.counts.indices < 100],
                                              minlength=100))
    with pytest.raises(ValueError, match="held by a Dask cluster"):
        save_index(remote, tmp_path / "index")


def test_terms_counted_on_the_texts_are_fetched_from_the_workers(here, there, small_chunks):
    articles, _ = here
    rows, _, texts = there
    terms = ["combatting human trafficking", "azerbaijani experts", "export*"]
    local, _ = build_index(articles, min_df=2).columns(terms, articles=articles)
    index = build_index(rows, min_df=2, texts=texts)
    remote, _ = index.columns(terms, articles=rows)
    assert local[:, 0].sum() > 0  # the three-word phrase is found, in a body
    assert (remote != local).nnz == 0
    # take() keeps the texts: a subset counts as the same subset of the local index.
    half = np.arange(0, len(rows), 2)
    part, _ = index.take(half).columns(terms, articles=rows.iloc[half])
    whole, _ = build_index(articles, min_df=2).take(half).columns(
        terms, articles=articles.iloc[half])
    assert (part != whole).nnz == 0


def test_topics_and_their_map_need_no_text_column(here, there, small_chunks):
    articles, _ = here
    rows, _, texts = there
    local = fit_topics(articles, k=3, index=build_index(articles, min_df=2))
    remote = fit_topics(rows, k=3, index=build_index(rows, min_df=2, texts=texts))
    pd.testing.assert_frame_equal(remote.doc_topics_, local.doc_topics_)
    pd.testing.assert_frame_equal(topic_map(remote, rows, texts=texts),
                                  topic_map(local, articles))
    with pytest.raises(ValueError, match=r"lack columns \['text'\]"):
        fit_topics(rows, k=3)


def test_a_load_that_fails_leaves_nothing_on_the_cluster(client, inputs, there, monkeypatch):
    import gc
    import time

    from analysis import remote

    def n_tasks() -> int:
        return client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))

    # The module's own load (`there`) is still held; indexes of earlier tests
    # may still be releasing their blocks.
    gc.collect()
    before, settled = -1, n_tasks()
    while settled != before:
        time.sleep(0.5)
        before, settled = settled, n_tasks()

    def broken(*args, **kwargs):
        raise RuntimeError("assembly failed")

    monkeypatch.setattr(remote.io, "_assembled", broken)
    with pytest.raises(RuntimeError, match="assembly failed"):
        remote.load_on_cluster(client, inputs, fmt="auto", tz="UTC", columns=None,
                               languages=config.DEFAULT_LANGUAGES,
                               max_bytes=config.MAX_FILE_BYTES, progress=False)
    deadline = time.monotonic() + 20
    while n_tasks() > before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert n_tasks() == before
