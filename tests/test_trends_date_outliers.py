"""Dates far from all the others (analysis.periods.date_outliers): found, and only those."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.periods import date_outliers


def _frame(*stamps) -> pd.DataFrame:
    return pd.DataFrame({"published": pd.to_datetime(list(stamps), utc=True)})


YEAR_2024 = list(pd.date_range("2024-01-01", "2024-12-31", periods=60))


def test_a_1900_default_among_60_articles_of_2024_is_an_outlier():
    articles = _frame(*YEAR_2024, "1900-01-01")
    flags = date_outliers(articles)
    assert flags.tolist() == [False] * 60 + [True]
    assert flags.index.equals(articles.index) and flags.dtype == bool


def test_a_mistyped_future_year_is_an_outlier():
    assert date_outliers(_frame(*YEAR_2024, "2031-06-01")).sum() == 1


def test_a_stray_date_at_each_end_is_found():
    flags = date_outliers(_frame("2031-06-01", *YEAR_2024, "1900-01-01"))
    assert flags.tolist() == [True] + [False] * 60 + [True]


def test_a_steady_two_year_corpus_has_none():
    # Reuters-like: 1987 to 1988, evenly spread.
    assert not date_outliers(_frame(*pd.date_range("1987-01-01", "1988-12-31", periods=500))).any()


def test_two_large_clusters_twenty_years_apart_have_none():
    early = pd.date_range("2000-01-01", "2000-12-31", periods=50)
    late = pd.date_range("2020-01-01", "2020-12-31", periods=50)
    assert not date_outliers(_frame(*early, *late)).any()


def test_a_long_archive_with_a_gap_and_a_thin_old_year_keeps_its_bulk():
    # 20 years, a five-year gap in the middle: nothing is cut.
    dates = [*pd.date_range("1995-01-01", "2004-12-31", periods=400),
             *pd.date_range("2010-01-01", "2015-12-31", periods=400)]
    assert not date_outliers(_frame(*dates)).any()


@pytest.mark.parametrize("stamps", [
    ["2020-01-01", "2024-01-01"],  # too few articles to call one of them wrong
    ["2024-03-01"] * 30,  # no span at all
    ["2024-03-01"] * 30 + ["2024-03-02"],  # a day later is no outlier: the gap is under a year
])
def test_small_or_flat_corpora_have_none(stamps):
    assert not date_outliers(_frame(*stamps)).any()


def test_undated_articles_are_never_outliers_and_the_frame_is_untouched():
    articles = pd.DataFrame({"published": pd.to_datetime([*YEAR_2024, None, "1900-01-01"],
                                                         utc=True)},
                            index=range(100, 162))
    before = articles.copy()
    flags = date_outliers(articles)
    assert flags.loc[160] == False and flags.loc[161] == True  # noqa: E712
    pd.testing.assert_frame_equal(articles, before)


def test_a_group_larger_than_the_share_is_kept():
    # Three articles of 1900 among 60: 5%, more than max_share allows.
    assert not date_outliers(_frame(*YEAR_2024, *["1900-01-01"] * 3)).any()
    assert date_outliers(_frame(*YEAR_2024, *["1900-01-01"] * 3), max_share=0.05).sum() == 3
