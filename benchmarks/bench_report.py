"""Wall time and peak memory of whole report builds: `make report`, and Reuters-21578.

Each build runs as a child process (a fresh output folder, so no earlier version to compare
with) while this script samples the resident memory of the child's whole process tree every
50 ms: the report runs a Jupyter kernel beside the main process, so the peak of the tree (sum
of RSS over live processes) is what a machine must have, and the largest single process is
given too. The load cache is cleared first unless ``--warm``.

``--stages`` instead times the steps of a Reuters report one after another in this process
(warm load cache), to show where the time goes.

Usage::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_report.py [--only sample|reuters] [--markdown]
    PYTHONPATH=. .venv/bin/python benchmarks/bench_report.py --stages
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from analysis.config import PROCESSED_DATA_DIR, PROJ_ROOT, shared_data_dir
from benchmarks.common import machine, table

NEWSSCOPE = str(Path(sys.executable).parent / "newsscope")


def _cases(out: Path) -> dict[str, list[str]]:
    reuters = str(shared_data_dir() / "reuters21578" / "*.sgm")
    return {
        "sample": ["make", "-s", "report", f"REPORT_DIR={out}"],
        "reuters": [NEWSSCOPE, "report", reuters, "--out", str(out), "--title", "Reuters-21578",
                    "--freq", "W", "--quiet"],
    }


def measure(command: list[str], out: Path) -> dict:
    """Run ``command``; return seconds, peak tree RSS, largest process RSS and page size."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=PROJ_ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    root = psutil.Process(child.pid)
    peak_tree = peak_single = 0
    while child.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
            rss = [p.memory_info().rss for p in procs if p.is_running()]
        except psutil.Error:
            rss = []
        if rss:
            peak_tree, peak_single = max(peak_tree, sum(rss)), max(peak_single, max(rss))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    output = child.stdout.read()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    pages = sorted(out.glob("*/*/index.html"))
    return {"seconds": seconds, "peak_tree_mb": peak_tree / 2**20,
            "peak_single_mb": peak_single / 2**20,
            "index_kb": pages[0].stat().st_size / 1024 if pages else float("nan"),
            "tables_kb": sum(p.stat().st_size for p in out.glob("*/*/tables/*.csv")) / 1024}


def stages() -> list[tuple[str, float]]:
    """Return (step, seconds) for the computing steps of a weekly Reuters report."""
    from analysis import detect_bursts, fit_topics, load_articles, rising_terms, term_trends
    from analysis.report_data import K_RANGE, focus_window
    from analysis.topics import topic_map

    sources = str(shared_data_dir() / "reuters21578" / "*.sgm")
    load_articles(sources, progress=False)  # fill the cache: the load is timed warm
    timings, start = [], time.perf_counter()

    def lap(step: str) -> None:
        nonlocal start
        timings.append((step, time.perf_counter() - start))
        start = time.perf_counter()

    articles = load_articles(sources, progress=False)
    lap("load (cached)")
    model = fit_topics(articles, k="auto", k_range=K_RANGE)
    lap(f"topics, k=auto over {K_RANGE[0]}-{K_RANGE[1]} ({len(model.topics_)} topics)")
    topic_map(model, articles)
    lap("topic map")
    dated = articles[articles["published"].notna()]
    detect_bursts(dated, freq="W")
    lap("bursts, top 200 terms")
    term_trends(dated, freq="W")
    lap("term trends, top 200 terms")
    rising_terms(dated, focus=focus_window(dated, None))
    lap("rising terms, newest quarter")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("sample", "reuters"))
    parser.add_argument("--warm", action="store_true", help="keep the load cache")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--stages", action="store_true", help="time the steps of a report")
    args = parser.parse_args()
    if args.stages:
        for step, seconds in stages():
            print(f"{seconds:6.1f} s  {step}")
        return
    rows = []
    for name in ("sample", "reuters"):
        if args.only and name != args.only:
            continue
        if not args.warm:
            shutil.rmtree(PROCESSED_DATA_DIR / "cache", ignore_errors=True)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder)
            result = measure(_cases(out)[name], out)
        print(f"done {name}: {result}", flush=True)
        rows.append([name, " ".join(_cases(Path("OUT"))[name][:3]) + " …",
                     f"{result['seconds']:.1f}", f"{result['peak_tree_mb']:.0f}",
                     f"{result['peak_single_mb']:.0f}", f"{result['index_kb']:.0f}",
                     f"{result['tables_kb']:.0f}"])
    print()
    print(machine(), "· cache:", "warm" if args.warm else "cold", "· pid", os.getpid())
    print(table(("case", "command", "wall s", "peak RSS, process tree MB",
                 "largest process MB", "index.html KB", "tables KB"), rows, args.markdown))


if __name__ == "__main__":
    main()
