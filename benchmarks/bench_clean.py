"""How much faster are the vectorised duplicate sketches, LSH stage and language id?

How to run, from the repository root::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_clean.py [N] [--repeat R] [--markdown]

Data: the first ``N`` (default 10,000) texts of BBC News (``bbc-fulltext.tar.gz``, 2,225
articles) followed by the Reuters-21578 ``<BODY>`` texts, from ``shared_data_dir()``. The
corpora repeat when ``N`` exceeds them (exact copies then take the cheap path on both
sides, so keep ``N`` under ~21,000 for honest numbers).

Stages, each old (the per-text code :mod:`analysis.clean` used before) vs new, one core,
best wall time of ``R`` runs (default 3; the machine is shared):

- ``sketches``: old = ``text_fingerprint`` + ``_shingles`` + datasketch
  ``MinHash.bulk(..., hashfunc=zlib.crc32)`` per text; new = ``duplicate_sketches``;
- ``lsh``: old = the datasketch ``MinHashLSH`` query/insert loop over the old sketches;
  new = ``find_duplicates(..., sketches=...)`` (the corpus-wide stage alone);
- ``find_duplicates``: both stages;
- ``languages``: old = ``py3langid.classify(text[:600])`` per text; new =
  ``detect_languages``.

Each new stage's result is checked equal to the old one before its time is reported.
"""

from __future__ import annotations

import argparse
import re
import sys
import tarfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.clean import (  # noqa: E402
    _shingles,
    detect_languages,
    duplicate_sketches,
    find_duplicates,
    text_fingerprint,
)
from analysis.config import shared_data_dir  # noqa: E402
from benchmarks.common import load_average, machine, table  # noqa: E402

_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)


def load_texts(n: int) -> list[str]:
    """Return ``n`` real news texts: BBC News, then Reuters-21578 bodies, repeated if needed."""
    root = shared_data_dir()
    texts: list[str] = []
    with tarfile.open(root / "bbc-fulltext.tar.gz") as archive:
        for member in sorted(archive.getmembers(), key=lambda m: m.name):
            if member.isfile() and member.name.endswith(".txt") and "README" not in member.name:
                texts.append(archive.extractfile(member).read().decode("utf-8", "replace"))
    for path in sorted((root / "reuters21578").glob("reut2-*.sgm")):
        if len(texts) >= n:
            break
        raw = path.read_bytes().decode("latin-1")
        texts += [body.replace("&lt;", "<").replace("&amp;", "&").strip()
                  for body in _BODY.findall(raw)]
    while len(texts) < n:
        texts += texts[: n - len(texts)]
    return texts[:n]


def old_sketches(texts):
    from datasketch import MinHash

    fingerprints = [text_fingerprint(t) if t.strip() else None for t in texts]
    shingles = [_shingles(t, 3) for t in texts]
    return fingerprints, shingles, MinHash.bulk(shingles, num_perm=128, seed=0,
                                                hashfunc=zlib.crc32)


def old_lsh(fingerprints, shingles, hashes, threshold=0.7):
    """The old corpus-wide stage: exact copies by fingerprint, then the datasketch loop."""
    from datasketch import MinHashLSH

    parent = list(range(len(fingerprints)))
    first: dict[str, int] = {}
    for i, fp in enumerate(fingerprints):
        if fp is not None:
            parent[i] = first.setdefault(fp, i)
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    seen = {}
    for i in range(len(fingerprints)):
        if parent[i] != i or fingerprints[i] is None or len(shingles[i]) < 5:
            continue
        mh = hashes[i]
        confirmed = [int(k) for k in lsh.query(mh) if seen[int(k)].jaccard(mh) >= threshold]
        if confirmed:
            parent[i] = min(confirmed)
        lsh.insert(str(i), mh)
        seen[i] = mh

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    return [root(i) if root(i) != i else None for i in range(len(parent))]


def old_languages(texts):
    import py3langid

    return [py3langid.classify(t[:600])[0] if t.strip() else None for t in texts]


def best(call, repeat: int):
    """Return ``(result, best wall seconds)`` of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return result, min(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=10_000, help="number of texts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per stage (best counts)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    texts = load_texts(args.n)
    ids = [str(i) for i in range(len(texts))]
    # Warm up: model loading, LSH band choice, numpy tables; not part of any stage.
    detect_languages(texts[:50])
    old_languages(texts[:50])
    find_duplicates(texts[:50], ids[:50])
    print(f"{len(texts):,} texts, {sum(map(len, texts)) / len(texts):,.0f} characters on "
          f"average; {machine()}", file=sys.stderr)

    rows = []

    def row(stage, old_s, new_s):
        n = len(texts)
        rows.append([stage, f"{n:,}", f"{old_s * 1e6 / n:,.1f}", f"{new_s * 1e6 / n:,.1f}",
                     f"{n / new_s:,.0f}", f"{old_s / new_s:.1f}x"])

    (fps, shingles, hashes), old_sk = best(lambda: old_sketches(texts), args.repeat)
    sketches, new_sk = best(lambda: duplicate_sketches(texts), args.repeat)
    assert all((h.hashvalues == s).all() for h, s in zip(hashes, sketches.signatures, strict=True))
    assert fps == sketches.fingerprints.tolist()
    row("sketches", old_sk, new_sk)

    old_roots, old_l = best(lambda: old_lsh(fps, shingles, hashes), args.repeat)
    flagged, new_l = best(lambda: find_duplicates(texts, ids, sketches=sketches), args.repeat)
    assert flagged.fillna("").tolist() == ["" if r is None else ids[r] for r in old_roots]
    row("lsh (corpus-wide)", old_l, new_l)
    row("find_duplicates", old_sk + old_l, new_sk + new_l)

    old_langs, old_t = best(lambda: old_languages(texts), args.repeat)
    new_langs, new_t = best(lambda: detect_languages(texts), args.repeat)
    assert old_langs == new_langs
    row("languages", old_t, new_t)

    header = ("stage", "texts", "old µs/text", "new µs/text", "new texts/s", "speedup")
    print(table(header, rows, args.markdown))
    print(f"{int(flagged.notna().sum()):,} duplicates flagged; results identical; "
          f"{load_average()}")


if __name__ == "__main__":
    main()
