"""Quality, speed and memory benchmark of ``newsscope topics`` against the topiceval yardstick.

How to run, from the repository root::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_topics.py [--work DIR]
        [--only bbc|reuters_r8] [--markdown] [--scale N] [--no-quality] [--no-scale]
        [--profile auto|20]

Quality: ``prepare.py --out WORK/corpora`` (from ``/work/shared/tools/topiceval``, run in its
own folder, data folder :func:`analysis.config.shared_data_dir` passed on through
``NEWSSCOPE_SHARED_DATA``) writes ``bbc.jsonl`` and ``reuters_r8.jsonl``. For each corpus the
CLI ``newsscope topics CORPUS.jsonl --out OUT --k K --quiet`` runs under
``/usr/bin/time -f "%e %M"`` with K = the label count and ``auto`` (method ``hybrid``) plus
``--method nmf`` at the label count as a reference. Seconds and peak RSS cover the whole CLI
process: interpreter start, imports, JSONL ingestion and the fit. The CLI always uses the
ingestion cache (``data/processed/cache``), so the JSONL's mtime is bumped before each run to
make every run a cold one. ``score.py CORPUS.jsonl OUT --no-cnpmi`` then scores the output.

Scale: ``--scale N`` (default 100000) resamples N real articles with replacement (seed 0) from
BBC + Reuters-21578 + TTC-3600 loaded with :func:`analysis.load_articles`, gives every copy a
fresh ``article_id`` and no ``duplicate_of`` (so all N are fitted), writes them to
``WORK/scale.parquet`` and, in a fresh child process per run (the script re-invokes itself with
``--child``), times only ``fit_topics(articles)`` with ``k="auto"`` and ``k=20``. Peak RSS is
``ru_maxrss`` of that child after the fit (it includes the frame read from parquet, shown
separately as "RSS before fit").

``--profile auto|20`` runs cProfile on one scale fit in a child and prints the top 15 functions
by cumulative time.

The peers' numbers are constants quoted from the issue (measured by its author, not re-run).
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

TOPICEVAL = Path("/work/shared/tools/topiceval")
NEWSSCOPE = Path(sys.executable).with_name("newsscope")
LABELS = {"bbc": 5, "reuters_r8": 8}
SCALE_SOURCES = (("bbc-fulltext.tar.gz", "bbc"), ("reuters21578", "reuters21578"),
                 ("ttc3600-turkish-news.tar.gz", "ttc3600"))

# Measured by the issue author, not re-run here: (method, corpus) -> (NMI, NPMI_doc, TD, seconds).
PEERS = {
    ("TF-IDF+LSA(100)+KMeans", "bbc"): (0.880, 0.220, 0.880, 6),
    ("TF-IDF+LSA(100)+KMeans", "reuters_r8"): (0.518, 0.274, 0.695, 5),
    ("sklearn TF-IDF+NMF", "bbc"): (0.776, 0.296, 0.944, 5),
    ("sklearn TF-IDF+NMF", "reuters_r8"): (0.451, 0.330, 0.700, 6),
    ("BERTopic MiniLM+UMAP+KMeans", "bbc"): (0.853, 0.179, 0.872, 232),
    ("BERTopic MiniLM+UMAP+KMeans", "reuters_r8"): (0.599, 0.281, 0.690, 430),
}
# Targets at k = label count: NMI, NPMI_doc, TD minimums and a time ceiling in seconds.
TARGETS = {"bbc": (0.880, 0.296, 0.80, 23), "reuters_r8": (0.599, 0.330, 0.80, 43)}
SCALE_TARGET = (60.0, 4096.0)  # seconds, MB

QUALITY_COLUMNS = ("corpus", "method", "k asked", "k found", "NMI", "ARI", "NPMI_doc", "TD",
                   "outlier share", "seconds", "peak MB")


# --------------------------------------------------------------------------- helpers


def _rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(work: Path, only: list[str]) -> Path:
    """Run topiceval's prepare.py once; return the folder holding the JSONL corpora."""
    out = work / "corpora"
    env = {**os.environ, "NEWSSCOPE_SHARED_DATA": str(shared_data_dir())}
    cmd = [sys.executable, "prepare.py", "--out", str(out), "--only", *only]
    subprocess.run(cmd, cwd=TOPICEVAL, env=env, check=True, capture_output=True, text=True)
    return out


def run_cli(corpus: Path, out: Path, k: str, method: str) -> tuple[float, float]:
    """Run ``newsscope topics`` cold under /usr/bin/time; return (seconds, peak MB)."""
    os.utime(corpus)  # new mtime -> new cache key -> the run pays the JSONL ingestion
    out.parent.mkdir(parents=True, exist_ok=True)
    stats = out.with_suffix(".time")
    cmd = ["/usr/bin/time", "-o", str(stats), "-f", "%e %M", str(NEWSSCOPE), "topics",
           str(corpus), "--out", str(out), "--k", k, "--method", method, "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    seconds, kib = stats.read_text().split()[-2:]
    return float(seconds), int(kib) / 1024


def score(corpus: Path, out: Path) -> dict:
    """Score one CLI output folder with topiceval's score.py (run from its folder)."""
    cmd = [sys.executable, "score.py", str(corpus), str(out), "--no-cnpmi"]
    res = subprocess.run(cmd, cwd=TOPICEVAL, check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def k_selection(out: Path) -> str:
    """The stability curve the CLI wrote for k="auto", as "k:stability" pairs ("" if none)."""
    path = out / "k_selection.csv"
    if not path.exists():
        return ""
    import pandas as pd

    curve = pd.read_csv(path)
    return " ".join(f"{'*' if c else ''}{k}:{s:.3f}"
                    for k, s, c in zip(curve["k"], curve["stability"], curve["chosen"],
                                       strict=True))


def quality_runs(corpora: Path, names: list[str]) -> list[dict]:
    """Every (corpus, k, method) run: timings, scores and the k="auto" curve."""
    results = []
    for name in names:
        n = str(LABELS[name])
        for k, method in ((n, "hybrid"), ("auto", "hybrid"), (n, "nmf")):
            out = corpora.parent / "runs" / f"{name}-{method}-k{k}"
            seconds, peak = run_cli(corpora / f"{name}.jsonl", out, k, method)
            res = score(corpora / f"{name}.jsonl", out)
            results.append({"corpus": name, "method": method, "k": k, "seconds": seconds,
                            "peak_mb": peak, "curve": k_selection(out), **res})
            print(f"done {name} {method} k={k}: {seconds:.1f} s, NMI {res['NMI']}",
                  file=sys.stderr)
    return results


def quality_cells(r: dict) -> list[str]:
    return [r["corpus"], r["method"], r["k"], str(r["n_topics"]), f"{r['NMI']:.3f}",
            f"{r['ARI']:.3f}", f"{r['NPMI_doc']:.3f}", f"{r['TD']:.3f}",
            f"{r['outlier_share']:.3f}", f"{r['seconds']:.1f}", f"{r['peak_mb']:.0f}"]


def verdicts(results: list[dict]) -> list[list[str]]:
    """Pass/fail of each target, for hybrid at the label count and hybrid with k="auto"."""
    rows = []
    for r in results:
        if r["method"] != "hybrid":
            continue
        n = LABELS[r["corpus"]]
        if r["k"] == "auto":
            ok = 0.5 * n <= r["n_topics"] <= 1.5 * n
            rows.append([r["corpus"], "auto", f"k found {r['n_topics']} within {n} ±50%",
                         "pass" if ok else "FAIL"])
            continue
        nmi, npmi, td, secs = TARGETS[r["corpus"]]
        checks = ((f"NMI {r['NMI']:.3f} >= {nmi}", r["NMI"] >= nmi),
                  (f"NPMI_doc {r['NPMI_doc']:.3f} >= {npmi}", r["NPMI_doc"] >= npmi),
                  (f"TD {r['TD']:.3f} >= {td}", r["TD"] >= td),
                  (f"outlier share {r['outlier_share']} == 0", r["outlier_share"] == 0),
                  (f"{r['seconds']:.1f} s <= {secs} s", r["seconds"] <= secs))
        rows += [[r["corpus"], r["k"], text, "pass" if ok else "FAIL"] for text, ok in checks]
    return rows


def peer_rows(names: list[str]) -> list[list[str]]:
    return [[corpus, method, f"{v[0]:.3f}", f"{v[1]:.3f}", f"{v[2]:.3f}", str(v[3])]
            for (method, corpus), v in PEERS.items() if corpus in names]


def report_quality(results: list[dict], names: list[str], markdown: bool) -> None:
    print(table(QUALITY_COLUMNS, [quality_cells(r) for r in results], markdown))
    print()
    for r in results:
        if r["curve"]:
            print(f"k=auto stability curve, {r['corpus']} (* chosen): {r['curve']}")
    print("\nTargets (hybrid):")
    print(table(("corpus", "k", "check", "result"), verdicts(results), markdown))
    print("\nPeers, as measured by the issue author (constants, not re-run here):")
    print(table(("corpus", "peer", "NMI", "NPMI_doc", "TD", "seconds"), peer_rows(names),
                markdown))


# --------------------------------------------------------------------------- scale


def build_scale_frame(n: int, path: Path, seed: int = 0) -> dict:
    """Resample *n* real articles with replacement into a parquet file; return counts."""
    import numpy as np
    import pandas as pd

    from analysis import load_articles

    data = shared_data_dir()
    parts = [load_articles(data / rel, fmt=fmt, cache=False, progress=False)
             for rel, fmt in SCALE_SOURCES]
    pool = pd.concat(parts, ignore_index=True)
    rows = np.random.default_rng(seed).integers(0, len(pool), n)
    frame = pool.iloc[rows].reset_index(drop=True)
    frame["article_id"] = [f"scale-{i:07d}" for i in range(n)]
    frame["duplicate_of"] = pd.Series(pd.NA, index=frame.index, dtype=pool["duplicate_of"].dtype)
    frame.to_parquet(path)
    return {"pool": len(pool), "per_source": [len(p) for p in parts], "rows": n,
            "parquet_mb": path.stat().st_size / 1e6}


def child_fit(path: Path, k: str) -> dict:
    """In this (fresh) process: read the frame, time only fit_topics, report peak RSS."""
    import pandas as pd

    from analysis import fit_topics

    articles = pd.read_parquet(path)
    before = _rss_mb()
    t0 = time.perf_counter()
    model = fit_topics(articles, k=k if k == "auto" else int(k))
    seconds = time.perf_counter() - t0
    curve = model.k_selection_
    return {"k": k, "seconds": seconds, "peak_rss_mb": _rss_mb(), "rss_before_mb": before,
            "k_found": len(model.topics_), "largest_share": float(model.topics_["share"].max()),
            "curve": None if curve is None else curve.to_dict("list")}


def child_profile(path: Path, k: str, top: int = 15) -> None:
    """cProfile one fit in this process; print the top functions by cumulative time."""
    import pandas as pd

    from analysis import fit_topics

    articles = pd.read_parquet(path)
    prof = cProfile.Profile()
    prof.enable()
    fit_topics(articles, k=k if k == "auto" else int(k))
    prof.disable()
    print(f"peak RSS {_rss_mb():.0f} MB")
    pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(top)


def spawn_child(path: Path, k: str, profile: bool = False, timeout: float | None = None) -> str:
    """Re-invoke this script as a fresh child for one scale fit; return its stdout."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(path), "--k", k]
    cmd += ["--profile", k] if profile else []
    return subprocess.run(cmd, check=True, capture_output=True, text=True,
                          timeout=timeout).stdout


def scale_fit(path: Path, k: str, timeout: float) -> dict:
    """One scale fit in a fresh child; a run past *timeout* seconds is reported, not raised."""
    try:
        return json.loads(spawn_child(path, k, timeout=timeout).strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return {"k": k, "timeout": timeout}


def scale_runs(work: Path, n: int, timeout: float) -> tuple[dict, list[dict]]:
    path = work / "scale.parquet"
    t0 = time.perf_counter()
    info = build_scale_frame(n, path)
    info["build_seconds"] = time.perf_counter() - t0
    results = []
    for k in ("20", "auto"):
        results.append(scale_fit(path, k, timeout))
        print(f"done scale k={k}: {results[-1]}", file=sys.stderr)
    return info, results


def report_scale(info: dict, results: list[dict], markdown: bool) -> None:
    print(f"\nScale: {info['rows']} articles resampled from a pool of {info['pool']} "
          f"(BBC, Reuters-21578, TTC-3600: {info['per_source']}), parquet "
          f"{info['parquet_mb']:.0f} MB, built in {info['build_seconds']:.0f} s")
    header = ("k asked", "k found", "largest share", "fit seconds", "peak RSS MB",
              "RSS before fit MB", "< 60 s", "< 4 GiB")
    rows = [[r["k"], "-", "-", f"> {r['timeout']:.0f} (killed)", "-", "-", "FAIL", "-"]
            for r in results if "timeout" in r]
    rows += [[r["k"], str(r["k_found"]), f"{r['largest_share']:.3f}", f"{r['seconds']:.1f}",
             f"{r['peak_rss_mb']:.0f}", f"{r['rss_before_mb']:.0f}",
             "pass" if r["seconds"] < SCALE_TARGET[0] else "FAIL",
             "pass" if r["peak_rss_mb"] < SCALE_TARGET[1] else "FAIL"]
             for r in results if "timeout" not in r]
    print(table(header, rows, markdown))
    for r in results:
        if r.get("curve"):
            c = r["curve"]
            pairs = " ".join(f"{'*' if ch else ''}{k}:{s:.3f}"
                             for k, s, ch in zip(c["k"], c["stability"], c["chosen"],
                                                 strict=True))
            print(f"k=auto stability curve at scale (* chosen): {pairs}")


# --------------------------------------------------------------------------- CLI


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="work folder (default: a new temp folder)")
    parser.add_argument("--only", choices=sorted(LABELS), help="one corpus only")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--scale", type=int, default=100_000, help="articles for the scale run")
    parser.add_argument("--timeout", type=float, default=1200,
                        help="seconds before a scale fit is killed and reported as too slow")
    parser.add_argument("--no-quality", action="store_true", help="skip the yardstick runs")
    parser.add_argument("--no-scale", action="store_true", help="skip the scale runs")
    parser.add_argument("--profile", choices=("auto", "20"),
                        help="cProfile one scale fit with this k (reuses WORK/scale.parquet)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--k", default="auto", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        if args.profile:
            child_profile(args.child, args.profile)
        else:
            print(json.dumps(child_fit(args.child, args.k)))
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_topics-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, work {work}\n{machine()}\n")
    if args.profile:
        path = work / "scale.parquet"
        if not path.exists():
            build_scale_frame(args.scale, path)
        print(spawn_child(path, args.profile, profile=True))
        return 0
    if not args.no_quality:
        names = [args.only] if args.only else list(LABELS)
        results = quality_runs(prepare(work, names), names)
        report_quality(results, names, args.markdown)
    if not args.no_scale:
        report_scale(*scale_runs(work, args.scale, args.timeout), args.markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
