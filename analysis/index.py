"""One document–term index per corpus: every distinct text tokenised once, sliced by each stage.

Topics, term trends, bursts and rising terms all count words and two-word
phrases on the same texts. :func:`build_index` tokenises each distinct text
(title, blank line, body, as :func:`~analysis.topic_terms.article_texts`
makes it) once, into a sparse texts × terms count matrix; :meth:`TermIndex.columns`
and :meth:`TermIndex.top_terms` then answer what trends ask of the texts
with sparse algebra, and :func:`save_index` / :func:`load_index` keep the
index on disk between runs.

Tokens are exactly those of the trends' ``CountVectorizer(preprocessor=
fold_case, token_pattern=_TOKEN, ngram_range=(1, 2))``: the text is case
folded by :func:`~analysis.topic_terms.fold_case` and every run of
non-word characters (``\\W+``, Python's own Unicode classes, the complement
of ``_TOKEN``'s ``\\w``) becomes one space; pyarrow then only splits on that
space, so no second regex engine ever decides what a word is.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from analysis.cache import CacheWarning, _abandoned, mark_used
from analysis.cluster import n_workers, result, wait_all
from analysis.parallel import ordered_map
from analysis.shards import ShardedCounts, local_matrix
from analysis.tokens import (
    _given_terms,
    _sample_rows,
    _term_pattern,
    _term_words,
    _trackable_words,
    article_texts,
    fold_case,
)

__all__ = ["TOKENISER_VERSION", "TermIndex", "build_index", "save_index", "load_index",
           "prune_store"]

#: Changes whenever a text could be tokenised differently; caches are keyed by it.
TOKENISER_VERSION = "uni-bi-1"

# _TOKEN finds maximal runs of \w; replacing the complement's runs by one
# space leaves those runs, space-separated, with Python's \w deciding.
_NON_WORD = re.compile(r"\W+")
# The same for ASCII text, byte by byte: \w there is a letter, a digit or "_".
_ASCII_SPACED = bytes(b if chr(b).isalnum() or chr(b) == "_" else ord(" ")
                      for b in range(128)) + bytes(range(128, 256))

_CHUNK = 2_000  # texts per tokenising task (~100 MiB): bounds the memory of one task
# Fewer texts than this are tokenised in the caller: starting processes costs more.
_IN_CALLER = 2 * _CHUNK


@dataclass(frozen=True, eq=False)
class TermIndex:
    """Distinct texts × words and two-word phrases: occurrence counts and their labels.

    Columns are the words (``words``, sorted) and then the two-word phrases
    (``pairs``, sorted by first then second word, which is also their
    sorted order as ``"first second"`` strings, because a space sorts before
    every word character). Phrases are kept as word-number pairs rather than
    strings, which keeps a million-article index small; :attr:`vocabulary`
    spells every label out when wanted.

    Made by :func:`build_index`; :meth:`columns` counts given terms,
    :meth:`top_terms` chooses and counts the most frequent ones, :meth:`take`
    restricts the index to some articles.

    Attributes
    ----------
    codes : ndarray of int64, articles
        Each article's row among the distinct texts.
    copies : ndarray of float64, distinct texts
        Articles sharing each text.
    words : pyarrow.StringArray
        Every word of the corpus, sorted by code point (never pruned).
    pairs : ndarray of int32, phrases × 2
        Word numbers of each two-word phrase kept.
    counts : scipy.sparse.csr_matrix of int32, distinct texts × (words + phrases)
        Occurrences of each word and phrase in each text; built from texts
        held on a Dask cluster, an :class:`analysis.shards.ShardedCounts`
        left on its workers, from which the methods fetch only what they
        return (and :func:`save_index` refuses it).
    n_words : ndarray of int64, distinct texts
        Whitespace-separated words of each text (``len(text.split())``), the
        denominator of the trends' ``per_10k_words``.
    min_df : int
        Phrases in fewer articles than this were left out (words never are).
    version : str
        :data:`TOKENISER_VERSION` of the tokeniser that made the index.
    texts : analysis.remote.RemoteTexts or None
        Where the articles' texts are when the frame has none (they stay on
        a Dask cluster's workers): :meth:`columns` fetches the few it must
        count on the texts from there. Not stored by :func:`save_index`.

    Examples
    --------
    >>> arts = pd.DataFrame({"title": ["", "", ""],
    ...                      "text": ["Oil prices rose", "oil prices", "Oil prices rose"]})
    >>> index = build_index(arts, min_df=2)
    >>> index.codes.tolist(), index.copies.tolist()
    ([0, 1, 0], [2.0, 1.0])
    >>> index.vocabulary.tolist()
    ['oil', 'prices', 'rose', 'oil prices', 'prices rose']
    >>> m, names = index.columns(["oil prices", "pri*"])
    >>> m[index.codes].toarray().tolist()
    [[1, 1], [1, 1], [1, 1]]
    """

    codes: np.ndarray
    copies: np.ndarray
    words: pa.Array
    pairs: np.ndarray
    counts: sp.csr_matrix
    n_words: np.ndarray
    min_df: int = 1
    version: str = TOKENISER_VERSION
    texts: object = None

    @property
    def n_texts(self) -> int:
        """Number of distinct texts (rows of ``counts``)."""
        return self.counts.shape[0]

    @functools.cached_property
    def vocabulary(self) -> np.ndarray:
        """Return every column's label, words then phrases (object array; large for big corpora)."""
        words = self._word_array
        phrases = pc.binary_join_element_wise(self.words.take(pa.array(self.pairs[:, 0])),
                                              self.words.take(pa.array(self.pairs[:, 1])), " ")
        return np.concatenate([words, np.array(phrases.to_pylist(), dtype=object)])

    @functools.cached_property
    def _word_array(self) -> np.ndarray:
        return np.array(self.words.to_pylist(), dtype=object)

    @functools.cached_property
    def _pair_codes(self) -> np.ndarray:
        # Sorted, because pairs are: phrases are found by binary search.
        return self.pairs[:, 0].astype(np.int64) * len(self.words) + self.pairs[:, 1]

    def take(self, positions) -> TermIndex:
        """Return the index of some of the articles, as if built from them alone.

        Distinct texts keep the order in which the chosen articles first use
        them, as :func:`build_index` would number them, so trends' sampled
        choice of top terms is the same too. Words and phrases are kept
        (those the subset lacks count 0 everywhere).

        Parameters
        ----------
        positions : array of int or of bool
            Article positions (``np.flatnonzero(mask)``), or a boolean mask.

        Examples
        --------
        >>> arts = pd.DataFrame({"text": ["oil", "gas", "oil", "coal"]})
        >>> part = build_index(arts).take([2, 3])
        >>> part.codes.tolist(), part.copies.tolist(), part.n_texts
        ([0, 1], [1.0, 1.0], 2)
        """
        positions = np.asarray(positions)
        if positions.dtype == bool:
            positions = np.flatnonzero(positions)
        if len(positions) == len(self.codes) and np.array_equal(positions,
                                                                np.arange(len(self.codes))):
            # Every article, in order: the index itself (its texts are already
            # numbered by first use), without copying the counts of a large corpus.
            return self
        codes, used = pd.factorize(self.codes[positions])
        codes = codes.astype(np.int64)
        return TermIndex(codes=codes, copies=np.bincount(codes, minlength=len(used)).astype(
            np.float64), words=self.words, pairs=self.pairs, counts=self.counts[used],
            n_words=self.n_words[used], min_df=self.min_df, version=self.version,
            texts=None if self.texts is None else self.texts.take(positions))

    def binary_terms(self, positions, *, min_df: int) -> tuple[sp.csc_matrix, np.ndarray]:
        r"""Return which words and two-word phrases the articles at ``positions`` contain.

        The same matrix and labels as
        ``CountVectorizer(preprocessor=fold_case, token_pattern=r"(?u)\b\w+\b",
        ngram_range=(1, 2), binary=True, min_df=min_df, dtype=np.float64)``
        fitted on their texts (:func:`analysis.topic_terms.term_matrix`), with
        no text tokenised again. A phrase the index left out (rarer than its
        ``min_df``) cannot be in ``min_df`` of them, so ``min_df`` must be at
        least the index's.

        Parameters
        ----------
        positions : array of int
            Article positions; an article used twice is two rows.
        min_df : int
            Leave out terms found in fewer of these rows.

        Returns
        -------
        (scipy.sparse.csc_matrix of float64, ndarray of str)
            Rows × terms, 1.0 where a row's text holds the term; the terms in
            code-point order (words and phrases mixed, as the vectorizer sorts them).

        Examples
        --------
        >>> arts = pd.DataFrame({"text": ["Oil prices rose", "oil prices", "Gas"]})
        >>> B, terms = build_index(arts, min_df=1).binary_terms([0, 1], min_df=2)
        >>> terms.tolist(), B.toarray().tolist()
        (['oil', 'oil prices', 'prices'], [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
        """
        if min_df < self.min_df:
            raise ValueError(f"binary_terms: min_df={min_df} is below the index's "
                             f"min_df={self.min_df}, which left rarer phrases out")
        rows = local_matrix(self.counts[self.codes[np.asarray(positions, dtype=np.int64)]])
        df = np.bincount(rows.indices, minlength=rows.shape[1])
        kept = np.flatnonzero(df >= min_df)
        n_words = len(self.words)
        words = self.words.take(pa.array(kept[kept < n_words]))
        phrases = self.pairs[kept[kept >= n_words] - n_words]
        labels = pa.concat_arrays([words, pc.binary_join_element_wise(
            self.words.take(pa.array(phrases[:, 0])), self.words.take(pa.array(phrases[:, 1])),
            " ")])
        order = pc.sort_indices(labels).to_numpy()
        matrix = rows[:, kept[order]].tocsc()
        matrix.data = np.ones(len(matrix.data), dtype=np.float64)
        return matrix, np.array(labels.take(pa.array(order)).to_pylist(), dtype=object)

    def _word_columns(self, words: Sequence[str]) -> np.ndarray:
        """Return each word's column, -1 where the corpus lacks it."""
        found = pc.index_in(pa.array(list(words), type=pa.string()), value_set=self.words)
        return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)

    def _matching_words(self, word: str) -> np.ndarray:
        """Return the columns of the words a term word (``traffick*`` or plain) stands for."""
        if "*" not in word:
            found = self._word_columns([word])
            return found[found >= 0]
        # Words are sorted: those starting with the pattern's literal prefix are
        # one slice (U+10FFFF is never a word character), and only they are matched.
        prefix = word.split("*", 1)[0]
        lo, hi = np.searchsorted(self._word_array, [prefix, prefix + "\U0010ffff"])
        regex = re.compile(_term_pattern(word))
        return np.array([lo + j for j, w in enumerate(self._word_array[lo:hi]) if regex.match(w)],
                        dtype=np.int64)

    def _phrase_columns(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Return the columns of the kept phrases whose words are in ``first`` and ``second``."""
        if not len(first) or not len(second) or not len(self.pairs):
            return np.array([], dtype=np.int64)
        if len(first) * len(second) > 10_000:  # broad patterns: one pass over the phrases
            hit = np.isin(self.pairs[:, 0], first) & np.isin(self.pairs[:, 1], second)
            return len(self.words) + np.flatnonzero(hit)
        wanted = (first[:, None] * len(self.words) + second[None, :]).ravel()
        at = np.searchsorted(self._pair_codes, wanted)
        found = at < len(self._pair_codes)
        found[found] = self._pair_codes[at[found]] == wanted[found]
        return len(self.words) + np.sort(at[found])

    def columns(self, terms: Sequence[str], *, articles: pd.DataFrame | None = None
                ) -> tuple[sp.csr_matrix, list[str]]:
        """Return distinct texts × terms occurrence counts for words, phrases and ``*`` patterns.

        Counts equal trends' (``term_document_matrix(..., binary=False)``
        rows are ``matrix[index.codes]``): a pattern's column sums the words
        or phrases it matches. Phrases of three or more words, and two-word
        terms the index cannot settle because rare phrases were left out
        (``min_df`` > 1), are counted on the texts themselves, only on the
        texts holding all their words; those need ``articles``.

        Parameters
        ----------
        terms : list of str
            Words, phrases or ``*`` patterns, as trends take them.
        articles : DataFrame or None
            The articles the index was built from (same rows, same order).

        Returns
        -------
        matrix : scipy.sparse.csr_matrix of int32, distinct texts × terms
        names : list of str
            ``terms``, as given.

        Raises
        ------
        ValueError
            When a term needs the texts and ``articles`` is None.

        Examples
        --------
        >>> arts = pd.DataFrame({"text": ["Human trafficking rose", "Traffickers", "a b c"]})
        >>> index = build_index(arts)
        >>> m, names = index.columns(["traffick*", "human trafficking", "a b c"], articles=arts)
        >>> m[index.codes].toarray().tolist()
        [[1, 1, 0], [1, 0, 0], [0, 0, 1]]
        """
        terms = list(terms)
        pairs: list[tuple[int, int]] = []
        slow: list[int] = []
        for t, term in enumerate(terms):
            words = _term_words(term)
            matched = [self._matching_words(w) for w in words]
            if len(words) == 1:
                cols = matched[0]
            elif len(words) == 2 and self.min_df <= 1:
                cols = self._phrase_columns(*matched)
            elif len(words) == 2 and "*" not in term and len(self._phrase_columns(*matched)):
                cols = self._phrase_columns(*matched)  # kept, so it was never pruned
            else:
                slow.append(t)
                continue
            pairs.extend((int(c), t) for c in cols)
        # One vocabulary × terms 0/1 product: a pattern's column sums its words.
        rows, cols = (np.array(x, dtype=np.int64) for x in zip(*pairs, strict=True)) \
            if pairs else (np.array([], np.int64), np.array([], np.int64))
        combine = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)),
                                shape=(self.counts.shape[1], len(terms)))
        matrix = (self.counts @ combine).tocsr()
        for t in slow:
            found = self._counted_on_texts(terms[t], articles).tocoo()
            matrix = matrix + sp.csr_matrix(
                (found.data, (found.row, np.full(found.nnz, t))), shape=matrix.shape)
        matrix = sp.csr_matrix(matrix, dtype=np.int32)
        matrix.sort_indices()
        return matrix, terms

    def _candidate_rows(self, term: str) -> np.ndarray:
        """Return the texts that may hold ``term``: all its words, and its kept word pairs."""
        words = _term_words(term)
        matched = [self._matching_words(w) for w in words]
        groups = list(matched)
        for i in range(len(words) - 1):
            found = self._phrase_columns(matched[i], matched[i + 1])
            settled = self.min_df <= 1 or ("*" not in words[i] + words[i + 1] and len(found))
            if settled:  # the index holds every such phrase: the texts must too
                groups.append(found)
        if any(not len(g) for g in groups):
            return np.array([], dtype=np.int64)
        rows = np.concatenate(groups)
        cols = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
        combine = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)),
                                shape=(self.counts.shape[1], len(groups)))
        # One pass over the counts for all groups at once.
        present = (self.counts @ combine).tocsr()
        present.data = np.minimum(present.data, 1)
        return np.flatnonzero(np.asarray(present.sum(axis=1)).ravel() == len(groups))

    def _counted_on_texts(self, term: str, articles: pd.DataFrame | None) -> sp.csr_matrix:
        rows = self._candidate_rows(term)
        if not len(rows):
            return sp.csr_matrix((self.n_texts, 1), dtype=np.int32)
        _, first = np.unique(self.codes, return_index=True)
        if self.texts is not None and (articles is None or "text" not in articles):
            texts = self.texts(first[rows])  # on the cluster's workers: only these
        elif articles is None:
            raise ValueError(f"TermIndex.columns: {term!r} must be counted on the texts (a phrase "
                             "of 3+ words, or one the index left out as rare); pass articles=")
        elif len(articles) != len(self.codes):
            raise ValueError(f"TermIndex.columns: articles has {len(articles)} rows, the index "
                             f"was built from {len(self.codes)}")
        else:
            texts = _texts_of(articles.iloc[first[rows]])
        counts, _ = _given_terms(texts, [term])
        column = counts.tocoo()
        return sp.csr_matrix((column.data, (rows[column.row], column.col)),
                             shape=(self.n_texts, 1), dtype=np.int32)

    def top_terms(self, top_n: int, *, languages: Sequence[str],
                  sample: int | None = None) -> tuple[sp.csr_matrix, list[str]]:
        """Return the counts and labels of the ``top_n`` words and phrases in most articles.

        :meth:`top_columns`' choice, counted on every text.

        Examples
        --------
        >>> arts = pd.DataFrame({"text": ["the oil price", "oil price", "oil", "gas"]})
        >>> m, names = build_index(arts).top_terms(2, languages=["en"])
        >>> names, m.toarray().tolist()
        (['oil', 'oil price'], [[1, 1], [1, 1], [1, 0], [0, 0]])
        """
        chosen, names = self.top_columns(top_n, languages=languages, sample=sample)
        return self.counts[:, chosen].tocsr(), names

    def summed(self, weights: sp.spmatrix, columns: np.ndarray, *, binary: bool) -> np.ndarray:
        """Return ``weights @ counts[:, columns]``: groups × columns, as int64.

        With ``binary``, each text counts once whatever its count. On a
        cluster the sums are made where the counts are.

        Examples
        --------
        >>> index = build_index(pd.DataFrame({"text": ["oil oil gas", "oil", "gas"]}))
        >>> groups = sp.csr_matrix([[1, 1, 0], [0, 0, 2]])  # texts 0 and 1; twice text 2
        >>> index.summed(groups, index._word_columns(["oil", "gas"]), binary=True).tolist()
        [[2, 1], [0, 2]]
        """
        weights = sp.csr_matrix(weights, dtype=np.int64)
        if weights.shape[1] != self.n_texts:
            raise ValueError(f"TermIndex.summed: weights has {weights.shape[1]} columns for "
                             f"{self.n_texts} texts")
        columns = np.asarray(columns, dtype=np.int64)
        if not sp.issparse(self.counts):
            return self.counts.summed(weights, columns, binary=binary)
        part = sp.csr_matrix(self.counts[:, columns], dtype=np.int64)
        if binary:
            part.data = np.minimum(part.data, 1)
        return np.asarray((weights @ part).todense())

    def top_columns(self, top_n: int, *, languages: Sequence[str],
                    sample: int | None = None) -> tuple[np.ndarray, list[str]]:
        """Return the columns and labels of the ``top_n`` words and phrases in most articles.

        The trends' choice: stopwords (of ``languages``), site chrome, numbers
        and one-letter words left out, at least two articles, ties by name.

        Parameters
        ----------
        top_n : int
            How many terms.
        languages : list of str
            Stopword lists, as :func:`~analysis.topic_terms.stopword_set` takes them.
        sample : int or None
            Choose on this many distinct texts drawn as trends draw them
            (``50_000`` gives exactly the trends' choice on larger corpora);
            ``None``: on all texts.

        Returns
        -------
        columns : ndarray of int64
        names : list of str

        Examples
        --------
        >>> arts = pd.DataFrame({"text": ["the oil price", "oil price", "oil", "gas"]})
        >>> build_index(arts).top_columns(5, languages=["en"])[1]
        ['oil', 'oil price', 'price']
        """
        good = _trackable_words(self._word_array, languages)
        counts, copies = self.counts, self.copies
        if sample is not None and self.n_texts > sample:
            rows = _sample_rows(self.n_texts, sample)
            counts, copies = counts[rows], copies[rows]
        # Articles holding each column found (texts weighted by their copies),
        # in column order; on a cluster summed where the counts are.
        if sp.issparse(counts):
            df = np.bincount(counts.indices, weights=np.repeat(copies, np.diff(counts.indptr)),
                             minlength=counts.shape[1])
            columns = np.flatnonzero(df)
            df = df[columns]
        else:
            columns, df = counts.weighted_columns(copies)
        n = len(self.words)
        phrase = columns >= n
        allowed = np.empty(len(columns), dtype=bool)
        allowed[~phrase] = good[columns[~phrase]]
        pairs = self.pairs[columns[phrase] - n]
        allowed[phrase] = good[pairs[:, 0]] & good[pairs[:, 1]]
        kept = allowed & (df >= 2)
        columns, df = columns[kept], df[kept]
        # Columns are in name order within words and within phrases; the
        # final order by name is settled on the few chosen.
        order = np.argsort(-df, kind="stable")
        keep, df = columns[order], df[order]
        if len(keep) > top_n:
            within = df >= df[top_n - 1]  # all ties at the cut, then names decide
            keep, df = keep[within], df[within]
        names = self._labels(keep)
        order = sorted(range(len(keep)), key=lambda i: (-df[i], names[i]))[:top_n]
        chosen = keep[order]
        if self.min_df > 2 and (len(chosen) < top_n or df[order[-1]] < self.min_df):
            raise ValueError(f"TermIndex.top_terms: phrases in fewer than {self.min_df} articles "
                             "were left out and could be among the top terms; build the index "
                             "with min_df=2 or less")
        return chosen.astype(np.int64), [names[i] for i in order]

    def _labels(self, columns: np.ndarray) -> list[str]:
        words, n = self._word_array, len(self.words)
        return [words[j] if j < n else " ".join(words[w] for w in self.pairs[j - n])
                for j in columns]


def _texts_of(articles: pd.DataFrame) -> list[str]:
    """Return the texts trends tokenise (headline-only frames get an empty body)."""
    if "text" not in articles.columns:
        articles = articles.assign(text="")
    return article_texts(articles)


def _spaced(text: str) -> str:
    """Return ``text`` case folded with every run of non-word characters a space (or more)."""
    folded = fold_case(text)
    if folded.isascii():
        # bytes.translate runs in C, where the regex steps through every character.
        return folded.encode("ascii").translate(_ASCII_SPACED).decode("ascii")
    return _NON_WORD.sub(" ", folded)


def _tokenised_chunk(texts: list[str], copies: np.ndarray):
    """Return one chunk's words, phrase word pairs, counts and phrase document frequencies.

    Word numbers are local to the chunk; :func:`build_index` maps them to
    the corpus' sorted words.
    """
    split = pc.split_pattern(pa.array([_spaced(t) for t in texts], type=pa.large_string()), " ")
    lengths = pc.list_value_length(split).to_numpy().astype(np.int64)
    tokens = pc.list_flatten(split)
    # Runs of spaces (and a text's ends) split into empty strings: not words.
    keep = pc.greater(pc.binary_length(tokens), 0)
    tokens = tokens.filter(keep)
    encoded = tokens.dictionary_encode()
    # Words numbered in code-point order, as the corpus numbers them: then a
    # chunk's columns map to the corpus' in the same order, and each row of
    # the merged counts is already sorted (sorting 100k rows there took longer
    # than the rest of the merge).
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    words = encoded.dictionary.take(pa.array(order)).cast(pa.string())
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    ids = rank[encoded.indices.to_numpy()]
    doc = np.repeat(np.arange(len(texts)), lengths)[keep.to_numpy(zero_copy_only=False)]
    same = doc[1:] == doc[:-1]  # a phrase never spans two texts
    pair_codes = ids[:-1][same] * len(words) + ids[1:][same]
    pair_codes, phrase = np.unique(pair_codes, return_inverse=True)
    rows = np.concatenate([doc, doc[:-1][same]])
    cols = np.concatenate([ids, len(words) + phrase.ravel()])
    counts = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)),
                           shape=(len(texts), len(words) + len(pair_codes)))
    counts.sum_duplicates()
    # Counts are small numbers: held (and sent, and stored) in the smallest type that holds them.
    counts.data = _small(counts.data)
    pairs = np.stack([pair_codes // max(len(words), 1), pair_codes % max(len(words), 1)], axis=1)
    n_words = np.array([len(t.split()) for t in texts], dtype=np.int64)
    return (words, pairs.astype(np.int32), counts, _phrase_df(counts, len(words), copies),
            n_words)


def _small(data: np.ndarray) -> np.ndarray:
    """Return counts as uint8 or uint16 when they fit, else as they are."""
    top = int(data.max()) if len(data) else 0
    return data.astype(np.uint8) if top < 2**8 else data.astype(np.uint16) if top < 2**16 \
        else data


def _phrase_df(counts: sp.csr_matrix, n_local_words: int, copies: np.ndarray) -> np.ndarray:
    """Return the articles holding each of a chunk's phrases (its texts weighted by ``copies``).

    Weights are whole numbers, so the sums are exact in any order.
    """
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
    shared = np.flatnonzero(copies != 1)  # syndicated texts: few
    if len(shared):
        rows = counts[shared]
        df += np.bincount(rows.indices, weights=np.repeat(copies[shared] - 1,
                                                          np.diff(rows.indptr)),
                          minlength=counts.shape[1])
    return df[n_local_words:]


def build_index(articles: pd.DataFrame, *, min_df: int = 2, n_jobs: int = 1,
                progress: bool | None = None, client=None, fresh: bool = False,
                store: str | os.PathLike | None = None, texts=None) -> TermIndex:
    """Return the term index of ``articles``: each distinct text tokenised once.

    Parameters
    ----------
    articles : DataFrame
        Needs ``title`` and/or ``text`` (as :func:`analysis.load_articles` gives).
    min_df : int
        Leave out two-word phrases found in fewer articles than this
        (articles, not distinct texts: a syndicated text counts once per
        copy). Most phrases occur once, so 2 roughly halves the index;
        :meth:`TermIndex.columns` still counts any phrase exactly and
        :meth:`TermIndex.top_terms` needs 2 or less. Words are all kept.
    n_jobs : int
        Processes tokenising chunks of texts (at most one per chunk of
        texts); the index is the same for any value.
    progress : bool or None
        Show a progress bar; ``None`` shows it only on a terminal.
    client : distributed.Client, optional
        Tokenise the chunks on this Dask cluster's workers instead (see
        :mod:`analysis.cluster`); the counts are summed here, and the index
        is the same.
    fresh : bool
        Tokenise in new interpreters rather than forks of this process, for
        a caller that is large or has other threads running (see
        :func:`analysis.parallel.ordered_map`). The index is the same.
    store : path, optional
        A folder keeping each chunk of texts tokenised, under a key made of
        its texts: a corpus that grew by some files is tokenised only where
        it changed (see :func:`_chunk_spans`), and only the merge is done
        again. A chunk that cannot be read is tokenised again; one that
        cannot be written costs a :class:`~analysis.cache.CacheWarning`.
        The index is the same.
    texts : analysis.remote.RemoteTexts, optional
        The texts of ``articles``, kept on a Dask cluster's workers
        (:func:`analysis.remote.load_on_cluster`), for a frame without them:
        each chunk is tokenised there, on that cluster; only the tokenised
        chunks come here. The index is the same, and keeps ``texts``.

    Returns
    -------
    TermIndex

    Examples
    --------
    >>> index = build_index(pd.DataFrame({"title": ["İstanbul"], "text": ["U.S. covid-19"]}),
    ...                     min_df=1)
    >>> index.vocabulary.tolist()
    ['19', 'covid', 'istanbul', 's', 'u', 'covid 19', 'istanbul u', 's covid', 'u s']
    """
    from tqdm.auto import tqdm

    remote = texts
    if remote is not None:
        if len(remote) != len(articles):
            raise ValueError(f"build_index: texts holds {len(remote)} texts for {len(articles)} "
                             "articles")
        client = remote.client
        # Equal digests, equal texts: the same numbering as factorising the texts.
        codes, distinct = pd.factorize(remote.digests)
    else:
        texts = _texts_of(articles)
        codes, distinct = pd.factorize(pd.Series(texts, dtype=object))
        del texts
    # The distinct texts are made again chunk by chunk from their first
    # articles, so that a large corpus is never held twice while tokenised.
    _, first = np.unique(codes, return_index=True)
    if store is None:
        spans, keys = [(s, min(s + _CHUNK, len(first))) for s in range(0, len(first), _CHUNK)], None
    else:
        store = Path(store)
        spans, keys = _chunk_spans(list(distinct) if remote is not None
                                   else [_text_digest(t) for t in distinct])
    del distinct
    codes = codes.astype(np.int64)
    copies = np.bincount(codes, minlength=len(first)).astype(np.float64)
    if remote is not None:
        return _built_there(remote, codes, copies, first, spans, keys, store, min_df=min_df,
                            progress=progress)
    chunks: list = [None] * len(spans)
    if keys is not None:
        for i, ((start, end), key) in enumerate(zip(spans, keys, strict=True)):
            chunks[i] = _stored_chunk(store, key, copies[start:end])
    todo = [i for i, chunk in enumerate(chunks) if chunk is None]
    # On a cluster holding the texts, a task's texts are a future made there.
    tasks = (((_texts_of(articles.iloc[first[spans[i][0]:spans[i][1]]])
               if remote is None else remote.submit(first[spans[i][0]:spans[i][1]])),
              copies[spans[i][0]:spans[i][1]]) for i in todo)
    n_todo = sum(spans[i][1] - spans[i][0] for i in todo)
    # No more processes than chunks, and none for a few thousand texts (a
    # small corpus, or the chunks a grown one adds).
    n_jobs = min(n_workers(client) if client is not None else n_jobs, len(todo))
    if client is None and n_todo < _IN_CALLER:
        n_jobs = 1
    if progress is None:  # a terminal only: tqdm.auto's notebook widget ignores disable=None
        progress = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    unwritable = None
    with tqdm(total=len(first), desc="indexing", unit="text", disable=not progress,
              initial=len(first) - n_todo) as bar:
        for i, chunk in zip(todo, ordered_map(_tokenised_chunk, tasks, n_jobs=max(n_jobs, 1),
                                              client=client, fresh=fresh), strict=True):
            chunks[i] = chunk
            if keys is not None and unwritable is None:
                unwritable = _store_chunk(store, keys[i], chunk)
            bar.update(chunk[2].shape[0])
    if unwritable is not None:
        warnings.warn(f"cannot keep the tokenised texts in {store} ({unwritable}); "
                      "going on without them", CacheWarning, stacklevel=2)
    return _merged(chunks, codes, copies, min_df=min_df)


# ------------------------------------------------------------------ on a cluster
#
# With the texts on a cluster's workers (analysis.remote), the counts stay
# there too, block by block (analysis.shards): only the words, the phrase
# numbers kept and each text's length come here. Phrase frequencies are
# summed on the workers, split by phrase number into buckets, so no process
# holds every chunk's phrases at once.

#: Buckets of phrase numbers summed by separate tasks (the index does not depend on it).
_BUCKETS = 16


def _built_there(remote, codes: np.ndarray, copies: np.ndarray, first: np.ndarray,
                 spans: list[tuple[int, int]], keys: list[str] | None, store: Path | None, *,
                 min_df: int, progress: bool | None) -> TermIndex:
    """Return the index of texts held on a cluster, its counts left there in blocks."""
    import operator

    from tqdm.auto import tqdm

    client = remote.client
    chunks = [client.submit(_chunk_there, remote.submit(first[start:end]), copies[start:end],
                            store, None if keys is None else keys[i], pure=False)
              for i, (start, end) in enumerate(spans)]
    word_lists = [client.submit(operator.itemgetter(0), chunk, pure=False) for chunk in chunks]
    facts = [client.submit(_chunk_facts, chunk, pure=False) for chunk in chunks]
    words_there = client.submit(_corpus_words, *word_lists, pure=False)
    del word_lists
    phrases = [client.submit(_phrase_buckets, chunk, words_there, pure=False) for chunk in chunks]
    kept = [client.submit(_kept_phrases, min_df,
                          *[client.submit(operator.itemgetter(b), part, pure=False)
                            for part in phrases], pure=False) for b in range(_BUCKETS)]
    del phrases
    kept_there = client.submit(_sorted_codes, *kept, pure=False)
    del kept
    parts = [client.submit(_remapped, chunk, words_there, kept_there, pure=False)
             for chunk in chunks]
    del chunks
    if progress is None:  # a terminal only, as build_index
        progress = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    n_words, unwritable = [], None
    with tqdm(total=len(first), desc="indexing", unit="text", disable=not progress) as bar:
        for future in facts:
            lengths, reason = result(future, client)
            n_words.append(lengths)
            unwritable = unwritable or reason
            bar.update(len(lengths))
    if unwritable is not None:
        warnings.warn(f"cannot keep the tokenised texts in {store} ({unwritable}); "
                      "going on without them", CacheWarning, stacklevel=3)
    words = result(words_there, client)
    kept_codes = result(kept_there, client)
    n_vocab = len(words)
    if n_vocab + len(kept_codes) >= 2**31:
        raise ValueError(f"build_index: {n_vocab + len(kept_codes):,} terms do not fit the index's "
                         "32-bit columns; raise min_df")
    wait_all(parts, client)
    bounds = np.array([0] + [end for _, end in spans], dtype=np.int64)
    pairs = np.stack([kept_codes // max(n_vocab, 1), kept_codes % max(n_vocab, 1)],
                     axis=1).astype(np.int32)
    return TermIndex(codes=codes, copies=copies, words=words, pairs=pairs,
                     counts=ShardedCounts(client, parts, bounds, n_vocab + len(kept_codes)),
                     n_words=(np.concatenate(n_words) if n_words
                              else np.zeros(0, dtype=np.int64)),
                     min_df=int(min_df), texts=remote)


def _chunk_there(texts: list[str], copies: np.ndarray, store: Path | None, key: str | None):
    """Return a chunk tokenised (or read from the store) and why it could not be stored, if not."""
    if store is not None:
        found = _stored_chunk(store, key, copies)
        if found is not None:
            return (*found, None)
    chunk = _tokenised_chunk(texts, copies)
    return (*chunk, None if store is None else _store_chunk(store, key, chunk))


def _chunk_facts(chunk) -> tuple[np.ndarray, str | None]:
    return chunk[4], chunk[5]


def _corpus_words(*word_lists: pa.Array) -> pa.Array:
    words = pc.unique(pa.chunked_array(word_lists, type=pa.string()))
    return words.take(pc.sort_indices(words))


def _global_words(chunk_words: pa.Array, words: pa.Array) -> np.ndarray:
    """Return the corpus' number of each of a chunk's words."""
    return pc.index_in(chunk_words, value_set=words).to_numpy(zero_copy_only=False).astype(
        np.int32)


def _in_corpus(chunk, words: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Return the corpus' number of each of a chunk's words, and of each of its phrases."""
    to_global = _global_words(chunk[0], words)
    return to_global, (to_global[chunk[1][:, 0]].astype(np.int64) * len(words)
                       + to_global[chunk[1][:, 1]])


def _phrase_buckets(chunk, words: pa.Array) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return a chunk's phrase numbers in the corpus and their frequencies, split in buckets."""
    _, codes = _in_corpus(chunk, words)
    bucket = codes % _BUCKETS
    return [(codes[bucket == b], chunk[3][bucket == b]) for b in range(_BUCKETS)]


def _kept_phrases(min_df: int, *parts: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Return the phrase numbers of a bucket found in at least ``min_df`` articles."""
    where, distinct = pd.factorize(np.concatenate([codes for codes, _ in parts]))
    df = np.bincount(where, weights=np.concatenate([df for _, df in parts]),
                     minlength=len(distinct))
    return distinct[df >= min_df]


def _sorted_codes(*kept: np.ndarray) -> np.ndarray:
    return np.sort(np.concatenate(kept))


def _remapped(chunk, words: pa.Array, kept_codes: np.ndarray) -> sp.csr_matrix:
    """Return a chunk's counts in the corpus' columns, left-out phrases dropped."""
    to_global, codes = _in_corpus(chunk, words)
    at = np.searchsorted(kept_codes, codes)
    found = at < len(kept_codes)
    found[found] = kept_codes[at[found]] == codes[found]
    mapping = np.concatenate([to_global.astype(np.int64),
                              np.where(found, len(words) + at, -1)])
    local = chunk[2]
    cols = mapping[local.indices]
    keep = cols >= 0
    rows = np.repeat(np.arange(local.shape[0]), np.diff(local.indptr))[keep]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=local.shape[0]))])
    # Chunks number their words in corpus order (see _tokenised_chunk): rows stay sorted.
    return sp.csr_matrix((local.data[keep], cols[keep].astype(np.int32), indptr),
                         shape=(local.shape[0], len(words) + len(kept_codes)))


# ------------------------------------------------------------------- chunk store
#
# A chunk's key is made of its texts, so a chunk is found again whatever else
# the corpus holds. Where a chunk ends is decided by its texts too (content-
# defined chunking, as rsync and backup tools cut files): a text whose digest
# is 0 modulo a period ends one. New files add new chunks and change at most
# the one chunk they land in; fixed-size chunks would all shift by one text.

#: Changes whenever a stored chunk would be written differently.
_CHUNK_FORMAT = "chunk-1"


def _text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _chunk_spans(digests: list[bytes]) -> tuple[list[tuple[int, int]], list[str]]:
    """Return content-defined ``(start, end)`` spans of texts and each span's key.

    Spans hold at least a quarter and at most three times ``_CHUNK`` texts,
    about ``_CHUNK`` on average.

    Examples
    --------
    >>> digests = [_text_digest(str(i)) for i in range(30_000)]
    >>> spans, keys = _chunk_spans(digests)
    >>> grown, _ = _chunk_spans(digests[:12_000] + [_text_digest("new")] + digests[12_000:])
    >>> len(set(spans) & {(s if s < 12_000 else s - 1, e if e <= 12_000 else e - 1)
    ...                   for s, e in grown}) >= len(spans) - 1
    True
    """
    smallest, largest, period = max(1, _CHUNK // 4), 3 * _CHUNK, max(1, _CHUNK * 3 // 4)
    ends = np.frombuffer(b"".join(d[:8] for d in digests), dtype="<u8") % period == 0 \
        if digests else np.zeros(0, dtype=bool)
    spans, start = [], 0
    for end in range(1, len(digests) + 1):
        size = end - start
        if size >= largest or (size >= smallest and ends[end - 1]) or end == len(digests):
            spans.append((start, end))
            start = end
    keys = [hashlib.blake2b(f"{TOKENISER_VERSION}|{_CHUNK_FORMAT}|".encode()
                            + b"".join(digests[s:e]), digest_size=20).hexdigest()
            for s, e in spans]
    return spans, keys


def _stored_chunk(store: Path, key: str, copies: np.ndarray):
    """Return a stored chunk as :func:`_tokenised_chunk` does, or None when absent or unreadable."""
    path = store / f"{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as found:
            words = pa.ipc.open_stream(pa.py_buffer(found["words"].tobytes())).read_all()
            words = words.column(0).combine_chunks()
            counts = sp.csr_matrix((found["data"], found["indices"],
                                    found["indptr"]), shape=tuple(found["shape"]))
            pairs, n_words = found["pairs"], found["n_words"]
        if counts.shape[0] != len(copies) or len(n_words) != len(copies):
            return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, pa.ArrowException):
        return None
    mark_used(path)
    return words, pairs, counts, _phrase_df(counts, len(words), copies), n_words


def _store_chunk(store: Path, key: str, chunk) -> str | None:
    """Write a tokenised chunk under ``key``, whole or not at all; return why not, if not."""
    words, pairs, counts, _, n_words = chunk
    sink = pa.BufferOutputStream()
    table = pa.table({"word": words})
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    try:
        store.mkdir(parents=True, exist_ok=True)
        # The pid tells prune_store whether the writer is still alive.
        fd, tmp = tempfile.mkstemp(prefix=f".tmp-{os.getpid()}-", suffix=".npz", dir=store)
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(out, words=np.frombuffer(sink.getvalue(), dtype=np.uint8),
                         pairs=pairs, data=counts.data, indices=counts.indices,
                         indptr=counts.indptr, shape=np.array(counts.shape, dtype=np.int64),
                         n_words=n_words)
            os.replace(tmp, store / f"{key}.npz")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def prune_store(store: str | os.PathLike, *, max_age_days: float = 30) -> list[Path]:
    """Remove stored chunks unused for ``max_age_days`` and abandoned partial writes; return them.

    Examples
    --------
    >>> import tempfile, time
    >>> store = Path(tempfile.mkdtemp())
    >>> (store / "old.npz").touch(); (store / "new.npz").touch()
    >>> os.utime(store / "old.npz", (time.time() - 40 * 86400,) * 2)
    >>> [p.name for p in prune_store(store)]
    ['old.npz']
    """
    store, now, removed = Path(store), time.time(), []
    if not store.is_dir():
        return removed
    for path in sorted(store.iterdir()):
        try:
            doomed = _abandoned(path, now) if path.name.startswith(".tmp-") else \
                path.stat().st_mtime < now - max_age_days * 86400
            if doomed and path.suffix == ".npz":
                path.unlink()
                removed.append(path)
        except OSError:  # removed meanwhile by another run
            continue
    return removed


def _merged(chunks: list, codes: np.ndarray, copies: np.ndarray, *, min_df: int) -> TermIndex:
    """Return the index of tokenised chunks: corpus-wide sorted words and phrases."""
    if chunks:
        every = pa.chunked_array([c[0] for c in chunks], type=pa.string())
        words = pc.unique(every)
        words = words.take(pc.sort_indices(words))
    else:
        words = pa.array([], type=pa.string())
    n_vocab = len(words)
    # One lookup table of the corpus' words for all chunks, not one per chunk.
    to_global = np.split(pc.index_in(pa.concat_arrays([c[0] for c in chunks]), value_set=words)
                         .to_numpy(zero_copy_only=False).astype(np.int32),
                         np.cumsum([len(c[0]) for c in chunks])[:-1]) if chunks else []
    local_codes = [g[c[1][:, 0]].astype(np.int64) * n_vocab + g[c[1][:, 1]]
                   for g, c in zip(to_global, chunks, strict=True)]
    # A hash table, not np.unique's sort: that held the phrase codes of every
    # chunk four times over, the peak of a million-article report. Only the
    # kept phrases are sorted, for their columns.
    where, distinct = pd.factorize(np.concatenate(local_codes) if chunks
                                   else np.array([], np.int64))
    del local_codes
    df = np.bincount(where, weights=np.concatenate([c[3] for c in chunks]) if chunks else None,
                     minlength=len(distinct))
    kept = df >= min_df
    kept_codes = np.sort(distinct[kept])
    if n_vocab + len(kept_codes) >= 2**31:
        raise ValueError(f"build_index: {n_vocab + len(kept_codes):,} terms do not fit the index's "
                         "32-bit columns; raise min_df")
    column = np.full(len(distinct), -1, dtype=np.int32)
    column[kept] = n_vocab + np.searchsorted(kept_codes, distinct[kept])
    del distinct, df
    n_words = (np.concatenate([c[4] for c in chunks]) if chunks
               else np.zeros(len(copies), dtype=np.int64))
    # Counts are written into arrays of their final size while each chunk's
    # own matrix is freed: the index is never held twice.
    mappings, start = [], 0
    for g, c in zip(to_global, chunks, strict=True):
        mappings.append(np.concatenate([g, column[where[start:start + len(c[1])]]]))
        start += len(c[1])
    del where, column
    nnz = sum(int((m[c[2].indices] >= 0).sum()) for m, c in zip(mappings, chunks, strict=True))
    data = np.empty(nnz, dtype=np.int32)
    indices = np.empty(nnz, dtype=np.int32)
    indptr = [np.zeros(1, dtype=np.int64)]
    at = 0
    for i, mapping in enumerate(mappings):
        local = chunks[i][2]
        chunks[i] = None
        cols = mapping[local.indices]
        keep = cols >= 0
        n = int(keep.sum())
        data[at:at + n] = local.data[keep]
        indices[at:at + n] = cols[keep]
        rows = np.repeat(np.arange(local.shape[0]), np.diff(local.indptr))[keep]
        indptr.append(at + np.cumsum(np.bincount(rows, minlength=local.shape[0])))
        at += n
        del local, cols, keep, rows
    counts = sp.csr_matrix((data, indices, np.concatenate(indptr)),
                           shape=(len(copies), n_vocab + int(kept.sum())))
    # A check, not a sort: chunks number their words in corpus order (see _tokenised_chunk).
    counts.sort_indices()
    pairs = np.stack([kept_codes // max(n_vocab, 1), kept_codes % max(n_vocab, 1)],
                     axis=1).astype(np.int32)
    return TermIndex(codes=codes, copies=copies, words=words, pairs=pairs, counts=counts,
                     n_words=n_words, min_df=int(min_df))


# ---------------------------------------------------------------------------- cache


def save_index(index: TermIndex, folder: str | os.PathLike) -> Path:
    """Write ``index`` to ``folder``, replacing it whole or not at all; return the folder.

    Examples
    --------
    >>> import tempfile
    >>> index = build_index(pd.DataFrame({"text": ["oil price", "oil"]}), min_df=1)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     again = load_index(save_index(index, Path(tmp) / "index"))
    >>> again.vocabulary.tolist() == index.vocabulary.tolist()
    True
    """
    if not sp.issparse(index.counts):
        raise ValueError("save_index: the index's counts are held by a Dask cluster's workers "
                         "(analysis.shards); they are not written from there")
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    # ``.tmp-`` folders a killed write leaves behind are what analysis.cache.prune_cache removes.
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{folder.name}-", dir=folder.parent))
    try:
        sp.save_npz(work / "counts.npz", index.counts, compressed=False)
        np.savez(work / "arrays.npz", codes=index.codes, copies=index.copies, pairs=index.pairs,
                 n_words=index.n_words)
        import pyarrow.feather as feather

        feather.write_feather(pa.table({"word": index.words}), work / "words.arrow",
                              compression="uncompressed")
        (work / "meta.json").write_text(json.dumps({"version": index.version,
                                                    "min_df": index.min_df}))
        if folder.exists():  # os.replace cannot replace a non-empty folder: swap it aside
            old = Path(tempfile.mkdtemp(prefix=f".tmp-{folder.name}-old-", dir=folder.parent))
            os.replace(folder, old / "index")
            os.replace(work, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(work, folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return folder


def load_index(folder: str | os.PathLike) -> TermIndex | None:
    """Return the index saved in ``folder``, or None when absent, unreadable or outdated."""
    import pyarrow.feather as feather

    folder = Path(folder)
    try:
        meta = json.loads((folder / "meta.json").read_text())
        if meta.get("version") != TOKENISER_VERSION:
            return None
        arrays = np.load(folder / "arrays.npz")
        words = feather.read_table(folder / "words.arrow", memory_map=False).column("word")
        return TermIndex(codes=arrays["codes"], copies=arrays["copies"],
                         words=words.combine_chunks(), pairs=arrays["pairs"],
                         counts=sp.csr_matrix(sp.load_npz(folder / "counts.npz")),
                         n_words=arrays["n_words"],
                         min_df=int(meta["min_df"]), version=meta["version"])
    except (OSError, ValueError, KeyError, json.JSONDecodeError, pa.ArrowException):
        return None
