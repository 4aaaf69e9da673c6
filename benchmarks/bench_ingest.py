"""Throughput and peak-memory benchmark of :func:`analysis.load_articles` on the shared corpora.

How to run, from the repository root::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_ingest.py [--data DIR] [--repeat N]
        [--only NAME] [--markdown] [--quality] [--profile]

``DIR`` is the shared data folder (default :func:`analysis.config.shared_data_dir`, i.e.
``$NEWSSCOPE_SHARED_DATA`` or ``<repo>/../shared/data``). Each corpus is loaded with
``cache=False, progress=False`` in a fresh child process (the script re-invokes itself with
``--only NAME --child``), so the peak RSS reported is that corpus's own (it includes the
interpreter and imports, shown as "RSS before load"). Seconds are the best of ``--repeat``
wall-clock runs; "first run s" is the cold first one. Input MB counts the bytes parsed:
members of ``.tar.gz`` archives and ``.html.gz`` pages are counted unpacked.

``--quality`` instead scores the HTML path: macro token P/R/F1 of ``load_articles`` on
``article-extraction-benchmark/html`` against ``ground-truth.json`` articleBody, next to plain
``trafilatura.extract(html)`` with default settings. Its pages/s for newsscope is the whole
``load_articles`` call (reading, gunzip, extraction, language id, dedup, frames).

``--profile`` runs cProfile on one load of ``--only NAME`` (default ``reuters``) in this
process and prints the top 15 functions by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from analysis.config import shared_data_dir  # noqa: E402
from benchmarks.scoring import macro_prf  # noqa: E402


@dataclass(frozen=True)
class Corpus:
    """One benchmark input: a path under the data folder and the ``fmt`` to load it with."""

    name: str
    rel: str
    fmt: str


CORPORA = {
    c.name: c
    for c in (
        Corpus("textdumps", "textdumps/pages", "auto"),
        Corpus("html", "article-extraction-benchmark/html", "html"),
        Corpus("reuters", "reuters21578", "reuters21578"),
        Corpus("bbc", "bbc-fulltext.tar.gz", "bbc"),
        Corpus("ttc3600", "ttc3600-turkish-news.tar.gz", "ttc3600"),
    )
}

COLUMNS = ("corpus", "fmt", "input MB", "rows", "seconds", "first run s", "articles/s", "MB/s",
           "peak RSS MB", "RSS before load MB")


# --------------------------------------------------------------------------- input size


def _file_bytes(path: Path) -> int:
    """Bytes the loader actually parses from one file: archives and .gz count unpacked."""
    name = path.name.lower()
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(path) as archive:
            return sum(m.size for m in archive.getmembers() if m.isfile())
    if name.endswith(".gz"):
        with gzip.open(path) as fh:
            return len(fh.read())
    return path.stat().st_size


def input_bytes(path: Path) -> int:
    """Sum of input bytes under *path*, skipping hidden files as ``load_articles`` does."""
    if path.is_file():
        return _file_bytes(path)
    files = (p for p in path.rglob("*") if p.is_file())
    return sum(_file_bytes(p) for p in files
               if not any(part.startswith(".") for part in p.relative_to(path).parts))


# --------------------------------------------------------------------------- child: one corpus


def _rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_load(path: Path, fmt: str, repeat: int) -> dict:
    """Load *path* ``repeat`` times; return rows, best seconds and RSS before/after."""
    from analysis import load_articles

    before = _rss_mb()
    times, rows = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        df = load_articles(path, fmt=fmt, cache=False, progress=False)
        times.append(time.perf_counter() - t0)
        rows = len(df)
        del df  # free before the next repeat so peaks do not stack
    # The first run also pays lazy set-up (model loads, imports); best-of shows steady state.
    return {"rows": rows, "seconds": min(times), "first_seconds": times[0],
            "peak_rss_mb": _rss_mb(), "base_rss_mb": before}


def run_child(corpus: Corpus, data: Path, repeat: int) -> None:
    """Measure one corpus in this process and print the result as one JSON line."""
    print(json.dumps(time_load(data / corpus.rel, corpus.fmt, repeat)))


# --------------------------------------------------------------------------- parent


def measure(corpus: Corpus, data: Path, repeat: int) -> dict:
    """Run one corpus in a fresh subprocess (so its peak RSS is its own) and add sizes."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--data", str(data),
           "--repeat", str(repeat), "--only", corpus.name, "--child"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    mb = input_bytes(data / corpus.rel) / 1e6
    result.update(corpus=corpus.name, fmt=corpus.fmt, input_mb=mb,
                  rate=result["rows"] / result["seconds"], mbps=mb / result["seconds"])
    return result


def _cells(r: dict) -> list[str]:
    return [r["corpus"], r["fmt"], f"{r['input_mb']:.2f}", str(r["rows"]),
            f"{r['seconds']:.2f}", f"{r['first_seconds']:.2f}", f"{r['rate']:.0f}",
            f"{r['mbps']:.2f}", f"{r['peak_rss_mb']:.0f}", f"{r['base_rss_mb']:.0f}"]


def machine() -> str:
    """One line describing the machine and the library versions that matter here."""
    import pandas
    import trafilatura

    return (f"nproc={os.cpu_count()} (usable {len(os.sched_getaffinity(0))}), "
            f"python {platform.python_version()}, pandas {pandas.__version__}, "
            f"trafilatura {trafilatura.__version__}, {platform.platform()}")


def print_table(results: list[dict], markdown: bool) -> None:
    """Print the results as aligned text, or as a Markdown table."""
    rows = [_cells(r) for r in results]
    if markdown:
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "|".join(" --- " if i < 2 else " ---: " for i in range(len(COLUMNS))) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    print("  ".join(c.rjust(w) for c, w in zip(COLUMNS, widths, strict=True)))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))


# --------------------------------------------------------------------------- profile


def profile(corpus: Corpus, data: Path, top: int = 15) -> None:
    """Profile one load in this process; print the top functions by own time."""
    from analysis import load_articles

    prof = cProfile.Profile()
    prof.enable()
    load_articles(data / corpus.rel, fmt=corpus.fmt, cache=False, progress=False)
    prof.disable()
    pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(top)


# --------------------------------------------------------------------------- HTML quality


def _page_id(path: str) -> str:
    # The gold file keys pages by the file name without ".html.gz".
    return Path(path).name.split(".", 1)[0]


def _html_pages(root: Path) -> dict[str, str]:
    return {_page_id(str(p)): gzip.decompress(p.read_bytes()).decode("utf-8")
            for p in sorted((root / "html").glob("*.html.gz"))}


def newsscope_bodies(root: Path) -> dict[str, str]:
    """Article bodies from ``load_articles`` on the HTML pages, keyed by page id."""
    from analysis import load_articles

    df = load_articles(root / "html", fmt="html", cache=False, progress=False)
    return {_page_id(p): t for p, t in zip(df["path"], df["text"].fillna(""), strict=True)}


def trafilatura_bodies(root: Path) -> dict[str, str]:
    """Bodies from ``trafilatura.extract(html)`` with default settings, keyed by page id."""
    import trafilatura

    return {pid: trafilatura.extract(html) or "" for pid, html in _html_pages(root).items()}


def quality(data: Path, markdown: bool) -> None:
    """Print macro token P/R/F1 and pages/s of newsscope vs trafilatura on the HTML pages."""
    root = data / "article-extraction-benchmark"
    gold = {k: v["articleBody"]
            for k, v in json.loads((root / "ground-truth.json").read_text("utf-8")).items()}
    header = ("method", "P", "R", "F1", "pages/s", "pages")
    # Both paths run trafilatura; warm it up first so neither timing pays its lazy set-up.
    import trafilatura

    trafilatura.extract("<html><body><p>" + "warm up text. " * 20 + "</p></body></html>")
    rows = []
    for name, extract in (("newsscope load_articles(fmt='html')", newsscope_bodies),
                          ("trafilatura.extract defaults", trafilatura_bodies)):
        t0 = time.perf_counter()
        preds = extract(root)
        secs = time.perf_counter() - t0
        # A page the loader dropped scores zero, so it is counted, not skipped.
        p, r, f = macro_prf((preds.get(pid, ""), body) for pid, body in gold.items())
        rows.append((name, f"{p:.3f}", f"{r:.3f}", f"{f:.3f}", f"{len(gold) / secs:.1f}",
                     str(len(gold))))
    if markdown:
        print("| " + " | ".join(header) + " |\n|---|---:|---:|---:|---:|---:|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        for row in (header, *rows):
            print(f"{row[0]:<38} " + " ".join(f"{c:>8}" for c in row[1:]))


# --------------------------------------------------------------------------- CLI


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    parser.add_argument("--repeat", type=int, default=1, help="runs per corpus; best is kept")
    parser.add_argument("--only", choices=sorted(CORPORA), help="benchmark one corpus only")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--quality", action="store_true", help="HTML-path F1 vs trafilatura")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile one load of --only (default reuters)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        run_child(CORPORA[args.only], args.data, args.repeat)
        return 0
    print(machine())
    if args.quality:
        quality(args.data, args.markdown)
        return 0
    if args.profile:
        profile(CORPORA[args.only or "reuters"], args.data)
        return 0
    names = [args.only] if args.only else list(CORPORA)
    results = []
    for name in names:
        results.append(measure(CORPORA[name], args.data, args.repeat))
        print(f"done {name}: {results[-1]['seconds']:.2f} s", file=sys.stderr)
    print_table(results, args.markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
