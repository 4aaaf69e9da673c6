"""Tests for the chart functions of analysis.plots: artists drawn, gaps kept, inputs untouched."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis import detect_bursts, rising_terms, term_trends, topic_trends
from analysis.plots import (
    NO_DATA,
    plot_article_counts,
    plot_rising_terms,
    plot_sources_languages,
    plot_term_trends,
    plot_topic_shares,
    plot_topic_sizes,
    plot_topic_terms,
)


def _articles() -> pd.DataFrame:
    """Six weeks of articles with an empty third week and an "oil" burst in week five."""
    days = ["2024-01-01", "2024-01-02", "2024-01-09", "2024-01-10", "2024-01-23", "2024-01-29",
            "2024-01-30", "2024-01-31", "2024-02-01", "2024-02-06"]
    texts = ["rain fell on the city", "vote count begins", "rain again today", "vote recount",
             "rain and vote", "oil prices soar", "oil exports halted", "oil tanker seized",
             "oil deal signed", "rain returns"]
    return pd.DataFrame({
        "article_id": [f"a{i}" for i in range(len(days))],
        "title": [f"$Headline {i}: " + t for i, t in enumerate(texts)],
        "text": texts,
        "published": pd.to_datetime(days).tz_localize("Europe/Berlin"),
        "source": ["_wire", "paper", "paper", None, "paper", "_wire", "blog", "blog", "paper",
                   "paper"],
        "lang": ["en", "en", "de", "en", None, "en", "en", "az", "en", "en"],
    })


@pytest.fixture
def articles() -> pd.DataFrame:
    return _articles()


@pytest.fixture
def topics() -> pd.DataFrame:
    return pd.DataFrame({"topic_id": [0, 1, 2], "label": ["rain", "_vote $", "oil"],
                         "size": [4, 2, 4], "share": [0.4, 0.2, 0.4],
                         "top_terms": [["rain", "city", "fell"], ["vote", "count"],
                                       ["oil", "prices", "tanker", "deal"]]})


@pytest.fixture
def doc_topics(articles) -> pd.DataFrame:
    ids = [0, 1, 0, 1, 0, 2, 2, 2, 2, 0]
    return pd.DataFrame({"article_id": articles["article_id"], "topic_id": ids})


@pytest.fixture
def terms_frame(articles) -> pd.DataFrame:
    return term_trends(articles, terms=["oil", "rain", "vote"], freq="W")


@pytest.fixture
def bursts_frame(articles) -> pd.DataFrame:
    frame = detect_bursts(articles, terms=["oil", "rain", "vote"], freq="W", gamma=0.5)
    assert "oil" in set(frame["term"]), "fixture should hold an oil burst"
    return frame


@pytest.fixture
def rising_frame(articles) -> pd.DataFrame:
    return rising_terms(articles, focus=("2024-01-29", "2024-02-06"), min_count=1)


def _no_data_shown(fig: Figure) -> bool:
    return any(t.get_text() == NO_DATA for a in fig.axes for t in a.texts)


def _bars(ax) -> list:
    return [p for c in ax.containers for p in c]


# ---------------------------------------------------------------------------- topics


def test_topic_sizes_bars_largest_on_top_with_share(topics):
    before = topics.copy()
    fig = plot_topic_sizes(topics)
    ax = fig.axes[0]
    assert isinstance(fig, Figure) and len(_bars(ax)) == len(topics)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["#0 rain", "#2 oil", "#1 _vote \\$"]
    assert {t.get_text() for t in ax.texts} >= {"40.0%", "20.0%"}
    top = min(_bars(ax), key=lambda b: b.get_y())
    assert ax.yaxis_inverted() and top.get_width() == 4
    pd.testing.assert_frame_equal(topics, before)


def test_topic_terms_one_panel_per_topic_rank_one_longest(topics):
    before = topics.copy()
    fig = plot_topic_terms(topics, n_terms=3, max_topics=2)
    assert len(fig.axes) == 2
    assert [a.get_title(loc="left") for a in fig.axes] == ["#0 rain", "#1 _vote \\$"]
    widths = [p.get_width() for p in fig.axes[0].patches]
    assert widths == [3, 2, 1]
    assert len(fig.axes[1].patches) == 2
    pd.testing.assert_frame_equal(topics, before)


def test_topic_shares_bands_gaps_and_partial(articles, doc_topics, topics):
    trends = topic_trends(articles, doc_topics, freq="W")
    assert trends["no_data"].any()
    before = trends.copy()
    fig = plot_topic_shares(trends, topics=topics)
    ax = fig.axes[0]
    bands = [c for c in ax.collections if c.get_label().startswith("#")]
    assert len(bands) == trends["topic_id"].nunique()
    assert [b.get_label() for b in bands] == ["#0 rain", "#1 _vote \\$", "#2 oil"]
    # A period without data breaks each band into two polygons instead of dropping to zero.
    assert all(len(b.get_paths()) == 2 for b in bands)
    partial = [p for p in ax.patches if p.get_gid() == "partial"]
    assert len(partial) == trends.groupby("period")["partial_period"].any().sum()
    pd.testing.assert_frame_equal(trends, before)


# ---------------------------------------------------------------------------- terms


def test_term_trends_lines_with_gap(terms_frame):
    before = terms_frame.copy()
    fig = plot_term_trends(terms_frame)
    ax = fig.axes[0]
    assert sorted(line.get_label() for line in ax.lines) == ["oil", "rain", "vote"]
    gap = terms_frame.drop_duplicates("period")["no_data"].to_numpy()
    assert gap.any()
    for line in ax.lines:
        y = np.asarray(line.get_ydata(), dtype=float)
        assert np.array_equal(np.isnan(y), gap)
        assert np.nanmax(y) <= 100
    oil = next(line for line in ax.lines if line.get_label() == "oil")
    assert np.nanmax(oil.get_ydata()) == 100.0  # share is drawn in percent
    pd.testing.assert_frame_equal(terms_frame, before)


def test_term_trends_bursts_shaded_and_headline(terms_frame, bursts_frame):
    before = bursts_frame.copy()
    fig = plot_term_trends(terms_frame, bursts=bursts_frame)
    ax = fig.axes[0]
    spans = [p for p in ax.patches if p.get_gid() == "burst"]
    assert len(spans) == len(bursts_frame)
    notes = [t.get_text() for t in ax.texts if t.get_gid() == "burst-headline"]
    oil = bursts_frame[bursts_frame["term"] == "oil"].iloc[0]
    assert notes and notes[0].startswith(r"\$Headline")
    assert oil["headlines"][0]["title"][1:20] in notes[0]
    assert all(len(n) <= 52 for n in notes)
    pd.testing.assert_frame_equal(bursts_frame, before)


def test_term_trends_bursts_only_for_shown_terms(terms_frame, bursts_frame):
    fig = plot_term_trends(terms_frame, bursts=bursts_frame, terms=["rain"])
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["rain"]
    expected = int((bursts_frame["term"] == "rain").sum())
    assert len([p for p in ax.patches if p.get_gid() == "burst"]) == expected


def test_rising_terms_diverging_colours_and_new(rising_frame):
    before = rising_frame.copy()
    fig = plot_rising_terms(rising_frame, n=2)
    ax = fig.axes[0]
    bars = _bars(ax)
    n_up = min(2, int((rising_frame["direction"] == "rising").sum()))
    n_down = min(2, int((rising_frame["direction"] == "falling").sum()))
    assert n_up and n_down and len(bars) == n_up + n_down
    widths = [b.get_width() for b in bars]
    assert widths == sorted(widths, reverse=True)
    colours = {tuple(b.get_facecolor()[:3]) for b in bars}
    assert len(colours) == 2
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any(label.endswith("(new)") for label in labels)
    assert sum(bool(b.get_hatch()) for b in bars) == sum(label.endswith("(new)")
                                                         for label in labels)
    pd.testing.assert_frame_equal(rising_frame, before)


# ---------------------------------------------------------------------------- corpus


def test_sources_languages_stacked_with_unknown(articles):
    before = articles.copy()
    fig = plot_sources_languages(articles)
    ax = fig.axes[0]
    sources = [t.get_text() for t in ax.get_yticklabels()]
    assert sources[0] == "paper" and "(unknown)" in sources and "\u200b_wire" in sources
    langs = [c.get_label() for c in ax.containers]
    assert len(ax.containers) == 4 and "(unknown)" in langs
    assert len(_bars(ax)) == len(sources) * len(langs)
    assert sum(b.get_width() for b in _bars(ax)) == len(articles)
    pd.testing.assert_frame_equal(articles, before)


# ---------------------------------------------------------------------------- edge cases


EMPTY_CASES = [
    (plot_topic_sizes, pd.DataFrame(columns=["topic_id", "label", "size", "share"])),
    (plot_topic_terms, pd.DataFrame(columns=["topic_id", "label", "top_terms"])),
    (plot_topic_shares, pd.DataFrame(columns=["period", "topic_id", "count", "n_articles",
                                              "share", "partial_period", "no_data"])),
    (plot_term_trends, pd.DataFrame(columns=["period", "term", "count", "n_articles", "share",
                                             "per_10k_words", "partial_period", "no_data"])),
    (plot_rising_terms, pd.DataFrame(columns=["term", "g2", "log_ratio", "direction",
                                              "is_new"])),
    (plot_sources_languages, pd.DataFrame(columns=["source", "lang"])),
]


@pytest.mark.parametrize(("func", "frame"), EMPTY_CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_empty_frame_gives_no_data_note(func, frame):
    fig = func(frame)
    assert isinstance(fig, Figure) and _no_data_shown(fig)
    fig.savefig(io.BytesIO(), format="png")


def test_term_trends_empty_bursts_frame(terms_frame, bursts_frame):
    fig = plot_term_trends(terms_frame, bursts=bursts_frame.iloc[:0])
    assert not [p for p in fig.axes[0].patches if p.get_gid() == "burst"]


def test_draws_on_given_axes(topics):
    fig = Figure(layout="constrained")
    ax = fig.add_subplot()
    assert plot_topic_sizes(topics, ax=ax) is fig and len(fig.axes) == 1


def test_every_chart_renders_to_png(articles, doc_topics, topics, terms_frame, bursts_frame,
                                    rising_frame):
    from analysis.trends import article_counts
    figures = [
        plot_article_counts(article_counts(articles)),
        plot_topic_sizes(topics),
        plot_topic_terms(topics),
        plot_topic_shares(topic_trends(articles, doc_topics, freq="W"), topics=topics),
        plot_term_trends(terms_frame, bursts=bursts_frame),
        plot_rising_terms(rising_frame),
        plot_sources_languages(articles),
    ]
    for fig in figures:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        assert buffer.getvalue().startswith(b"\x89PNG")
