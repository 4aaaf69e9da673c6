"""Wall time and peak memory of whole report builds: `make report`, and Reuters-21578.

Each build runs as a child process (a fresh output folder, so no earlier version to compare
with) while this script samples the resident memory of the child's whole process tree every
50 ms: the report runs a Jupyter kernel beside the main process, so the peak of the tree (sum
of RSS over live processes) is what a machine must have, and the largest single process is
given too. The load cache is cleared first unless ``--warm``.

Usage::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_report.py [--only sample|reuters] [--markdown]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("sample", "reuters"))
    parser.add_argument("--warm", action="store_true", help="keep the load cache")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
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
