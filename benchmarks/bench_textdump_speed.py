"""How fast the text-dump reader reads, in pages per CPU second on one core.

Usage::

    PYTHONPATH=. taskset -c 0 .venv/bin/python benchmarks/bench_textdump_speed.py [--passes 3]

Reads every page of ``textdumps/`` (91) and ``textdumps-multi/`` (495) with
:func:`analysis.textpage.parse_text_page` (the shipped line model; chrome as
the accuracy benchmarks pass it: textdumps-multi's recurring lines, none for
textdumps) and prints,
per folder, the best of ``--passes`` passes in CPU time (``process_time``),
after the per-line memo caches were filled by the earlier passes ("warm"),
and the first pass of the run ("first": it also loads the model,
dateparser's languages, the stop words and the character table, and
fills the memos). Target of issue 14: at least 100 pages a second.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from analysis import textpage
from analysis.config import shared_data_dir
from analysis.items import dump_text


def folder_pages(root: Path, *, chrome: bool) -> dict[str, tuple[str, frozenset[str]]]:
    """Return ``{page id: (text, its chrome lines)}`` of a dump folder (no chrome unless asked)."""
    texts = {p.stem: dump_text(p.read_bytes()) for p in sorted((root / "pages").glob("*.txt"))}
    chrome = textpage.recurring_lines(texts.values()) if chrome else frozenset()
    return {pid: (text, frozenset(chrome.intersection(map(textpage._norm, text.splitlines()))))
            for pid, text in texts.items()}


def pass_seconds(pages: dict[str, tuple[str, frozenset[str]]]) -> float:
    """Return the CPU seconds of one reading of every page."""
    start = time.process_time()
    for text, chrome in pages.values():
        textpage.parse_text_page(text, boilerplate=chrome)
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    args = parser.parse_args(argv)
    if args.passes < 1:
        parser.error(f"--passes must be at least 1, got {args.passes}")
    # Chrome as the accuracy benchmarks pass it: the folder's recurring
    # lines for textdumps-multi, none for textdumps.
    folders = {"textdumps": folder_pages(args.data / "textdumps", chrome=False),
               "textdumps-multi": folder_pages(args.data / "textdumps-multi", chrome=True)}
    first = {name: pass_seconds(pages) for name, pages in folders.items()}
    print("| folder | pages | first pass pages/s | warm pages/s, best of "
          f"{args.passes} |\n|---|---:|---:|---:|")
    for name, pages in folders.items():
        warm = min(pass_seconds(pages) for _ in range(args.passes))
        print(f"| {name} | {len(pages)} | {len(pages) / first[name]:.0f} "
              f"| {len(pages) / warm:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
