"""Same outputs whatever the thread count: the notebook computations under 1 and 2 threads.

The sample goes through what the notebooks and ``make report`` compute (load,
k selection, topics, topic map, trends, bursts, rising terms, the report
tables), once with BLAS and OpenMP limited to one thread and once to two.
Every frame must be identical to the last bit and every table CSV identical
to the byte: a decision that floating-point noise can flip (a k-means
restart, an argmax tie, a sum taken in a thread-dependent order) shows up
here as a difference between the two runs.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import analysis.report_data
from analysis import (
    detect_bursts,
    fit_topics,
    load_articles,
    rising_terms,
    term_trends,
    topic_trends,
)
from analysis.config import SAMPLE_DIR
from analysis.report_data import compute_report_data, report_tables, write_tables

# The sample's options, as in the Makefile's REPORT_OPTS and the notebooks.
TZ = "Asia/Baku"
FREQ = "M"
SINCE = "2023-01-01"
TERMS = ["measles", "election*", "pipeline", "traffick*"]
#: Thread limits of the runs; each later run is compared with the first.
THREADS = (1, 2)
#: Frames that are empty on the sample (no burst at gamma=1, no significant rising term).
MAY_BE_EMPTY = {"report.bursts", "report.rising"}


def _limited_to(n: int) -> list[dict]:
    """Return the thread pools in use, after checking each is limited to ``n`` threads."""
    pools = threadpool_info()
    apis = {pool["user_api"] for pool in pools}
    assert {"blas", "openmp"} <= apis, f"expected BLAS and OpenMP pools, found {apis}"
    wrong = [(p["internal_api"], p["filepath"], p["num_threads"]) for p in pools
             if p["num_threads"] != n]
    assert not wrong, f"thread pools not limited to {n}: {wrong}"
    return pools


def _notebook_frames() -> dict[str, pd.DataFrame]:
    """Return what notebooks 1.01 (topics) and 2.01 (keyword trends) compute."""
    articles = load_articles(SAMPLE_DIR, tz=TZ, cache=False, progress=False)
    model = fit_topics(articles, k="auto", random_state=0)
    dated = articles[articles["published"] >= SINCE]
    return {
        "articles": articles,
        "k_selection": model.k_selection_,
        "topics": model.topics_,
        "doc_topics": model.doc_topics_,
        "topic_trends": topic_trends(dated, model.doc_topics_, freq=FREQ),
        "term_trends": term_trends(dated, terms=TERMS, freq=FREQ),
        # Without terms: the top terms, chosen by document frequency (ties!).
        "term_trends_top": term_trends(dated, freq=FREQ),
        "bursts": detect_bursts(dated, terms=TERMS, freq=FREQ, gamma=0.5),
        # Weekly, with a low entry cost: many Viterbi decisions, over a hundred bursts.
        "bursts_top": detect_bursts(dated, freq="W", gamma=0.5),
        "rising_terms": rising_terms(dated, focus=("2024-01-01", "2024-06-30"), min_count=3),
    }


def _report_frames(out: Path) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Return the report's frames and tables, and write the tables into ``out``."""
    # The report loads with the cache; a run must not read what the other wrote.
    uncached = functools.partial(load_articles, cache=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(analysis.report_data, "load_articles", uncached)
        data = compute_report_data([str(SAMPLE_DIR)], title="Sample corpus", freq=FREQ,
                                   k="auto", terms=TERMS, since=SINCE, tz=TZ,
                                   random_state=0, progress=False)
    tables = report_tables(data)
    write_tables(tables, out)
    frames = {f"report.{name}": frame for name, frame in tables.items()}
    frames.update({
        "report.topic_map": data.topic_map, "report.counts": data.counts,
        "report.source_topics": data.source_topics, "report.rising": data.rising,
        "report.chart_terms": pd.DataFrame({"term": data.chart_terms}),
        "report.window": pd.DataFrame([data.window]),
    })
    return frames, sorted(path.name for path in out.glob("*.csv"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[int, dict]:
    """Run the whole pipeline once per thread limit (the expensive part of this module)."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU: BLAS cannot be given two threads to compare with one")
    results = {}
    for n in THREADS:
        out = tmp_path_factory.mktemp(f"threads{n}")
        with threadpool_limits(limits=n):
            pools = _limited_to(n)
            frames = _notebook_frames()
            report, files = _report_frames(out / "tables")
            frames.update(report)
            _limited_to(n)  # nothing in the pipeline lifted the limit
        results[n] = {"frames": frames, "tables": out / "tables", "files": files,
                      "pools": pools}
    return results


def test_each_run_was_limited_to_its_thread_count(runs):
    for n in THREADS:
        assert {p["num_threads"] for p in runs[n]["pools"]} == {n}


@pytest.mark.parametrize("name", [
    "articles", "k_selection", "topics", "doc_topics", "topic_trends", "term_trends",
    "term_trends_top", "bursts", "bursts_top", "rising_terms", "report.topic_map",
    "report.counts", "report.source_topics", "report.rising", "report.chart_terms",
    "report.window", "report.articles", "report.manifest", "report.topics",
    "report.doc_topics", "report.topic_trends", "report.term_trends", "report.bursts",
    "report.rising_terms", "report.k_selection",
])
def test_frames_are_identical_across_thread_counts(runs, name):
    first = runs[THREADS[0]]["frames"][name]
    assert len(first) or name in MAY_BE_EMPTY, f"{name} is empty: the comparison proves nothing"
    for n in THREADS[1:]:
        pd.testing.assert_frame_equal(first, runs[n]["frames"][name], check_exact=True,
                                      obj=f"{name} ({THREADS[0]} vs {n} threads)")


def test_report_tables_are_byte_identical_across_thread_counts(runs):
    first = runs[THREADS[0]]
    assert {"topics.csv", "doc_topics.csv", "k_selection.csv", "bursts.csv",
            "term_trends.csv", "topic_trends.csv", "rising_terms.csv"} <= set(first["files"])
    for n in THREADS[1:]:
        other = runs[n]
        assert other["files"] == first["files"]
        differing = [name for name in first["files"] if (first["tables"] / name).read_bytes()
                     != (other["tables"] / name).read_bytes()]
        assert not differing, (f"tables differ between {THREADS[0]} and {n} threads: "
                               f"{', '.join(differing)}")


# ------------------------------------------------------------- ties and last bits, in small


def test_rising_terms_write_no_negative_zero_and_read_direction_off_the_written_ratio():
    from analysis.trends import _compare

    # Nearly equal shares: G² and the log ratio are ±1e-15 of cancellation.
    table = _compare(np.array([3, 100]), np.array([3, 99]), 1_000_000, 999_999)
    assert table["g2"].tolist() == [0.0, 0.005] and (table["g2"] >= 0).all()
    assert "-0.0" not in table.to_csv(index=False)
    assert table["log_ratio"].iloc[0] == 0.0 and table["direction"].iloc[0] == "rising"


def test_a_topic_exactly_at_both_change_thresholds_has_changed():
    from analysis.report_data import topic_changes

    # 5% -> 6%: one point and a fifth, exactly; 0.06 - 0.05 < 0.2 * 0.05 in floats.
    now = pd.DataFrame({"topic_id": [0, 1], "label": ["a", "b"], "share": [0.06, 0.94]})
    before = pd.DataFrame({"topic_id": [0, 1], "label": ["a", "b"], "share": [0.05, 0.95]})
    align = pd.DataFrame({"topic_id": [0, 1], "previous_topic_id": [0, 1],
                          "matched": [True, True]})
    assert topic_changes(now, before, align)["status"].tolist() == ["grown", "stable"]


def test_report_tables_print_no_negative_zero():
    from analysis.report_data import _rounded

    frame = _rounded(pd.DataFrame({"share": [-1e-12, -0.0, 0.25], "n": [1, 2, 3]}))
    assert frame.to_csv(index=False) == "share,n\n0.0,1\n0.0,2\n0.25,3\n"


def test_equally_large_sources_are_kept_by_name_not_by_input_order():
    from analysis.trends import article_counts

    articles = pd.DataFrame({"published": pd.to_datetime(["2024-01-01"] * 5, utc=True),
                             "source": ["C", "B", "A", "A", "B"]})
    for order in (articles, articles.iloc[::-1], articles.sample(frac=1, random_state=3)):
        # A and B both have two articles: the first by name is kept, whatever the order.
        assert set(article_counts(order, by="source", top=1)["group"]) == {"A", "(other)"}
