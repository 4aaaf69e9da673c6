"""Kleinberg burst detection on synthetic counts and small article frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import detect_bursts
from analysis.bursts import burst_states
from analysis.periods import UndatedArticlesWarning


def test_a_burst_is_found_where_the_rate_jumps():
    counts = np.array([[2], [3], [2], [30], [35], [2], [3]])
    states, gain = burst_states(counts, np.full(7, 1000))
    assert states[:, 0].tolist() == [0, 0, 0, 1, 1, 0, 0]
    assert gain[3, 0] > 0 > gain[0, 0]


def test_a_uniform_rate_never_bursts_and_gaps_cost_nothing():
    counts = np.array([[20], [21], [0], [19], [20]])
    totals = np.array([1000, 1000, 0, 1000, 1000])
    states, gain = burst_states(counts, totals)
    assert states.sum() == 0
    assert gain[2, 0] == 0


def test_huge_periods_do_not_overflow():
    counts = np.array([[1_000], [1_000], [60_000], [1_000]])
    states, _ = burst_states(counts, np.full(4, 1_000_000))
    assert states[:, 0].tolist() == [0, 0, 1, 0]


def test_detect_bursts_reports_window_and_headlines():
    days = pd.date_range("2024-01-01", periods=10 * 7, freq="D", tz="UTC")
    rows = []
    for i, day in enumerate(days):
        for j in range(10):
            text = "markets were calm today"
            if 21 <= i < 35 and j < 3:
                text = "protest in the capital grows"
            rows.append({"article_id": f"{i}-{j}", "title": f"Story {i}-{j}", "text": text,
                         "published": day})
    arts = pd.DataFrame(rows)
    bursts = detect_bursts(arts, terms=["protest", "calm"], freq="W")
    assert bursts["term"].tolist() == ["protest"]
    burst = bursts.iloc[0]
    assert burst["start"] == pd.Timestamp("2024-01-22", tz="UTC")
    assert burst["end"] == pd.Timestamp("2024-01-29", tz="UTC")
    assert burst["n_articles"] == 42
    assert [h["article_id"] for h in burst["headlines"]][:2] == ["21-0", "21-1"]


def test_headlines_are_earliest_first_with_undated_articles_among_them():
    # Undated articles mixed into a shuffled frame used to scramble the
    # "earliest first" order (NaT compared as an object is neither < nor >).
    days = pd.date_range("2024-01-01", periods=8 * 7, freq="D", tz="UTC")
    rows = [{"article_id": f"{i}-{j}", "title": f"Story {i}-{j}",
             "text": "protest now" if 21 <= i < 28 else "calm",
             "published": day if (i + j) % 5 else pd.NaT}
            for i, day in enumerate(days) for j in range(3)]
    arts = pd.DataFrame(rows).sample(frac=1, random_state=1).reset_index(drop=True)
    with pytest.warns(UndatedArticlesWarning, match="34 of the 168 articles have no published"):
        bursts = detect_bursts(arts, terms="protest", freq="W", gamma=0.5)
    dated = arts[(arts["text"] == "protest now") & arts["published"].notna()]
    earliest = dated.sort_values("published", kind="stable")["article_id"].head(5).tolist()
    assert [h["article_id"] for h in bursts["headlines"].iat[0]] == earliest
    assert bursts["start"].dtype == pd.DatetimeTZDtype("ns", "UTC")


def test_burst_states_takes_one_term_as_a_1d_array():
    states, gain = burst_states([1, 1, 9, 10, 1, 1], np.full(6, 100))
    assert states.tolist() == [0, 0, 1, 1, 0, 0] and gain.shape == (6,)
    with pytest.raises(ValueError, match="burst_states: gamma must be a number of at least 0"):
        burst_states([1, 2], [5, 5], gamma=-1)


# ---------------------------------------------------------------- with a term index

INDEX_TERMS = ["oil", "traffick*", "human traffick*", "human trafficking networks",
               "azerbaijan*", "covid-19", "no such phrase"]


@pytest.mark.parametrize("terms", [None, INDEX_TERMS], ids=["top", "given"])
@pytest.mark.parametrize("min_df", [1, 2])
def test_detect_bursts_with_an_index_are_the_same(terms, min_df):
    import warnings

    from analysis import load_articles
    from analysis.config import SAMPLE_DIR
    from analysis.index import build_index

    sample = load_articles(SAMPLE_DIR, progress=False)
    index = build_index(sample, min_df=min_df, progress=False)
    dated = (sample["published"] >= "2023-01-01").to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndatedArticlesWarning)
        for articles, part in ((sample, index), (sample[dated], index.take(dated))):
            for freq in ("W", "M"):
                expected = detect_bursts(articles, terms=terms, freq=freq, top_n=60, gamma=0.5)
                got = detect_bursts(articles, terms=terms, freq=freq, top_n=60, gamma=0.5,
                                    index=part)
                pd.testing.assert_frame_equal(got, expected, check_exact=True)
        assert len(expected)
        with pytest.raises(ValueError, match="detect_bursts: index must be the index of exactly"):
            detect_bursts(sample[dated], terms=terms, index=index)
