"""analysis.clean's vectorised duplicate detection and language identification give the
exact results of the per-text datasketch and py3langid code they replace."""

from __future__ import annotations

import glob
import random
import tarfile
import zlib

import numpy as np
import pandas as pd
import pytest

from analysis.clean import (
    MAX_SHINGLE_WORDS,
    DuplicateSketches,
    _shingles,
    detect_languages,
    duplicate_sketches,
    find_duplicates,
    text_fingerprint,
)

EDGE_TEXTS = [
    "", " \n\t ", "word", "two words", "three small words", "!!! ... ???", "½ ² x_y 12",
    "Straße ΣΊΣΥΦΟΣ — «ok» İstanbul ﬁnal Ǆemal", "Привет, мир! Как дела? Всё хорошо.",
    "東京 の ニュース です 今日", "emoji 😀 between\u00a0words\u2009and — dashes",
    "Mutu cost £15.8m, Chelsea said.", "UPPER CASE HEADLINE ONLY",
    " ".join(f"w{i}" for i in range(MAX_SHINGLE_WORDS + 40)),
    " ".join(f"wörd{i}" for i in range(MAX_SHINGLE_WORDS + 3)),
    "Ünï, " + "  ".join(f"long{i % 977}" for i in range(600_000)),  # > 4 MB: the regex path
]


def reference_find_duplicates(texts, ids, *, threshold=0.7, num_perm=128, shingle_width=3,
                              random_state=0) -> pd.Series:
    """The implementation find_duplicates replaced: a datasketch MinHashLSH loop."""
    from datasketch import MinHash, MinHashLSH

    ids = list(ids)
    parent = list(range(len(ids)))
    first_by_fingerprint: dict[str, int] = {}
    candidates: list[int] = []
    for i, text in enumerate(texts):
        if not (text or "").strip():
            continue
        fp = text_fingerprint(text)
        if fp in first_by_fingerprint:
            parent[i] = first_by_fingerprint[fp]
        else:
            first_by_fingerprint[fp] = i
            candidates.append(i)
    shingles = [_shingles(texts[i], shingle_width) for i in candidates]
    hashes = MinHash.bulk(shingles, num_perm=num_perm, seed=random_state, hashfunc=zlib.crc32)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    seen = {}
    for i, mh, sh in zip(candidates, hashes, shingles, strict=True):
        if len(sh) < 5:
            continue
        confirmed = [int(k) for k in lsh.query(mh) if seen[int(k)].jaccard(mh) >= threshold]
        if confirmed:
            parent[i] = min(confirmed)
        lsh.insert(str(i), mh)
        seen[i] = mh

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    return pd.Series([ids[root(i)] if root(i) != i else None for i in range(len(ids))],
                     dtype="string[pyarrow]")


def datasketch_signatures(texts, *, num_perm=128, shingle_width=3, random_state=0):
    from datasketch import MinHash

    shingles = [_shingles(text or "", shingle_width) for text in texts]
    hashes = MinHash.bulk(shingles, num_perm=num_perm, seed=random_state, hashfunc=zlib.crc32)
    return np.array([m.hashvalues for m in hashes]), [len(s) for s in shingles]


@pytest.fixture(scope="module")
def bbc_texts(corpus) -> list[str]:
    """The 2,225 BBC News articles (headline, blank line, body), decoded leniently."""
    with tarfile.open(corpus("bbc-fulltext.tar.gz")) as archive:
        return [archive.extractfile(m).read().decode("utf-8", "replace")
                for m in sorted(archive.getmembers(), key=lambda m: m.name)
                if m.isfile() and m.name.endswith(".txt") and "README" not in m.name]


def planted_corpus(base: list[str], seed: int = 3) -> list[str]:
    """``base`` plus edited copies (word swaps, drops, cuts), exact copies and blanks, shuffled."""
    rng = random.Random(seed)
    texts = list(base)
    for text in base:
        words = text.split()
        for _ in range(rng.choice([0, 0, 1, 2])):
            edited = list(words)
            for _ in range(rng.randint(1, max(1, len(words) // 8))):
                edited[rng.randrange(len(edited))] = rng.choice(["tax", "Ünïcode", "said"])
            if rng.random() < 0.3:
                edited = edited[: int(len(edited) * rng.uniform(0.6, 1.0))]
            texts.append(" ".join(edited))
        if rng.random() < 0.2:
            texts.append(text.upper())
    texts += ["", "   ", "short one", "short one"]
    rng.shuffle(texts)
    return texts


# ---------------------------------------------------------------- signatures


def test_signatures_match_datasketch_on_edge_cases():
    sketches = duplicate_sketches(EDGE_TEXTS)
    expected, counts = datasketch_signatures(EDGE_TEXTS)
    assert sketches.signatures.dtype == np.uint32
    assert expected.max() < 2**32
    np.testing.assert_array_equal(sketches.signatures, expected)
    assert sketches.n_shingles.tolist() == counts
    assert sketches.fingerprints.tolist() == [
        text_fingerprint(t) if t.strip() else None for t in EDGE_TEXTS]


@pytest.mark.parametrize(("num_perm", "width", "seed"), [(128, 3, 0), (64, 2, 7), (200, 5, 1)])
def test_signatures_match_datasketch_on_real_texts(bbc_texts, num_perm, width, seed):
    texts = bbc_texts[::7][:300] + bbc_texts[:5]  # the repeats take the copy path
    sketches = duplicate_sketches(texts, num_perm=num_perm, shingle_width=width,
                                  random_state=seed)
    expected, counts = datasketch_signatures(texts, num_perm=num_perm, shingle_width=width,
                                             random_state=seed)
    np.testing.assert_array_equal(sketches.signatures, expected)
    assert sketches.n_shingles.tolist() == counts
    assert sketches.fingerprints.tolist() == [text_fingerprint(t) for t in texts]


def test_signatures_do_not_depend_on_batching(bbc_texts, monkeypatch):
    import analysis.clean as clean

    texts = bbc_texts[:200]
    whole = duplicate_sketches(texts)
    monkeypatch.setattr(clean, "_SKETCH_BATCH", 500)
    np.testing.assert_array_equal(duplicate_sketches(texts).signatures, whole.signatures)
    joined = DuplicateSketches.concat([duplicate_sketches(texts[:70]),
                                       duplicate_sketches(texts[70:])])
    np.testing.assert_array_equal(joined.signatures, whole.signatures)
    assert joined.fingerprints.tolist() == whole.fingerprints.tolist()


# ---------------------------------------------------------------- find_duplicates


def test_find_duplicates_matches_the_datasketch_loop_on_planted_copies(bbc_texts):
    texts = planted_corpus(bbc_texts[::5][:150]) + EDGE_TEXTS
    ids = [f"t{i}" for i in range(len(texts))]
    expected = reference_find_duplicates(texts, ids)
    assert expected.notna().sum() > 50  # the planted copies are found
    pd.testing.assert_series_equal(find_duplicates(texts, ids), expected)
    for threshold in (0.5, 0.9):
        pd.testing.assert_series_equal(
            find_duplicates(texts, ids, threshold=threshold),
            reference_find_duplicates(texts, ids, threshold=threshold))


def test_find_duplicates_matches_the_datasketch_loop_on_real_texts(bbc_texts):
    ids = [f"bbc{i}" for i in range(len(bbc_texts))]
    expected = reference_find_duplicates(bbc_texts, ids)
    pd.testing.assert_series_equal(find_duplicates(bbc_texts, ids), expected)
    # Sketches from separate batches, joined, as the loader passes them.
    sketches = DuplicateSketches.concat([duplicate_sketches(bbc_texts[:1000]),
                                         duplicate_sketches(bbc_texts[1000:])])
    pd.testing.assert_series_equal(find_duplicates(bbc_texts, ids, sketches=sketches), expected)


def test_huge_buckets_are_paired_in_chunks(monkeypatch):
    import analysis.clean as clean

    # 300 variants of one text share most bands: ~45,000 candidate pairs.
    base = " ".join(f"word{i}" for i in range(60))
    texts = [f"{base} extra{i} tail{i % 7}" for i in range(300)]
    ids = [str(i) for i in range(len(texts))]
    expected = reference_find_duplicates(texts, ids)
    monkeypatch.setattr(clean, "_PAIR_CHUNK", 1000)
    pd.testing.assert_series_equal(find_duplicates(texts, ids), expected)


def test_find_duplicates_rejects_mismatched_sketches():
    texts = ["one two three four five six", "one two three four five seven"]
    with pytest.raises(ValueError, match="sketches"):
        find_duplicates(texts, ["a", "b"], sketches=duplicate_sketches(texts[:1]))
    with pytest.raises(ValueError, match="num_perm"):
        find_duplicates(texts, ["a", "b"], sketches=duplicate_sketches(texts, num_perm=64))


def test_find_duplicates_of_nothing():
    assert find_duplicates([], []).tolist() == []
    assert find_duplicates(["only one text with enough words here"], ["a"]).isna().all()


# ---------------------------------------------------------------- languages


def test_detect_languages_matches_py3langid(corpus, bbc_texts):
    import py3langid

    texts = list(bbc_texts[::3])
    with tarfile.open(corpus("ttc3600-turkish-news.tar.gz")) as archive:
        members = [m for m in archive.getmembers() if m.isfile() and m.name.endswith(".txt")]
        texts += [archive.extractfile(m).read().decode("utf-8", "replace") for m in members[::3]]
    for path in sorted(glob.glob(str(corpus("textdumps-multi") / "**" / "*.txt"),
                                 recursive=True)):
        with open(path, encoding="utf-8", errors="replace") as handle:
            texts.append(handle.read())
    texts += [*EDGE_TEXTS, None, " " * 700 + "hello there", "HELLO WORLD", "1234"]
    expected = [py3langid.classify(t[:600])[0] if isinstance(t, str) and t.strip() else None
                for t in texts]
    assert len(set(expected)) > 10  # really mixed languages
    assert detect_languages(texts) == expected
    short = [t[:200] if isinstance(t, str) else t for t in texts[::5]]
    assert detect_languages(short, max_chars=50) == [
        py3langid.classify(t[:50])[0] if isinstance(t, str) and t.strip() else None
        for t in short]


def test_find_duplicates_rejects_what_minhashlsh_rejects():
    texts = ["one two three four five six"]
    for kwargs in ({"threshold": 1.5}, {"num_perm": 1}):
        with pytest.raises(ValueError):
            find_duplicates(texts, ["a"], **kwargs)


def test_known_lsh_bands_are_the_libraries_choice():
    from datasketch.lsh import _optimal_param

    from analysis.clean import _KNOWN_BANDS, _lsh_bands

    for (threshold, num_perm), bands in _KNOWN_BANDS.items():
        assert _optimal_param(threshold, num_perm, 0.5, 0.5) == bands
    _lsh_bands.cache_clear()
    assert _lsh_bands(0.5, 64) == _optimal_param(0.5, 64, 0.5, 0.5)  # others: asked for


def test_languages_of_texts_without_any_feature():
    import py3langid

    texts = ["a", "c", "b"]  # a lone letter has no py3langid feature at all
    assert detect_languages(texts) == [py3langid.classify(t)[0] for t in texts]
    assert detect_languages(["a", "The talks resumed on Monday."])[1] == "en"


def _old_normalise_text(text: str, *, keep_paragraphs: bool = True) -> str:
    # The straightforward version normalise_text must stay equal to.
    import re
    import unicodedata

    from analysis.clean import repair_mojibake

    text = unicodedata.normalize("NFC", re.sub("[\ud800-\udfff]", "\ufffd", repair_mojibake(text)))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u200b", "").replace("\ufeff", "").replace("\u00ad", "")
    text = re.sub(r"[\x00-\x08\x0b\x0e-\x1f\x7f]", " ", text)
    text = re.sub(r"[^\S\n]+", " ", text)
    text = re.sub(r" ?\n ?", "\n", text).strip()
    if not keep_paragraphs:
        return re.sub(r"\s+", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text)


def test_normalise_text_equals_the_plain_definition():
    from analysis.clean import normalise_text

    rng = random.Random(0)
    alphabet = ["a", "é", "e\u0301", " ", "  ", "\t", "\n", "\r\n", "\r", "\u00a0", "\u200b",
                "\ufeff", "\u00ad", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\x07", "\ud800",
                "\x00", "\x7f", "\x1f",
                ".", "Z"]
    # Printable ASCII and newlines only take a path of their own (str.replace).
    plain = [c for c in alphabet if c in ("a", " ", "  ", "\n", "\r\n", "\r", ".", "Z")]
    for i in range(6000):
        letters = alphabet if i % 2 else plain
        text = "".join(rng.choice(letters) for _ in range(rng.randint(0, 30)))
        for keep in (True, False):
            assert normalise_text(text, keep_paragraphs=keep) == _old_normalise_text(
                text, keep_paragraphs=keep), repr(text)


def test_mojibake_is_repaired_before_soft_hyphens_are_dropped():
    from analysis.clean import normalise_text

    # UTF-8 "í" read as Latin-1 is "Ã" and a soft hyphen (U+00AD).
    broken = "Líder de la organización\nGenesenen\u00adnachweise".encode("utf-8").decode("latin-1")
    assert normalise_text(broken) == "Líder de la organización\nGenesenennachweise"
    # One pair alone is no evidence of mojibake: "Ã" and the soft hyphen stay as typed.
    assert normalise_text("Ã\u00adx") == "Ãx"


def test_shingle_hashes_are_zlibs_crc32():
    from analysis.clean import _VECTOR_CRC_BYTES, _crc32_slices

    rng = np.random.default_rng(5)
    data = rng.integers(0, 256, 20_000, dtype=np.uint8)
    starts = rng.integers(0, 19_000, 3_000)
    ends = starts + np.concatenate([rng.integers(1, 60, 2_989),  # shingles of a few words
                                    rng.integers(_VECTOR_CRC_BYTES, 900, 10), [0]])
    raw = data.tobytes()
    expected = [zlib.crc32(raw[s:e]) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    assert _crc32_slices(data, starts, ends).tolist() == expected
    assert _crc32_slices(data, starts[:0], ends[:0]).tolist() == []


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    # Equal groups under any numbering: each key of one maps to one key of the other.
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_band_keys_group_exactly_the_equal_rows(monkeypatch):
    from analysis.clean import _band_keys

    rng = np.random.default_rng(3)
    distinct = rng.integers(0, 2**32, (300, 9), dtype=np.uint64).astype(np.uint32)
    distinct[1] = distinct[0]
    distinct[2, :8] = distinct[0, :8]  # differs in the last value only
    values = distinct[rng.integers(0, 300, 5000)]
    expected = pd.DataFrame(values).groupby(list(range(9)), sort=False).ngroup().to_numpy()
    assert _same_partition(_band_keys(values), expected)
    # Every hash colliding: the value check notices and groups by the values.
    monkeypatch.setattr(pd, "factorize", lambda hashes: (np.zeros(len(hashes), dtype=np.intp),
                                                         hashes[:1]))
    assert _same_partition(_band_keys(values), expected)
