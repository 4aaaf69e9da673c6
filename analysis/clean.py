"""Text cleaning shared by every input format.

Decoding bytes without mojibake, Unicode/whitespace normalisation, language
identification and duplicate detection. Functions over DataFrames return new
objects and never modify their input.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "DecodeError",
    "decode_bytes",
    "normalise_text",
    "repair_mojibake",
    "detect_languages",
    "text_fingerprint",
    "find_duplicates",
    "duplicate_sketches",
    "DuplicateSketches",
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


def repair_mojibake(text: str) -> str:
    """Return *text* with its doubly-encoded UTF-8 lines repaired, when there are several.

    A page saved as UTF-8 and read back as Latin-1 or cp1252 shows "Ã¤" for
    "ä" and "à¦" for Bengali letters. A line is re-decoded only when all of
    it encodes back to bytes that are valid UTF-8, so a line that merely
    contains "Ã" is left alone; a text with fewer than two such pairs is
    returned as it is.

    Examples
    --------
    >>> repair_mojibake("GrÃ¼ÃŸe aus KÃ¶ln")
    'Grüße aus Köln'
    >>> repair_mojibake("Ã la carte")
    'Ã la carte'
    """
    found = _MOJIBAKE.finditer(text)
    if next(found, None) is None or next(found, None) is None:
        return text
    return "\n".join(_demojibake_line(line) if _MOJIBAKE.search(line) else line
                      for line in text.split("\n"))


def _demojibake_line(line: str) -> str:
    """Return *line* re-decoded when it is UTF-8 read as Latin-1/cp1252 ("Ã¤" for "ä")."""
    for codec in ("cp1252", "latin-1"):
        try:
            return line.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return line


# A UTF-8 lead byte (Latin-1 "Â".."ô": "Ã¤" for "ä", "à¦" for Bengali) read
# as one character, then a continuation byte (cp1252 maps some to "€", "–").
_MOJIBAKE = re.compile(r"[\xc2-\xf4][\x80-\xbf\u0152-\u203a]")


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
    ascii = text.isascii()  # nothing to compose or remove: skip those passes
    if not ascii:
        # Repaired first: the soft hyphen removed below is also the second
        # byte of mojibake ("Ã\xad" is "í"), which could not be repaired after.
        text = unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", repair_mojibake(text)))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not ascii:
        text = text.replace("\u200b", "").replace("\ufeff", "").replace("\u00ad", "")
    if ascii and not text.encode("ascii").translate(None, _PLAIN_ASCII):
        # Printable ASCII and newlines only (most exports): the one blank
        # is the space, and str.replace scans in C where the regex engine
        # steps through every character (2.7 times faster on news texts).
        while "  " in text:
            text = text.replace("  ", " ")
    else:
        text = _BLANK_RUN.sub(" ", text)
    # Spaces now come one at a time, so this removes every space that
    # touches a newline, as the regex " \n ?|\n " did.
    text = text.replace(" \n", "\n").replace("\n ", "\n").strip()
    if not keep_paragraphs:
        return _SPACE_RUN.sub(" ", text)
    return _PARAGRAPH_RUN.sub("\n\n", text) if "\n\n\n" in text else text


# Each matches only where something changes, not every single space: a run
# of blanks (not newlines) of two or more, or one that is not a plain space.
# The blanks are spelled out (every character \s matches but \n): a set of
# characters is tested faster than a negated class. Control characters
# count as blanks: each became a space and then joined its neighbours' run,
# which one pass does alike.
_BLANKS = sorted({c for c in map(chr, range(0x3001)) if c.isspace() and c != "\n"}
                 | {c for c in map(chr, range(0x80)) if _CONTROL.match(c)})
_BLANK_RUN = re.compile("[{}]{{2,}}|[{}]".format(
    "".join(map(re.escape, _BLANKS)), "".join(re.escape(c) for c in _BLANKS if c != " ")))
_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\n"
_SPACE_RUN = re.compile(r"\s{2,}|[^\S ]")
_PARAGRAPH_RUN = re.compile(r"\n{3,}")


def detect_languages(texts: Iterable[str | None], *, max_chars: int = 600) -> list[str | None]:
    """Return the ISO 639-1 language of each text (``None`` for empty ones).

    Gives exactly ``py3langid.classify(text[:max_chars])[0]`` for every
    text: a few sentences decide the language, and scoring cost grows with
    length. py3langid walks its feature automaton byte by byte in Python;
    here one numpy step advances the automaton of thousands of texts at
    once, and only the (tiny) per-text scoring stays py3langid's own
    expression.

    Examples
    --------
    >>> detect_languages(["The minister said the talks would resume.", "", None])
    ['en', None, None]
    >>> import py3langid
    >>> detect_languages(["a"]) == [py3langid.classify("a")[0]]  # no feature: the first label
    True
    >>> detect_languages(["Le ministre a dit que les négociations reprendraient.",
    ...                   "Der Minister sagte, die Gespräche würden fortgesetzt."])
    ['fr', 'de']
    """
    from py3langid.langid import _get_identifier  # imported lazily: loads its model

    texts = list(texts)
    out: list[str | None] = [None] * len(texts)
    identifier = _get_identifier()
    todo = [i for i, text in enumerate(texts) if isinstance(text, str) and text.strip()]
    if identifier._norm_probs or identifier.min_confidence is not None:
        # Scores that are not the raw ones this batching replicates.
        for i in todo:
            out[i] = identifier.classify(texts[i][:max_chars])[0]
        return out
    for begin in range(0, len(todo), _LANGID_BATCH):
        rows = todo[begin:begin + _LANGID_BATCH]
        encoded = [identifier._encode(texts[i][:max_chars]) for i in rows]
        for i, label in zip(rows, _classify_batch(identifier, encoded), strict=True):
            out[i] = label
    return out


#: Texts whose automata advance together: enough to amortise numpy's
#: per-call cost over ~600 steps, few enough to bound the byte matrix.
_LANGID_BATCH = 2048


@functools.lru_cache(maxsize=2)
def _langid_automaton(identifier: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return py3langid's automaton (next-move, row offsets, feature output) as numpy arrays."""
    # A view of the ~10-million-entry next-move table (an array.array), not
    # a copy; the small tables become int32.
    return (np.asarray(memoryview(identifier.tk_nextmove)),
            np.asarray(identifier._rowbase, dtype=np.int32),
            np.asarray(identifier.tk_output, dtype=np.int32))


def _classify_batch(identifier, encoded: list[bytes]) -> list[str]:
    """Return py3langid's label of each UTF-8 text, as ``LanguageIdentifier.classify``."""
    from py3langid.langid import RAW_FLOOR

    nextmove, rowbase, output = _langid_automaton(identifier)
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    # Longest first, so the texts still being read at each byte are a prefix.
    order = np.argsort(-lengths, kind="stable")
    width = int(lengths.max()) if len(lengths) else 0
    data = np.zeros((len(encoded), width), dtype=np.uint8)
    for row, j in enumerate(order.tolist()):
        data[row, : lengths[j]] = np.frombuffer(encoded[j], dtype=np.uint8)
    data = np.ascontiguousarray(data.T)
    active = np.searchsorted(-lengths[order], -np.arange(width), side="left")
    state = np.zeros(len(encoded), dtype=np.int32)
    features = np.full((width, len(encoded)), -1, dtype=np.int32)
    for pos in range(width):
        live = int(active[pos])
        now = nextmove[rowbase[state[:live]] + data[pos, :live]]
        state[:live] = now
        features[pos, :live] = output[now]
    # py3langid's Counter: per text, features in order of first occurrence.
    # One stable sort of (text, feature) keys finds each first occurrence
    # and its count; reading the marks back in (text, position) order keeps
    # py3langid's order without a second sort.
    text_of, pos_of = np.nonzero(features.T >= 0)
    n_features = identifier.nb_ptc.shape[0]
    found = features[pos_of, text_of].astype(np.int64)
    keys = text_of * n_features + found
    by_key = np.argsort(keys, kind="stable")
    sorted_keys = keys[by_key]
    # (No text of the batch may have a feature at all: a lone letter.)
    starts = np.flatnonzero(np.concatenate(([len(keys) > 0], sorted_keys[1:] != sorted_keys[:-1])))
    counts_at = np.zeros(len(keys), dtype=np.float32)
    counts_at[by_key[starts]] = np.diff(np.append(starts, len(keys)))
    is_first = counts_at > 0
    owner, feature, counts = text_of[is_first], found[is_first], counts_at[is_first]
    bounds = np.searchsorted(owner, np.arange(len(encoded) + 1))
    # The model's float16 rows, cast once per batch instead of per text:
    # numpy casts them to float32 before the product anyway (exactly), and
    # that cast costs more than the product.
    used = np.zeros(n_features, dtype=bool)
    used[feature] = True
    local = (np.cumsum(used) - 1)[feature]
    table = identifier.nb_ptc[used].astype(np.float32)
    prior = identifier.nb_pc
    scores = np.full((len(encoded), len(prior)), RAW_FLOOR, dtype=np.float32)
    for row in range(len(encoded)):
        lo, hi = bounds[row], bounds[row + 1]
        if hi > lo:
            # LanguageIdentifier._sparse_score, float for float.
            scores[row] = np.log1p(counts[lo:hi]) @ table[local[lo:hi]] + prior
    for first_col, dupe in identifier._alias_pairs:
        scores[:, first_col] = np.maximum(scores[:, first_col], scores[:, dupe])
        scores[:, dupe] = RAW_FLOOR
    labels = [identifier.nb_classes[k] for k in scores.argmax(axis=1).tolist()]
    result = [""] * len(encoded)
    for row, j in enumerate(order.tolist()):
        result[j] = labels[row]
    return result


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


@dataclass(frozen=True)
class DuplicateSketches:
    """Per-text inputs of :func:`find_duplicates`, computed by :func:`duplicate_sketches`.

    Sketches of separate batches (say one per input file, computed in worker
    processes and cached) join with :meth:`concat`; duplicate detection over
    the joined corpus then only runs its cheap corpus-wide stage.

    Attributes
    ----------
    fingerprints : numpy.ndarray
        Object array: :func:`text_fingerprint` of each text, ``None`` for
        empty or blank (whitespace-only) text.
    signatures : numpy.ndarray
        ``(n, num_perm)`` uint32 MinHash values, bit-identical to datasketch's
        ``MinHash.bulk(shingles, num_perm=num_perm, seed=random_state,
        hashfunc=zlib.crc32)`` (default ``"affine32"`` scheme); all
        ``2**32 - 1`` for a text without shingles.
    n_shingles : numpy.ndarray
        int64 number of shingles of each text (at most
        ``MAX_SHINGLE_WORDS - shingle_width + 1``).
    num_perm, shingle_width, random_state : int
        The parameters the sketches were computed with.
    rows : numpy.ndarray or None
        The row of ``signatures`` holding each text's signature, when they
        are not in the texts' order (sketches put in another order without
        copying half a kilobyte per text); None: row ``i`` is text ``i``'s.
    """

    fingerprints: np.ndarray
    signatures: np.ndarray
    n_shingles: np.ndarray
    num_perm: int = 128
    shingle_width: int = 3
    random_state: int = 0
    rows: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.fingerprints)

    def taken(self, texts: np.ndarray) -> DuplicateSketches:
        """Return the sketches of the texts at positions ``texts``; the signatures are not copied.

        Examples
        --------
        >>> sk = duplicate_sketches(["one two three four five", "", "six"]).taken([2, 0])
        >>> sk.n_shingles.tolist(), sk.rows.tolist(), len(sk.signatures)
        ([1, 3], [2, 0], 3)
        """
        texts = np.asarray(texts, dtype=np.int64)
        return dataclasses.replace(self, fingerprints=self.fingerprints[texts],
                                   n_shingles=self.n_shingles[texts],
                                   rows=texts if self.rows is None else self.rows[texts])

    @classmethod
    def concat(cls, parts: Sequence[DuplicateSketches]) -> DuplicateSketches:
        """Join sketches of consecutive batches into one, in order.

        Examples
        --------
        >>> a, b = duplicate_sketches(["one two three"]), duplicate_sketches(["", "four"])
        >>> joined = DuplicateSketches.concat([a, b])
        >>> len(joined), joined.n_shingles.tolist()
        (3, [1, 0, 1])
        """
        if not parts:
            raise ValueError("no sketches to join")
        params = {(p.num_perm, p.shingle_width, p.random_state) for p in parts}
        if len(params) > 1:
            raise ValueError(f"sketches computed with different parameters: {sorted(params)}")
        num_perm, shingle_width, random_state = params.pop()
        return cls(np.concatenate([p.fingerprints for p in parts]),
                   np.concatenate([p.signatures if p.rows is None else p.signatures[p.rows]
                                   for p in parts]),
                   np.concatenate([p.n_shingles for p in parts]),
                   num_perm, shingle_width, random_state)


# ASCII bytes outside \w become spaces, so that after the few non-ASCII
# non-word characters are replaced too, bytes.split() yields exactly the
# \w+ runs (a UTF-8 multi-byte sequence holds no ASCII byte).
_ASCII_NON_WORD = bytes(
    b if (chr(b).isalnum() or b == ord("_")) else ord(" ") for b in range(128)
) + bytes(range(128, 256))
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_IS_WORD_CHAR: dict[str, bool] = {}
# Words (about the shingles) per batch: enough to amortise numpy's per-call
# cost, few enough that one permutation's uint32 vector stays in cache.
_SKETCH_BATCH = 1 << 18
_MAX_HASH = np.uint32(0xFFFFFFFF)


def _word_key(text: str) -> bytes:
    """Return the casefolded ``\\w+`` runs of ``text`` joined by single spaces, as UTF-8.

    Equal to ``_NON_WORD.sub(" ", text.casefold()).strip(" ").encode()`` (the
    :func:`text_fingerprint` key) but several times faster: ASCII goes
    through ``bytes.translate``, and only the distinct non-ASCII characters
    meet the regex engine.
    """
    folded = text.casefold()
    if not folded.isascii():
        for char in set("".join(_NON_ASCII_RUN.findall(folded))):
            is_word = _IS_WORD_CHAR.get(char)
            if is_word is None:
                is_word = _IS_WORD_CHAR[char] = _WORD.fullmatch(char) is not None
            if not is_word:
                folded = folded.replace(char, " ")
    raw = folded.encode("utf-8").translate(_ASCII_NON_WORD)
    if len(raw) > 1 << 22:
        # No list of millions of words for a huge field.
        return re.sub(rb" +", b" ", raw).strip(b" ")
    return b" ".join(raw.split())


def _fmix32(values: np.ndarray) -> np.ndarray:
    # datasketch's "affine32" pre-mix: the MurmurHash3 32-bit finalizer.
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


@functools.lru_cache(maxsize=8)
def _permutations(num_perm: int, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    # Drawn exactly as datasketch's MinHash._init_permutations("affine32").
    gen = np.random.RandomState(random_state)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def duplicate_sketches(
    texts: Sequence[str | None],
    *,
    num_perm: int = 128,
    shingle_width: int = 3,
    random_state: int = 0,
) -> DuplicateSketches:
    """Return the per-text part of :func:`find_duplicates`: fingerprints and MinHash signatures.

    The work grows with the texts only, so the loader computes it per input
    file (in worker processes, cached) and :func:`find_duplicates` runs
    just its corpus-wide stage. Shingles are those of :func:`_shingles`,
    hashed with ``zlib.crc32``; the permutations of a whole batch of texts
    run as one numpy operation each.

    Examples
    --------
    >>> sk = duplicate_sketches(["Oil prices rose.", "oil  PRICES rose", " ", "Hi"])
    >>> sk.fingerprints[0] == sk.fingerprints[1] == text_fingerprint("oil prices rose")
    True
    >>> sk.fingerprints[2] is None
    True
    >>> sk.signatures.shape, sk.signatures.dtype.name, sk.n_shingles.tolist()
    ((4, 128), 'uint32', [1, 1, 0, 1])
    """
    n = len(texts)
    fingerprints = np.full(n, None, dtype=object)
    signatures = np.full((n, num_perm), _MAX_HASH, dtype=np.uint32)
    n_shingles = np.zeros(n, dtype=np.int64)
    a, b = _permutations(num_perm, random_state)
    batch: list[tuple[int, bytes]] = []
    batch_words = 0
    first_by_key: dict[bytes, int] = {}
    copies: list[tuple[int, int]] = []  # (row, earlier row with the same words)
    for i, text in enumerate(texts):
        if not (text or "").strip():
            continue
        key = _word_key(text)
        fingerprints[i] = hashlib.blake2b(key, digest_size=12).hexdigest()
        if not key:
            continue
        first = first_by_key.setdefault(key, i)
        if first != i:
            # Same words, same shingles: reuse the signature (newswires repeat).
            copies.append((i, first))
            continue
        words = key.count(b" ") + 1
        if words > MAX_SHINGLE_WORDS:
            key = key[: _nth_space(key, MAX_SHINGLE_WORDS)]
            words = MAX_SHINGLE_WORDS
        batch.append((i, key))
        batch_words += words
        if batch_words >= _SKETCH_BATCH:
            _sketch_batch(batch, shingle_width, a, b, signatures, n_shingles)
            batch, batch_words = [], 0
    if batch:
        _sketch_batch(batch, shingle_width, a, b, signatures, n_shingles)
    if copies:
        rows, firsts = np.array(copies).T
        signatures[rows] = signatures[firsts]
        n_shingles[rows] = n_shingles[firsts]
    return DuplicateSketches(fingerprints, signatures, n_shingles,
                             num_perm, shingle_width, random_state)


@functools.cache
def _crc32_table() -> np.ndarray:
    """Return the byte table of zlib's CRC-32 (reflected polynomial 0xEDB88320)."""
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1
                         ).astype(np.uint32)
    return table


def _crc32_slices(buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Return ``zlib.crc32(buffer[s:e])`` for every slice, computed for all slices at once.

    One table step per byte position over every slice still that long
    (longest first, so those are a prefix): the same numbers as zlib,
    without a Python call per shingle.

    Examples
    --------
    >>> data = b"oil prices rose"
    >>> got = _crc32_slices(np.frombuffer(data, np.uint8), np.array([0, 4]), np.array([10, 15]))
    >>> got.tolist() == [zlib.crc32(data[0:10]), zlib.crc32(data[4:15])]
    True
    """
    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(ends, dtype=np.int64) - starts
    out = np.empty(len(starts), dtype=np.uint32)
    # A rare long slice (a word of a thousand characters) would cost a numpy
    # step per byte for that one slice: zlib takes those.
    long = np.flatnonzero(lengths > _VECTOR_CRC_BYTES)
    raw = buffer.tobytes() if len(long) else b""
    out[long] = [zlib.crc32(raw[s:s + n]) for s, n in zip(starts[long].tolist(),
                                                           lengths[long].tolist(), strict=True)]
    short = np.flatnonzero(lengths <= _VECTOR_CRC_BYTES)
    short = short[np.argsort(-lengths[short], kind="stable")]
    at, remaining = starts[short], lengths[short]
    crc = np.full(len(short), 0xFFFFFFFF, dtype=np.uint32)
    table = _crc32_table()
    if len(short):
        # longer[j]: how many slices have more than j bytes (a prefix, longest first).
        longer = np.searchsorted(-remaining, -np.arange(remaining[0]), side="left")
        for j, k in enumerate(longer.tolist()):
            done = crc[:k]
            crc[:k] = table[(done ^ buffer[at[:k] + j]) & 0xFF] ^ (done >> 8)
    out[short] = crc ^ np.uint32(0xFFFFFFFF)
    return out


#: Slices longer than this are hashed by zlib one by one (see :func:`_crc32_slices`).
_VECTOR_CRC_BYTES = 256


def _nth_space(key: bytes, count: int) -> int:
    """Return the offset of the ``count``-th space of ``key`` (ends the first ``count`` words)."""
    spaces = np.flatnonzero(np.frombuffer(key, dtype=np.uint8) == ord(" "))
    return int(spaces[count - 1])


def _sketch_batch(batch: list[tuple[int, bytes]], width: int, a: np.ndarray, b: np.ndarray,
                  signatures: np.ndarray, n_shingles: np.ndarray) -> None:
    """Fill the signatures of a batch of ``(row, non-empty word key)`` in place."""
    rows = np.fromiter((i for i, _ in batch), dtype=np.int64, count=len(batch))
    joined = b" ".join(key for _, key in batch)
    spaces = np.flatnonzero(np.frombuffer(joined, dtype=np.uint8) == ord(" "))
    word_start = np.concatenate(([0], spaces + 1))
    word_end = np.concatenate((spaces, [len(joined)]))
    words = np.fromiter((key.count(b" ") + 1 for _, key in batch), dtype=np.int64,
                        count=len(batch))
    first_word = np.concatenate(([0], np.cumsum(words)[:-1]))
    # A text shorter than the shingle width is one shingle of all its words.
    counts = np.maximum(words - width + 1, 1)
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
    start = np.repeat(first_word - offsets, counts) + np.arange(counts.sum())
    last = np.minimum(start + width - 1, np.repeat(first_word + words - 1, counts))
    hashes = _fmix32(_crc32_slices(np.frombuffer(joined, dtype=np.uint8), word_start[start],
                                   word_end[last]))
    permuted = np.empty_like(hashes)
    out = np.empty((len(batch), len(a)), dtype=np.uint32)
    for k in range(len(a)):
        # datasketch's a * h + b in uint32, wrapping modulo 2**32.
        np.multiply(hashes, a[k], out=permuted)
        np.add(permuted, b[k], out=permuted)
        out[:, k] = np.minimum.reduceat(permuted, offsets)
    signatures[rows] = out
    n_shingles[rows] = counts


#: datasketch's bands for the default threshold and permutations, so that
#: every load does not import it (with scipy.integrate, ~0.7 s) to work them
#: out again; tests/test_clean.py checks them against the library.
_KNOWN_BANDS = {(0.7, 128): (14, 9)}


@functools.lru_cache(maxsize=8)
def _lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """Return datasketch ``MinHashLSH(threshold, num_perm)``'s (bands, rows per band)."""
    # MinHashLSH's own checks, so that bad parameters fail as they did.
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be in [0.0, 1.0]")
    if num_perm < 2:
        raise ValueError("Too few permutation functions")
    if (threshold, num_perm) in _KNOWN_BANDS:
        return _KNOWN_BANDS[threshold, num_perm]
    # Its private optimiser (numerical integration, ~0.1 s): called rather
    # than copied so that the bands always match the library's choice.
    from datasketch.lsh import _optimal_param

    bands, rows = _optimal_param(threshold, num_perm, 0.5, 0.5)
    if bands < 2:
        raise ValueError("The number of bands are too small (b < 2)")
    return bands, rows


#: Candidate pairs whose signatures are compared at once: each pair costs
#: about ``9 * num_perm`` bytes of temporary memory (~19 MB at 128).
_PAIR_CHUNK = 1 << 14


def _band_keys(values: np.ndarray) -> np.ndarray:
    """Return a group number per row of ``values``: equal rows, and only those, share one.

    Which number a group gets does not matter, only who is in it. Rows are
    numbered by a 64-bit hash of their values (one hash table lookup each,
    ten times faster than grouping the columns), and the groups are then
    checked value by value; a hash collision, if one ever happens, falls
    back to grouping by the values themselves.
    """
    mixed = np.zeros(len(values), dtype=np.uint64)
    for column in values.T:
        mixed = (mixed ^ column.astype(np.uint64)) * np.uint64(0x100000001B3)
        mixed ^= mixed >> np.uint64(29)
    keys, firsts = pd.factorize(mixed)
    some_row = np.zeros(len(firsts), dtype=np.int64)
    some_row[keys] = np.arange(len(keys))  # any row of each key will do as its witness
    if (values == values[some_row[keys]]).all():
        return keys
    return pd.DataFrame(values).groupby(list(range(values.shape[1])), sort=False).ngroup(
        ).to_numpy()


def _band_pairs(keys: np.ndarray):
    """Yield ``(earlier, later)`` arrays of row pairs with equal ``keys``, in bounded chunks.

    Rows within a group pair with every earlier row of the group; a group
    of thousands of identical band values is cut into chunks of later rows
    so that no chunk much exceeds :data:`_PAIR_CHUNK` pairs.
    """
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    new_group = np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1]))
    group_start = np.flatnonzero(new_group)
    position = np.arange(len(keys))
    start_of = group_start[np.cumsum(new_group) - 1]
    rank = position - start_of  # earlier rows of the same group
    later = np.flatnonzero(rank)
    if not len(later):
        return
    cumulative = np.cumsum(rank[later])
    begin = 0
    while begin < len(later):
        end = int(np.searchsorted(cumulative, cumulative[begin] - rank[later[begin]] + _PAIR_CHUNK,
                                  side="right"))
        end = max(end, begin + 1)
        chunk = later[begin:end]
        counts = rank[chunk]
        total = int(counts.sum())
        firsts = np.repeat(start_of[chunk] - (np.cumsum(counts) - counts), counts)
        yield order[firsts + np.arange(total)], np.repeat(order[chunk], counts)
        begin = end


def find_duplicates(
    texts: Sequence[str],
    ids: Sequence[str],
    *,
    sketches: DuplicateSketches | None = None,
    threshold: float = 0.7,
    num_perm: int = 128,
    shingle_width: int = 3,
    random_state: int = 0,
) -> pd.Series:
    """Return, for each text, the id of the first earlier copy (else missing).

    Exact copies are found by :func:`text_fingerprint` of the whole text;
    near-copies by MinHash LSH over word ``shingle_width``-grams of the first
    :data:`MAX_SHINGLE_WORDS` words, confirmed by the estimated Jaccard
    similarity reaching ``threshold``. Chains resolve to the first copy in
    input order, so the result is deterministic.

    The result is exactly that of inserting each text's datasketch MinHash,
    in order, into a datasketch ``MinHashLSH(threshold, num_perm)`` after
    querying it, but runs as numpy operations over all texts at once: two
    texts are candidates when they share a band of the index, and a
    candidate is confirmed when ``MinHash.jaccard`` would reach
    ``threshold``. Only the first copy of each exact text with at least 5
    shingles takes part.

    Parameters
    ----------
    texts, ids : sequence
        The texts and their ids, in input order.
    sketches : DuplicateSketches, optional
        :func:`duplicate_sketches` of ``texts`` (for instance joined from
        per-file caches with :meth:`DuplicateSketches.concat`); computed
        here when missing. They must use the same ``num_perm``,
        ``shingle_width`` and ``random_state``.
    threshold : float
        Estimated Jaccard similarity that makes a near-copy.
    num_perm, shingle_width, random_state : int
        MinHash permutations, words per shingle and permutation seed.

    Examples
    --------
    >>> a = ("Parliament approved the budget on Tuesday after a long debate over taxes, "
    ...      "pensions and spending on roads, schools and hospitals in the regions. " * 2)
    >>> b = a.replace("roads", "railways", 1)
    >>> find_duplicates([a, "Football is back.", a, b, b], ["a", "f", "a2", "b", "b2"]).tolist()
    [<NA>, <NA>, 'a', 'a', 'a']
    >>> texts = [a, b, ""]
    >>> sk = duplicate_sketches(texts)
    >>> find_duplicates(texts, ["a", "b", "e"], sketches=sk).tolist()
    [<NA>, 'a', <NA>]
    """
    # Arrow text, not a Python string per id: a million of them at the
    # loading's busiest moment (the signatures are held then).
    ids = pd.array(ids, dtype="string[pyarrow]")
    if len(ids) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(ids)} ids")
    if sketches is None:
        sketches = duplicate_sketches(texts, num_perm=num_perm, shingle_width=shingle_width,
                                      random_state=random_state)
    elif len(sketches) != len(texts):
        raise ValueError(f"{len(sketches)} sketches for {len(texts)} texts")
    elif (sketches.num_perm, sketches.shingle_width, sketches.random_state) != (
            num_perm, shingle_width, random_state):
        raise ValueError("sketches were computed with other num_perm, shingle_width or "
                         "random_state")
    n = len(ids)
    # Each text's first copy by fingerprint, found by factorising, not a dict of
    # a million fingerprints; texts without one (blank) repeat nothing.
    codes, _ = pd.factorize(sketches.fingerprints, use_na_sentinel=True)
    has_text = codes >= 0
    with_text = np.flatnonzero(has_text)
    first_of_code = with_text[np.unique(codes[with_text], return_index=True)[1]]
    parent = np.arange(n)  # index of the copy each text repeats (itself if none)
    parent[has_text] = first_of_code[codes[has_text]]
    is_candidate = has_text & (parent == np.arange(n))
    # Too short for a near-duplicate call to mean anything.
    candidates = np.flatnonzero(is_candidate & (sketches.n_shingles >= 5))
    near = _near_copies(sketches.signatures, candidates if sketches.rows is None
                        else sketches.rows[candidates], threshold, num_perm)
    found = near >= 0
    parent[candidates[found]] = candidates[near[found]]

    # Every copy points at an earlier one, so jumping pointers reaches the
    # first copy of each chain.
    root = parent
    while True:
        jumped = root[root]
        if np.array_equal(jumped, root):
            break
        root = jumped
    result = pd.Series(ids.take(root))
    result[root == np.arange(n)] = pd.NA
    return result


def _near_copies(signatures: np.ndarray, texts: np.ndarray, threshold: float,
                 num_perm: int) -> np.ndarray:
    """Return for each text the first earlier one it near-copies (``-1`` for none).

    Text ``i``'s signature is row ``texts[i]`` of ``signatures``: the
    signatures are read where they are, never copied whole in text order.
    """
    bands, rows = _lsh_bands(threshold, num_perm)
    n = len(texts)
    if n < 2:
        return np.full(n, -1, dtype=np.int64)
    best = np.full(n, n, dtype=np.int64)
    for band in range(bands):
        values = signatures[texts, band * rows:(band + 1) * rows]
        for earlier, later in _band_pairs(_band_keys(values)):
            # MinHash.jaccard: the fraction of equal values, as a float.
            equal = np.count_nonzero(signatures[texts[earlier]] == signatures[texts[later]],
                                     axis=1)
            confirmed = equal / float(num_perm) >= threshold
            np.minimum.at(best, later[confirmed], earlier[confirmed])
    return np.where(best < n, best, -1)
