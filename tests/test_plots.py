"""Tests for the chart functions of analysis.plots: artists drawn, gaps kept, inputs untouched."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis import detect_bursts, rising_terms, term_trends, topic_trends
from analysis.plots import (
    NO_DATA,
    plot_article_counts,
    plot_rising_terms,
    plot_source_topics,
    plot_sources_languages,
    plot_term_trends,
    plot_topic_map,
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


@pytest.fixture(autouse=True)
def _close_figures():
    """The charts never touch pyplot, but a test that does must not leak its figures."""
    yield
    plt.close("all")


#: A label mathtext would choke on if it reached the renderer unescaped.
MATH = "$\\undefined$"


@pytest.fixture
def map_points() -> pd.DataFrame:
    """Ten topics (more than the palette's eight colours), sizes 1..10, every third mixed."""
    ids = [t for t in range(10) for _ in range(t + 1)]
    rng = np.random.default_rng(0)
    return pd.DataFrame({"article_id": [f"a{i:02d}" for i in range(len(ids))][::-1],
                         "x": rng.normal(size=len(ids)) + np.array(ids) * 3,
                         "y": rng.normal(size=len(ids)), "topic_id": ids,
                         "is_mixed": [i % 3 == 0 for i in range(len(ids))]})


@pytest.fixture
def map_topics() -> pd.DataFrame:
    return pd.DataFrame({"topic_id": range(10), "label": [MATH] + [f"t{t}" for t in range(1, 10)],
                         "size": range(1, 11)})


@pytest.fixture
def mix() -> pd.DataFrame:
    """Five sources (one untrusted name, one missing) over three topics; each sums to 1."""
    rows = [("paper", 0, 6), ("paper", 1, 3), ("paper", 2, 1), ("_wire", 0, 1), ("_wire", 2, 7),
            (MATH, 1, 5), ("blog", 0, 2), ("blog", 1, 2), (None, 2, 1)]
    frame = pd.DataFrame(rows, columns=["source", "topic_id", "n"])
    frame["share"] = frame["n"] / frame.groupby("source", dropna=False)["n"].transform("sum")
    return frame


def _draw(fig: Figure) -> None:
    """Render ``fig`` with Agg (a bare Figure's canvas does not draw, so would hide errors)."""
    FigureCanvasAgg(fig).draw()


def _point_colour(collection) -> tuple:
    """Return the topic colour of a scatter's first point: its fill, or its edge if hollow."""
    face, edge = collection.get_facecolor()[0], collection.get_edgecolor()[0]
    return tuple(np.round((face if face[3] > 0 else edge)[:3], 3))


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


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


def test_topic_map_one_series_per_topic_distinct_styles(map_points, map_topics):
    before, topics_before = map_points.copy(), map_topics.copy()
    fig = plot_topic_map(map_points, topics=map_topics)
    ax = fig.axes[0]
    assert isinstance(fig, Figure) and len(ax.collections) == 10
    assert sum(len(c.get_offsets()) for c in ax.collections) == len(map_points)
    # Past the palette the marker changes: every topic keeps its own (colour, shape).
    styles = {(_point_colour(c), c.get_paths()[0].vertices.round(3).tobytes())
              for c in ax.collections}
    assert len(styles) == 10
    # Largest topic first in draw order and legend; the number at each topic's median point.
    assert [c.get_gid() for c in ax.collections][:2] == ["topic-9", "topic-8"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["#9 t9", "#8 t8"] and "#0 \\$\\undefined\\$" in legend
    numbers = [t for t in ax.texts if t.get_gid() == "topic-label"]
    assert sorted(t.get_text() for t in numbers) == sorted(f"#{t}" for t in range(10))
    assert all(t.get_path_effects() for t in numbers)  # white halo
    x, y = next(t for t in numbers if t.get_text() == "#9").xy  # the label points at it
    assert x == pytest.approx(map_points.loc[map_points["topic_id"] == 9, "x"].median())
    assert not ax.get_xticks().size and not ax.get_yticks().size
    assert "no units" in ax.get_xlabel()
    _draw(fig)
    pd.testing.assert_frame_equal(map_points, before)
    pd.testing.assert_frame_equal(map_topics, topics_before)


def test_topic_map_mixed_hollow_and_sorted_within_topic(map_points):
    fig = plot_topic_map(map_points)
    ax = fig.axes[0]
    hollow = sum(int((c.get_facecolor()[:, 3] == 0).sum()) for c in ax.collections)
    assert hollow == int(map_points["is_mixed"].sum())
    biggest = map_points[map_points["topic_id"] == 9].sort_values("article_id")
    offsets = np.asarray(ax.collections[0].get_offsets())
    assert np.array_equal(offsets, biggest[["x", "y"]].to_numpy())
    # Without a topic table: ordered by points on the map, named by number only.
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["#9", "#8"]


def test_topic_map_without_is_mixed_and_with_missing_coordinates(map_points):
    points = map_points.drop(columns="is_mixed")
    points.loc[0, "x"] = np.nan
    fig = plot_topic_map(points)
    ax = fig.axes[0]
    assert sum(len(c.get_offsets()) for c in ax.collections) == len(points) - 1
    assert all((c.get_facecolor()[:, 3] > 0).all() for c in ax.collections)


def test_topic_map_is_deterministic(map_points, map_topics):
    shuffled = map_points.sample(frac=1, random_state=1)
    first = _png(plot_topic_map(map_points, topics=map_topics))
    assert first == _png(plot_topic_map(shuffled, topics=map_topics))


def test_source_topics_rows_by_size_with_other_sources(mix):
    before = mix.copy()
    fig = plot_source_topics(mix, max_sources=2)
    ax = fig.axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows == ["paper (10)", "\u200b_wire (8)", "other sources: 3 (10)"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["#0", "#1", "#2"]
    grid = np.asarray(ax.images[0].get_array())
    assert grid.shape == (3, 3)
    np.testing.assert_allclose(grid[0], [0.6, 0.3, 0.1])
    np.testing.assert_allclose(grid[2], [0.2, 0.7, 0.1])  # blog, MATH, (unknown) summed
    np.testing.assert_allclose(grid.sum(axis=1), 1.0)
    cells = [t.get_text() for t in ax.texts if t.get_gid() == "cell"]
    assert len(cells) == int((grid > 0).sum()) and "60%" in cells
    assert fig.axes[1].get_ylabel() == "share of the source's articles"
    pd.testing.assert_frame_equal(mix, before)


def test_source_topics_all_sources_untrusted_names_and_topic_order(mix, topics):
    fig = plot_source_topics(mix, topics=topics)
    ax = fig.axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert len(rows) == mix["source"].nunique(dropna=False)
    assert not any(r.startswith("other sources") for r in rows)
    assert "\\$\\undefined\\$ (5)" in rows and "(unknown) (1)" in rows
    # Sizes 4, 2, 4: the two largest by id, then topic 1.
    assert [t.get_text() for t in ax.get_xticklabels()] == ["#0", "#2", "#1"]
    _draw(fig)


def test_source_topics_large_grid_not_annotated():
    mix = pd.DataFrame({"source": [f"s{i}" for i in range(20)], "topic_id": 0, "n": 1,
                        "share": 1.0})
    fig = plot_source_topics(mix, max_sources=18)
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 19
    assert not [t for t in ax.texts if t.get_gid() == "cell"]


def test_source_topics_is_deterministic(mix, topics):
    shuffled = mix.sample(frac=1, random_state=1)
    first = _png(plot_source_topics(mix, topics=topics, max_sources=3))
    assert first == _png(plot_source_topics(shuffled, topics=topics, max_sources=3))


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
    (plot_topic_map, pd.DataFrame(columns=["article_id", "x", "y", "topic_id", "is_mixed"])),
    (plot_source_topics, pd.DataFrame(columns=["source", "topic_id", "n", "share"])),
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


def test_new_charts_draw_on_given_axes(map_points, mix):
    fig = Figure(layout="constrained")
    left, right = fig.subplots(1, 2)
    assert plot_topic_map(map_points, ax=left) is fig and len(left.collections) == 10
    assert plot_source_topics(mix, ax=right) is fig and len(right.images) == 1
    assert len(fig.axes) == 3  # the two given and the heat map's colour bar
    empty = Figure()
    ax = empty.add_subplot()
    assert plot_topic_map(map_points.iloc[:0], ax=ax) is empty and _no_data_shown(empty)


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
        plot_topic_map(pd.DataFrame({"article_id": articles["article_id"],
                                     "x": np.arange(len(doc_topics)), "y": 0.0,
                                     "topic_id": doc_topics["topic_id"]}), topics=topics),
        plot_source_topics(pd.DataFrame({"source": ["paper", "_wire"], "topic_id": [0, 2],
                                         "n": [5, 2], "share": [1.0, 1.0]}), topics=topics),
    ]
    for fig in figures:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        assert buffer.getvalue().startswith(b"\x89PNG")


def test_article_counts_label_weeks_by_day():
    weeks = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=3, freq="W-MON", tz="UTC"),
                          "group": "A", "n": [1, 2, 3]})
    labels = [t.get_text() for t in plot_article_counts(weeks).axes[0].get_xticklabels()]
    assert labels == ["2024-01-01", "2024-01-08", "2024-01-15"]


def test_sources_languages_sums_rare_languages_as_other():
    arts = pd.DataFrame({"source": ["a"] * 12, "lang": ["en"] * 5 + ["ru"] * 3 + list("wxyz")})
    ax = plot_sources_languages(arts, max_languages=3).axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["en", "other", "ru"]
