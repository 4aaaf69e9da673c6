"""Article counts over time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.periods import UndatedArticlesWarning
from analysis.trends import article_counts


@pytest.fixture
def articles():
    return pd.DataFrame({
        "published": pd.to_datetime(
            ["2024-01-31 23:30", "2024-04-01 00:10", "2024-04-15 00:00", None]
        ).tz_localize("Asia/Baku"),
        "source": ["A", "B", None, "A"],
    })


def test_gaps_are_zero_rows_and_tz_kept(articles):
    with pytest.warns(UndatedArticlesWarning, match="1 of the 4 articles"):
        counts = article_counts(articles)
    assert str(counts["period"].dt.tz) == "Asia/Baku"
    wide = counts.pivot(index="period", columns="group", values="n")
    assert wide.index.strftime("%Y-%m").tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert wide.sum().to_dict() == {"(unknown)": 1, "A": 1, "B": 1}
    assert wide.loc[:, "A"].tolist() == [1, 0, 0, 0]


def test_undated_articles_are_not_counted_and_input_untouched(articles):
    before = articles.copy()
    with pytest.warns(UndatedArticlesWarning, match="1 of the 4 articles"):
        assert article_counts(articles, by=None)["n"].sum() == 3
    pd.testing.assert_frame_equal(articles, before)


def test_top_groups_and_bad_freq(articles):
    with pytest.warns(UndatedArticlesWarning, match="1 of the 4 articles"):
        counts = article_counts(articles, by="source", top=1, freq="W")
    assert set(counts["group"]) == {"A", "(other)"}
    with pytest.raises(ValueError, match="freq must be one of"):
        article_counts(articles, freq="fortnight")


def test_zone_with_dst_starting_at_midnight():
    stamps = pd.to_datetime(["2023-09-15 12:00", "2023-10-15 12:00"]).tz_localize(
        "America/Asuncion")
    counts = article_counts(pd.DataFrame({"published": stamps, "source": ["A", "A"]}))
    assert counts["n"].tolist() == [1, 1]


# ---------------------------------------------------------------- terms, windows, topics

from analysis import (  # noqa: E402
    cli,
    keyword_in_context,
    rising_terms,
    rising_topics,
    term_trends,
    topic_trends,
)
from analysis.config import SAMPLE_DIR  # noqa: E402


def corpus(days_and_texts, tz="UTC"):
    return pd.DataFrame({
        "article_id": [f"a{i}" for i in range(len(days_and_texts))],
        "title": ["" for _ in days_and_texts],
        "text": [text for _, text in days_and_texts],
        "published": pd.to_datetime([day for day, _ in days_and_texts]).tz_localize(tz),
        "source": ["A" if i % 2 else "B" for i in range(len(days_and_texts))],
    })


@pytest.fixture
def weekly():
    return corpus([("2024-01-03", "Oil prices rose"), ("2024-01-04", "Rain fell"),
                   ("2024-01-09", "Human trafficking case"), ("2024-01-10", "Oil and gas"),
                   ("2024-01-24", "Traffickers jailed"), ("2024-01-28", "Oil again")])


def test_term_trends_counts_shares_gaps_and_partial_periods(weekly):
    trends = term_trends(weekly, terms=["oil", "traffick*", "human trafficking"], freq="W")
    oil = trends[trends["term"] == "oil"].reset_index(drop=True)
    assert oil["period"].dt.strftime("%m-%d").tolist() == ["01-01", "01-08", "01-15", "01-22"]
    assert oil["count"].tolist() == [1, 1, 0, 1]
    assert oil["n_articles"].tolist() == [2, 2, 0, 2]
    assert oil["no_data"].tolist() == [False, False, True, False]
    assert np.isnan(oil.loc[2, "share"]) and oil.loc[0, "share"] == 0.5
    assert oil["partial_period"].tolist() == [True, False, False, False]
    pattern = trends[trends["term"] == "traffick*"]["count"].tolist()
    assert pattern == [0, 1, 0, 1]
    assert trends[trends["term"] == "human trafficking"]["count"].sum() == 1


def test_doubling_every_article_keeps_shares(weekly):
    doubled = pd.concat([weekly, weekly.assign(article_id=weekly["article_id"] + "-copy")])
    one = term_trends(weekly, terms=["oil"], freq="W")
    two = term_trends(doubled, terms=["oil"], freq="W")
    pd.testing.assert_series_equal(one["share"], two["share"])
    assert (two["count"] == 2 * one["count"]).all()


def test_term_trends_by_group_and_top_terms(weekly):
    by_source = term_trends(weekly, terms=["oil"], freq="M", by="source")
    assert by_source.groupby("source")["count"].sum().to_dict() == {"A": 2, "B": 1}
    top = term_trends(weekly, freq="M", top_n=5)
    assert "oil" in set(top["term"]) and not set(top["term"]) & {"and", "again"}


def test_rising_terms_g2_and_new_terms():
    arts = corpus([(f"2024-01-{d:02d}", "markets were calm") for d in range(1, 21)]
                  + [(f"2024-02-{d:02d}", "flood warning as river rose") for d in range(1, 11)]
                  + [(f"2024-02-{d:02d}", "markets were calm") for d in range(11, 21)])
    rising = rising_terms(arts, focus=("2024-02-01", "2024-02-29"), min_count=3)
    top = rising[rising["direction"] == "rising"].iloc[0]
    assert top["term"] in {"flood", "warning", "river", "flood warning"}
    assert top["is_new"] and top["direction"] == "rising" and top["count_focus"] == 10
    calm = rising.set_index("term").loc["calm"]
    assert calm["direction"] == "falling" and calm["g2"] > 0
    assert rising["g2"].is_monotonic_decreasing


def test_topic_trends_and_rising_topics(weekly):
    doc_topics = pd.DataFrame({"article_id": weekly["article_id"],
                               "topic_id": [0, 1, 2, 0, 2, 0]})
    trends = topic_trends(weekly, doc_topics, freq="W")
    week1 = trends[trends["period"].dt.strftime("%m-%d") == "01-01"]
    assert week1.set_index("topic_id")["share"].to_dict() == {0: 0.5, 1: 0.5, 2: 0.0}
    assert trends.groupby("period")["no_data"].first().tolist() == [False, False, True, False]
    rising = rising_topics(weekly, doc_topics, focus=("2024-01-22", "2024-01-28"))
    assert set(rising["topic_id"]) == {0, 1, 2}
    with pytest.raises(ValueError, match="no topic"):
        topic_trends(weekly, doc_topics.iloc[:3])


def test_keyword_in_context_finds_every_use(weekly):
    kwic = keyword_in_context(weekly, "oil", width=10)
    assert kwic["article_id"].tolist() == ["a0", "a3", "a5"]
    assert (kwic["match"].str.lower() == "oil").all()


def test_trends_cli_writes_the_tables(tmp_path):
    assert cli.main(["trends", str(SAMPLE_DIR), "--out", str(tmp_path), "--freq", "M",
                     "--terms", "measles", "oil", "--quiet"]) == 0
    trends = pd.read_csv(tmp_path / "term_trends.csv")
    assert set(trends["term"]) == {"measles", "oil"}
    assert {"rising_terms.csv", "bursts.csv"} <= {p.name for p in tmp_path.iterdir()}
    assert cli.main(["trends", str(SAMPLE_DIR), "--out", str(tmp_path), "--focus", "2024",
                     "--quiet"]) == 2
