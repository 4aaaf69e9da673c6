"""Article counts over time."""

from __future__ import annotations

import pandas as pd
import pytest

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
    counts = article_counts(articles)
    assert str(counts["period"].dt.tz) == "Asia/Baku"
    wide = counts.pivot(index="period", columns="group", values="n")
    assert wide.index.strftime("%Y-%m").tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert wide.sum().to_dict() == {"(unknown)": 1, "A": 1, "B": 1}
    assert wide.loc[:, "A"].tolist() == [1, 0, 0, 0]


def test_undated_articles_are_not_counted_and_input_untouched(articles):
    before = articles.copy()
    assert article_counts(articles, by=None)["n"].sum() == 3
    pd.testing.assert_frame_equal(articles, before)


def test_top_groups_and_bad_freq(articles):
    counts = article_counts(articles, by="source", top=1, freq="W")
    assert set(counts["group"]) == {"A", "(other)"}
    with pytest.raises(ValueError, match="freq must be one of"):
        article_counts(articles, freq="fortnight")


def test_zone_with_dst_starting_at_midnight():
    stamps = pd.to_datetime(["2023-09-15 12:00", "2023-10-15 12:00"]).tz_localize(
        "America/Asuncion")
    counts = article_counts(pd.DataFrame({"published": stamps, "source": ["A", "A"]}))
    assert counts["n"].tolist() == [1, 1]
