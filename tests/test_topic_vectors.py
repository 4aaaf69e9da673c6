"""The topics' word counts: from the texts and from the term index, the same matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import load_articles
from analysis.index import build_index
from analysis.topic_terms import article_texts, stopword_set
from analysis.topic_vectors import index_word_counts, text_word_counts, tfidf
from analysis.topics import _first_copies, fit_topics

# Words the letters-only pattern must take or leave alike both ways: digits,
# underscores, apostrophes, hyphens, Turkish dotted capitals, Cyrillic,
# one-letter words, stopwords, a combining accent.
TRICKY = pd.DataFrame({
    "title": ["İstanbul talks", "", "Oil_2 prices", "Нефть дорожает", "Café scene", ""],
    "text": ["Don't stop: the talks in İstanbul resumed at 10am, x-ray of a deal.",
             "The talks resumed; oil prices rose 3% and oil fell.",
             "oil_2 oil2 2oil oil-prices OIL Oil's prices",
             "Цены на нефть растут, нефть дорожает.",
             "Cafe\u0301 scene and café scene",
             "a b c I x"],
})


def _same(a, b) -> bool:
    return (a.shape == b.shape and np.array_equal(a.indptr, b.indptr)
            and np.array_equal(a.indices, b.indices) and np.array_equal(a.data, b.data))


@pytest.mark.parametrize(("min_df", "max_df"), [(1, 1.0), (2, 1.0), (1, 0.5), (2, 0.34)])
def test_index_counts_equal_text_counts(min_df, max_df):
    index = build_index(TRICKY, min_df=1)
    positions = np.array([0, 2, 1, 3, 4, 5, 2])  # any order, a repeat
    texts = [article_texts(TRICKY)[i] for i in positions]
    stop = stopword_set(("en", "ru"))
    a, va = text_word_counts(texts, stop_words=stop, min_df=min_df, max_df=max_df)
    b, vb = index_word_counts(index, positions, stop_words=stop, min_df=min_df, max_df=max_df)
    assert va.vocabulary_ == vb.vocabulary_
    assert _same(a, b)
    assert a.has_sorted_indices and b.has_sorted_indices
    # ... and their weights, on these texts and new ones.
    assert _same(tfidf(a, va), tfidf(b, vb))
    new = ["oil prices and İstanbul", "nothing known"]
    assert _same(va.transform(new), vb.transform(new))


def test_no_usable_words_is_the_same_error_both_ways():
    frame = pd.DataFrame({"title": "", "text": ["the and of", "12 34", "a b"]})
    positions = np.arange(3)
    stop = stopword_set(("en",))
    with pytest.raises(ValueError, match="no usable words") as by_text:
        text_word_counts(article_texts(frame), stop_words=stop, min_df=1, max_df=1.0)
    with pytest.raises(ValueError, match="no usable words") as by_index:
        index_word_counts(build_index(frame, min_df=1), positions, stop_words=stop, min_df=1,
                          max_df=1.0)
    assert str(by_text.value) == str(by_index.value)
    # max_df below min_df leaves nothing either way.
    with pytest.raises(ValueError, match="no usable words"):
        text_word_counts(["oil gas", "oil", "gas"], stop_words=(), min_df=2, max_df=0.5)
    with pytest.raises(ValueError, match="no usable words"):
        index_word_counts(build_index(pd.DataFrame({"text": ["oil gas", "oil", "gas"]})),
                          positions, stop_words=(), min_df=2, max_df=0.5)


def test_counts_equal_on_real_news(corpus):
    articles = load_articles(corpus("bbc-fulltext.tar.gz"), fmt="bbc", progress=False)
    first = np.flatnonzero(_first_copies(articles).isna().to_numpy())
    every = article_texts(articles)
    stop = stopword_set(("en", "ru", "tr", "az"))
    a, va = text_word_counts([every[i] for i in first], stop_words=stop, min_df=5, max_df=0.5)
    b, vb = index_word_counts(build_index(articles, min_df=2), first, stop_words=stop,
                              min_df=5, max_df=0.5)
    assert a.shape[1] > 5000
    assert va.vocabulary_ == vb.vocabulary_
    assert _same(a, b)


def _texts_refused(monkeypatch) -> None:
    """Make a fit fail if it reads the texts (the index must be used instead)."""
    import analysis.topic_vectors
    import analysis.topics

    def refuse(*args, **kwargs):
        raise AssertionError("the fit read the texts although it was given a term index")

    monkeypatch.setattr(analysis.topics, "_texts_at", refuse)
    monkeypatch.setattr(analysis.topic_vectors, "text_word_counts", refuse)


def test_topics_from_the_index_equal_topics_from_the_texts(monkeypatch):
    from tests.test_topics import tiny_corpus

    articles = tiny_corpus()
    articles = pd.concat([articles, articles.head(3).assign(
        article_id=lambda f: f["article_id"] + "-copy")], ignore_index=True)
    articles["duplicate_of"] = [None] * (len(articles) - 3) + list(articles["article_id"][:3])
    index = build_index(articles, min_df=2)
    by_text = fit_topics(articles, k="auto", random_state=0)
    _texts_refused(monkeypatch)
    by_index = fit_topics(articles, k="auto", random_state=0, index=index)
    pd.testing.assert_frame_equal(by_text.doc_topics_, by_index.doc_topics_)
    pd.testing.assert_frame_equal(by_text.topics_, by_index.topics_)
    pd.testing.assert_frame_equal(by_text.transform(articles), by_index.transform(articles))
    assert by_text.vectorizer_.vocabulary_ == by_index.vectorizer_.vocabulary_
