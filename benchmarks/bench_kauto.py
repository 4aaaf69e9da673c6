"""Does ``k="auto"`` pick a k analysts can trust, and cost less than two fixed-k fits?

How to run, from the repository root::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_kauto.py [--work DIR]
        [--only mix|bbc|reuters_r8] [--ks 5,10,...] [--markdown]

Corpora: ``prepare.py --out WORK/corpora`` (from the topiceval tool folder
``shared_data_dir()/../tools/topiceval``, run in its own folder, data folder
:func:`analysis.config.shared_data_dir` passed on through ``NEWSSCOPE_SHARED_DATA``) writes
``bbc.jsonl`` and ``reuters_r8.jsonl``; each is read with :func:`analysis.load_articles`
(duplicates flagged in ``duplicate_of`` as the package does) and saved as
``WORK/{bbc,reuters_r8}.parquet``. ``WORK/mix.parquet`` is BBC + Reuters R8 + TTC-3600 (loaded
from ``ttc3600-turkish-news.tar.gz`` with ``fmt="ttc3600"``), labels prefixed with their corpus
("bbc:", "reuters_r8:", "ttc:"): 13,499 articles, 19 labels. Columns kept: article_id, title,
text, label, duplicate_of.

Cases: the mix with ``k_range=(5, 40)``, a fixed fit at every k of
:func:`analysis.topics.k_grid` (5, 40) (or ``--ks``) and ``k="auto"``; BBC at k=5 and auto,
Reuters R8 at k=8 and auto (default ``k_range`` (3, 20)). When auto on BBC or R8 picks a k
without a fixed fit, one more fixed fit at that k is run, so auto can be compared with the fit
it chose. Auto runs first, then the fixed fits in increasing k.

Each fit runs in a fresh child process (the script re-invokes itself with ``--child``) that
reads the parquet and times only ``fit_topics(articles, k=K, random_state=0, k_range=RANGE)``:
wall seconds and the child's CPU seconds (the fit runs its kernels on one thread, so on a busy
machine CPU seconds are the steadier measure of cost). NMI is scikit-learn's
``normalized_mutual_info_score`` of label vs ``topic_id`` over all articles, duplicates
included (``doc_topics_`` merged on ``article_id``). Each child also reports a fingerprint of
the code it ran (the analysis package's sources, numpy and scikit-learn versions): the output
warns when a long run spanned a change, and a child that fails is reported, not fatal.

Verdicts (issue 9, point 4): auto's NMI >= the best fixed k's NMI - 0.02, and auto's wall
seconds < 2 × the median fixed-k fit (also stated against 2 × the fixed fit at the k auto
chose, and in CPU seconds).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from analysis.config import shared_data_dir  # noqa: E402
from benchmarks.common import (  # noqa: E402
    code_version,
    git_head,
    load_average,
    machine,
    run_footer,
    table,
)

COLUMNS = ["article_id", "title", "text", "label", "duplicate_of"]
JSONL = ("bbc", "reuters_r8")
# corpus -> (label count, k_range)
CORPORA = {"mix": (19, (5, 40)), "bbc": (5, (3, 20)), "reuters_r8": (8, (3, 20))}
NMI_GAP = 0.02


# --------------------------------------------------------------------------- data


def prepare(work: Path) -> Path:
    """Run topiceval's prepare.py once; return the folder holding the JSONL corpora."""
    out = work / "corpora"
    data = shared_data_dir()
    tool = (data / ".." / "tools" / "topiceval").resolve()
    env = {**os.environ, "NEWSSCOPE_SHARED_DATA": str(data)}
    cmd = [sys.executable, "prepare.py", "--out", str(out), "--only", *JSONL]
    subprocess.run(cmd, cwd=tool, env=env, check=True, capture_output=True, text=True)
    return out


def build_frames(work: Path) -> dict[str, dict]:
    """Write WORK/{bbc,reuters_r8,mix}.parquet; return per-corpus counts."""
    import pandas as pd

    from analysis import load_articles

    corpora = prepare(work)
    parts = {}
    for name in JSONL:
        frame = load_articles(corpora / f"{name}.jsonl", cache=False, progress=False)[COLUMNS]
        frame.to_parquet(work / f"{name}.parquet")
        parts[name] = frame
    parts["ttc"] = load_articles(shared_data_dir() / "ttc3600-turkish-news.tar.gz",
                                 fmt="ttc3600", cache=False, progress=False)[COLUMNS]
    mix = pd.concat([p.assign(label=name + ":" + p["label"].astype(str))
                     for name, p in parts.items()], ignore_index=True)
    if not mix["article_id"].is_unique:
        raise RuntimeError("article_id clash between the corpora of the mix")
    mix.to_parquet(work / "mix.parquet")
    parts["mix"] = mix
    return {name: {"articles": len(p), "labels": int(p["label"].nunique()),
                   "duplicates": int(p["duplicate_of"].notna().sum())}
            for name, p in parts.items()}


# --------------------------------------------------------------------------- child


def child_fit(path: Path, k: str, k_range: tuple[int, int]) -> dict:
    """In this (fresh) process: read the frame, time only fit_topics, score it."""
    import pandas as pd
    from sklearn.metrics import normalized_mutual_info_score

    from analysis import fit_topics

    version = code_version()
    articles = pd.read_parquet(path)
    load = os.getloadavg()[0]
    cpu0, t0 = time.process_time(), time.perf_counter()
    model = fit_topics(articles, k=k if k == "auto" else int(k), random_state=0,
                       k_range=k_range)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    docs = model.doc_topics_.merge(articles[["article_id", "label"]], on="article_id")
    if len(docs) != len(articles):
        raise RuntimeError(f"doc_topics_ covers {len(docs)} of {len(articles)} articles")
    curve = model.k_selection_
    return {"k": k, "seconds": seconds, "cpu": cpu, "load": load, "version": version,
            "k_found": len(model.topics_),
            "nmi": float(normalized_mutual_info_score(docs["label"].astype(str),
                                                      docs["topic_id"])),
            "largest_share": float(model.topics_["share"].max()),
            "curve": None if curve is None else curve.to_dict("list")}


def spawn_child(path: Path, k: str, k_range: tuple[int, int], timeout: float) -> dict:
    """Re-invoke this script as a fresh child for one fit; return its result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(path), "--k", k,
           "--k-range", f"{k_range[0]},{k_range[1]}"]
    try:
        done = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"k": k, "timeout": timeout}
    except subprocess.CalledProcessError as err:
        last = (err.stderr.strip().splitlines() or ["?"])[-1]
        return {"k": k, "failed": f"exit {err.returncode}: {last}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- runs


def corpus_runs(work: Path, name: str, ks: list[int], timeout: float) -> list[dict]:
    """Auto first, then every fixed k; plus the fixed fit at auto's pick if not among ks."""
    path, k_range = work / f"{name}.parquet", CORPORA[name][1]
    results = []
    for k in ["auto", *map(str, ks)]:
        results.append(spawn_child(path, k, k_range, timeout))
        progress(name, results[-1])
    chosen = chosen_k(results[0])
    if chosen is not None and chosen not in ks:
        results.append(spawn_child(path, str(chosen), k_range, timeout) | {"extra": True})
        progress(name, results[-1])
    return results


def progress(name: str, r: dict) -> None:
    if "timeout" in r:
        text = f"killed after {r['timeout']:.0f} s"
    elif "failed" in r:
        text = f"FAILED ({r['failed']})"
    else:
        text = (f"{r['seconds']:.1f} s (CPU {r['cpu']:.1f} s, load {r['load']:.1f}), "
                f"k found {r['k_found']}, NMI {r['nmi']:.3f}, code {r['version']}")
    print(f"done {name} k={r['k']}: {text}", file=sys.stderr, flush=True)


def chosen_k(auto: dict) -> int | None:
    curve = auto.get("curve")
    if not curve:
        return None
    return next(k for k, c in zip(curve["k"], curve["chosen"], strict=True) if c)


def curve_text(curve: dict) -> str:
    return " ".join(f"{'*' if c else ''}{k}:{s:.3f}/{sc:.3f}"
                    for k, s, sc, c in zip(curve["k"], curve["stability"], curve["score"],
                                           curve["chosen"], strict=True))


# --------------------------------------------------------------------------- report


def cells(r: dict) -> list[str]:
    asked = r["k"] + (" (auto's pick)" if r.get("extra") else "")
    if "timeout" in r:
        return [asked, "-", "-", "-", f"> {r['timeout']:.0f} (killed)", "-", "-"]
    if "failed" in r:
        return [asked, "-", "-", "-", "failed", "-", "-"]
    return [asked, str(r["k_found"]), f"{r['nmi']:.3f}", f"{r['largest_share']:.3f}",
            f"{r['seconds']:.1f}", f"{r['cpu']:.1f}", f"{r['load']:.1f}"]


def summary(name: str, results: list[dict]) -> list[str]:
    """The verdict lines for one corpus."""
    auto = results[0]
    fixed = [r for r in results[1:] if "nmi" in r]
    if "nmi" not in auto or not fixed:
        return [f"- {name}: no verdict (auto killed or no fixed fit finished)"]
    best = max(fixed, key=lambda r: r["nmi"])
    gap = best["nmi"] - auto["nmi"]
    ok_nmi = auto["nmi"] >= best["nmi"] - NMI_GAP
    median = statistics.median(r["seconds"] for r in fixed)
    median_cpu = statistics.median(r["cpu"] for r in fixed)
    ok_time = auto["seconds"] < 2 * median
    lines = [
        f"- {name}: best fixed k={best['k']} NMI {best['nmi']:.3f}; auto chose "
        f"k={chosen_k(auto)} (k found {auto['k_found']}), NMI {auto['nmi']:.3f}; gap "
        f"{gap:+.3f} (auto >= best - {NMI_GAP}: {'pass' if ok_nmi else 'FAIL'})",
        f"- {name}: auto {auto['seconds']:.1f} s vs median fixed fit {median:.1f} s "
        f"(ratio {auto['seconds'] / median:.2f}), 2 × median {2 * median:.1f} s: "
        f"{'pass' if ok_time else 'FAIL'}; CPU {auto['cpu']:.1f} s vs median "
        f"{median_cpu:.1f} s (ratio {auto['cpu'] / median_cpu:.2f})",
    ]
    at = next((r for r in fixed if int(r["k"]) == chosen_k(auto)), None)
    if at is None:
        lines.append(f"- {name}: no fixed fit at auto's k={chosen_k(auto)} to compare with")
    else:
        lines.append(
            f"- {name}: vs 2 × the fixed fit at auto's k={at['k']} ({at['seconds']:.1f} s, "
            f"CPU {at['cpu']:.1f} s): auto {auto['seconds']:.1f} s "
            f"{'<' if auto['seconds'] < 2 * at['seconds'] else '>='} {2 * at['seconds']:.1f} s; "
            f"CPU {auto['cpu']:.1f} s {'<' if auto['cpu'] < 2 * at['cpu'] else '>='} "
            f"{2 * at['cpu']:.1f} s")
    lines.append(f"- {name}: auto curve k:stability/score (* chosen): {curve_text(auto['curve'])}")
    return lines


def report(name: str, info: dict, results: list[dict], markdown: bool) -> list[str]:
    k_range = CORPORA[name][1]
    print(f"\n### {name}: {info['articles']} articles ({info['duplicates']} duplicates), "
          f"{info['labels']} labels, k_range {k_range}\n")
    header = ("k asked", "k found", "NMI", "largest share", "seconds", "CPU s", "load")
    print(table(header, [cells(r) for r in results], markdown, text_columns=1))
    return summary(name, results)


# --------------------------------------------------------------------------- CLI


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/bka"), help="work folder")
    parser.add_argument("--only", choices=sorted(CORPORA), help="one corpus only")
    parser.add_argument("--ks", help="comma-separated fixed k list (replaces the defaults)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds before a fit is killed and reported as too slow")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--k", default="auto", help=argparse.SUPPRESS)
    parser.add_argument("--k-range", default="3,20", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def fixed_ks(name: str, override: str | None) -> list[int]:
    from analysis.topics import k_grid

    if override:
        return [int(k) for k in override.split(",")]
    return k_grid(*CORPORA[name][1]) if name == "mix" else [CORPORA[name][0]]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        k_range = tuple(int(x) for x in args.k_range.split(","))
        print(json.dumps(child_fit(args.child, args.k, k_range)))
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, work {args.work}, {load_average()}")
    print(f"git HEAD {git_head()}, code {code_version()}")
    print(f"{machine()}\n")
    t0 = time.perf_counter()
    info = build_frames(args.work)
    print(f"Corpora built in {time.perf_counter() - t0:.0f} s: "
          + ", ".join(f"{n} {i['articles']} articles / {i['labels']} labels"
                      for n, i in info.items()))
    verdicts, everything = [], []
    for name in [args.only] if args.only else list(CORPORA):
        results = corpus_runs(args.work, name, fixed_ks(name, args.ks), args.timeout)
        verdicts += report(name, info[name], results, args.markdown)
        everything += results
    print("\n### Summary\n")
    print("\n".join(verdicts))
    print(run_footer(everything, "k"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
