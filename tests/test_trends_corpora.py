"""Trends and bursts on the real corpora: planted bursts, gaps, partial periods, normalisation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import load_articles
from analysis.bursts import detect_bursts
from analysis.trends import rising_terms, term_trends

pytestmark = pytest.mark.corpus

WEEK = pd.Timedelta(days=7)
# (rate, weeks) of the planted-burst grid; each case plants its own made-up word.
GRID = [(rate, weeks) for rate in (0.005, 0.01, 0.02, 0.05) for weeks in (1, 3)]
GRID_START = {1: "1987-03-16", 3: "1987-03-09"}


def utc(day: str) -> pd.Timestamp:
    return pd.Timestamp(day, tz="UTC")


def week_start(published: pd.Series) -> pd.Series:
    return published.dt.tz_localize(None).dt.to_period("W").dt.start_time.dt.tz_localize("UTC")


def grid_word(rate: float, weeks: int) -> str:
    """Return a letters-only made-up word per grid case, none a prefix of another."""
    return "zq" + "abcd"[[r for r, _ in GRID[::2]].index(rate)] + "ab"[weeks == 3] + "plant"


def plant(frame: pd.DataFrame, word: str, candidates: pd.Index, rate: float,
          seed: int) -> pd.Index:
    """Append ``word`` to the text of a seeded random ``rate`` of ``candidates`` (in place)."""
    rng = np.random.default_rng(seed)
    k = max(1, round(rate * len(candidates)))
    chosen = pd.Index(rng.choice(candidates.to_numpy(), size=k, replace=False))
    frame.loc[chosen, "text"] = frame.loc[chosen, "text"] + " " + word
    return chosen


def in_weeks(frame: pd.DataFrame, first: str, weeks: int) -> pd.Index:
    start = week_start(frame["published"])
    return frame.index[(start >= utc(first)) & (start < utc(first) + weeks * WEEK)]


@pytest.fixture(scope="module")
def reuters(corpus):
    return load_articles(corpus("reuters21578"), fmt="reuters21578", cache=False, progress=False)


@pytest.fixture(scope="module")
def headlines(corpus):
    return load_articles(corpus("fwd-news-headlines/headlines.json"),
                         columns={"published": "timestamp", "label": "category", "url": "link"},
                         cache=False, progress=False)


@pytest.fixture(scope="module")
def planted(reuters):
    """A copy of Reuters with made-up words planted, and one detect_bursts run over all of them."""
    frame = reuters.copy()
    chosen = {"zorblax": plant(frame, "zorblax", in_weeks(frame, "1987-03-09", 3), 0.02, 1)}
    chosen["quxxel"] = plant(frame, "quxxel", frame.index, 0.02, 2)
    for i, (rate, weeks) in enumerate(GRID):
        word = grid_word(rate, weeks)
        chosen[word] = plant(frame, word, in_weeks(frame, GRID_START[weeks], weeks), rate, 10 + i)
    before = frame.copy()
    bursts = detect_bursts(frame, terms=list(chosen), freq="W")
    pd.testing.assert_frame_equal(frame, before)
    return frame, chosen, bursts


def test_planted_burst_found_once_and_uniform_word_not(reuters, planted):
    frame, chosen, bursts = planted
    assert not reuters["text"].str.contains("zorblax|quxxel").any()  # fixture frame untouched
    assert frame["text"].str.contains("zorblax").sum() == len(chosen["zorblax"]) > 100
    found = bursts[bursts["term"] == "zorblax"]
    assert len(found) == 1, found
    burst = found.iloc[0]
    assert abs(burst["start"] - utc("1987-03-09")) <= WEEK
    assert abs(burst["end"] - utc("1987-03-23")) <= WEEK
    assert str(burst["start"].tz) == "UTC"
    assert utc("1987-03-09") <= burst["peak"] <= utc("1987-03-23")
    # Every planted article lies in the burst, and only planted articles mention the word.
    assert burst["n_articles"] == len(chosen["zorblax"])
    assert 1 <= len(burst["headlines"]) <= 5
    ids = set(frame.loc[chosen["zorblax"], "article_id"].astype(str))
    assert all(set(h) == {"article_id", "title"} and h["article_id"] in ids
               for h in burst["headlines"])
    assert bursts[bursts["term"] == "quxxel"].empty, bursts[bursts["term"] == "quxxel"]


@pytest.mark.parametrize(("rate", "weeks"), GRID, ids=[f"{r:.1%}-{w}w" for r, w in GRID])
def test_planted_burst_grid(planted, rate, weeks):
    _, chosen, bursts = planted
    word = grid_word(rate, weeks)
    assert len(chosen[word]) >= 10
    found = bursts[bursts["term"] == word]
    first, last = utc(GRID_START[weeks]), utc(GRID_START[weeks]) + (weeks - 1) * WEEK
    # All planted articles sit in the window, so the burst gain there does not depend on the
    # seed: even 0.5% (15 articles in one week of 2,924) beats the entry cost ln(34 weeks).
    assert len(found) == 1, found
    assert abs(found["start"].iat[0] - first) <= WEEK
    assert abs(found["end"].iat[0] - last) <= WEEK
    assert first <= found["peak"].iat[0] <= last
    assert found["n_articles"].iat[0] == len(chosen[word])


def test_monthly_gaps_are_no_data_and_edges_partial(reuters):
    oil = term_trends(reuters, terms=["oil"], freq="M").set_index("period")
    months = pd.date_range("1987-02-01", "1987-10-01", freq="MS", tz="UTC")
    assert oil.index.tolist() == months.tolist()
    assert (oil["term"] == "oil").all()
    gaps = [utc(d) for d in ("1987-05-01", "1987-07-01", "1987-08-01", "1987-09-01")]
    assert oil["no_data"].to_dict() == {m: m in gaps for m in months}
    assert (oil.loc[gaps, "count"] == 0).all() and (oil.loc[gaps, "n_articles"] == 0).all()
    assert oil.loc[gaps, "share"].isna().all()
    assert oil.loc[~oil["no_data"], "share"].notna().all()
    assert oil["partial_period"].to_dict() == {
        m: m in (utc("1987-02-01"), utc("1987-10-01")) for m in months}
    # Counts are articles mentioning "oil" (title or text, any case), not occurrences.
    month = reuters["published"].dt.tz_localize(None).dt.to_period("M").dt.start_time
    mentions = (reuters["title"].fillna("") + "\n" + reuters["text"].fillna("")).str.contains(
        r"\boil\b", case=False, regex=True)
    expected = mentions.groupby(month.dt.tz_localize("UTC")).sum()
    assert oil.loc[expected.index, "count"].tolist() == expected.tolist()
    assert oil.loc[utc("1987-03-01"), "n_articles"] == 11544
    assert oil["count"].sum() == mentions.sum() > 1000


def test_ukraine_rise_in_headline_stream(headlines):
    weekly = term_trends(headlines, terms=["ukrain*"], freq="W").set_index("period")
    assert (weekly["term"] == "ukrain*").all()
    november = weekly.loc[utc("2021-11-15"):utc("2021-11-29")]
    late_january = weekly.loc[utc("2022-01-17"):utc("2022-01-31")]
    assert len(november) == 3 and len(late_january) == 3
    assert not november["no_data"].any() and not late_january["no_data"].any()
    # About 1-2% of headlines a week in November 2021 (measured 1.4%), about 10% in the
    # second half of January 2022 (measured 11.7%, 10.7%, 5.5%; mean 9.3%).
    assert november["share"].mean() < 0.025
    assert late_january["share"].mean() > 0.07
    assert late_january["share"].mean() > 4 * november["share"].mean()
    # March 2022 and May 2022 hold no headlines at all; the week of 30 May reaches into June.
    starts = weekly.index
    march = starts[(starts + pd.Timedelta(days=6) >= utc("2022-03-01"))
                   & (starts <= utc("2022-03-31"))]
    may = starts[(starts >= utc("2022-05-01")) & (starts + pd.Timedelta(days=6) <= utc(
        "2022-05-31"))]
    assert len(march) == 5 and len(may) == 4
    assert weekly.loc[march.union(may), "no_data"].all()
    assert weekly.loc[march.union(may), "share"].isna().all()
    assert not weekly.loc[utc("2022-05-30"), "no_data"]
    assert weekly.loc[utc("2021-11-15"), "partial_period"]  # data starts on Tuesday 16 Nov

    rising = rising_terms(headlines, focus=("2022-01-01", "2022-01-31"),
                          baseline=("2021-11-01", "2021-11-30"))
    top = rising[rising["direction"] == "rising"].head(10)
    assert {"ukraine", "ukrainian", "russia"} & set(top["term"]), top
    assert rising["g2"].is_monotonic_decreasing
    ukraine = rising.set_index("term").loc["ukraine"]
    assert ukraine["share_focus"] > 3 * ukraine["share_baseline"] > 0


def test_doubling_articles_keeps_share_and_doubles_count(reuters):
    april = reuters[(reuters["published"] >= utc("1987-04-01"))
                    & (reuters["published"] < utc("1987-05-01"))]
    copy = april.assign(article_id=april["article_id"].astype(str) + "-copy")
    doubled = pd.concat([april, copy], ignore_index=True)
    terms = ["oil", "bank*", "trade deficit", "dollar", "zorblax"]
    once = term_trends(april, terms=terms, freq="W")
    twice = term_trends(doubled, terms=terms, freq="W")
    assert once[["period", "term"]].equals(twice[["period", "term"]])
    assert (twice["count"] == 2 * once["count"]).all()
    assert (twice["n_articles"] == 2 * once["n_articles"]).all()
    pd.testing.assert_series_equal(twice["share"], once["share"])
    pd.testing.assert_series_equal(twice["per_10k_words"], once["per_10k_words"])
    assert once.loc[once["term"] != "zorblax", "count"].gt(0).all()
    assert (once.loc[once["term"] == "zorblax", "share"] == 0).all()
    # April 1987 starts on a Wednesday and ends on a Thursday: both edge weeks are partial.
    flags = once.drop_duplicates("period").set_index("period")["partial_period"]
    assert flags.index[0] == utc("1987-03-30") and flags.index[-1] == utc("1987-04-27")
    assert flags.tolist() == [True, False, False, False, True]
    assert once["n_articles"].sum() == len(april) * len(terms)
