"""Token-F1 benchmark of :func:`analysis.textpage.parse_text_page` on text dumps.

Usage: ``python benchmarks/textdump_f1.py [--data DIR]`` where ``DIR`` is the
shared data folder holding ``textdumps/`` (default: ``$NEWSSCOPE_SHARED_DATA``
or ``<repo>/../shared/data``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.scoring import macro_prf, prf  # noqa: E402


def default_data_dir() -> Path:
    """Return the shared data folder from the environment or the repo layout."""
    env = os.environ.get("NEWSSCOPE_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def load_textpage():
    """Return the ``analysis.textpage`` module, by file path if the package
    ``__init__`` cannot be imported (it may depend on modules still missing)."""
    try:
        from analysis import textpage
    except ImportError:
        spec = importlib.util.spec_from_file_location(
            "analysis_textpage", REPO / "analysis" / "textpage.py"
        )
        textpage = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = textpage
        spec.loader.exec_module(textpage)
    return textpage


def load_corpus(data: Path) -> list[tuple[str, str, str]]:
    """Return ``(page_id, dump_text, gold_body)`` for every gold page."""
    root = data / "textdumps"
    gold = json.loads((root / "gold.json").read_text(encoding="utf-8"))
    return [
        (pid, (root / "pages" / f"{pid}.txt").read_text(encoding="utf-8"), g["articleBody"])
        for pid, g in sorted(gold.items())
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--worst", type=int, default=10)
    args = parser.parse_args(argv)
    corpus = load_corpus(args.data)
    textpage = load_textpage()

    t0 = time.perf_counter()
    preds = [textpage.parse_text_page(text).text for _, text, _ in corpus]
    elapsed = time.perf_counter() - t0

    rows = [("keep-all", [text for _, text, _ in corpus]), ("parse_text_page", preds)]
    print(f"{'method':<16} {'P':>6} {'R':>6} {'F1':>6}   ({len(corpus)} pages)")
    for name, outputs in rows:
        p, r, f = macro_prf(zip(outputs, (g for _, _, g in corpus), strict=True))
        print(f"{name:<16} {p:6.3f} {r:6.3f} {f:6.3f}")
    print(f"speed: {len(corpus) / elapsed:.0f} pages/s")

    scored = sorted(
        ((prf(pred, gold), pid) for pred, (pid, _, gold) in zip(preds, corpus, strict=True)),
        key=lambda row: row[0][2],
    )
    print(f"\n{args.worst} worst pages (P R F1 id):")
    for (p, r, f), pid in scored[: args.worst]:
        print(f"  {p:.3f} {r:.3f} {f:.3f}  {pid}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
