"""How texts are cut into words, and how given terms are counted in them.

The one tokenisation every stage shares (:mod:`analysis.index`,
:mod:`analysis.topics`, :mod:`analysis.trends`, :mod:`analysis.bursts`): an
article's text is its title and body (:func:`article_texts`), case folded by
:func:`fold_case`, and its words are the maximal runs of ``\\w``
(``_TOKEN``); phrases are words side by side. A user term is cut the same
way, ``*`` standing for any ending (:func:`_term_words`). Which words are
stopwords or site chrome is decided here too (:func:`stopword_set`,
:func:`chrome_terms`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from importlib import resources

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["STOPWORD_LANGUAGES", "article_texts", "chrome_terms", "fold_case", "stopword_set"]

# Words every news story uses, whatever its subject: reporting verbs, titles.
NEWS_FILLER = frozenset("""
said says say told added according mr mrs ms dr also would could new year years just like
people time make made way going want got week weeks month months today yesterday day days
reuter reuters inc corp co ltd per cent percent one two three four five first second last
""".split())

_LANGUAGE_NAMES = {"ru": "russian", "tr": "turkish", "de": "german", "fr": "french",
                   "es": "spanish", "uk": "ukrainian"}
#: Language codes :func:`stopword_set` knows.
STOPWORD_LANGUAGES = frozenset({"en", "az", *_LANGUAGE_NAMES})


def _package_list(name: str) -> frozenset[str]:
    text = resources.files("analysis").joinpath("stopwords", name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


@functools.cache
def stopword_set(languages: Sequence[str] = ("en", "ru", "tr", "az")) -> frozenset[str]:
    """Return stopwords for ``languages`` plus news filler words.

    English comes from scikit-learn, Russian and Turkish from the
    ``stop-words`` package, Azerbaijani from the list shipped with newsscope
    (no maintained library has one).

    Examples
    --------
    >>> words = stopword_set(("en", "ru", "tr", "az"))
    >>> all(w in words for w in ("the", "и", "ve", "üçün", "said"))
    True
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    from stop_words import get_stop_words

    words = set(NEWS_FILLER)
    for lang in languages:
        if lang == "en":
            words |= ENGLISH_STOP_WORDS
        elif lang == "az":
            words |= _package_list("az.txt")
        elif lang in _LANGUAGE_NAMES:
            words |= set(get_stop_words(_LANGUAGE_NAMES[lang]))
    return frozenset(w.casefold() for w in words)


@functools.cache
def chrome_terms() -> frozenset[str]:
    """Return words and phrases of site chrome that must never name a topic."""
    return _package_list("chrome.txt")


def fold_case(text: str) -> str:
    """Return ``text`` lower-cased without splitting Turkish words.

    ``"İ".lower()`` is "i" plus a combining dot, which is not a word
    character, so "İstanbul" would become the token "stanbul".

    Examples
    --------
    >>> fold_case("İstanbul'da İŞ")
    "istanbul'da iş"
    """
    return unicodedata.normalize("NFC", text.lower()).replace("i\u0307", "i")


def article_texts(articles: pd.DataFrame) -> list[str]:
    """Return the text each article is clustered on: title, blank line, body.

    Examples
    --------
    >>> article_texts(pd.DataFrame({"title": ["Oil", None], "text": ["Prices rose.", "Body"]}))
    ['Oil\\n\\nPrices rose.', 'Body']
    """
    texts: list[str] = []
    # A slice at a time: the whole body column as Python strings beside the
    # joined texts would hold the corpus twice more (gigabytes at a million).
    for start in range(0, len(articles), _TEXTS_AT_ONCE):
        part = articles.iloc[start:start + _TEXTS_AT_ONCE]
        bodies = part["text"].astype(object).where(part["text"].notna(), "")
        if "title" not in part:
            texts.extend(bodies)
            continue
        titles = part["title"].astype(object).where(part["title"].notna(), "")
        texts.extend(f"{t}\n\n{b}" if t else b for t, b in zip(titles, bodies, strict=True))
    return texts


_TEXTS_AT_ONCE = 50_000


_TOKEN = r"(?u)\b\w+\b"
_WORD = re.compile(_TOKEN)
_TERM_WORD = re.compile(r"[\w*]+")


def _trackable_words(words, languages) -> np.ndarray:
    """Return, for each word, whether a chosen trend term may contain it.

    Words of two or more letters only (no numbers), neither a stopword of
    ``languages`` nor site chrome; a phrase is trackable when its words are.

    Examples
    --------
    >>> _trackable_words(["oil", "the", "2024", "a", "price"], ("en",)).tolist()
    [True, False, False, False, True]
    """
    stopwords = stopword_set(tuple(languages))
    chrome = chrome_terms()
    return np.array([len(w) > 1 and w.isalpha() and w not in stopwords and w not in chrome
                     for w in words], dtype=bool)


def _sample_rows(n: int, size: int) -> np.ndarray:
    """Return the sorted rows of the seeded sample of ``size`` texts out of ``n`` that chooses
    the top terms of a large corpus (the same rows for the trends and the term index).

    Examples
    --------
    >>> _sample_rows(10, 3).tolist() == _sample_rows(10, 3).tolist()
    True
    """
    return np.sort(np.random.default_rng(0).choice(n, size, replace=False))


def _term_words(term: str) -> list[str]:
    """Return a user term's words as the texts are tokenised: ``\\w`` runs, ``*`` kept.

    Examples
    --------
    >>> _term_words("COVID-19"), _term_words("human traffick*"), _term_words(" - ")
    (['covid', '19'], ['human', 'traffick*'], [])
    """
    return _TERM_WORD.findall(fold_case(term))


def _term_pattern(term: str) -> str:
    """Return the regex over the space-joined vocabulary for a user term ("traffick*").

    Examples
    --------
    >>> bool(re.match(_term_pattern("Human traffick*"), "human trafficking"))
    True
    """
    parts = [re.escape(w).replace(r"\*", r"\w*") for w in _term_words(term)]
    return "^" + " ".join(parts) + "$"


def _given_terms(texts: list[str], terms: list[str]) -> tuple[sp.csr_matrix, list[str]]:
    """Return texts × terms occurrence counts of words, phrases and ``*`` patterns, and ``terms``.

    Examples
    --------
    >>> m, names = _given_terms(["Human trafficking", "traffickers"], ["traffick*", "human *"])
    >>> m.toarray().tolist()
    [[1, 1], [1, 0]]
    """
    keys = [" ".join(_term_words(t)) for t in terms]
    expansions: dict[str, list[str]] = {}
    patterns = [k for k in keys if "*" in k]
    if patterns:
        # Only patterns need the corpus vocabulary, and only at their own lengths.
        from sklearn.feature_extraction.text import CountVectorizer

        lengths = sorted({len(k.split()) for k in patterns})
        scan = CountVectorizer(preprocessor=fold_case, token_pattern=_TOKEN,
                               ngram_range=(lengths[0], lengths[-1]))
        try:
            vocabulary = scan.fit(texts).get_feature_names_out()
        except ValueError:
            vocabulary = np.array([], dtype=object)
        for key in patterns:
            regex = re.compile(_term_pattern(key))
            expansions[key] = [v for v in vocabulary if regex.match(v)]
    wanted = sorted({v for k in keys for v in (expansions[k] if k in expansions else [k])})
    if not wanted:
        return sp.csr_matrix((len(texts), len(terms)), dtype=np.int32), terms
    counts = _count_vocabulary(texts, wanted)
    # Vocabulary × terms 0/1 matrix: a pattern's column sums the words it
    # matches, and the product stays sparse however many articles there are.
    column = {v: j for j, v in enumerate(wanted)}
    pairs = [(column[v], t) for t, k in enumerate(keys)
             for v in (expansions[k] if k in expansions else [k])]
    rows, cols = zip(*pairs, strict=True)
    combine = sp.csr_matrix((np.ones(len(pairs), dtype=np.int32), (rows, cols)),
                            shape=(len(wanted), len(keys)))
    return (counts @ combine).tocsr(), terms


def _count_vocabulary(texts: list[str], vocabulary: list[str]) -> sp.csr_matrix:
    """Return texts × vocabulary occurrence counts for words and two-word phrases.

    Equivalent to a fixed-vocabulary ``CountVectorizer`` but forms only the
    bigrams whose first word starts a wanted phrase, which makes counting a
    few thousand terms over a million articles several times cheaper.
    Longer phrases fall back to scikit-learn.
    """
    if any(v.count(" ") > 1 for v in vocabulary):
        from sklearn.feature_extraction.text import CountVectorizer

        longest = max(v.count(" ") + 1 for v in vocabulary)
        vectorizer = CountVectorizer(preprocessor=fold_case, token_pattern=_TOKEN,
                                     ngram_range=(1, longest), vocabulary=vocabulary,
                                     dtype=np.int32)
        return vectorizer.transform(texts).tocsr()
    index = {v: j for j, v in enumerate(vocabulary)}
    unigrams = {v for v in vocabulary if " " not in v}
    starts = {v.split(" ")[0] for v in vocabulary if " " in v}
    indices: list[int] = []
    indptr = [0]
    for text in texts:
        tokens = _WORD.findall(fold_case(text))
        indices.extend(index[t] for t in tokens if t in unigrams)
        if starts:
            indices.extend(index[pair] for pair in
                           (f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)
                            if a in starts)
                           if pair in index)
        indptr.append(len(indices))
    matrix = sp.csr_matrix((np.ones(len(indices), dtype=np.int32), indices, indptr),
                           shape=(len(texts), len(vocabulary)))
    matrix.sum_duplicates()
    return matrix
