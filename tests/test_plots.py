"""Tests for the chart functions of analysis.plots: artists drawn, gaps kept, inputs untouched."""

from __future__ import annotations

import inspect
import io
import re
import struct
import time

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text

from analysis import detect_bursts, plots, rising_terms, term_trends, topic_trends
from analysis.config import PROJ_ROOT
from analysis.plots import (
    MAX_FIGSIZE,
    NO_DATA,
    OTHER_COLOUR,
    PALETTE,
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

# The charts create their figures through pyplot: draw them off-screen.
matplotlib.use("Agg")


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
    """The charts create their figures through pyplot: none may leak into the next test."""
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
    # "other" last, in its grey: not ranked among the named languages.
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["en", "ru", "other"]


# ---------------------------------------------------------------------------- every chart

CHARTS = ["plot_article_counts", "plot_rising_terms", "plot_source_topics",
          "plot_sources_languages", "plot_term_trends", "plot_topic_map", "plot_topic_shares",
          "plot_topic_sizes", "plot_topic_terms"]

#: Names long enough to run past a panel's edge unless they wrap.
LONG = "central election · commission · parliamentary · constituencies · campaigning"


@pytest.fixture
def inputs(articles, doc_topics, topics, terms_frame, bursts_frame, rising_frame, map_points,
           map_topics, mix):
    """Each chart's function, its frame and keywords, on the tiny corpus."""
    from analysis.trends import article_counts
    return {
        "plot_article_counts": (plot_article_counts, article_counts(articles), {}),
        "plot_rising_terms": (plot_rising_terms, rising_frame, {}),
        "plot_source_topics": (plot_source_topics, mix, {"topics": topics}),
        "plot_sources_languages": (plot_sources_languages, articles, {}),
        "plot_term_trends": (plot_term_trends, terms_frame, {"bursts": bursts_frame}),
        "plot_topic_map": (plot_topic_map, map_points, {"topics": map_topics}),
        "plot_topic_shares": (plot_topic_shares, topic_trends(articles, doc_topics, freq="W"),
                              {"topics": topics}),
        "plot_topic_sizes": (plot_topic_sizes, topics, {}),
        "plot_topic_terms": (plot_topic_terms, topics, {}),
    }


@pytest.fixture
def wordy(inputs, topics, map_topics, mix, articles):
    """``inputs`` with long topic names, source names and titles."""
    from analysis.trends import article_counts
    long_topics = topics.assign(label=[f"{LONG} {i}" for i in range(len(topics))])
    long_map_topics = map_topics.assign(label=[f"{LONG} {i}" for i in range(len(map_topics))])
    sources = {s: f"{s} {LONG}" for s in articles["source"].dropna().unique()}
    long_articles = articles.assign(source=articles["source"].map(sources))
    frames = dict(inputs)
    frames["plot_article_counts"] = (plot_article_counts, article_counts(long_articles),
                                     {"title": f"Articles per week: {LONG}, {LONG}"})
    frames["plot_source_topics"] = (plot_source_topics,
                                    mix.assign(source=mix["source"].map(sources)),
                                    {"topics": long_topics})
    frames["plot_sources_languages"] = (plot_sources_languages, long_articles, {})
    frames["plot_topic_map"] = (plot_topic_map, inputs["plot_topic_map"][1],
                                {"topics": long_map_topics, "title": f"Map: {LONG}, {LONG}"})
    frames["plot_topic_shares"] = (plot_topic_shares, inputs["plot_topic_shares"][1],
                                   {"topics": long_topics})
    frames["plot_topic_sizes"] = (plot_topic_sizes, long_topics, {})
    frames["plot_topic_terms"] = (plot_topic_terms, long_topics, {})
    return frames


def test_every_public_chart_is_covered():
    assert sorted(n for n in plots.__all__ if n.startswith("plot_")) == CHARTS


def test_charts_are_pyplot_figures(topics):
    """No ax: a pyplot figure (plt.show() shows it); ax=: drawn there, nothing new made."""
    fig = plot_topic_sizes(topics)
    assert plt.gcf() is fig and fig.number in plt.get_fignums()
    assert repr(fig).startswith("<Figure size")
    fig2, ax = plt.subplots()
    assert plot_topic_sizes(topics, ax=ax) is fig2
    assert len(plt.get_fignums()) == 2


def test_a_notebook_shows_each_chart_once():
    """Run the inline backend for real: a kernel executes the ways a notebook calls a chart."""
    pytest.importorskip("ipykernel")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    setup = ("%matplotlib inline\n"
             "import matplotlib.pyplot as plt\n"
             "import pandas as pd\n"
             "from IPython.display import display\n"
             "from analysis.plots import plot_topic_sizes, plot_topic_terms\n"
             "topics = pd.DataFrame({'topic_id': [0, 1], 'label': ['oil', 'vote'],"
             " 'size': [3, 7], 'share': [0.3, 0.7], 'top_terms': [['oil'], ['vote']]})")
    cases = {  # cell -> images it shows
        "plot_topic_sizes(topics)": 1,
        "plot_topic_sizes(topics);": 1,
        "fig = plot_topic_sizes(topics)\nplt.show()": 1,
        "fig = plot_topic_sizes(topics)\nfig": 1,
        "fig": 1,  # the figure from the cell before, shown again on request
        "fig = plot_topic_terms(topics)\ndisplay(fig)\nplt.close(fig)": 1,
        "plot_topic_sizes(topics)\nplot_topic_sizes(topics)": 2,  # two figures, once each
        "fig, (a, b) = plt.subplots(1, 2, layout='constrained')\n"
        "plot_topic_sizes(topics, ax=a)\nplot_topic_terms(topics, ax=b);": 1,
    }
    cells = [setup, *cases]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=300,
                            resources={"metadata": {"path": str(PROJ_ROOT)}}).execute()
    shown = {c.source: sum("image/png" in o.get("data", {}) for o in c.outputs)
             for c in nb.cells[1:]}
    assert shown == cases
    errors = [o for c in nb.cells for o in c.outputs
              if o.output_type == "error" or o.get("name") == "stderr"]
    assert not errors


@pytest.mark.parametrize("name", CHARTS)
def test_draws_on_either_of_two_side_by_side_axes(name, inputs):
    func, frame, kwargs = inputs[name]
    for side in (0, 1):
        fig, axes = plt.subplots(1, 2)
        before = plt.get_fignums()
        target, other = axes[side], axes[1 - side]
        assert func(frame, ax=target, **kwargs) is fig
        assert plt.get_fignums() == before  # no figure of its own
        assert not other.has_data() and not other.get_title(loc="left")
        drawn = [a for a in fig.axes if a is not other]
        assert drawn and any(a.has_data() for a in drawn)
        # Everything drawn stays on the target's side of the figure.
        fig.canvas.draw()
        half = 0.5 * fig.bbox.width
        for a in drawn:
            box = a.get_window_extent()
            assert (box.x1 <= half + 1) if side == 0 else (box.x0 >= half - 1), a


def test_topic_terms_panels_take_the_place_of_ax_or_fill_a_subfigure(topics):
    fig, (a, b) = plt.subplots(1, 2, layout="constrained")
    assert plot_topic_terms(topics, ax=a) is fig
    assert a not in fig.axes and b in fig.axes and len(fig.axes) == 1 + len(topics)
    sub_fig = plt.figure(layout="constrained")
    left, right = sub_fig.subfigures(1, 2)
    assert plot_topic_terms(topics, fig=left) is sub_fig
    assert plot_topic_sizes(topics, ax=right.subplots()) is sub_fig
    assert len(sub_fig.axes) == len(topics) + 1 and len(left.subfigs) == len(topics)
    _draw(sub_fig)
    with pytest.raises(ValueError, match="already holds 1 Axes"):
        plot_topic_terms(topics, fig=right)
    with pytest.raises(ValueError, match="already holds 3 SubFigures"):
        plot_topic_terms(topics, fig=left)
    with pytest.raises(ValueError, match="ax or fig, not both"):
        plot_topic_terms(topics, ax=b, fig=left)


def test_ax_must_be_one_axes(topics):
    _, axes = plt.subplots(1, 2)
    with pytest.raises(TypeError, match=r"plot_topic_sizes: ax must be one matplotlib Axes .*"
                                        r"got ndarray: pick one of them"):
        plot_topic_sizes(topics, ax=axes)


def _outside(fig: Figure) -> list[str]:
    """Return the texts and the drawn extent that lie outside ``fig`` once rendered."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    box = fig.bbox
    ticks = {id(t) for a in fig.axes for axis in (a.xaxis, a.yaxis)
             for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]
             for t in (tick.label1, tick.label2)}
    # Tick labels of ticks outside the view are not drawn: the tight box covers the drawn ones.
    bad = []
    for text in fig.findobj(Text):
        if id(text) in ticks or not text.get_visible() or not text.get_text().strip():
            continue
        extent = text.get_window_extent(renderer)
        if (extent.x0 < box.x0 - 1 or extent.x1 > box.x1 + 1 or extent.y0 < box.y0 - 1
                or extent.y1 > box.y1 + 1):
            bad.append(f"{text.get_text()[:50]!r} at {np.round(extent.extents)}")
    tight = fig.get_tightbbox(renderer)  # inches
    width, height = fig.get_size_inches()
    if tight.x0 < -0.01 or tight.y0 < -0.01 or tight.x1 > width + 0.01 or tight.y1 > height + 0.01:
        bad.append(f"drawn extent {np.round(tight.extents, 2)} in a {width}x{height} figure")
    return bad


@pytest.mark.parametrize("name", CHARTS)
def test_plain_savefig_keeps_titles_and_labels_inside(name, wordy):
    """Nothing runs past the figure's edge, so fig.savefig(path) cuts nothing off."""
    func, frame, kwargs = wordy[name]
    fig = func(frame, **kwargs)
    assert fig.get_layout_engine() is not None
    assert _outside(fig) == []
    # Side by side in a figure of the caller's, with constrained layout.
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
    func(frame, ax=a, **kwargs)
    plot_topic_sizes(wordy["plot_topic_sizes"][1], ax=b)
    assert _outside(fig) == []


def test_topic_terms_panel_titles_stay_in_their_panel(wordy):
    fig = plot_topic_terms(wordy["plot_topic_terms"][1])
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert len(fig.subfigs) == 3
    for panel in fig.subfigs:
        name = panel.axes[0].get_title(loc="left")
        title = next(t for t in panel.findobj(Text) if t.get_text() == name)
        extent, room = title.get_window_extent(renderer), panel.bbox
        assert room.x0 - 1 <= extent.x0 and extent.x1 <= room.x1 + 1, name
        assert extent.height > 1.5 * title.get_size() * fig.dpi / 72  # wrapped, not cut


def _png_size(fig: Figure) -> tuple[int, int]:
    data = _png(fig)
    return struct.unpack(">II", data[16:24])


def _many_sources(n: int = 2000) -> pd.DataFrame:
    """Articles from ``n`` sources (1 to 5 each) in 12 languages."""
    rng = np.random.default_rng(0)
    per_source = rng.integers(1, 6, size=n)
    sources = np.repeat([f"source {i:04d}.example" for i in range(n)], per_source)
    langs = np.array(list("abcdefghijkl"))[rng.integers(0, 12, size=len(sources))]
    return pd.DataFrame({"source": sources, "lang": langs,
                         "published": pd.Timestamp("2024-01-01", tz="UTC")
                         + pd.to_timedelta(rng.integers(0, 365, size=len(sources)), unit="D")})


def _many_topics(n: int = 200) -> pd.DataFrame:
    sizes = np.arange(n, 0, -1) + 5
    return pd.DataFrame({"topic_id": np.arange(n), "label": [f"t{i} · word" for i in range(n)],
                         "size": sizes, "share": sizes / sizes.sum(),
                         "top_terms": [[f"w{i}", "x", "y"] for i in range(n)]})


def _bounded_case(name: str):
    from analysis.trends import article_counts
    articles = _many_sources()
    topics = _many_topics()
    rng = np.random.default_rng(1)
    if name == "plot_sources_languages":
        return plot_sources_languages, articles, {}
    if name == "plot_article_counts":
        return plot_article_counts, article_counts(articles, top=len(articles)), {}
    if name == "plot_source_topics":
        mix = pd.DataFrame({"source": articles["source"],
                            "topic_id": rng.integers(0, len(topics), size=len(articles))})
        mix = mix.value_counts().rename("n").reset_index()
        mix["share"] = mix["n"] / mix.groupby("source")["n"].transform("sum")
        return plot_source_topics, mix, {"topics": topics}
    if name == "plot_topic_map":
        points = pd.DataFrame({"article_id": [f"a{i}" for i in range(len(articles))],
                               "x": rng.normal(size=len(articles)),
                               "y": rng.normal(size=len(articles)),
                               "topic_id": rng.integers(0, len(topics), size=len(articles))})
        return plot_topic_map, points, {"topics": topics}
    if name == "plot_topic_shares":
        periods = pd.date_range("2024-01-01", periods=12, freq="MS", tz="UTC")
        trends = pd.DataFrame({"period": np.repeat(periods, len(topics)),
                               "topic_id": np.tile(topics["topic_id"], len(periods)),
                               "share": np.tile(topics["share"], len(periods)),
                               "partial_period": False, "no_data": False})
        return plot_topic_shares, trends, {"topics": topics}
    if name == "plot_term_trends":
        periods = pd.date_range("2024-01-01", periods=12, freq="MS", tz="UTC")
        terms = [f"term{i}" for i in range(200)]
        trends = pd.DataFrame({"period": np.repeat(periods, len(terms)),
                               "term": np.tile(terms, len(periods)), "count": 1,
                               "n_articles": 10, "partial_period": False})
        return plot_term_trends, trends, {"terms": terms}
    if name == "plot_rising_terms":
        terms = [f"term{i}" for i in range(2000)]
        rising = pd.DataFrame({"term": terms, "g2": rng.random(2000) * 50,
                               "log_ratio": rng.normal(size=2000),
                               "direction": np.where(np.arange(2000) % 2, "rising", "falling")})
        return plot_rising_terms, rising, {}
    return {"plot_topic_sizes": plot_topic_sizes,
            "plot_topic_terms": plot_topic_terms}[name], topics, {}


@pytest.mark.parametrize("name", CHARTS)
def test_thousands_of_categories_give_a_bounded_figure_fast(name):
    """1,592 sources once drew an 811 x 55,851 px image in 56 s: now a few rows and "other"."""
    func, frame, kwargs = _bounded_case(name)
    start = time.perf_counter()
    fig = func(frame, **kwargs)
    width, height = _png_size(fig)
    assert time.perf_counter() - start < 15
    assert (fig.get_size_inches() <= np.array(MAX_FIGSIZE)).all()
    assert width <= MAX_FIGSIZE[0] * fig.dpi and height <= MAX_FIGSIZE[1] * fig.dpi
    for ax in fig.axes:
        assert len(ax.get_yticklabels()) <= 61 and len(ax.get_xticklabels()) <= 61
        legend = ax.get_legend()
        assert legend is None or len(legend.get_texts()) <= 33


def test_sources_languages_caps_sources_with_other_row():
    arts = _many_sources()
    fig = plot_sources_languages(arts, max_sources=5)
    ax = fig.axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert len(rows) == 6 and rows[-1] == f"other sources: {arts['source'].nunique() - 5}"
    assert ax.get_yticklabels()[-1].get_color() != ax.get_yticklabels()[0].get_color()
    assert sum(b.get_width() for b in _bars(ax)) == len(arts)  # every article still counted
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == 6 and legend[-1] == "other"


def _is_grey(colour) -> bool:
    r, g, b = to_rgb(colour)
    return r == g == b and 0.3 < r < 0.9


def _other_and_named_colours(fig: Figure, name: str) -> tuple[set, set]:
    """Return the colours of the "other" category and of the named ones in ``fig``."""
    ax = fig.axes[0]
    other, named = set(), set()
    if name in ("plot_article_counts", "plot_sources_languages"):
        for container in ax.containers:
            colours = {to_rgb(b.get_facecolor()) for b in container}
            is_other = container.get_label() in ("(other)", "other")
            (other if is_other else named).update(colours)
    elif name == "plot_topic_sizes":
        labels = [t.get_text() for t in ax.get_yticklabels()]
        for label, bar in zip(labels, _bars(ax), strict=True):
            is_other = label.startswith("other topics")
            (other if is_other else named).add(to_rgb(bar.get_facecolor()))
    elif name == "plot_topic_shares":
        for band in ax.collections:
            if band.get_label().startswith("#"):
                named.add(to_rgb(band.get_facecolor()[0]))
            elif band.get_label().startswith("other topics"):
                other.add(to_rgb(band.get_facecolor()[0]))
    elif name == "plot_topic_map":
        for points in ax.collections:
            colour = tuple(_point_colour(points))
            (other if points.get_gid() == "topic-other" else named).add(
                tuple(np.round(colour, 3)))
    return other, named


@pytest.mark.parametrize("name", ["plot_article_counts", "plot_sources_languages",
                                  "plot_topic_sizes", "plot_topic_shares", "plot_topic_map"])
def test_other_is_a_grey_no_named_category_gets(name):
    if name == "plot_article_counts":
        # article_counts' own "(other)" beside 8 named sources: once the 9th colour.
        groups = [f"source {c}" for c in "ABCDEFGH"] + ["(other)"]
        frame = pd.DataFrame({"period": pd.Timestamp("2024-01-01"), "group": groups,
                              "n": range(1, 10)})
        fig = plot_article_counts(frame)
    elif name == "plot_sources_languages":
        fig = plot_sources_languages(_many_sources(50), max_languages=4)
    else:
        func, frame, kwargs = _bounded_case(name)
        fig = func(frame, **kwargs)
    other, named = _other_and_named_colours(fig, name)
    assert len(other) == 1 and _is_grey(next(iter(other)))
    assert np.allclose(next(iter(other)), to_rgb(OTHER_COLOUR), atol=1e-3)
    assert not other & named and not any(_is_grey(c) for c in named)
    if name in ("plot_article_counts", "plot_sources_languages"):
        assert len(named) == len(fig.axes[0].containers) - 1  # named colours all differ


def test_palette_has_no_grey():
    assert not any(_is_grey(c) for c in PALETTE) and _is_grey(OTHER_COLOUR)


def test_topic_sizes_sums_small_topics_as_other():
    topics = _many_topics(40)
    fig = plot_topic_sizes(topics, max_topics=10)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 11 and labels[-1] == "other topics: 30"
    assert _bars(ax)[-1].get_width() == topics["size"].iloc[10:].sum()


def test_term_trends_caps_given_terms_and_says_so(terms_frame):
    fig = plot_term_trends(terms_frame, terms=["vote", "oil", "rain"], max_terms=2)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["vote", "oil"]
    assert ax.get_legend().get_title().get_text() == "2 of 3 terms"


# ---------------------------------------------------------------------------- input checks


@pytest.mark.parametrize("name", CHARTS)
def test_a_model_instead_of_a_frame_says_what_was_expected(name, inputs):
    from analysis import TopicModel
    func, _, kwargs = inputs[name]
    with pytest.raises(TypeError, match=rf"^{name} expects .*DataFrame.*, got TopicModel$"):
        func(TopicModel(), **kwargs)
    if name == "plot_topic_sizes":
        with pytest.raises(TypeError) as raised:
            plot_topic_sizes(TopicModel())
        assert str(raised.value) == ("plot_topic_sizes expects the topics_ DataFrame "
                                     "(e.g. model.topics_), got TopicModel")


@pytest.mark.parametrize("name", CHARTS)
def test_missing_columns_are_listed_with_the_available_ones(name, inputs):
    func, frame, kwargs = inputs[name]
    first = {"plot_rising_terms": "g2", "plot_topic_map": "x", "plot_article_counts": "n",
             "plot_sources_languages": "lang"}.get(name, frame.columns[0])
    broken = frame.drop(columns=first)
    with pytest.raises(ValueError) as raised:
        func(broken, **kwargs)
    message = str(raised.value)
    assert message.startswith(f"{name} expects ")
    assert f"missing: {first}" in message
    assert "the frame has: " + ", ".join(map(str, broken.columns)) in message


def test_keyword_frames_and_options_are_checked(topics, terms_frame, map_points):
    with pytest.raises(ValueError, match=r"plot_topic_map topics= expects .* missing: topic_id"):
        plot_topic_map(map_points, topics=topics.drop(columns="topic_id"))
    with pytest.raises(TypeError, match=r"plot_term_trends bursts= expects .* got list"):
        plot_term_trends(terms_frame, bursts=[])
    with pytest.raises(TypeError, match=r"terms must be a list of terms.*\['oil'\]"):
        plot_term_trends(terms_frame, terms="oil")
    with pytest.raises(ValueError, match=r"plot_topic_terms: n_terms must be an integer from 1"):
        plot_topic_terms(topics, n_terms=0)
    with pytest.raises(TypeError, match=r"plot_topic_sizes: max_topics must be an integer"):
        plot_topic_sizes(topics, max_topics=2.5)


# ---------------------------------------------------------------------------- docstrings


def _section(doc: str, name: str) -> str:
    match = re.search(rf"^{name}\n-+\n(.*?)(?=^\w[\w ]*\n-+\n|\Z)", doc, re.M | re.S)
    return match.group(1) if match else ""


@pytest.mark.parametrize("name", CHARTS)
def test_numpydoc_parameters_returns_examples(name):
    func = getattr(plots, name)
    doc = inspect.cleandoc(func.__doc__ or "")
    parameters = _section(doc, "Parameters")
    documented = set(re.findall(r"^(\w+)(?: :|$)", parameters, re.M))
    assert set(inspect.signature(func).parameters) <= documented, documented
    assert "Figure" in _section(doc, "Returns")
    assert ">>> fig = " + name in _section(doc, "Examples")
