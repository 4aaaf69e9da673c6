"""Speed and memory benchmark of ``term_trends`` and ``detect_bursts`` on real and 1M-article data.

How to run, from the repository root::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_trends.py [--size N] [--work DIR]
        [--markdown] [--unique] [--profile] [--no-reuters] [--timeout S]

Reuters-21578: ``term_trends(reuters, freq="W", top_n=2000)`` and
``detect_bursts(reuters, freq="W", top_n=2000)``, each run twice, every run in a fresh child
process (the script re-invokes itself with ``--child``). The child loads the articles with
:func:`analysis.load_articles` (``cache=False``; timed separately as "load s"), records its RSS
("RSS before"), then times only the call (wall clock); "peak RSS" is ``ru_maxrss`` of the child
right after the call. The table shows the faster run's seconds and the larger RSS of the two.

Synthetic: ``--size N`` (default 1,000,000) articles resampled with replacement (seed 0) from
Reuters-21578 + BBC (title and text only), with fresh ids and ``published`` dates drawn
uniformly (seed 0) from 2020-01-01 to 2021-12-31 UTC, written to ``WORK/synthetic-N.parquet``
outside any timing (an existing file of that name is reused). A fresh child reads the parquet
("read s") and times only ``term_trends(frame, freq="W", top_n=2000)``. Term counting tokenises
each *distinct* text once, so resampled copies are cheap; ``--unique`` adds the worst case,
``WORK/synthetic-N-unique.parquet``, where article ``i``'s text ends in `` ref{i}`` so no two
texts are identical. Target: under 60 s and under 6 GiB peak RSS once the articles are loaded.

Each child runs under an address-space cap (``--mem-limit-gb``, default 14), so a run that
outgrows it ends in ``MemoryError`` (reported with its RSS) instead of waking the OOM killer.

``--profile`` runs cProfile over the timed call on the unique-text corpus (built if missing) in
a child and prints the top 15 functions by cumulative time. ``--markdown`` prints Markdown
tables.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from analysis.config import shared_data_dir  # noqa: E402
from benchmarks.common import machine, table  # noqa: E402

TOP_N = 2000
FREQ = "W"
REPEATS = 2
SYNTH_SOURCES = (("reuters21578", "reuters21578"), ("bbc-fulltext.tar.gz", "bbc"))
SYNTH_SPAN = ("2020-01-01", "2022-01-01")  # uniform over 2020-01-01 .. 2021-12-31, UTC
TARGET = (60.0, 6144.0)  # seconds, MB
MEM_LIMIT_GB = 14.0  # address-space cap of each child (--mem-limit-gb)
HEADER = ("corpus", "call", "variant", "articles", "distinct texts", "terms", "periods",
          "load s", "seconds", "peak RSS MB", "RSS before MB")


# --------------------------------------------------------------------------- helpers


def _rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    """Resident set size of this process now, in MB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def distinct_texts(articles) -> int:
    """Number of distinct title+text strings, as the term counter sees them."""
    import pandas as pd

    from analysis.topic_terms import article_texts

    return int(pd.Series(article_texts(articles), dtype=object).nunique())


# --------------------------------------------------------------------------- child side


def load_reuters():
    from analysis import load_articles

    return load_articles(shared_data_dir() / "reuters21578", fmt="reuters21578", cache=False,
                         progress=False)


def load_input(source: str):
    """Return the articles and the seconds it took: Reuters-21578 or a parquet path."""
    import pandas as pd

    t0 = time.perf_counter()
    articles = load_reuters() if source == "reuters" else pd.read_parquet(source)
    return articles, time.perf_counter() - t0


def call(name: str, articles):
    from analysis import detect_bursts, term_trends

    fn = term_trends if name == "term_trends" else detect_bursts
    return fn(articles, freq=FREQ, top_n=TOP_N)


def result_shape(name: str, articles, result) -> tuple[int, int]:
    """Terms tracked (term_trends) or with a burst (detect_bursts), and weekly periods."""
    from analysis.periods import period_grid

    if name == "term_trends":
        return int(result["term"].nunique()), int(result["period"].nunique())
    return int(result["term"].nunique()), period_grid(articles["published"], freq=FREQ).n_periods


def limit_memory(gib: float) -> None:
    """Cap this process's address space, so a runaway run fails alone, not via the OOM killer."""
    if gib > 0:
        cap = int(gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def child_run(source: str, name: str, count_distinct: bool) -> dict:
    """In this (fresh) process: load, time only the call, then report peak RSS and shape."""
    articles, load_seconds = load_input(source)
    before = _current_rss_mb()
    t0 = time.perf_counter()
    try:
        result = call(name, articles)
    except MemoryError:
        return {"call": name, "memory_error": time.perf_counter() - t0, "peak_rss_mb": _rss_mb(),
                "rss_before_mb": before, "articles": len(articles), "load_seconds": load_seconds}
    seconds = time.perf_counter() - t0
    peak = _rss_mb()
    terms, periods = result_shape(name, articles, result)
    return {"call": name, "articles": len(articles), "load_seconds": load_seconds,
            "seconds": seconds, "peak_rss_mb": peak, "rss_before_mb": before,
            "terms": terms, "periods": periods,
            "distinct": distinct_texts(articles) if count_distinct else None}


def child_profile(source: str, name: str, top: int = 15) -> None:
    """cProfile the call in this process; print the top functions by cumulative time."""
    articles, _ = load_input(source)
    prof = cProfile.Profile()
    prof.enable()
    call(name, articles)
    prof.disable()
    print(f"peak RSS {_rss_mb():.0f} MB")
    pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(top)


def spawn(source: str, name: str, *, profile: bool = False, distinct: bool = False,
          timeout: float | None = None) -> str:
    """Re-invoke this script as a fresh child for one run; return its stdout."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", source, "--call", name,
           "--mem-limit-gb", str(MEM_LIMIT_GB)]
    cmd += (["--profile"] if profile else []) + (["--count-distinct"] if distinct else [])
    return subprocess.run(cmd, check=True, capture_output=True, text=True,
                          timeout=timeout).stdout


def run_child(source: str, name: str, timeout: float, distinct: bool = False) -> dict:
    """One run in a fresh child; a run past *timeout* seconds is reported, not raised."""
    try:
        out = spawn(source, name, distinct=distinct, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"call": name, "timeout": timeout}
    except subprocess.CalledProcessError as exc:
        return {"call": name, "failed": exc.returncode, "stderr": exc.stderr[-2000:]}
    return json.loads(out.strip().splitlines()[-1])


# --------------------------------------------------------------------------- Reuters


def reuters_runs(timeout: float) -> list[dict]:
    """Best of REPEATS fresh-child runs per call: min seconds, max RSS."""
    results = []
    for name in ("term_trends", "detect_bursts"):
        runs = [run_child("reuters", name, timeout, distinct=i == 0) for i in range(REPEATS)]
        done = [r for r in runs if "timeout" not in r]
        if not done:
            results.append(runs[0])
            continue
        best = min(done, key=lambda r: r["seconds"])
        best = {**best, "distinct": done[0]["distinct"], "runs": [r["seconds"] for r in done],
                "peak_rss_mb": max(r["peak_rss_mb"] for r in done),
                "rss_before_mb": max(r["rss_before_mb"] for r in done)}
        results.append(best)
        print(f"done reuters {name}: {best}", file=sys.stderr)
    return results


# --------------------------------------------------------------------------- synthetic


def load_pool():
    """Reuters-21578 + BBC: title and text of every article, and the per-source counts."""
    import pandas as pd

    from analysis import load_articles

    data = shared_data_dir()
    parts = [load_articles(data / rel, fmt=fmt, cache=False, progress=False)
             for rel, fmt in SYNTH_SOURCES]
    pool = pd.concat([p[["source", "title", "text"]] for p in parts], ignore_index=True)
    return pool, [len(p) for p in parts]


def synthetic_frame(pool, n: int, seed: int = 0):
    """Resample *n* pool rows with replacement; fresh ids and uniform 2020-2021 dates."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(pool), n)
    start, end = (pd.Timestamp(d, tz="UTC") for d in SYNTH_SPAN)
    seconds = rng.integers(0, int((end - start).total_seconds()), n)
    frame = pool.iloc[rows].reset_index(drop=True)
    frame.insert(0, "article_id", [f"synth-{i:07d}" for i in range(n)])
    frame["published"] = start + pd.to_timedelta(seconds, unit="s")
    return frame


def make_unique(frame):
    """Append `` ref{i}`` to every text, so no two articles share a text."""
    texts = frame["text"].astype(object).where(frame["text"].notna(), "")
    out = frame.copy()
    out["text"] = [f"{t} ref{i}" for i, t in enumerate(texts)]
    return out


def build_synthetic(work: Path, n: int, unique: bool) -> dict:
    """Write the parquet corpora (skipping existing files); return paths and counts."""
    paths = {"resampled": work / f"synthetic-{n}.parquet"}
    if unique:
        paths["unique texts"] = work / f"synthetic-{n}-unique.parquet"
    info = {"paths": {k: str(p) for k, p in paths.items()}, "rows": n, "built": [],
            "distinct": {}}
    meta = work / f"synthetic-{n}.json"
    if all(p.exists() for p in paths.values()) and meta.exists():
        old = json.loads(meta.read_text())
        if all(k in old["distinct"] for k in paths):
            return {**info, "pool": old["pool"], "per_source": old["per_source"],
                    "distinct": old["distinct"], "build_seconds": None}
    t0 = time.perf_counter()
    pool, per_source = load_pool()
    frame = synthetic_frame(pool, n)
    for variant, path in paths.items():
        data = make_unique(frame) if variant == "unique texts" else frame
        data.to_parquet(path)
        info["distinct"][variant] = distinct_texts(data)
        info["built"].append(variant)
    info.update(pool=len(pool), per_source=per_source, build_seconds=time.perf_counter() - t0)
    meta.write_text(json.dumps({k: info[k] for k in ("pool", "per_source", "distinct")}))
    return info


def synthetic_runs(info: dict, timeout: float) -> list[dict]:
    results = []
    for variant, path in info["paths"].items():
        r = run_child(path, "term_trends", timeout)
        r.update(variant=variant, distinct=info["distinct"][variant],
                 parquet_mb=Path(path).stat().st_size / 1e6)
        results.append(r)
        print(f"done synthetic {variant}: {r}", file=sys.stderr)
    return results


# --------------------------------------------------------------------------- report


def _row(corpus: str, variant: str, r: dict) -> list[str]:
    if "timeout" in r:
        return [corpus, r["call"], variant, "-", "-", "-", "-", "-",
                f"> {r['timeout']:.0f} (killed)", "-", "-"]
    if "failed" in r:
        return [corpus, r["call"], variant, "-", "-", "-", "-", "-",
                f"failed (exit {r['failed']})", "-", "-"]
    if "memory_error" in r:
        return [corpus, r["call"], variant, f"{r['articles']:,}", f"{r.get('distinct', 0):,}",
                "-", "-", f"{r['load_seconds']:.1f}",
                f"MemoryError after {r['memory_error']:.0f}", f"{r['peak_rss_mb']:.0f}",
                f"{r['rss_before_mb']:.0f}"]
    return [corpus, r["call"], variant, f"{r['articles']:,}", f"{r['distinct']:,}",
            f"{r['terms']:,}", str(r["periods"]), f"{r['load_seconds']:.1f}",
            f"{r['seconds']:.1f}", f"{r['peak_rss_mb']:.0f}", f"{r['rss_before_mb']:.0f}"]


def report_reuters(results: list[dict], markdown: bool) -> None:
    print(f"\nReuters-21578, best of {REPEATS} fresh-child runs (terms: tracked by term_trends, "
          "with at least one burst for detect_bursts)")
    print(table(HEADER, [_row("reuters21578", "as loaded", r) for r in results], markdown,
                text_columns=3))
    for r in results:
        if "runs" in r:
            print(f"{r['call']} runs: " + ", ".join(f"{s:.2f} s" for s in r["runs"]))


def verdict(r: dict) -> str:
    if "timeout" in r or "failed" in r:
        return f"FAIL (killed) {r.get('stderr', '')[-300:]}"
    if "memory_error" in r:
        return f"FAIL (MemoryError under the {MEM_LIMIT_GB:g} GiB address-space cap)"
    fast, small = r["seconds"] < TARGET[0], r["peak_rss_mb"] < TARGET[1]
    return (f"{'pass' if fast else 'FAIL'} < 60 s, {'pass' if small else 'FAIL'} < 6 GiB")


def report_synthetic(info: dict, results: list[dict], markdown: bool) -> None:
    built = ("reused existing parquet files" if info["build_seconds"] is None
             else f"built in {info['build_seconds']:.0f} s")
    print(f"\nSynthetic: {info['rows']:,} articles resampled from a pool of {info['pool']:,} "
          f"(Reuters-21578, BBC: {info['per_source']}), {built}; load s = parquet read")
    print(table(HEADER, [_row("synthetic", r["variant"], r) for r in results], markdown,
                text_columns=3))
    for r in results:
        size = f", parquet {r['parquet_mb']:.0f} MB" if "parquet_mb" in r else ""
        print(f"{r['variant']}: {verdict(r)}{size}")


# --------------------------------------------------------------------------- CLI


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="synthetic articles")
    parser.add_argument("--work", type=Path, help="work folder (default: a new temp folder)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--unique", action="store_true",
                        help="also run the synthetic corpus with every text made unique")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile term_trends on the unique-text synthetic corpus only")
    parser.add_argument("--no-reuters", action="store_true", help="skip the Reuters-21578 runs")
    parser.add_argument("--no-synthetic", action="store_true", help="skip the synthetic runs")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds before a child run is killed and reported as too slow")
    parser.add_argument("--mem-limit-gb", type=float, default=MEM_LIMIT_GB,
                        help="address-space cap per child in GiB, 0 for none (default %(default)s)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--call", default="term_trends", help=argparse.SUPPRESS)
    parser.add_argument("--count-distinct", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def child_main(args: argparse.Namespace) -> int:
    limit_memory(args.mem_limit_gb)
    if args.profile:
        child_profile(args.child, args.call)
    else:
        print(json.dumps(child_run(args.child, args.call, args.count_distinct)))
    return 0


def main(argv: list[str] | None = None) -> int:
    global MEM_LIMIT_GB
    args = parse_args(argv)
    MEM_LIMIT_GB = args.mem_limit_gb
    if args.child:
        return child_main(args)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_trends-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, work {work}\n{machine()}")
    if args.profile:
        info = build_synthetic(work, args.size, unique=True)
        print(spawn(info["paths"]["unique texts"], "term_trends", profile=True))
        return 0
    if not args.no_reuters:
        report_reuters(reuters_runs(args.timeout), args.markdown)
    if not args.no_synthetic:
        info = build_synthetic(work, args.size, args.unique)
        report_synthetic(info, synthetic_runs(info, args.timeout), args.markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
