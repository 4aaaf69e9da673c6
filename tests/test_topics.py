"""Topic clusters: contract, determinism, labels, stable ids, hierarchy; tiny and real corpora."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis import TopicModel, cli, fit_topics, load_articles, topic_hierarchy
from analysis.config import SAMPLE_DIR, shared_data_dir
from analysis.topic_terms import chrome_terms, stopword_set
from analysis.topics import (
    RESOLUTION_WEIGHT,
    align_topics,
    catch_all_topics,
    choose_k,
    k_grid,
    stability_curve,
)

SUBJECTS = {
    "football": ["the striker scored twice as the club won the league match",
                 "the coach praised the goalkeeper after the cup final penalty shootout",
                 "fans filled the stadium to watch the derby between rival clubs",
                 "the midfielder signed a new contract with the football club"],
    "energy": ["oil prices rose after opec agreed to cut crude output",
               "the pipeline will carry natural gas from the offshore field",
               "the refinery raised gasoline production as crude stocks fell",
               "energy ministers discussed oil exports and gas pipeline tariffs"],
    "health": ["doctors warned of a measles outbreak as vaccination rates fell",
               "the hospital opened a new ward for children with infections",
               "health officials urged parents to vaccinate children against measles",
               "nurses at the clinic treated patients with flu symptoms"],
}


def tiny_corpus(n_per_subject: int = 14, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for subject, sentences in SUBJECTS.items():
        for i in range(n_per_subject):
            picked = rng.choice(len(sentences), size=3, replace=False)
            body = ". ".join(sentences[j].capitalize() for j in picked) + "."
            rows.append({"article_id": f"{subject}-{i}", "title": sentences[picked[0]][:30],
                         "text": body, "label": subject})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def tiny():
    return tiny_corpus()


@pytest.fixture(scope="module")
def tiny_model(tiny):
    return fit_topics(tiny, k=3)


def purity(doc_topics: pd.DataFrame, labels: pd.Series) -> float:
    table = pd.crosstab(doc_topics["topic_id"].to_numpy(), labels.to_numpy())
    return table.max(axis=1).sum() / table.to_numpy().sum()


def test_every_article_gets_one_topic(tiny, tiny_model):
    doc_topics = tiny_model.doc_topics_
    assert doc_topics["article_id"].tolist() == tiny["article_id"].tolist()
    assert doc_topics["topic_id"].isin(tiny_model.topics_["topic_id"]).all()
    assert doc_topics["weight"].between(0.5, 1).all()  # every tiny-corpus text shares words
    assert purity(doc_topics, tiny["label"]) >= 0.95


def test_topics_frame_schema(tiny, tiny_model):
    topics = tiny_model.topics_
    assert list(topics.columns) == ["topic_id", "label", "size", "share", "cohesion",
                                    "is_catch_all", "top_terms", "representative"]
    assert topics["label"].dtype == "string[pyarrow]"
    assert not topics["is_catch_all"].any()
    assert topics["topic_id"].tolist() == [0, 1, 2]
    assert topics["size"].sum() == len(tiny)
    assert topics["size"].is_monotonic_decreasing
    assert np.isclose(topics["share"].sum(), 1, atol=1e-3)
    for row in topics.itertuples():
        assert len(row.top_terms) == len(set(row.top_terms)) > 3
        members = set(tiny_model.doc_topics_.loc[tiny_model.doc_topics_["topic_id"]
                                                 == row.topic_id, "article_id"])
        assert set(row.representative) <= members


def test_same_input_same_topics(tiny, tiny_model):
    again = fit_topics(tiny, k=3)
    pd.testing.assert_frame_equal(again.doc_topics_, tiny_model.doc_topics_)
    pd.testing.assert_frame_equal(again.topics_, tiny_model.topics_)


def test_transform_assigns_new_articles(tiny_model):
    new = pd.DataFrame({"article_id": ["n1"], "title": ["Measles"],
                        "text": ["Doctors and nurses at the hospital treated children with "
                                 "measles after vaccination rates fell."]})
    health = tiny_model.doc_topics_.loc[
        tiny_model.doc_topics_["article_id"] == "health-0", "topic_id"].iloc[0]
    assigned = tiny_model.transform(new)
    assert assigned.loc[0, "topic_id"] == health
    assert list(assigned.columns) == list(tiny_model.doc_topics_.columns)


def test_sklearn_contract(tiny):
    model = TopicModel(k=3, random_state=7)
    assert model.get_params()["random_state"] == 7
    assert not hasattr(model, "topics_")
    doc_topics = model.fit_transform(tiny)
    assert doc_topics is model.doc_topics_
    with pytest.raises(ValueError, match="method"):
        TopicModel(method="lda").fit(tiny)
    with pytest.raises(ValueError, match="k must be"):
        TopicModel(k=1).fit(tiny)


def test_nmf_method_also_assigns_everything(tiny):
    model = fit_topics(tiny, k=3, method="nmf")
    assert len(model.doc_topics_) == len(tiny)
    assert purity(model.doc_topics_, tiny["label"]) >= 0.9


def test_fit_does_not_touch_the_callers_frame(tiny):
    before = tiny.copy()
    fit_topics(tiny, k=3)
    pd.testing.assert_frame_equal(tiny, before)


def test_hierarchy_merges_all_topics(tiny_model):
    tree = topic_hierarchy(tiny_model)
    assert len(tree) == 2
    assert tree["topic_ids"].iloc[-1] == [0, 1, 2]
    assert tree["size"].iloc[-1] == tiny_model.topics_["size"].sum()
    assert tree["distance"].is_monotonic_increasing


def test_choose_k_pays_for_resolution_but_not_for_a_plateau():
    # A heterogeneous corpus: the split by source (k=3) is the most stable,
    # but 20 topics are nearly as reproducible, and finer ones no better.
    curve = pd.DataFrame({"k": [3, 5, 10, 20, 30, 40],
                          "stability": [0.99, 0.80, 0.78, 0.90, 0.86, 0.85]})
    curve["score"] = (curve["stability"] + RESOLUTION_WEIGHT * np.log(curve["k"])).round(3)
    assert choose_k(curve) == 20
    # One dominant structure wins outright.
    curve.loc[curve["k"] == 5, "stability"] = 0.99
    curve["score"] = (curve["stability"] + RESOLUTION_WEIGHT * np.log(curve["k"])).round(3)
    assert choose_k(curve) == 5
    # No tolerance: the best score, even if finer.
    assert choose_k(curve, tolerance=0.0) == int(curve.loc[curve["score"].idxmax(), "k"])


def test_k_grid_covers_the_range_with_growing_steps():
    grid = k_grid(5, 40)
    assert grid[0] == 5 and grid[-1] == 40
    assert grid == sorted(set(grid))
    assert grid[:6] == [5, 6, 7, 8, 9, 10]
    assert all(b - a > 1 for a, b in zip(grid[6:-2], grid[7:-1], strict=True))
    with pytest.raises(ValueError, match="low <= high"):
        k_grid(10, 5)


def test_stability_curve_finds_well_separated_groups():
    rng = np.random.default_rng(0)
    blobs = np.repeat(np.eye(4), 50, axis=0) + rng.normal(0, 0.05, (200, 4))
    curve = stability_curve(blobs, [2, 3, 4, 5, 6], n_pairs=3)
    assert curve.set_index("k")["stability"][4] == 1.0
    assert choose_k(curve) == 4


def test_stability_curve_is_the_same_on_any_number_of_threads():
    rng = np.random.default_rng(1)
    blobs = np.repeat(np.eye(4), 60, axis=0) + rng.normal(0, 0.3, (240, 4))
    one = stability_curve(blobs, [2, 3, 4, 5, 6], n_pairs=4, n_jobs=1)
    assert one.equals(stability_curve(blobs, [2, 3, 4, 5, 6], n_pairs=4, n_jobs=2))
    assert one["stability"].nunique() > 1  # a curve, not a constant that would match anyway


def test_alignment_keeps_ids_and_gives_fresh_ones():
    old = pd.DataFrame({"topic_id": [0, 3, 7],
                        "top_terms": [["oil", "opec", "crude"], ["goal", "match", "club"],
                                      ["vote", "poll", "party"]]})
    new_terms = [["match", "goal", "striker"], ["measles", "vaccine"], ["crude", "oil", "gas"]]
    aligned = align_topics(new_terms, old)
    assert aligned["topic_id"].tolist() == [3, 8, 0]
    assert aligned["matched"].tolist() == [True, False, True]
    assert aligned["previous_topic_id"].isna().tolist() == [False, True, False]


def test_previous_model_ids_survive_a_refit(tiny, tiny_model):
    shuffled = tiny.sample(frac=1, random_state=1).reset_index(drop=True)
    refit = fit_topics(shuffled, k=3, previous=tiny_model)
    assert refit.alignment_["matched"].all()
    old = tiny_model.doc_topics_.set_index("article_id")["topic_id"]
    new = refit.doc_topics_.set_index("article_id")["topic_id"]
    assert (old.sort_index() == new.sort_index()).mean() >= 0.95


def test_sample_corpus_topics_are_clean_and_cover_duplicates():
    articles = load_articles(SAMPLE_DIR, cache=False, progress=False)
    model = fit_topics(articles)
    assert model.k_selection_["chosen"].sum() == 1
    chosen = model.k_selection_.loc[model.k_selection_["chosen"], "k"].item()
    # A cluster the final classifier gives no article is dropped (documented), never left empty.
    assert chosen - 1 <= len(model.topics_) <= chosen
    assert (model.topics_["size"] > 0).all()
    doc_topics = model.doc_topics_.set_index("article_id")["topic_id"]
    assert len(doc_topics) == len(articles)
    copies = articles[articles["duplicate_of"].notna()]
    assert len(copies) >= 4
    for copy, original in zip(copies["article_id"], copies["duplicate_of"], strict=True):
        assert doc_topics[copy] == doc_topics[original]
    assert_clean_terms(model)


def assert_clean_terms(model: TopicModel) -> None:
    stopwords = stopword_set(("en", "ru", "tr", "az"))
    chrome = chrome_terms()
    for row in model.topics_.itertuples():
        for term in [*row.top_terms[:10], *row.label.split(" · ")]:
            words = term.split()
            assert not any(w in stopwords for w in words), term
            assert not re.search(r"\d", term), term
            assert term not in chrome and not any(w in chrome for w in words), term
            assert all(len(w) > 1 for w in words), term


# ---------------------------------------------------------------- real corpus: BBC


@pytest.fixture(scope="module")
def bbc(corpus):
    articles = load_articles(corpus("bbc-fulltext.tar.gz"), fmt="bbc", cache=False,
                             progress=False)
    return articles


@pytest.fixture(scope="module")
def bbc_model(bbc):
    return fit_topics(bbc, k=5)


@pytest.mark.corpus
def test_bbc_topics_match_the_editors_sections(bbc, bbc_model):
    assert purity(bbc_model.doc_topics_, bbc["label"]) >= 0.9
    assert len(bbc_model.doc_topics_) == len(bbc)
    assert_clean_terms(bbc_model)


@pytest.mark.corpus
def test_bbc_two_fits_write_identical_doc_topics(tmp_path, corpus):
    # One thread and two: the clusterings shared between threads give the same topics.
    source = str(corpus("bbc-fulltext.tar.gz"))
    outputs = []
    for run, jobs in (("a", "1"), ("b", "2")):
        status = cli.main(["topics", source, "--format", "bbc", "--k", "5", "--out",
                           str(tmp_path / run), "--quiet", "--jobs", jobs])
        assert status == 0
        outputs.append((tmp_path / run / "doc_topics.csv").read_bytes())
    assert outputs[0] == outputs[1] and outputs[0].startswith(b"id,topic\n")
    terms = pd.read_csv(tmp_path / "a" / "topics.csv")
    assert list(terms.columns) == ["topic", "rank", "term"]
    assert terms.groupby("topic")["rank"].max().eq(25).all()


@pytest.mark.corpus
def test_bbc_refit_on_more_data_keeps_matched_ids(bbc, bbc_model):
    part = bbc.sample(frac=0.9, random_state=0).sort_index()
    first = fit_topics(part, k=5, random_state=1)
    second = fit_topics(bbc, k=5, random_state=2, previous=first)
    aligned = second.alignment_
    assert aligned["matched"].all()
    assert sorted(aligned["topic_id"]) == sorted(first.topics_["topic_id"])
    before = first.doc_topics_.set_index("article_id")["topic_id"]
    after = second.doc_topics_.set_index("article_id")["topic_id"].loc[before.index]
    assert (before == after).mean() >= 0.9


def test_embeddings_method_gives_the_same_outputs(tiny):
    pytest.importorskip("wordllama", reason="the embeddings extra is not installed")
    model = fit_topics(tiny, k=3, method="embeddings")
    assert list(model.doc_topics_.columns) == ["article_id", "topic_id", "weight",
                                               "second_topic_id", "is_mixed"]
    assert purity(model.doc_topics_, tiny["label"]) >= 0.9
    again = fit_topics(tiny, k=3, method="embeddings")
    pd.testing.assert_frame_equal(model.doc_topics_, again.doc_topics_)



def test_transform_on_training_articles_equals_doc_topics(tiny, tiny_model):
    pd.testing.assert_frame_equal(tiny_model.transform(tiny), tiny_model.doc_topics_)


def test_duplicate_chains_take_the_root_topic(tiny):
    chained = tiny.assign(duplicate_of=pd.NA)
    chained.loc[1, ["text", "duplicate_of"]] = [tiny.loc[0, "text"], tiny.loc[0, "article_id"]]
    chained.loc[2, ["text", "duplicate_of"]] = [tiny.loc[0, "text"], tiny.loc[1, "article_id"]]
    model = fit_topics(chained, k=3)
    topics = model.doc_topics_.set_index("article_id")["topic_id"]
    ids = tiny["article_id"]
    assert topics[ids[2]] == topics[ids[1]] == topics[ids[0]]
    assert len(model.doc_topics_) == len(tiny)


def test_small_and_degenerate_inputs_fail_clearly(tiny):
    four = tiny.iloc[[0, 1, 20, 30]]
    assert len(fit_topics(four, k=2).doc_topics_) == 4
    empty = tiny.assign(text="", title="")
    with pytest.raises(ValueError, match="no usable words"):
        fit_topics(empty, k=2)
    with pytest.raises(ValueError, match="article_id must be unique"):
        fit_topics(pd.concat([tiny, tiny.iloc[[0]]]), k=2)
    with pytest.raises(ValueError, match="languages"):
        fit_topics(tiny, k=2, languages="en")


def test_nmf_never_leaves_an_empty_topic(tiny):
    model = fit_topics(tiny, k=15, method="nmf")
    assert (model.topics_["size"] > 0).all()
    assert len(topic_hierarchy(model)) == len(model.topics_) - 1


def test_turkish_dotted_capital_i_stays_in_the_word():
    from analysis.topic_terms import fold_case

    assert fold_case("İstanbul İŞ") == "istanbul iş"
    rows = [{"article_id": str(i), "title": "",
             "text": f"İstanbul borsası {w} İstanbul hisseleri yükseldi" if i % 2 else
                     f"Galatasaray maçı {w} futbol sezonu başladı"}
            for i, w in enumerate(["bir", "iki", "üç", "dört", "beş", "altı", "yedi", "sekiz"])]
    model = fit_topics(pd.DataFrame(rows), k=2, languages=("tr",))
    terms = {t for ts in model.topics_["top_terms"] for t in ts}
    assert "istanbul" in terms and "stanbul" not in terms


def test_aligning_a_fit_equals_fitting_with_previous(tiny, tiny_model):
    # Earlier ids shifted, and one earlier topic gone, so a fresh id is needed too.
    previous = tiny_model.topics_.assign(topic_id=tiny_model.topics_["topic_id"] * 3 + 7)[1:]
    fitted = fit_topics(tiny, k=tiny_model.topics_.shape[0], previous=previous)
    aligned = tiny_model.aligned_to(previous)
    assert not aligned.topics_["topic_id"].equals(tiny_model.topics_["topic_id"])
    for name in ("topics_", "doc_topics_", "alignment_"):
        assert getattr(aligned, name).equals(getattr(fitted, name)), name
    assert aligned.topic_ids_.tolist() == fitted.topic_ids_.tolist()
    assert aligned.transform(tiny).equals(fitted.transform(tiny))
    assert tiny_model.alignment_ is None  # the original model is left as it was


@pytest.mark.corpus
def test_topics_read_from_the_term_index_are_the_same(bbc, bbc_model, monkeypatch):
    import pickle

    from analysis.index import build_index
    from tests.test_topic_vectors import _texts_refused

    index = build_index(bbc, min_df=2)
    with monkeypatch.context() as patch:
        _texts_refused(patch)
        model = fit_topics(bbc, k=5, index=index)
    for name in ("topics_", "doc_topics_"):
        assert getattr(model, name).equals(getattr(bbc_model, name)), name
    assert pickle.loads(pickle.dumps(model)).index is None  # the index is not carried along
    with pytest.raises(ValueError, match="built from 2225 articles, not these 2000"):
        fit_topics(bbc.iloc[:2000], k=5, index=index)


def test_clone_keeps_previous_topics(tiny, tiny_model):
    from sklearn.base import clone

    model = clone(TopicModel(k=3, previous=tiny_model.topics_)).fit(tiny)
    assert model.alignment_["matched"].all()


def test_cli_previous_keeps_ids_and_checks_the_folder(tmp_path):
    first, second = tmp_path / "v1", tmp_path / "v2"
    assert cli.main(["topics", str(SAMPLE_DIR), "--k", "6", "--out", str(first),
                     "--quiet"]) == 0
    assert cli.main(["topics", str(SAMPLE_DIR), "--k", "7", "--seed", "3", "--out",
                     str(second), "--previous", str(first), "--quiet"]) == 0
    old = pd.read_parquet(first / "topics.parquet").set_index("topic_id")["top_terms"]
    new = pd.read_parquet(second / "topics.parquet").set_index("topic_id")["top_terms"]
    shared = old.index.intersection(new.index)
    assert len(shared) >= 4 and set(new.index) - set(old.index)
    for topic in shared:  # a kept id names a topic about the same things
        assert set(old[topic][:10]) & set(new[topic][:10])
    assert cli.main(["topics", str(SAMPLE_DIR), "--out", str(tmp_path / "v3"), "--previous",
                     str(tmp_path / "nothing"), "--quiet"]) == 2


def test_final_labels_survive_a_topic_missing_from_the_classifier_sample(tiny, monkeypatch):
    # On large corpora the final classifier trains on a sample, which can miss
    # a small topic: its classes are then not 0..m-1 (mix of corpora, k=21).
    from analysis import topic_vectors, topics
    from analysis.topic_terms import article_texts

    counts, vectorizer = topic_vectors.text_word_counts(article_texts(tiny), stop_words=[],
                                                        min_df=1, max_df=1.0)
    rep = topics._Representation(counts, vectorizer, random_state=0)
    labels = tiny["label"].factorize(sort=True)[0] + 1
    sample = np.sort(np.random.default_rng(0).choice(len(labels), len(labels) - 5,
                                                      replace=False))
    lone = int(np.setdiff1d(np.arange(len(labels)), sample)[0])
    labels[lone] = 0  # alone in topic 0, and not in the classifier's sample
    monkeypatch.setattr(topics, "_MAX_SELF_TRAIN", len(labels) - 5)
    model = topics.TopicModel(k=3)
    final = model._final_labels(rep, labels)
    assert final.min() == 0 and len(final) == len(labels)
    assert (model.label_map_[topics.predict_topics(model.classifier_, rep.X)] == final).all()


# ------------------------------------------------------------------ issue 10: no silent answers


def test_fit_topics_explains_wrong_input(tiny):
    with pytest.raises(TypeError, match="fit_topics: articles must be a DataFrame.*got list"):
        fit_topics(["oil prices rise", "vote count delayed"] * 4)
    with pytest.raises(TypeError, match="fit_topics"):
        fit_topics(tiny, nr_topics=5)  # a BERTopic habit: the error names the function called
    with pytest.raises(ValueError, match="k_range must be"):
        fit_topics(tiny, k_range=(10, 5))
    with pytest.raises(ValueError, match="method must be one of 'auto'"):
        fit_topics(tiny, method="lda")
    with pytest.raises(ValueError, match="lack columns \\['text'\\]; it has"):
        fit_topics(tiny.drop(columns="text"))


def test_fit_topics_documents_every_parameter_in_help():
    doc = fit_topics.__doc__
    for section in ("Parameters", "Returns", "Examples"):
        assert f"{section}\n    ---" in doc
    import inspect

    for name in inspect.signature(fit_topics).parameters:
        assert name in doc, name


def test_fit_topics_shows_progress_only_when_asked(tiny, capsys):
    fit_topics(tiny, k=3, progress=True)
    assert "topics" in capsys.readouterr().err
    fit_topics(tiny, k=3, progress=False)
    assert capsys.readouterr().err == ""


def test_catch_all_needs_size_and_looseness():
    shares = np.array([0.47, 0.09, 0.07, 0.06, 0.05, 0.05, 0.05, 0.05])
    loose = np.array([0.06, 0.12, 0.13, 0.20, 0.24, 0.24, 0.28, 0.30])
    assert catch_all_topics(shares, loose).tolist() == [True] + [False] * 7
    tight = loose.copy()
    tight[0] = 0.37  # big but tight, like Reuters earnings reports
    assert not catch_all_topics(shares, tight).any()
    even = np.full(8, 0.125)
    assert not catch_all_topics(even, loose).any()  # loose but not far larger


@pytest.mark.corpus
def test_headlines_get_usable_topics_and_an_honest_catch_all():
    path = shared_data_dir() / "fwd-news-headlines" / "headlines.json"
    if not path.exists():
        pytest.skip("headline stream not available")
    headlines = load_articles(path, cache=False, progress=False)
    sample = headlines.sample(4000, random_state=0).reset_index(drop=True)
    short = fit_topics(sample, k=13, progress=False)
    assert short.method_ == "embeddings"  # 5-15 words: TF-IDF vectors share too few words
    assert short.topics_["share"].max() < 0.3
    tfidf = fit_topics(sample, k=13, method="hybrid", progress=False)
    largest = tfidf.topics_.iloc[0]
    assert largest["share"] > 0.3 and largest["is_catch_all"]
    assert largest["label"].startswith("mixed: ")
    named = tfidf.topics_[~tfidf.topics_["is_catch_all"]]
    assert (named["label"].str.contains(" · ")).all()
