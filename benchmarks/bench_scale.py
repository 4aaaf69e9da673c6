"""Scale: `newsscope report` on 10k-1M-article exports, cold, warm and after an update (issue 12).

Corpora come from the shared yardsticks: ``tools/topiceval/prepare.py`` writes BBC and Reuters
R8 as JSONL, ``tools/scale/make_corpus.py`` resamples them into an N-article JSONL export
(distinct texts, 40 sources, 2021-2022). Each case runs as a child process while this script
samples the resident memory of the child's whole process tree (the report runs a Jupyter
kernel, and loading may run worker processes), with its own empty cache folder
(``NEWSSCOPE_CACHE_DIR``) so "cold" means nothing cached.

Cases per size:

- ``yardstick``: ``pandas.read_json(lines=True)`` + scikit-learn's
  ``CountVectorizer(ngram_range=(1, 2), min_df=5).fit_transform`` on the texts, the floor for
  "reading the text once";
- ``ingest``: ``newsscope ingest --no-cache`` alone (articles per second);
- ``report cold``: ``newsscope report`` with nothing cached;
- ``report warm``: the same export again with other ``--terms``, ``--freq`` and ``--focus``;
- ``report update``: a folder holding the export plus a new 1,000-article file, after a report
  of the folder without it.

With ``--dask`` (issue 13), also on a ``--dask local`` cluster (one worker process per core):
``dataset`` / ``dataset dask`` (``newsscope ingest --dataset``: written here / by the workers,
the client holding no texts) and ``report cold dask`` (its ``tables/*.csv`` compared byte for
byte with ``report cold``'s). "peak client MiB" is the command's own process, without the
workers and the report's kernel.

With ``--pages``, also ``load_articles(cache=False)`` on the shared page sets, timed inside the
child after its imports: the text dumps (``textdumps``, ``textdumps-multi``) and the HTML pages
(``article-extraction-benchmark``), for pages per second.

Usage::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_scale.py [--sizes 10000 100000] [--markdown]
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

from analysis.config import PROJ_ROOT, shared_data_dir
from benchmarks.common import git_head, load_average, machine, table

NEWSSCOPE = str(Path(sys.executable).parent / "newsscope")
TOOLS = shared_data_dir().parent / "tools"

YARDSTICK = """
import sys, pandas as pd
from sklearn.feature_extraction.text import CountVectorizer
frame = pd.read_json(sys.argv[1], lines=True)
matrix = CountVectorizer(ngram_range=(1, 2), min_df=5).fit_transform(frame["text"])
print(matrix.shape)
"""


def _pss(pid: int) -> int:
    """Return the proportional set size of ``pid`` in bytes (0 when it cannot be read).

    Worker processes forked from a large parent share its pages: summed RSS counts
    them once per process, PSS divides each shared page among its sharers.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


#: Seconds between two readings of the tree's PSS. Reading ``smaps_rollup`` walks the
#: process's page tables (~16 ms per 3 GiB of 4 KiB pages, under the process's mmap lock):
#: at every 50 ms sample the monitor itself took 87-91 s of CPU in a 1M report of ~300 s
#: (10-12 GiB trees), and slowed the cluster run more than the local one.
PSS_EVERY = 1.0


def measure(command: list[str], *, env: dict | None = None,
            pss_every: float = PSS_EVERY) -> dict:
    """Run ``command``; return wall and CPU seconds (whole tree), peak tree RSS and PSS in MiB.

    RSS and CPU times are sampled every 50 ms (cheap: ``/proc/PID/statm`` and ``stat``), the
    PSS every ``pss_every`` seconds (0: at every sample). ``monitor_cpu`` is this process's
    own CPU time while it watched, the measurement's cost to the machine.
    """
    start, monitor = time.perf_counter(), time.process_time()
    child = subprocess.Popen(command, cwd=PROJ_ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, env=env)
    root = psutil.Process(child.pid)
    peak, peak_pss, peak_client, cpu = 0, 0, 0, {}
    last_pss = -float("inf")
    while child.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
            peak_client = max(peak_client, root.memory_info().rss)
            rss = 0
            for proc in procs:
                with proc.oneshot():
                    rss += proc.memory_info().rss
                    times = proc.cpu_times()
                    cpu[proc.pid] = times.user + times.system
            now = time.perf_counter()
            if now - last_pss >= pss_every:
                peak_pss = max(peak_pss, sum(_pss(proc.pid) for proc in procs))
                last_pss = now
        except psutil.Error:
            pass
        else:
            peak = max(peak, rss)
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    output = child.stdout.read()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}):\n{output[-3000:]}")
    return {"seconds": seconds, "cpu": sum(cpu.values()), "peak_mib": peak / 2**20,
            "peak_pss_mib": peak_pss / 2**20, "peak_client_mib": peak_client / 2**20,
            "monitor_cpu": time.process_time() - monitor, "output": output}


def corpus(folder: Path, n: int) -> tuple[Path, Path]:
    """Write (once) and return an ``n``-article export and 1,000 further articles.

    Both come from one run of the shared generator for ``n + 1000`` articles, split after line
    ``n``: its articles depend only on their position, so the export is exactly what
    ``make_corpus.py ... n`` writes, and the extra articles are new ones, not copies.
    """
    sources = folder / "corpora"
    if not (sources / "bbc.jsonl").is_file():
        subprocess.run([sys.executable, str(TOOLS / "topiceval" / "prepare.py"), "--out",
                        str(sources)], check=True, capture_output=True)
    path, extra = folder / f"news-{n}.jsonl", folder / f"news-{n}-extra.jsonl"
    if not (path.is_file() and extra.is_file()):
        whole = folder / "whole.jsonl"
        subprocess.run([sys.executable, str(TOOLS / "scale" / "make_corpus.py"), str(sources),
                        str(whole), str(n + 1000)], check=True)
        with whole.open("rb") as lines, path.open("wb") as head, extra.open("wb") as tail:
            for i, line in enumerate(lines):
                (head if i < n else tail).write(line)
        whole.unlink()
    return path, extra


def cases(export: Path, work: Path, *, dask: bool = False) -> list[tuple[str, list[str], int]]:
    """Return ``(case, command, articles)`` in the order they must run."""
    n = sum(1 for _ in export.open("rb"))
    update = work / "update"
    update.mkdir()
    (update / export.name).symlink_to(export)
    # No --max-bytes: it limits one record, not the export.
    report = [NEWSSCOPE, "report", "--quiet", "--previous", "none"]
    return [
        ("yardstick", [sys.executable, "-c", YARDSTICK, str(export)], n),
        # Uncached, so that "report cold" after it finds nothing cached.
        ("ingest", [NEWSSCOPE, "ingest", str(export), "--quiet", "--no-cache",
                    "--out", str(work / "articles.parquet")], n),
        ("report cold", [*report, str(export), "--out", str(work / "r1")], n),
        ("report warm", [*report, str(export), "--out", str(work / "r2"), "--terms", "oil",
                         "ukraine", "--freq", "M", "--focus", "2022-01-01:2022-02-28"], n),
        ("update: before", [*report, str(update), "--out", str(work / "r3")], n),
        ("report update", [*report, str(update), "--out", str(work / "r3")], n + 1000),
        *([("dataset", [NEWSSCOPE, "ingest", str(export), "--quiet", "--no-cache", "--dataset",
                        "--out", str(work / "dataset")], n),
           ("dataset dask", [NEWSSCOPE, "ingest", str(export), "--quiet", "--no-cache",
                             "--dataset", "--out", str(work / "dataset-dask"), "--dask", "local"],
            n),
           ("report cold dask", [*report, str(export), "--out", str(work / "rd"), "--no-cache",
                                 "--dask", "local"], n)] if dask else []),
    ]


def same_tables(first: Path, second: Path) -> str:
    """Return whether two reports' ``tables/*.csv`` are byte-identical, as a table cell."""
    def tables(root: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in root.glob("*/*/tables/*.csv")}

    mine, theirs = tables(first), tables(second)
    if not mine or mine.keys() != theirs.keys():
        return f"no: tables {sorted(mine)} vs {sorted(theirs)}"
    differ = [name for name in mine if mine[name] != theirs[name]]
    return f"no: {', '.join(differ)} differ" if differ else f"yes ({len(mine)} tables)"


PAGES = """
import sys, time
from analysis import config, load_articles
# Warm: the first load also imports trafilatura and dateparser and loads py3langid's model.
load_articles(config.SAMPLE_DIR / "bakudaily", cache=False, progress=False)
start = time.perf_counter()
load_articles(sys.argv[1], cache=False, progress=False)
print("load_seconds", time.perf_counter() - start)
"""


def page_cases(work: Path) -> list[tuple[str, list[str], int]]:
    """Return ``(case, command, pages)`` for loading the shared page sets, uncached.

    The load is timed inside the child, after its imports and a first load of the bundled
    sample: on a hundred pages the interpreter's start and the libraries' first use
    (a few seconds, once per process) would otherwise be most of the time.
    """
    data = shared_data_dir()
    sets = [("text dumps", data / "textdumps" / "pages"),
            ("text dumps (multi)", data / "textdumps-multi" / "pages"),
            ("HTML pages", data / "article-extraction-benchmark" / "html")]
    return [(f"load {name}", [sys.executable, "-c", PAGES, str(folder)],
             sum(1 for p in folder.iterdir() if p.is_file()))
            for name, folder in sets if folder.is_dir()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--data", type=Path, help="folder for the generated corpora "
                                                  "(default: a temporary folder)")
    parser.add_argument("--pages", action="store_true", help="also time the shared page sets")
    parser.add_argument("--cases", nargs="+", metavar="CASE",
                        help="run only these cases, e.g. 'report cold' (a 1M corpus takes long)")
    parser.add_argument("--dask", action="store_true",
                        help="also the dataset and a cold report on a --dask local cluster")
    parser.add_argument("--pss-every", type=float, default=PSS_EVERY, metavar="SECONDS",
                        help="seconds between readings of the tree's PSS (0: every 50 ms "
                             "sample, as before 2026-12-02; costly on large trees)")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    keep = args.data is not None
    data = args.data or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    data.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for n in args.sizes or []:
            export, extra = corpus(data, n)
            with tempfile.TemporaryDirectory() as folder:
                work = Path(folder)
                env = {**os.environ, "NEWSSCOPE_CACHE_DIR": str(work / "cache")}
                for case, command, articles in cases(export, work, dask=args.dask):
                    if args.cases and case not in args.cases:
                        continue
                    if case == "report update":
                        shutil.copy(extra, work / "update" / extra.name)
                    result = measure(command, env=env, pss_every=args.pss_every)
                    print(f"done {n} {case}: {result['seconds']:.1f} s", flush=True)
                    rows.append([f"{n:,}", case, f"{result['seconds']:.1f}",
                                 f"{result['cpu']:.1f}", f"{result['peak_mib']:.0f}",
                                 f"{result['peak_pss_mib']:.0f}",
                                 f"{result['peak_client_mib']:.0f}",
                                 f"{articles / result['seconds']:,.0f}",
                                 f"{1e6 * result['seconds'] / articles:.0f}",
                                 f"{result['monitor_cpu']:.1f}"])
                    if case == "report cold dask" and (work / "r1").is_dir():
                        print(f"{n:,}: report tables with --dask local identical to "
                              f"without: {same_tables(work / 'r1', work / 'rd')}", flush=True)
        if args.pages:
            with tempfile.TemporaryDirectory() as folder:
                for case, command, pages in page_cases(Path(folder)):
                    result = measure(command, pss_every=args.pss_every)
                    load = float(result["output"].split("load_seconds")[-1])
                    print(f"done {case}: {load:.1f} s", flush=True)
                    rows.append([f"{pages:,} pages", case, f"{load:.1f} (load)",
                                 f"{result['cpu']:.1f}", f"{result['peak_mib']:.0f}",
                                 f"{result['peak_pss_mib']:.0f}",
                                 f"{result['peak_client_mib']:.0f}", f"{pages / load:,.0f}",
                                 f"{1e6 * load / pages:.0f}", f"{result['monitor_cpu']:.1f}"])
    finally:
        if not keep:
            shutil.rmtree(data, ignore_errors=True)
    print()
    print(machine(), "·", load_average(), "· code", git_head())
    print(table(("articles", "case", "wall s", "CPU s (tree)", "peak RSS tree MiB",
                 "peak PSS tree MiB", "peak client MiB", "per s", "µs each", "monitor CPU s"),
                rows,
                args.markdown))


if __name__ == "__main__":
    main()
