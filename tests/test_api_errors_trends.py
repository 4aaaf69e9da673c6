"""Issue 10 for trends, bursts and periods: no silent wrong answers.

A single string is one term, searches cover what counts cover, undated
corpora and undated articles are said out loud, bad arguments are explained
in the words of the function called, every public function documents its
parameters, output columns and an example, and every returned frame has the
same dtypes: ``string[pyarrow]`` text and ``datetime64[ns, tz]`` dates.
"""

from __future__ import annotations

import inspect
import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from analysis import bursts, periods, trends
from analysis.bursts import burst_states, detect_bursts
from analysis.periods import UndatedArticlesWarning, period_grid
from analysis.trends import (
    ColumnNotFoundError,
    article_counts,
    compared_windows,
    keyword_in_context,
    rising_terms,
    rising_topics,
    term_document_matrix,
    term_trends,
    topic_trends,
)

STRING = pd.StringDtype("pyarrow")
TZ = "Asia/Baku"

# Four weeks of a small news stream: a flood in week 3, calm otherwise; some
# mentions only in titles, one phrase written with a hyphen.
STREAM = [
    ("2024-01-01 09:00", "Markets calm", "Markets were calm on Monday."),
    ("2024-01-03 10:00", "Ukraine talks resume", "Diplomats met again."),
    ("2024-01-09 11:00", "Calm week", "Nothing happened in Ukraine's capital."),
    ("2024-01-10 12:00", "Rain expected", "A calm day before the rain."),
    ("2024-01-15 08:00", "Flood warning issued", "River levels rose; flood-defence teams out."),
    ("2024-01-16 09:30", "Flood spreads", "The flood reached town. Human-trafficking case shut."),
    ("2024-01-17 14:00", "Ukrainian aid", "Aid for the flood victims arrived."),
    ("2024-01-24 16:00", "Markets calm again", "Calm returned."),
]


def stream(tz: str = TZ, unit: str = "us") -> pd.DataFrame:
    published = pd.DatetimeIndex(pd.to_datetime([d for d, _, _ in STREAM])).as_unit(unit)
    return pd.DataFrame({
        "article_id": [f"s{i}" for i in range(len(STREAM))],
        "title": [t for _, t, _ in STREAM],
        "text": [x for _, _, x in STREAM],
        "published": published.tz_localize(tz),
        "source": ["A", "B"] * (len(STREAM) // 2),
    })


def doc_topics_of(articles: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"article_id": articles["article_id"],
                         "topic_id": [0, 1, 0, 0, 2, 2, 1, 0]})


def undated(frame: pd.DataFrame, rows=None) -> pd.DataFrame:
    """Return a copy of ``frame`` with ``published`` missing (for ``rows``, or all)."""
    published = frame["published"].copy()
    published.iloc[slice(None) if rows is None else rows] = pd.NaT
    return frame.assign(published=published)


# Every trend function, called the way a notebook would call it.
TREND_CALLS = {
    "article_counts": lambda a: article_counts(a, freq="W"),
    "term_trends": lambda a: term_trends(a, terms=["flood", "calm"], freq="W"),
    "topic_trends": lambda a: topic_trends(a, doc_topics_of(a), freq="W"),
    "detect_bursts": lambda a: detect_bursts(a, terms=["flood", "calm"], freq="W", gamma=0.1),
    "rising_terms": lambda a: rising_terms(a, focus="2024-01-15..2024-01-31", min_count=1),
    "rising_topics": lambda a: rising_topics(a, doc_topics_of(a), focus="2024-01-15..2024-01-31"),
}

EXPECTED_COLUMNS = {
    "article_counts": ["period", "group", "n"],
    "term_trends": ["period", "term", "count", "n_articles", "share", "per_10k_words",
                    "partial_period", "no_data"],
    "topic_trends": ["period", "topic_id", "count", "n_articles", "share", "partial_period",
                     "no_data"],
    "detect_bursts": ["term", "start", "end", "peak", "weight", "n_articles", "headlines"],
    "rising_terms": ["term", "count_focus", "count_baseline", "share_focus", "share_baseline",
                     "g2", "log_ratio", "direction", "is_new"],
    "rising_topics": ["topic_id", "count_focus", "count_baseline", "share_focus",
                      "share_baseline", "g2", "log_ratio", "direction", "is_new"],
}


def check_dtypes(frame: pd.DataFrame, tz: str = TZ) -> None:
    """Text columns are string[pyarrow], dates datetime64[ns, tz], nothing is a bare object."""
    dates = {"period", "start", "end", "peak", "published"}
    texts = {"term", "group", "direction", "article_id", "title", "field", "left", "match",
             "right", "source"}
    for column, dtype in frame.dtypes.items():
        if column in dates:
            assert dtype == pd.DatetimeTZDtype("ns", tz), (column, dtype)
        elif column in texts:
            assert dtype == STRING, (column, dtype)
        elif column == "headlines":
            assert dtype.kind == "O", (column, dtype)
        else:
            assert dtype.kind in "bif", (column, dtype)


# ---------------------------------------------------------------- a single string is one item


def test_a_string_of_terms_is_one_term_not_its_letters():
    articles = stream()
    trends_ = term_trends(articles, terms="ukrain*", freq="W")
    assert set(trends_["term"]) == {"ukrain*"}
    assert trends_["count"].sum() == 3
    pd.testing.assert_frame_equal(trends_, term_trends(articles, terms=["ukrain*"], freq="W"))
    assert set(detect_bursts(articles, terms="flood", freq="W", gamma=0.1)["term"]) == {"flood"}
    rising = rising_terms(articles, focus="2024-01-15..2024-01-21", terms="flood", min_count=1)
    assert rising["term"].tolist() == ["flood"]
    matrix, names = term_document_matrix(articles, terms="flood")
    assert names == ["flood"] and matrix.shape == (len(articles), 1)
    # languages too: "en" is English, not the languages "e" and "n".
    top = term_trends(articles, freq="W", top_n=5, languages="en")
    assert "the" not in set(top["term"])


# ---------------------------------------------------------------- searches cover what counts cover


@pytest.mark.parametrize("term", ["ukrain*", "flood", "calm", "human trafficking",
                                  "flood defence", "UKRAINE"])
def test_keyword_in_context_finds_the_articles_term_trends_counts(term):
    articles = stream()
    kwic = keyword_in_context(articles, term, width=10)
    counted = term_trends(articles, terms=[term], freq="W")["count"].sum()
    assert kwic["article_id"].nunique() == counted > 0


def test_keyword_in_context_searches_titles_and_says_where():
    kwic = keyword_in_context(stream(), "ukrain*", width=8)
    assert kwic[["article_id", "field", "match"]].values.tolist() == [
        ["s1", "title", "Ukraine"], ["s2", "text", "Ukraine"], ["s6", "title", "Ukrainian"]]
    assert kwic.loc[1, "left"] == "ened in " and kwic.loc[1, "right"] == "'s capit"
    headlines_only = stream().drop(columns="text")
    assert keyword_in_context(headlines_only, "ukrain*")["article_id"].tolist() == ["s1", "s6"]


@pytest.mark.corpus
def test_headline_stream_kwic_agrees_with_term_trends(corpus):
    # Read straight from the JSON (titles, Unix timestamps): independent of the loader.
    records = json.loads(corpus("fwd-news-headlines/headlines.json").read_text(encoding="utf-8"))
    headlines = pd.DataFrame({
        "article_id": [str(i) for i in range(len(records))],
        "title": pd.array([r["title"] for r in records], dtype=STRING),
        "text": pd.array([None] * len(records), dtype=STRING),
        "published": pd.to_datetime([r["timestamp"] for r in records], unit="s", utc=True),
    })
    kwic = keyword_in_context(headlines, "ukrain*")
    weekly = term_trends(headlines, terms="ukrain*", freq="W")
    mentions = headlines["title"].str.contains(r"(?<!\w)ukrain", case=False, regex=True)
    assert kwic["article_id"].nunique() == weekly["count"].sum() == mentions.sum() == 611
    assert set(kwic["field"]) == {"title"} and (kwic["match"].str.lower().str[:6] == "ukrain").all()
    check_dtypes(kwic, tz="UTC")
    check_dtypes(weekly, tz="UTC")


# ---------------------------------------------------------------- undated corpora and articles


@pytest.mark.parametrize("name", list(TREND_CALLS))
def test_a_corpus_without_dates_warns_and_gives_the_empty_frame(name):
    articles = undated(stream())
    with pytest.warns(UndatedArticlesWarning,
                      match=rf"^{name}: none of the 8 articles has a published date; "
                            "trends need dates"):
        result = TREND_CALLS[name](articles)
    assert result.empty
    assert result.columns.tolist() == EXPECTED_COLUMNS[name]
    check_dtypes(result)


@pytest.mark.parametrize("name", list(TREND_CALLS))
def test_undated_articles_left_out_are_counted_in_a_warning(name):
    articles = undated(stream(), [0, 7])
    with pytest.warns(UndatedArticlesWarning,
                      match=rf"^{name}: 2 of the 8 articles have no published date and are "
                            "left out$"):
        TREND_CALLS[name](articles)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # all dated: no warning at all
        TREND_CALLS[name](stream())


def test_left_out_articles_are_not_counted():
    with pytest.warns(UndatedArticlesWarning, match="1 of the 8 articles has no published date"):
        counts = article_counts(undated(stream(), [0]), freq="W", by=None)
    assert counts["n"].sum() == 7


# ---------------------------------------------------------------- errors that explain


@pytest.mark.parametrize("call", [
    lambda a: article_counts(a), lambda a: term_trends(a), lambda a: topic_trends(a, a),
    lambda a: rising_terms(a, focus="2024"), lambda a: rising_topics(a, a, focus="2024"),
    lambda a: detect_bursts(a), lambda a: keyword_in_context(a, "oil"),
    lambda a: term_document_matrix(a)])
def test_a_list_instead_of_a_dataframe_is_named(call):
    with pytest.raises(TypeError, match=r": articles must be a DataFrame \(e\.g\. from "
                                        r"load_articles\), got list$"):
        call(["Oil rose", "Oil fell"])


def test_a_missing_column_is_named_with_the_columns_there_are():
    articles = stream()
    with pytest.raises(KeyError) as caught:
        term_trends(articles, terms="flood", by="domain")
    message = str(caught.value)
    assert message.startswith("term_trends: by='domain' is not a column of articles")
    assert "'article_id', 'title', 'text', 'published', 'source'" in message
    with pytest.raises(ColumnNotFoundError, match="article_counts: by='domain'"):
        article_counts(articles, by="domain")
    with pytest.raises(ValueError, match=r"term_trends: articles has no 'published' column; its "
                                         r"columns are 'article_id', 'title'"):
        term_trends(articles.drop(columns=["published"]))
    with pytest.raises(ColumnNotFoundError, match="needs a 'title' or a 'text' column"):
        keyword_in_context(articles[["article_id", "published"]], "oil")
    with pytest.raises(ColumnNotFoundError, match="topic_trends: doc_topics has no 'topic_id'"):
        topic_trends(articles, articles[["article_id"]])
    with pytest.raises(TypeError, match=r"topic_trends: doc_topics must be a DataFrame "
                                        r"\(TopicModel\.doc_topics_\), got dict"):
        topic_trends(articles, {"s0": 1})
    with pytest.raises(ValueError, match="one topic per article; 1 article_id values repeat"):
        topic_trends(articles, pd.concat([doc_topics_of(articles), doc_topics_of(articles)[:1]]))
    with pytest.raises(TypeError, match="by must be one column name or None, got list"):
        term_trends(articles, by=["source", "title"])
    with pytest.raises(ValueError, match="by='term' would clash with the output column"):
        term_trends(articles.assign(term="x"), by="term")


@pytest.mark.parametrize(("focus", "expected"), [
    ("2024-01", ("2024-01-01", "2024-01-31")),
    ("2024", ("2024-01-01", "2024-12-31")),
    ("2024Q1", ("2024-01-01", "2024-03-31")),
    ("2024-01-15", ("2024-01-15", "2024-01-15")),
    ("2024-01-10..2024-01-16", ("2024-01-10", "2024-01-16")),
    (" 2024-01-10 .. 2024-01-16 ", ("2024-01-10", "2024-01-16")),
    ("2024-01..2024-01", ("2024-01-01", "2024-01-31")),
    (("2024-01", "2024-01"), ("2024-01-01", "2024-01-31")),
    (pd.Period("2024-01", "M"), ("2024-01-01", "2024-01-31")),
    ((pd.Timestamp("2024-01-10"), pd.Timestamp("2024-01-16")), ("2024-01-10", "2024-01-16")),
])
def test_focus_strings_mean_their_whole_period(focus, expected):
    published = stream()["published"]
    in_focus, _ = compared_windows(published, focus=focus)
    inside, _ = compared_windows(published, focus=expected)
    assert in_focus.tolist() == inside.tolist()


def test_focus_forms_month_range_and_open_ends():
    published = stream()["published"]
    in_focus, before = compared_windows(published, focus="2024-01-10..2024-01-16")
    assert in_focus.tolist() == [False, False, False, True, True, True, False, False]
    assert before.tolist() == [True, True, True, False, False, False, False, False]
    after, _ = compared_windows(published, focus=("2024-01-17", None))
    assert after.tolist() == [False] * 6 + [True, True]
    # A time of day is that instant; a date string is in the articles' zone.
    morning, _ = compared_windows(published, focus=("2024-01-16 09:30", "2024-01-16 09:30"))
    assert morning.tolist() == [False] * 5 + [True, False, False]
    rising = rising_terms(stream(), focus="2024-01-15..2024-01-21", min_count=1, terms="flood")
    assert rising[["count_focus", "count_baseline"]].values.tolist() == [[3, 0]]


@pytest.mark.parametrize(("focus", "error", "message"), [
    ("2024-13", ValueError, r"focus='2024-13': '2024-13' is not a date; focus must be a year "
                            r"'2022', a quarter '2022Q1', a month '2022-06', a day '2022-06-01', "
                            r"a range '2022-06-01\.\.2022-06-15'"),
    ("soon", ValueError, r"focus='soon': 'soon' is not a date; focus must be a year '2022'"),
    ("2024-01..2024-02..2024-03", ValueError,
     r"focus='2024-01\.\.2024-02\.\.2024-03' is not a date window; focus must be a year"),
    (("2024-01-20", "2024-01-10"), ValueError, r"focus=\('2024-01-20', '2024-01-10'\) ends "
                                               r"before it starts"),
    (2024, TypeError, r"focus must be a year '2022'.*; got int 2024"),
    (("2024-01-01", "2024-01-10", "2024-01-20"), TypeError, r"focus must be a year '2022'"),
    (("2024-01-01", 5), TypeError, r"focus=\('2024-01-01', 5\): int 5 is not a date; focus must"),
    ("2023-06", ValueError,
     r"rising_terms: focus='2023-06' holds no dated article; the dated "
     r"articles run from 2024-01-01 09:00 to 2024-01-24 16:00 \(Asia/Baku\)"),
    ("2024-01-01..2024-01-31", ValueError, r"the baseline \(everything before "
                                           r"focus='2024-01-01\.\.2024-01-31'\) holds no dated"),
])
def test_bad_focus_says_which_forms_are_accepted(focus, error, message):
    expected = message if message.startswith("rising_terms") else "^rising_terms: " + message
    with pytest.raises(error, match=expected):
        rising_terms(stream(), focus=focus, min_count=1)


def test_bad_baseline_is_named_too():
    with pytest.raises(ValueError, match=r"^rising_topics: baseline='last year': 'last year' is "
                                         "not a date; baseline must be a year"):
        rising_topics(stream(), doc_topics_of(stream()), focus="2024-01", baseline="last year")
    with pytest.raises(ValueError, match=r"compared_windows: focus='2024-1-99'"):
        compared_windows(stream()["published"], focus="2024-1-99")


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda a: keyword_in_context(a, "oil", width=-5), ValueError,
     "keyword_in_context: width must be a positive integer, got -5"),
    (lambda a: keyword_in_context(a, "oil", width=0), ValueError,
     "keyword_in_context: width must be a positive integer, got 0"),
    (lambda a: keyword_in_context(a, "oil", width="60"), TypeError,
     r"keyword_in_context: width must be a positive integer, got '60' \(str\)"),
    (lambda a: keyword_in_context(a, "oil", width=True), TypeError,
     r"keyword_in_context: width must be a positive integer, got True \(bool\)"),
    (lambda a: keyword_in_context(a, "oil", max_rows=0), ValueError,
     "keyword_in_context: max_rows must be a positive integer, got 0"),
    (lambda a: keyword_in_context(a, ["oil", "gas"]), TypeError,
     r"keyword_in_context: term must be a string \(a word, phrase or \* pattern\), got list"),
    (lambda a: keyword_in_context(a, " - "), ValueError,
     "keyword_in_context: term must be a word, phrase or \\* pattern; ' - ' has no letter"),
    (lambda a: term_trends(a, terms=["flood", 3]), TypeError,
     "term_trends: terms must be a string or a list of strings, got a list holding int 3"),
    (lambda a: term_trends(a, terms=[]), ValueError,
     "term_trends: terms is empty; give at least one term, or terms=None"),
    (lambda a: term_trends(a, terms={"flood": 1}), TypeError,
     "term_trends: terms must be a string or a list of strings, got dict"),
    (lambda a: term_trends(a, freq="fortnight"), ValueError,
     r"term_trends: freq must be one of 'D' \(days\), 'W' \(weeks from Monday\), 'M' \(months\), "
     r"'Q' \(quarters\), 'Y' \(years\) or 'MS', 'QS', 'YS'; got 'fortnight'"),
    (lambda a: article_counts(a, freq=7), TypeError, "article_counts: freq must be one of"),
    (lambda a: topic_trends(a, doc_topics_of(a), freq="week"), ValueError,
     "topic_trends: freq must be one of"),
    (lambda a: detect_bursts(a, freq="H"), ValueError, "detect_bursts: freq must be one of"),
    (lambda a: term_trends(a, top_n=0), ValueError,
     "term_trends: top_n must be a positive integer, got 0"),
    (lambda a: term_trends(a, languages="english"), ValueError,
     "term_trends: languages must be codes with a stopword list, one of 'az', 'de', 'en'"),
    (lambda a: article_counts(a, top=2.5), TypeError,
     r"article_counts: top must be a positive integer, got 2\.5 \(float\)"),
    (lambda a: rising_terms(a, focus="2024-01-15..2024-01-31", min_count=-1), ValueError,
     "rising_terms: min_count must be a non-negative integer, got -1"),
    (lambda a: detect_bursts(a, s=1), ValueError,
     "detect_bursts: s must be a number greater than 1, got 1"),
    (lambda a: detect_bursts(a, gamma=-0.5), ValueError,
     "detect_bursts: gamma must be a number of at least 0, got -0.5"),
    (lambda a: detect_bursts(a, gamma="high"), TypeError,
     r"detect_bursts: gamma must be a number of at least 0, got 'high' \(str\)"),
    (lambda a: detect_bursts(a, n_headlines=-1), ValueError,
     "detect_bursts: n_headlines must be a non-negative integer, got -1"),
    (lambda a: term_document_matrix(a, binary="yes"), TypeError,
     "term_document_matrix: binary must be True or False, got 'yes'"),
    (lambda a: term_trends(a.assign(published=a["published"].dt.strftime("%Y-%m-%d"))),
     TypeError, r"term_trends: articles\['published'\] must hold datetimes \(datetime64\), "
                r"got str values such as '2024-01-01'; parse them first"),
    (lambda a: period_grid(a["published"], freq="fortnight"), ValueError,
     "period_grid: freq must be one of"),
    (lambda a: burst_states(np.array([[1], [2]]), np.array([5])), ValueError,
     "burst_states: counts has 2 periods but totals has 1"),
    (lambda a: burst_states(np.array([[6], [2]]), np.array([5, 5])), ValueError,
     "burst_states: a count exceeds its period's total"),
    (lambda a: burst_states(np.array([[1], [2]]), np.array([5, 5]), s=0.5), ValueError,
     "burst_states: s must be a number greater than 1, got 0.5"),
])
def test_bad_arguments_are_explained_in_the_callers_words(call, error, message):
    with pytest.raises(error, match="^" + message):
        call(stream())


def test_arguments_are_checked_before_data_is_touched():
    articles = stream()
    before = articles.copy()
    with pytest.raises(ValueError, match="width"):
        keyword_in_context(undated(articles), "flood", width=-1)
    with pytest.raises(ValueError, match="freq"):
        term_trends(undated(articles), freq="fortnight")  # no warning first: the error
    pd.testing.assert_frame_equal(articles, before)


# ---------------------------------------------------------------- documented


def _public_functions():
    for module in (trends, bursts, periods):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                yield pytest.param(obj, id=f"{module.__name__}.{name}")


def _section(doc: str, title: str) -> str:
    """Return one numpydoc section of a docstring (the text up to the next section)."""
    doc = inspect.cleandoc(doc)
    match = re.search(rf"^{title}\n-+\n(.*?)(?=^\w[\w ]*\n-+\n|\Z)", doc, re.S | re.M)
    return match.group(1) if match else ""


@pytest.mark.parametrize("function", list(_public_functions()))
def test_every_public_function_has_parameters_returns_and_examples(function):
    doc = function.__doc__ or ""
    parameters = _section(doc, "Parameters")
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.kind is not inspect.Parameter.VAR_KEYWORD:
            assert re.search(rf"^(\w+, )*{name}\b.*$", parameters, re.M), (function, name)
    assert _section(doc, "Returns").strip(), function
    assert ">>> " in _section(doc, "Examples"), function


@pytest.mark.parametrize("name", list(TREND_CALLS) + ["keyword_in_context"])
def test_returns_sections_name_every_output_column(name):
    function = getattr(trends, name, None) or getattr(bursts, name)
    call = TREND_CALLS.get(name, lambda a: keyword_in_context(a, "flood"))
    returns = _section(function.__doc__, "Returns")
    for column in call(stream()).columns:
        assert f"``{column}``" in returns, (name, column)


# ---------------------------------------------------------------- one set of dtypes


@pytest.mark.parametrize("unit", ["s", "us", "ns"])
@pytest.mark.parametrize("name", list(TREND_CALLS) + ["keyword_in_context", "by_source"])
def test_every_frame_has_string_pyarrow_text_and_ns_tz_aware_dates(name, unit):
    articles = stream(unit=unit)
    call = {"keyword_in_context": lambda a: keyword_in_context(a, "flood"),
            "by_source": lambda a: term_trends(a, terms="flood", by="source"),
            }.get(name) or TREND_CALLS[name]
    result = call(articles)
    assert len(result)
    check_dtypes(result)
    assert str(articles["published"].dtype) == f"datetime64[{unit}, {TZ}]"  # input untouched


def test_empty_results_keep_the_dtypes():
    articles = stream()
    check_dtypes(keyword_in_context(articles, "zebra"))
    check_dtypes(detect_bursts(articles, terms="zebra", freq="W"))
    assert keyword_in_context(articles, "zebra").columns.tolist() == [
        "article_id", "published", "title", "field", "left", "match", "right"]


def test_tz_naive_dates_are_read_as_utc():
    articles = stream().assign(published=stream()["published"].dt.tz_localize(None))
    result = term_trends(articles, terms="flood", freq="W")
    assert result["period"].dtype == pd.DatetimeTZDtype("ns", "UTC")
    assert period_grid(articles["published"]).starts.dtype == pd.DatetimeTZDtype("ns", "UTC")
