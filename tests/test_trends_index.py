"""Trends given a term index count exactly what they count on the texts themselves."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import analysis.trends as trends
from analysis import load_articles
from analysis.config import SAMPLE_DIR
from analysis.index import build_index
from analysis.trends import rising_terms, term_document_matrix, term_trends

# Words, patterns, a kept and a rare phrase, a three-word phrase, absent terms.
TERMS = ["oil", "traffick*", "human traffick*", "human trafficking", "human trafficking networks",
         "azerbaijan*", "1 yendi", "covid-19", "no such phrase", "zzzz*"]
FOCUS = ("2024-01-01", "2024-03-31")


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return load_articles(SAMPLE_DIR, progress=False)


@pytest.fixture(scope="module", params=[1, 2], ids=["min_df=1", "min_df=2"])
def indexed(request, sample):
    return build_index(sample, min_df=request.param, progress=False)


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the sample's undated articles, said each time
        return function(*args, **kwargs)


def _same(function, articles, index, **kwargs) -> pd.DataFrame:
    expected = _quiet(function, articles, **kwargs)
    got = _quiet(function, articles, index=index, **kwargs)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    return got


@pytest.mark.parametrize("terms", [None, TERMS], ids=["top", "given"])
@pytest.mark.parametrize("by", [None, "source"])
def test_term_trends_with_an_index_are_the_same(sample, indexed, terms, by):
    got = _same(term_trends, sample, indexed, terms=terms, by=by, freq="M", top_n=60)
    assert got["count"].sum() > 0 and got["per_10k_words"].notna().any()


@pytest.mark.parametrize("terms", [None, TERMS], ids=["top", "given"])
def test_rising_terms_with_an_index_are_the_same(sample, indexed, terms):
    got = _same(rising_terms, sample, indexed, focus=FOCUS, terms=terms, min_count=0)
    assert (got["count_focus"] > 0).any()


@pytest.mark.parametrize("terms", [None, TERMS], ids=["top", "given"])
def test_term_document_matrix_with_an_index_is_the_same(sample, indexed, terms):
    for binary in (True, False):
        expected, names = term_document_matrix(sample, terms=terms, top_n=80, binary=binary)
        got, got_names = term_document_matrix(sample, terms=terms, top_n=80, binary=binary,
                                              index=indexed)
        assert got_names == names
        assert got.dtype == expected.dtype and (got != expected).nnz == 0


def test_top_terms_chosen_on_a_sample_are_the_same(sample, monkeypatch):
    # Larger corpora choose their top terms on a sample of texts: so does the index.
    monkeypatch.setattr(trends, "_VOCABULARY_SAMPLE", 40)
    index = build_index(sample, progress=False)
    _same(term_trends, sample, index, freq="M", top_n=50)
    _same(rising_terms, sample, index, focus=FOCUS, min_count=0, top_n=50)


def test_a_subset_takes_its_part_of_the_index(sample, indexed):
    dated = sample["published"].notna().to_numpy() & (sample["published"] >= "2023-01-01")
    part = sample[dated]
    with pytest.raises(ValueError, match=r"index must be the index of exactly these articles.*"
                                         r"index\.take"):
        _quiet(term_trends, part, index=indexed)
    taken = indexed.take(dated)
    for terms in (None, TERMS):
        _same(term_trends, part, taken, terms=terms, freq="W", top_n=40)
        _same(rising_terms, part, taken, terms=terms, focus="2024Q1", min_count=2)


def test_a_wrong_index_is_refused(sample, indexed):
    with pytest.raises(TypeError, match="term_trends: index must be a TermIndex"):
        _quiet(term_trends, sample, index="index")
    with pytest.raises(TypeError, match="rising_terms: index must be a TermIndex"):
        _quiet(rising_terms, sample, focus=FOCUS, index=indexed.counts)
    old = build_index(sample.iloc[:5], progress=False)
    object.__setattr__(old, "version", "uni-bi-0")
    with pytest.raises(ValueError, match="tokeniser version 'uni-bi-0'"):
        term_document_matrix(sample.iloc[:5], index=old)
    with pytest.raises(ValueError, match=f"holds {len(sample)} articles and articles has "
                                         f"{len(sample) - 1} rows"):
        _quiet(rising_terms, sample.iloc[1:], focus=FOCUS, index=indexed)


def test_headlines_only_articles_with_an_index():
    articles = pd.DataFrame({
        "title": ["Flood warning", "Flood warning", "Calm day", "Flood in the north"],
        "published": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"],
                                    utc=True)})
    index = build_index(articles, progress=False)
    for terms in (None, ["flood", "flood warning", "flood in the"]):
        _same(term_trends, articles, index, terms=terms, top_n=5)
    assert np.array_equal(index.codes, [0, 0, 1, 2])
