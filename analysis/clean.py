"""Text cleaning shared by every input format.

Decoding bytes without mojibake, Unicode/whitespace normalisation, language
identification and duplicate detection. Functions over DataFrames return new
objects and never modify their input.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence

import pandas as pd

__all__ = [
    "DecodeError",
    "decode_bytes",
    "normalise_text",
    "detect_languages",
    "text_fingerprint",
    "find_duplicates",
    "looks_binary",
    "MAX_SHINGLE_WORDS",
]

#: Words of each text that near-duplicate detection compares. News articles
#: are far shorter, so their results do not depend on it; a 10 MB field
#: would otherwise cost millions of shingles (gigabytes) for one document.
MAX_SHINGLE_WORDS = 20_000


class DecodeError(ValueError):
    """Raised when bytes cannot be turned into trustworthy text."""


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Legacy single-byte code pages news sites actually used; restricting the
# detector to these keeps it from "finding" exotic encodings in short files.
_LEGACY_ENCODINGS = [
    "cp1252", "cp1251", "cp1254", "cp1250", "koi8_r", "iso8859_9", "iso8859_2", "latin_1",
]
# Characters a Western-European page in cp1252 plausibly contains; when every
# non-ASCII character of the cp1252 reading is one of these, it beats the
# detector's guess (which reads a lone 0xA3 pound sign as cp1250's "Ł").
_WESTERN = set(
    "£€¥©®°±²³µ¶·¹º»«¼½¾¿×÷§¢¤¦¨ª¬¯´¸"
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜßàáâãäåæçèéêëìíîïñòóôõöøùúûüÿ"
    "‘’‚“”„†‡•…‰‹›–—˜™šžŒœŸ\u00a0"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Lone surrogates come from JSON escapes like "\\ud800"; no UTF-8 writer
# (Parquet, CSV) accepts them.
_SURROGATE = re.compile("[\ud800-\udfff]")


def looks_binary(raw: bytes) -> bool:
    """Return True when the first 4 KB hold NUL bytes or many control bytes.

    Examples
    --------
    >>> looks_binary(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00"), looks_binary("Café".encode())
    (True, False)
    """
    sample = raw[:4096]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > max(2, len(sample) // 50)


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Decode a file's bytes, returning ``(text, encoding)``.

    Tries a BOM, then strict UTF-8, then a charset detector restricted to the
    legacy code pages of news sites (cp1251, cp1252, cp1254, ...).

    Raises
    ------
    DecodeError
        For binary content or bytes no candidate encoding reads cleanly.

    Examples
    --------
    >>> decode_bytes("Mutu cost £15.8m".encode("latin-1"))
    ('Mutu cost £15.8m', 'cp1252')
    >>> decode_bytes("Привет, мир".encode("utf-8"))[1]
    'utf-8'
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"invalid {encoding} after byte-order mark: {exc.reason}") from exc
    if looks_binary(raw):
        raise DecodeError("binary content (NUL or control bytes), not text")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _decode_legacy(raw)


def _decode_legacy(raw: bytes) -> tuple[str, str]:
    try:
        western = raw.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and all(c in _WESTERN for c in western if ord(c) > 127):
        return western, "cp1252"
    from charset_normalizer import from_bytes  # imported lazily: slow, rarely needed

    best = from_bytes(raw, cp_isolation=_LEGACY_ENCODINGS).best()
    if best is None or best.percent_chaos > 20:
        raise DecodeError("undecodable bytes: not UTF-8 and no legacy code page reads them cleanly")
    return str(best), best.encoding


def normalise_text(text: str, *, keep_paragraphs: bool = True) -> str:
    """Return ``text`` in Unicode NFC with whitespace normalised.

    Line endings become ``\\n``, runs of spaces and tabs one space, control
    and zero-width characters are removed, lone surrogates become U+FFFD,
    lines are stripped, and blank-line runs collapse to one paragraph break
    (or to a single space when ``keep_paragraphs=False``).

    Examples
    --------
    >>> normalise_text("Cafe\\u0301 \\t opens\\r\\n\\r\\n\\r\\n\\nNew  line ")
    'Café opens\\n\\nNew line'
    >>> normalise_text("a\\nb\\n\\nc", keep_paragraphs=False)
    'a b c'
    """
    text = unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u200b", "").replace("\ufeff", "").replace("\u00ad", "")
    text = _CONTROL.sub(" ", text)
    text = re.sub(r"[^\S\n]+", " ", text)
    text = re.sub(r" ?\n ?", "\n", text).strip()
    if not keep_paragraphs:
        return re.sub(r"\s+", " ", text)
    return re.sub(r"\n{3,}", "\n\n", text)


def detect_languages(texts: Iterable[str | None], *, max_chars: int = 600) -> list[str | None]:
    """Return the ISO 639-1 language of each text (``None`` for empty ones).

    Uses py3langid on the first ``max_chars`` characters: a few sentences
    decide the language, and scoring cost grows with length.

    Examples
    --------
    >>> detect_languages(["The minister said the talks would resume.", "", None])
    ['en', None, None]
    """
    import py3langid  # imported lazily: loads its model on first use

    out: list[str | None] = []
    for text in texts:
        if not isinstance(text, str) or not text.strip():
            out.append(None)
        else:
            out.append(py3langid.classify(text[:max_chars])[0])
    return out


def text_fingerprint(text: str) -> str:
    """Return a hash of ``text`` that ignores case, punctuation and spacing.

    Examples
    --------
    >>> text_fingerprint("Oil prices rose.") == text_fingerprint("oil  PRICES rose")
    True
    """
    # The words joined by single spaces, without a list of every word.
    key = _NON_WORD.sub(" ", text.casefold()).strip(" ")
    return hashlib.blake2b(key.encode("utf-8"), digest_size=12).hexdigest()


_NON_WORD = re.compile(r"\W+")
_WORD = re.compile(r"\w+")


def _shingles(text: str, width: int) -> list[bytes]:
    """Return the ``width``-word shingles of the first :data:`MAX_SHINGLE_WORDS` words of ``text``.

    Examples
    --------
    >>> _shingles("Oil prices ROSE, again.", 3)
    [b'oil prices rose', b'prices rose again']
    """
    found = itertools.islice(_WORD.finditer(text.casefold()), MAX_SHINGLE_WORDS)
    words = [m.group() for m in found]
    if len(words) < width:
        return [" ".join(words).encode("utf-8")] if words else []
    return [" ".join(words[i : i + width]).encode("utf-8") for i in range(len(words) - width + 1)]


def find_duplicates(
    texts: Sequence[str],
    ids: Sequence[str],
    *,
    threshold: float = 0.7,
    num_perm: int = 128,
    shingle_width: int = 3,
    random_state: int = 0,
) -> pd.Series:
    """Return, for each text, the id of the first earlier copy (else missing).

    Exact copies are found by :func:`text_fingerprint` of the whole text;
    near-copies by MinHash LSH over word ``shingle_width``-grams of the first
    :data:`MAX_SHINGLE_WORDS` words (datasketch), confirmed by the estimated
    Jaccard similarity reaching ``threshold``. Chains resolve to
    the first copy in input order, so the result is deterministic.

    Examples
    --------
    >>> a = ("Parliament approved the budget on Tuesday after a long debate over taxes, "
    ...      "pensions and spending on roads, schools and hospitals in the regions. " * 2)
    >>> b = a.replace("roads", "railways", 1)
    >>> find_duplicates([a, "Football is back.", a, b, b], ["a", "f", "a2", "b", "b2"]).tolist()
    [<NA>, <NA>, 'a', 'a', 'a']
    """
    from datasketch import MinHash, MinHashLSH

    ids = list(ids)
    parent = list(range(len(ids)))  # index of the copy each text repeats (itself if none)
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
    # crc32 is a C call and stable across processes; datasketch's default
    # sha1 path costs ~4x more on a newswire corpus.
    hashes = MinHash.bulk(shingles, num_perm=num_perm, seed=random_state, hashfunc=zlib.crc32)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    seen: dict[int, MinHash] = {}
    for i, mh, sh in zip(candidates, hashes, shingles, strict=True):
        if len(sh) < 5:
            # Too short for a near-duplicate call to mean anything.
            continue
        confirmed = [int(k) for k in lsh.query(mh) if seen[int(k)].jaccard(mh) >= threshold]
        if confirmed:
            parent[i] = min(confirmed)
        lsh.insert(str(i), mh)
        seen[i] = mh

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    # Every copy points at the first copy of its chain, never at another copy.
    result = [ids[root(i)] if root(i) != i else None for i in range(len(ids))]
    return pd.Series(result, dtype="string[pyarrow]")
