"""The frames and tables behind a report, on the sample corpus and small in-file cases."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pandas as pd
import pytest

from analysis.config import SAMPLE_DIR
from analysis.report_data import (
    K_RANGE,
    _chart_terms,
    compute_report_data,
    focus_window,
    load_report_data,
    read_previous,
    report_tables,
    topic_changes,
    write_tables,
)


@pytest.fixture(scope="module")
def data():
    return compute_report_data([str(SAMPLE_DIR)], title="Sample", freq="M", since="2023-01-01",
                               tz="Asia/Baku", terms=["measles", "traffick*"], progress=False)


def test_sample_report_data_covers_every_article(data):
    assert len(data.articles) == 82 and len(data.manifest) == 87
    assert len(data.doc_topics) == len(data.articles)
    assert data.topics["size"].sum() == len(data.articles)
    assert K_RANGE[0] <= len(data.topics) <= K_RANGE[1]
    assert (data.topics["headlines"].map(len) == 3).all()


def test_since_leaves_old_articles_out_of_the_time_sections(data):
    # The seed page is from 2014; the rest of the sample from 2023-24.
    assert data.window["n_before_since"] == 1
    assert data.window["first"] >= pd.Timestamp("2023-01-01", tz="Asia/Baku")
    assert data.term_trends["period"].min() >= pd.Timestamp("2023-01-01", tz="Asia/Baku")
    assert data.counts["n"].sum() == data.window["n_dated"]


def test_asked_for_terms_are_charted(data):
    assert data.chart_terms == ["measles", "traffick*"]
    assert set(data.term_trends["term"]) == {"measles", "traffick*"}


def test_source_topic_shares_add_up_per_source(data):
    sums = data.source_topics.groupby("source")["share"].sum()
    assert np.allclose(sums, 1, atol=1e-3)
    assert data.source_topics["n"].sum() == len(data.articles)


def test_topic_map_has_one_point_per_original(data):
    originals = data.articles["duplicate_of"].isna().sum()
    assert len(data.topic_map) == originals
    assert set(data.topic_map["topic_id"]) <= set(data.topics["topic_id"])


def test_tables_are_sorted_flat_and_complete(data):
    tables = report_tables(data)
    assert {"articles", "manifest", "topics", "doc_topics", "topic_trends", "term_trends",
            "bursts", "rising_terms", "k_selection"} == set(tables)
    topics = tables["topics"]
    assert topics["top_terms"].str.contains("; ").all()
    assert topics["headlines"].str.count(r" \| ").eq(2).all()
    assert tables["articles"]["published"].str.match(r"^(\d{4}-\d\d-\d\dT|$)").all()
    assert len(tables["articles"]) == 82


def test_article_topics_are_matched_by_id_and_a_missing_one_is_an_error(data):
    tables = report_tables(data)
    shuffled = data.doc_topics.sample(frac=1.0, random_state=1).reset_index(drop=True)
    assert not shuffled["article_id"].equals(data.doc_topics["article_id"])
    reordered = report_tables(dataclasses.replace(data, doc_topics=shuffled))
    pd.testing.assert_frame_equal(reordered["articles"], tables["articles"])
    missing = data.doc_topics["article_id"].iloc[3]
    short = data.doc_topics.drop(index=3).reset_index(drop=True)
    with pytest.raises(KeyError, match=f"1 articles have no row in doc_topics.*{missing}"):
        report_tables(dataclasses.replace(data, doc_topics=short))


def test_handoff_file_round_trips_and_refuses_other_pickles(data, tmp_path):
    path = tmp_path / "data.pkl"
    path.write_bytes(pickle.dumps(data))
    assert load_report_data(path).params == data.params
    path.write_bytes(pickle.dumps({"not": "report data"}))
    with pytest.raises(TypeError, match="does not hold report data"):
        load_report_data(path)


def test_report_notebook_gets_the_articles_without_their_texts(data):
    from analysis.report import _handed_over

    handed = _handed_over(data)
    assert "text" in data.articles and "text" not in handed.articles  # the caller's data kept
    assert handed.articles.equals(data.articles.drop(columns=["text"]))
    assert handed.topics is data.topics and handed.params == data.params
    # Without texts (loaded on a cluster) there is nothing to drop, and nothing is copied.
    bare = dataclasses.replace(data, articles=data.articles.drop(columns=["text"]))
    assert _handed_over(bare) is bare


def test_chart_terms_without_asked_terms():
    bursts = pd.DataFrame({"term": ["qtr", "shr", "april", "oil", "cts"],
                           "weight": [9.0, 8.0, 7.0, 5.0, 4.0],
                           "start": [1, 1, 2, 3, 0], "end": [1, 1, 2, 4, 2]})
    rising = pd.DataFrame({"term": ["rally", "slump"], "direction": ["rising", "falling"]})
    trends = pd.DataFrame({"term": ["qtr", "shr", "april", "oil", "grain", "rally", "cts"]})
    topics = pd.DataFrame({"top_terms": [["grain", "wheat"], ["oil", "opec"]]})
    # One term per stretch of time (cts overlaps qtr), no calendar words, topic
    # leads before rising terms.
    assert _chart_terms(None, bursts, rising, trends, topics) == ["qtr", "oil", "grain", "rally"]
    assert _chart_terms(["x"], bursts, rising, trends, topics) == ["x"]


def test_topic_changes_marks_new_gone_and_stable():
    now = pd.DataFrame({"topic_id": [0, 1, 7], "label": ["a", "b", "n"],
                        "share": [0.41, 0.30, 0.29]})
    before = pd.DataFrame({"topic_id": [0, 1, 2], "label": ["a", "b", "g"],
                           "share": [0.40, 0.50, 0.10]})
    alignment = pd.DataFrame({"topic_id": [0, 1, 7], "previous_topic_id": [0, 1, -1],
                              "matched": [True, True, False]})
    changes = topic_changes(now, before, alignment).set_index("topic_id")
    assert changes["status"].to_dict() == {0: "stable", 1: "shrunk", 7: "new", 2: "gone"}
    assert changes.loc[1, "change_points"] == -20.0


def test_focus_window_errors_name_the_problem():
    with pytest.raises(ValueError, match="START:END"):
        focus_window(pd.DataFrame({"published": []}), "2024-01-01")
    with pytest.raises(ValueError, match="no dated articles"):
        focus_window(pd.DataFrame({"published": pd.Series([], dtype="datetime64[ns, UTC]")}),
                     None)


def test_previous_must_be_a_report_version(tmp_path):
    with pytest.raises(ValueError, match="no tables/topics.csv"):
        read_previous(tmp_path)


def test_chart_terms_skip_terms_sharing_a_word():
    bursts = pd.DataFrame({"term": ["qtr"], "weight": [9.0], "start": [1], "end": [1]})
    topics = pd.DataFrame({"top_terms": [["qtr net"], ["grain"]]})
    trends = pd.DataFrame({"term": ["qtr", "qtr net", "grain"]})
    rising = pd.DataFrame({"term": [], "direction": []})
    assert _chart_terms(None, bursts, rising, trends, topics) == ["qtr", "grain"]


# ---------------------------------------------------------------- the term index


def _without_index(function):
    def call(*args, index=None, **kwargs):
        assert index is not None, "the report passed no term index"
        return function(*args, **kwargs)
    return call


@pytest.mark.parametrize(("terms", "since"), [
    (None, None),  # the 2014 article is left out as a date outlier
    (["measles", "traffick*", "human trafficking networks"], "2023-01-01"),
], ids=["top", "given"])
@pytest.mark.filterwarnings("ignore::analysis.periods.DateOutliersWarning")
def test_the_term_index_changes_no_table_and_is_read_from_the_cache(terms, since, tmp_path,
                                                                     monkeypatch):
    import analysis.report_data as report_data

    monkeypatch.setenv("NEWSSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    options = {"title": "Sample", "freq": "M", "since": since, "tz": "Asia/Baku",
               "k": 6, "terms": terms, "progress": False}
    with monkeypatch.context() as patch:  # the report as it was: each stage tokenises the texts
        for name in ("detect_bursts", "term_trends", "rising_terms"):
            patch.setattr(report_data, name, _without_index(getattr(report_data, name)))
        expected = report_tables(compute_report_data([str(SAMPLE_DIR)], cache=False, **options))
    assert len(expected["term_trends"]) and len(expected["rising_terms"])
    assert ("date_outliers" in expected) == (since is None)

    def same(data) -> None:
        tables = report_tables(data)
        assert set(tables) == set(expected)
        for name, table in tables.items():
            pd.testing.assert_frame_equal(table, expected[name], check_exact=True, obj=name)

    same(compute_report_data([str(SAMPLE_DIR)], cache=False, n_jobs=2, **options))
    assert not list((tmp_path / "cache").glob("index-*"))  # cache=False writes no index
    assert not (tmp_path / "cache" / report_data.INDEX_CHUNKS).exists()
    same(compute_report_data([str(SAMPLE_DIR)], **options))
    stored = list((tmp_path / "cache").glob("index-*"))
    assert len(stored) == 1
    # The chunks of tokenised texts are kept too: a grown corpus reuses them.
    assert list((tmp_path / "cache" / report_data.INDEX_CHUNKS).glob("*.npz"))

    def refuse(*args, **kwargs):
        raise AssertionError("the cached term index was not used")

    monkeypatch.setattr(report_data, "build_index", refuse)
    same(compute_report_data([str(SAMPLE_DIR)], **options))
    assert list((tmp_path / "cache").glob("index-*")) == stored


@pytest.mark.filterwarnings("ignore::analysis.periods.DateOutliersWarning")
def test_topics_are_read_from_the_cache_when_only_terms_and_freq_change(tmp_path, monkeypatch):
    import analysis.report_data as report_data

    monkeypatch.setenv("NEWSSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    options = {"title": "Sample", "tz": "Asia/Baku", "k": 6, "progress": False}
    first = compute_report_data([str(SAMPLE_DIR)], freq="M", **options)
    stored = list((tmp_path / "cache").glob("topics-*"))
    assert len(stored) == 1

    def refuse(*args, **kwargs):
        raise AssertionError("the cached topics were not used")

    with monkeypatch.context() as patch:
        patch.setattr(report_data, "fit_topics", refuse)
        patch.setattr(report_data, "topic_map", refuse)
        again = compute_report_data([str(SAMPLE_DIR)], freq="W", terms=["measles"], **options)
    expected = report_tables(compute_report_data([str(SAMPLE_DIR)], freq="W", terms=["measles"],
                                                 cache=False, **options))
    for name, table in report_tables(again).items():
        pd.testing.assert_frame_equal(table, expected[name], check_exact=True, obj=name)
    pd.testing.assert_frame_equal(again.topic_map, first.topic_map)
    # Aligned to an earlier version (ids renumbered, one topic gone): the same
    # fit, renumbered, as a fit that never saw the cache.
    tables = report_tables(first)
    earlier = tmp_path / "v1"
    write_tables({"topics": tables["topics"].assign(topic_id=tables["topics"]["topic_id"] * 3 + 7)
                  .iloc[1:], "rising_terms": tables["rising_terms"]}, earlier / "tables")
    with monkeypatch.context() as patch:
        patch.setattr(report_data, "fit_topics", refuse)
        patch.setattr(report_data, "topic_map", refuse)
        aligned = compute_report_data([str(SAMPLE_DIR)], freq="M", previous=earlier, **options)
    expected = compute_report_data([str(SAMPLE_DIR)], freq="M", previous=earlier, cache=False,
                                   **options)
    assert set(aligned.topics["topic_id"]) != set(first.topics["topic_id"])
    for name, table in report_tables(expected).items():
        pd.testing.assert_frame_equal(report_tables(aligned)[name], table, check_exact=True,
                                      obj=name)
    pd.testing.assert_frame_equal(aligned.topic_map, expected.topic_map)
    # Other topic options are another entry, fitted afresh.
    compute_report_data([str(SAMPLE_DIR)], freq="M", **{**options, "k": 5})
    assert len(list((tmp_path / "cache").glob("topics-*"))) == 2


@pytest.mark.parametrize("tz", [None, "UTC", "Asia/Baku", "America/New_York", "Europe/Amsterdam",
                                "Asia/Kolkata"])
def test_iso_text_is_what_isoformat_prints(tz):
    from analysis.report_data import _iso
    rng = np.random.default_rng(0)
    # Whole seconds, sub-second values, DST changes, NaT and (Amsterdam 1900) a
    # local-mean-time offset with seconds.
    seconds = rng.integers(pd.Timestamp("1900-01-01").value // 10**9,
                           pd.Timestamp("2030-01-01").value // 10**9, 500)
    stamps = pd.to_datetime(seconds, unit="s").tolist() + [
        pd.Timestamp("2024-03-31 01:30"), pd.Timestamp("2024-10-27 03:30"),
        pd.Timestamp("2021-05-01 12:00:00.25"), pd.Timestamp("2021-05-01 12:00:00.000000001"),
        pd.NaT]
    series = pd.Series(pd.DatetimeIndex(stamps))
    if tz is not None:
        series = series.dt.tz_localize("UTC").dt.tz_convert(tz)
    expected = [("" if pd.isna(t) else t.isoformat()) for t in series]
    got = _iso(series)
    assert got.dtype == "string[pyarrow]" and got.tolist() == expected
    assert _iso(series.iloc[:0]).tolist() == [] and _iso(pd.Series([], dtype=object)).tolist() == []
    # Other units, and years a nanosecond series cannot hold.
    old = pd.Series(pd.DatetimeIndex(["1500-05-01 10:00", "0900-01-01", "2021-01-01 00:00:00.5",
                                      None]).as_unit("us"))
    if tz is not None:
        old = old.dt.tz_localize("UTC").dt.tz_convert(tz)
    assert _iso(old).tolist() == [("" if pd.isna(t) else t.isoformat()) for t in old]


def _analysis_imports(module: str) -> set[str]:
    import ast
    from pathlib import Path

    import analysis

    tree = ast.parse((Path(analysis.__file__).parent / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "analysis":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis."):
            found.add(node.module.split(".")[1])
    return found


def test_the_topics_cache_key_covers_every_module_that_shapes_topics():
    from analysis.report_data import _TOPIC_CODE

    # What topics.py reads its words and terms through, transitively; parallel
    # only says how many threads run them.
    shaping, todo = set(), ["topics"]
    while todo:
        module = todo.pop()
        if module not in shaping:
            shaping.add(module)
            todo += sorted(_analysis_imports(module) - {"parallel"})
    assert {"topic_vectors", "tokens"} <= shaping
    assert {f"{m}.py" for m in shaping} <= set(_TOPIC_CODE)
