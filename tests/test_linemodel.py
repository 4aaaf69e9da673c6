"""The line model's wording, context and chain (analysis.linemodel)."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis.linemodel import (
    CONTEXT_FEATURES,
    VOCABULARY_FEATURES,
    LexicalScorer,
    StackedLineModel,
    char_ngrams,
    context_columns,
    lexical_columns,
    load_line_model,
    vocabulary_columns,
)
from analysis.textlines import FEATURES

REPO = Path(__file__).resolve().parents[1]


def test_ngrams_stay_inside_their_line_and_read_digits_alike():
    line, bucket, weight = char_ngrams(["Ab", "", "ab 1", "AB 7"], bits=16)
    # " ab ": 3 two-grams, 2 three-grams, 1 four-gram and 1 word; a blank
    # line none; " ab 0 ": 5 + 4 + 3 character n-grams, 2 words, 1 pair.
    assert np.bincount(line, minlength=4).tolist() == [7, 0, 15, 15]
    # Case and digits do not matter: "AB 7" is "ab 1".
    assert sorted(bucket[line == 2].tolist()) == sorted(bucket[line == 3].tolist())
    assert set(bucket[line == 0].tolist()) <= set(bucket[line == 2].tolist())
    assert ((bucket >= 0) & (bucket < 2 ** 16)).all()
    # Characters and words each weigh one over the root of their count.
    assert sorted(set(weight[line == 0].round(12).tolist())) == [round(1 / 6 ** 0.5, 12), 1.0]
    assert sorted(set(weight[line == 2].round(12).tolist())) == [
        round(1 / 12 ** 0.5, 12), round(1 / 3 ** 0.5, 12)]


def test_ngram_buckets_are_the_same_in_every_process():
    # Pinned: a salted or platform-dependent hash would change them, and
    # the shipped weights would then score other n-grams.
    line, bucket, _ = char_ngrams(["Oil"], bits=20)
    assert line.tolist() == [0] * 10  # " oil ": 4 + 3 + 2 character n-grams, 1 word
    assert bucket.tolist() == [826332, 502584, 742136, 144981, 328491, 129974, 1037770, 226988,
                               191791, 73321]


def test_a_nul_in_a_line_is_a_space_not_a_line_break():
    # Untrusted text: a NUL must not shift the later lines' scores.
    line, bucket, _ = char_ngrams(["a\0b", "cd"], bits=16)
    assert line.max() == 1
    assert sorted(bucket[line == 0].tolist()) == sorted(
        char_ngrams(["a b", "cd"], bits=16)[1][line == 0].tolist())
    assert LexicalScorer(np.ones(2 ** 16), 0.0, 16).predict_proba(["x\0y\0z", ""]).shape == (2,)


def test_ngrams_refuse_a_bucket_count_out_of_range():
    with pytest.raises(ValueError, match="bits must be between 1 and 32"):
        char_ngrams(["x"], bits=0)


def test_wording_score_is_the_trainers_sparse_product():
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import train_line_model
    finally:
        sys.path.remove(str(REPO / "scripts"))
    lines = ["Follow us on Twitter", "", "The council met on Monday and voted 7 to 2.",
             "Follow us on Twitter"]
    bits = train_line_model.LEXICAL_BITS
    coef = np.random.default_rng(1).normal(size=2 ** bits)
    scorer = LexicalScorer(coef, -0.25, bits)
    rows = train_line_model.ngram_matrix(lines)
    expected = 1 / (1 + np.exp(-(rows @ coef - 0.25)))
    got = scorer.predict_proba(lines)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert got[0] == got[3] and got[1] == 1 / (1 + np.exp(0.25))


def test_lexical_columns_read_the_neighbours():
    cols = lexical_columns(np.array([0.1, 0.5, 0.9]))
    assert cols[:, 0].tolist() == [0.1, 0.5, 0.9]
    assert cols[:, 1].tolist() == [0.0, 0.1, 0.5]  # the line above
    assert cols[:, 2].tolist() == [0.5, 0.9, 0.0]  # the line below
    assert cols[1, 3] == pytest.approx(0.5)  # mean of the others within two lines


def test_context_columns_place_a_line_among_sure_ones():
    p = np.array([0.1, 0.95, 0.3, 0.9, 0.05])
    cols = context_columns(p, np.array([2, 40, 3, 50, 2]))
    col = {name: cols[:, i] for i, name in enumerate(CONTEXT_FEATURES)}
    assert col["inside_sure_span"].tolist() == [0, 1, 1, 1, 0]
    assert col["p@-1"].tolist() == [0.0, 0.1, 0.95, 0.3, 0.9]
    assert col["p@+2"].tolist() == [0.3, 0.9, 0.05, 0.0, 0.0]
    assert np.expm1(col["sure_lines_above"][2]) == 1  # line 1 is sure, one line up
    assert np.expm1(col["sure_lines_below"][2]) == 1
    assert col["kept_words_before"][3] == pytest.approx(40 / 90)
    assert col["page_kept_share"][0] == pytest.approx(0.4)
    assert (col["p_page_max"] == 0.95).all()
    assert context_columns(np.zeros(0), np.zeros(0)).shape == (0, len(CONTEXT_FEATURES))


def test_vocabulary_columns_count_words_shared_with_sure_lines():
    lines = ["Die Brücke über die Elbe ist wieder offen",   # sure
             "Newsletter abonnieren",
             "Brücke: Verkehr rollt wieder über die Elbe",  # a subheading
             "Die Stadt hat die Brücke für 40 Millionen Euro saniert",  # sure
             "Spenden Spenden Spenden"]
    cols = vocabulary_columns(np.array([0.9, 0.2, 0.4, 0.85, 0.1]), lines)
    col = {name: cols[:, i] for i, name in enumerate(VOCABULARY_FEATURES)}
    # "brücke", "über", "elbe", "wieder", "offen": all but "offen" in other lines;
    # "brücke" is in the other sure line, "über"/"elbe"/"wieder" only in line 2.
    assert col["words_elsewhere"][0] == pytest.approx(4 / 5)
    assert col["words_in_sure_lines"][0] == pytest.approx(1 / 5)
    assert col["words_in_sure_lines"][1] == col["words_elsewhere"][1] == 0
    # "brücke", "verkehr", "rollt", "wieder", "über", "elbe": four in a sure line.
    assert col["words_in_sure_lines"][2] == pytest.approx(4 / 6)
    # A word repeated within its own line counts once, and not as elsewhere.
    assert col["words_elsewhere"][4] == 0 and col["words_in_sure_lines"][4] == 0
    assert vocabulary_columns(np.zeros(0), []).shape == (0, len(VOCABULARY_FEATURES))
    assert vocabulary_columns(np.array([0.9]), ["a b"]).tolist() == [[0.0, 0.0]]


def test_shipped_model_round_trips_through_json():
    model = load_line_model()
    again = StackedLineModel.from_json(json.loads(json.dumps(model.to_json())))
    x = np.random.default_rng(2).normal(size=(30, len(FEATURES)))
    lines = [f"Zeile {i}: Lesen Sie auch" if i % 3 else f"Paragraph {i} of the story."
             for i in range(30)]
    assert again.predict_proba(x, lines).tolist() == model.predict_proba(x, lines).tolist()
    assert again.threshold_keep == model.threshold_keep


def test_wording_tells_chrome_from_prose():
    # The shipped wording model alone, on lines of no page: in each language,
    # chrome phrases score below a sentence of news prose. (Across languages
    # the scores are not comparable: each language's share of article lines
    # in the training pages differs, and the trees read the score beside the
    # page's other lines.)
    scorer = load_line_model().lexical
    by_language = {
        "de": (["Lesen Sie auch", "Jetzt spenden", "Newsletter abonnieren"],
               "Die Regierung hat am Montag ein neues Gesetz beschlossen, das im Mai gilt."),
        "fr": (["À lire aussi", "Partager sur Facebook"],
               "Le gouvernement a annoncé mardi une hausse des prix de l'énergie."),
        "en": (["Follow us on Facebook", "Share this article"],
               "The council voted on Tuesday to close the bridge for repairs next month."),
    }
    for chrome, prose in by_language.values():
        assert scorer.predict_proba(chrome).max() < scorer.predict_proba([prose])[0]
