"""The term index counts exactly what the trends count, however it was built or stored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

import analysis.index as index_module
import analysis.trends as trends
from analysis import load_articles
from analysis.config import SAMPLE_DIR
from analysis.index import TOKENISER_VERSION, build_index, load_index, save_index
from analysis.tokens import article_texts, fold_case
from analysis.topic_terms import term_matrix

TRICKY = pd.DataFrame({
    "title": ["İSTANBUL'DA İş", "ΟΔΟΣ Σ", None, "U.S. & AT&amp;T", "", "Москва", "İSTANBUL'DA İş",
              "x", "dup", "dup", "हिन्दी समाचार", "snake_case"],
    "text": [
        "Istanbul ılık İzmir; covid-19 cases rose 3.5% — human trafficking, human-trafficking.",
        "ΟΔΟΣ οδός ΣΟΦΟΣ. Straße STRASSE ﬁnance x² １２３ ½ Ⅻ",
        "Human Traffickers and human   trafficking\tin\nU.S.A. don't won’t",
        "🔥fire🔥 東京都 中国の経済 ٣٤٥ AT&T Q&A a\u200db a\u00a0b",
        "!!! ... ---",
        "Москва, МОСКВА и Ёлка ёлка. Україна їжак ґанок",
        "Istanbul ılık İzmir; covid-19 cases rose 3.5% — human trafficking, human-trafficking.",
        "",
        "same body",
        "same body",
        "हिन्दी में समाचार, क़ानून",
        "snake_case __init__ _ a_b_c human trafficking human trafficking ring",
    ],
})

TERMS = ["istanbul", "İstanbul", "ılık", "covid-19", "human trafficking", "traffick*",
         "human traffick*", "u.s.", "u s a", "οδος", "σοφος", "straße", "strasse", "москва",
         "ёлка", "東京都", "at t", "amp", "snake_case", "_", "human trafficking ring", "a b",
         "never seen", "nowhere", "x", "２", "123", "समाचार", "cases rose 3", "hu*an", "ёлк*",
         "*ing", "human *", "tr*k* ring"]


def _trends_counts(articles: pd.DataFrame, terms: list[str]) -> np.ndarray:
    matrix, names = trends.term_document_matrix(articles, terms=terms, binary=False)
    assert names == terms
    return matrix.toarray()


def _index_counts(index, terms, articles=None) -> np.ndarray:
    matrix, names = index.columns(terms, articles=articles)
    assert names == list(terms)
    assert matrix.dtype == np.int32
    return matrix[index.codes].toarray()


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return load_articles(SAMPLE_DIR, progress=False)


def test_non_word_runs_are_the_complement_of_the_token_pattern():
    assert trends._TOKEN == r"(?u)\b\w+\b"  # the split below stands for this pattern
    assert not trends._WORD.match("\U0010ffff")  # patterns' prefix ranges end there
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    expected = trends._WORD.findall(every)
    assert index_module._NON_WORD.sub(" ", every).strip(" ").split(" ") == expected


def test_ascii_texts_split_into_the_same_words():
    # ASCII texts skip the regex (bytes.translate): every ASCII character, in random runs.
    rng = np.random.default_rng(2)
    letters = np.array([chr(c) for c in range(128)] + [" "] * 20 + ["ab", "İ", "é"])
    for _ in range(2000):
        text = "".join(rng.choice(letters, rng.integers(0, 40)))
        expected = trends._WORD.findall(fold_case(text))
        assert [w for w in index_module._spaced(text).split(" ") if w] == expected, repr(text)


@pytest.mark.parametrize("corpus", ["tricky", "sample"])
def test_unpruned_index_is_the_trends_vectorizer(corpus, sample):
    articles = TRICKY if corpus == "tricky" else sample
    index = build_index(articles, min_df=1, progress=False)
    codes, texts = trends._distinct_texts(articles)
    assert index.codes.tolist() == codes.tolist()
    vectorizer = CountVectorizer(preprocessor=fold_case, token_pattern=trends._TOKEN,
                                 ngram_range=(1, 2), dtype=np.int32)
    expected = vectorizer.fit_transform(texts)
    names = vectorizer.get_feature_names_out()
    vocabulary = index.vocabulary
    assert sorted(vocabulary) == list(names)
    order = np.searchsorted(names, vocabulary)
    assert (index.counts != expected[:, order]).nnz == 0
    assert index.copies.tolist() == np.bincount(codes).tolist()
    assert index.n_words.tolist() == [len(t.split()) for t in texts]


@pytest.mark.parametrize("min_df", [1, 2, 3])
def test_columns_equal_trends_counts_on_tricky_text(min_df):
    index = build_index(TRICKY, min_df=min_df, progress=False)
    expected = _trends_counts(TRICKY, TERMS)
    assert expected[:, TERMS.index("human trafficking")].sum() == 7
    np.testing.assert_array_equal(_index_counts(index, TERMS, TRICKY), expected)


def test_columns_equal_trends_counts_on_sample(sample):
    terms = ["oil", "azerbaijan*", "baku", "human trafficking", "chief executive", "the",
             "human trafficking networks", "minister*", "000 fans", "1 yendi", "no such phrase",
             "covid-19", "türkiye", "human traffick*", "100 случаев", "oil*"]
    expected = _trends_counts(sample, terms)
    assert (expected.sum(axis=0) > 0).sum() >= 6
    for min_df in (1, 2, 5):
        index = build_index(sample, min_df=min_df, progress=False)
        np.testing.assert_array_equal(_index_counts(index, terms, sample), expected)


def test_pruned_index_counts_rare_phrases_exactly_and_says_when_it_needs_texts():
    index = build_index(TRICKY, min_df=2, progress=False)
    rare = ["human traffickers", "ёлка ёлка", "human traffick*"]
    assert "human traffickers" not in set(index.vocabulary)
    np.testing.assert_array_equal(_index_counts(index, rare, TRICKY),
                                  _trends_counts(TRICKY, rare))
    with pytest.raises(ValueError, match="pass articles="):
        index.columns(["human traffickers"])
    # A kept phrase, and any word, needs no texts.
    kept = ["human trafficking", "traffick*", "ёлка"]
    np.testing.assert_array_equal(_index_counts(index, kept), _trends_counts(TRICKY, kept))


def test_unpruned_index_needs_texts_only_for_longer_phrases():
    index = build_index(TRICKY, min_df=1, progress=False)
    terms = ["human traffickers", "human traffick*", "never seen"]
    np.testing.assert_array_equal(_index_counts(index, terms), _trends_counts(TRICKY, terms))
    with pytest.raises(ValueError, match="3\\+ words"):
        index.columns(["cases rose 3"])


@pytest.mark.parametrize("corpus", ["tricky", "sample"])
def test_top_terms_are_the_trends_choice(corpus, sample):
    articles = TRICKY if corpus == "tricky" else sample
    expected, names = trends.term_document_matrix(articles, top_n=40, binary=False)
    for min_df in (1, 2):
        index = build_index(articles, min_df=min_df, progress=False)
        matrix, got = index.top_terms(40, languages=trends._LANGUAGES)
        assert got == names
        assert (matrix[index.codes] != expected).nnz == 0


def test_top_terms_on_a_sample_are_the_trends_choice(sample, monkeypatch):
    monkeypatch.setattr(trends, "_VOCABULARY_SAMPLE", 60)
    distinct = len(set(article_texts(sample)))
    assert distinct > 60
    expected, names = trends.term_document_matrix(sample, top_n=30, binary=False)
    index = build_index(sample, progress=False)
    matrix, got = index.top_terms(30, languages=trends._LANGUAGES, sample=60)
    assert got == names
    assert (matrix[index.codes] != expected).nnz == 0
    assert index.top_terms(30, languages=trends._LANGUAGES)[1] != names  # the sample mattered


def test_a_subset_index_is_the_index_of_the_subset(sample, monkeypatch):
    monkeypatch.setattr(trends, "_VOCABULARY_SAMPLE", 25)
    index = build_index(sample, progress=False)
    rows = np.flatnonzero(np.arange(len(sample)) % 3 != 1)[::-1]
    part, articles = index.take(rows), sample.iloc[rows]
    codes, texts = trends._distinct_texts(articles)
    assert part.codes.tolist() == codes.tolist()
    assert part.n_words.tolist() == [len(t.split()) for t in texts]
    expected, names = trends.term_document_matrix(articles, top_n=30, binary=False)
    matrix, got = part.top_terms(30, languages=trends._LANGUAGES, sample=25)
    assert got == names
    assert (matrix[part.codes] != expected).nnz == 0
    terms = ["oil", "human traffick*", "1 yendi", "human trafficking networks"]
    np.testing.assert_array_equal(_index_counts(part, terms, articles),
                                  _trends_counts(articles, terms))
    assert (index.take(np.arange(len(sample)) % 2 == 0).codes
            == index.take(np.arange(0, len(sample), 2)).codes).all()


def test_taking_every_article_is_the_index_itself(sample):
    index = build_index(sample, progress=False)
    every = np.ones(len(sample), dtype=bool)
    assert index.take(every) is index and index.take(np.arange(len(sample))) is index
    # What the general path gives for all articles, through a permutation
    # and back: the same numbering, copies and counts.
    reversed_twice = index.take(np.arange(len(sample))[::-1]).take(
        np.arange(len(sample))[::-1])
    assert reversed_twice.codes.tolist() == index.codes.tolist()
    np.testing.assert_array_equal(reversed_twice.copies, index.copies)
    assert (reversed_twice.counts != index.counts).nnz == 0
    assert index.take(every[:-1].tolist() + [False]) is not index


def test_top_terms_refuse_an_index_pruned_too_far():
    index = build_index(TRICKY, min_df=3, progress=False)
    with pytest.raises(ValueError, match="min_df=2"):
        index.top_terms(500, languages=["en"])


def _same(a, b) -> None:
    assert a.version == b.version and a.min_df == b.min_df
    for name in ("codes", "copies", "pairs", "n_words"):
        got, want = getattr(a, name), getattr(b, name)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), name
    assert a.words.equals(b.words)
    for name in ("data", "indices", "indptr"):
        got, want = getattr(a.counts, name), getattr(b.counts, name)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), name
    assert a.counts.shape == b.counts.shape


def test_processes_and_chunks_give_the_same_index(sample, monkeypatch):
    whole = build_index(sample, progress=False)
    monkeypatch.setattr(index_module, "_CHUNK", 7)
    monkeypatch.setattr(index_module, "_IN_CALLER", 0)  # processes even for a few texts
    chunked = build_index(sample, progress=False)
    parallel = build_index(sample, n_jobs=2, progress=False)
    _same(chunked, whole)
    _same(parallel, whole)


def test_an_index_built_in_fresh_processes_is_the_same(sample, monkeypatch):
    whole = build_index(sample, progress=False)
    monkeypatch.setattr(index_module, "_CHUNK", 7)  # chunks are cut here, in the caller
    monkeypatch.setattr(index_module, "_IN_CALLER", 0)
    _same(build_index(sample, n_jobs=2, progress=False, fresh=True), whole)


def _counting_tokenised(monkeypatch) -> list[int]:
    """Count the texts tokenised from now on (in this process: n_jobs=1)."""
    tokenised: list[int] = []
    real = index_module._tokenised_chunk

    def counted(texts, copies):
        tokenised.append(len(texts))
        return real(texts, copies)

    monkeypatch.setattr(index_module, "_tokenised_chunk", counted)
    return tokenised


def test_a_stored_corpus_is_tokenised_again_only_where_it_grew(sample, tmp_path, monkeypatch):
    monkeypatch.setattr(index_module, "_CHUNK", 8)  # spans of 2..24 texts
    store = tmp_path / "chunks"
    tokenised = _counting_tokenised(monkeypatch)
    _same(build_index(sample, progress=False, store=store), build_index(sample, progress=False))
    assert sum(tokenised) == 2 * sample["text"].nunique()  # once into the store, once without
    tokenised.clear()
    _same(build_index(sample, progress=False, store=store), build_index(sample, progress=False))
    assert sum(tokenised) == sample["text"].nunique()  # only the build without a store
    # Five new articles in the middle, and a second copy of an old one (its
    # phrases' document frequencies change, its chunk does not).
    new = pd.DataFrame({"title": [f"New {i}" for i in range(5)],
                        "text": [f"Fresh report number {i} on the pipeline." for i in range(5)]})
    grown = pd.concat([sample.iloc[:40], new, sample.iloc[40:], sample.iloc[[3]]],
                      ignore_index=True)
    tokenised.clear()
    stored = build_index(grown, progress=False, store=store)
    assert 5 <= sum(tokenised) <= 5 + 2 * 24  # the new texts and the span(s) they landed in
    _same(stored, build_index(grown, progress=False))


def test_an_unreadable_or_unwritable_store_costs_time_not_the_index(sample, tmp_path,
                                                                   monkeypatch):
    from analysis.cache import CacheWarning

    monkeypatch.setattr(index_module, "_CHUNK", 8)
    whole = build_index(sample, progress=False)
    store = tmp_path / "chunks"
    build_index(sample, progress=False, store=store)
    files = sorted(store.glob("*.npz"))
    files[0].write_bytes(b"broken")
    files[1].write_bytes(files[1].read_bytes()[:100])
    tokenised = _counting_tokenised(monkeypatch)
    _same(build_index(sample, progress=False, store=store), whole)
    assert 0 < sum(tokenised) <= 2 * 24  # the two damaged chunks, tokenised again
    blocked = tmp_path / "file"
    blocked.write_text("a file where the store's folder should be")
    with pytest.warns(CacheWarning, match="cannot keep the tokenised texts"):
        _same(build_index(sample, progress=False, store=blocked), whole)


def test_prune_store_removes_old_chunks_and_dead_writers_leftovers(tmp_path):
    import time

    for name in ("old.npz", "new.npz", ".tmp-999999999-x.npz", f".tmp-{os.getpid()}-y.npz",
                 "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    month_ago = time.time() - 31 * 86400
    os.utime(tmp_path / "old.npz", (month_ago, month_ago))
    os.utime(tmp_path / "notes.txt", (month_ago, month_ago))
    removed = index_module.prune_store(tmp_path)
    assert sorted(p.name for p in removed) == [".tmp-999999999-x.npz", "old.npz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".tmp-{os.getpid()}-y.npz",
                                                          "new.npz", "notes.txt"]


def test_save_and_load_round_trip(tmp_path):
    index = build_index(TRICKY, min_df=2, progress=False)
    folder = save_index(index, tmp_path / "cache" / "index")
    again = load_index(folder)
    _same(again, index)
    np.testing.assert_array_equal(_index_counts(again, TERMS, TRICKY),
                                  _trends_counts(TRICKY, TERMS))
    # Saving again replaces the folder whole, leaving nothing else behind.
    save_index(build_index(TRICKY.iloc[:3], min_df=1, progress=False), folder)
    assert load_index(folder).n_texts == 3
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["index"]


def test_load_index_is_none_when_missing_broken_or_outdated(tmp_path):
    assert load_index(tmp_path / "nothing") is None
    folder = save_index(build_index(TRICKY, progress=False), tmp_path / "index")
    (folder / "meta.json").write_text('{"version": "old", "min_df": 2}')
    assert load_index(folder) is None
    (folder / "meta.json").write_text(f'{{"version": "{TOKENISER_VERSION}", "min_df": 2}}')
    (folder / "counts.npz").write_bytes(b"broken")
    assert load_index(folder) is None


def test_headlines_only_and_empty_corpora():
    headlines = pd.DataFrame({"title": ["Oil rises", "Oil rises", "Gas falls"]})
    index = build_index(headlines, min_df=1, progress=False)
    np.testing.assert_array_equal(_index_counts(index, ["oil rises", "gas"]),
                                  _trends_counts(headlines, ["oil rises", "gas"]))
    empty = build_index(pd.DataFrame({"title": ["", "!"], "text": ["", "?"]}), progress=False)
    assert empty.counts.shape == (2, 0) and len(empty.vocabulary) == 0
    matrix, _ = empty.columns(["oil", "oil price", "oil*"])
    assert matrix.shape == (2, 3) and matrix.nnz == 0
    assert isinstance(matrix, sp.csr_matrix)


@pytest.mark.corpus
@pytest.mark.parametrize("name, fmt", [("bbc-fulltext.tar.gz", "bbc"),
                                       ("ttc3600-turkish-news.tar.gz", "ttc3600")])
@pytest.mark.parametrize("min_df", [2, 5])
def test_binary_terms_equal_the_vectorizer_on_the_texts(corpus, name, fmt, min_df):
    articles = load_articles(corpus(name), fmt=fmt, cache=False, progress=False)
    index = build_index(articles, min_df=2)
    originals = np.flatnonzero(articles["duplicate_of"].isna().to_numpy())
    positions = np.sort(np.random.default_rng(0).choice(originals, 1200, replace=False))
    expected, labels = term_matrix(article_texts(articles.iloc[positions]), min_df=min_df)
    matrix, terms = index.binary_terms(positions, min_df=min_df)
    assert terms.tolist() == labels.tolist() and len(terms) > 1000
    assert matrix.dtype == expected.dtype and (matrix != expected).nnz == 0
    with pytest.raises(ValueError, match="below the index's min_df=2"):
        index.binary_terms(positions, min_df=1)


def test_an_unguarded_script_indexing_in_fresh_processes_runs_once(tmp_path):
    # multiprocessing's "spawn" would run this script again in each worker
    # (it has no `if __name__ == "__main__":` guard); the index's fresh
    # processes must not.
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import pandas as pd\n"
        "import analysis.index as ix\n"
        "print('top level ran', flush=True)\n"
        "ix._CHUNK = 2\n"
        "ix._IN_CALLER = 0\n"
        "arts = pd.DataFrame({'title': ['Oil prices', 'Vote count', 'Oil again', 'Poll'],\n"
        "                     'text': ['Oil rose.', 'The vote.', 'Oil fell.', 'A poll.']})\n"
        "shared = ix.build_index(arts, min_df=1, n_jobs=2, fresh=True, progress=False)\n"
        "alone = ix.build_index(arts, min_df=1, progress=False)\n"
        "print(shared.vocabulary.tolist() == alone.vocabulary.tolist(),\n"
        "      (shared.counts != alone.counts).nnz == 0)\n",
        encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(Path(index_module.__file__)
                                                              .parent.parent)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["top level ran", "True True"]
