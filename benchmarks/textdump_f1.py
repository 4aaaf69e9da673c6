"""Token-F1 benchmark of :func:`analysis.textpage.parse_text_page` on text dumps.

Usage: ``python benchmarks/textdump_f1.py [--data DIR]`` where ``DIR`` is the
shared data folder holding ``textdumps/`` (default: ``$NEWSSCOPE_SHARED_DATA``
or ``<repo>/../shared/data``).

Peers are scored on the same pages in the same run: trafilatura and jusText,
each fed the dump as HTML with one ``<p>`` per line and default settings (the
shared corpus README measured 0.662 and 0.679 F1 that way; keep-all 0.634).
jusText is optional (``pip install justext``); without it that row is skipped
with a note.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from analysis.config import shared_data_dir  # noqa: E402
from benchmarks.scoring import macro_prf, prf  # noqa: E402


def load_textpage():
    """Return the ``analysis.textpage`` package, by file path if the ``analysis``
    package's ``__init__`` cannot be imported (it may depend on modules still missing)."""
    try:
        from analysis import textpage
    except ImportError:
        root = REPO / "analysis" / "textpage"
        spec = importlib.util.spec_from_file_location(
            "analysis.textpage", root / "__init__.py", submodule_search_locations=[str(root)]
        )
        textpage = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = textpage
        spec.loader.exec_module(textpage)
    return textpage


def load_corpus(data: Path) -> list[tuple[str, str, str]]:
    """Return ``(page_id, dump, gold_body)`` for every gold page, read as load_articles reads it."""
    from analysis.items import dump_text

    root = data / "textdumps"
    gold = json.loads((root / "gold.json").read_text(encoding="utf-8"))
    return [
        (pid, dump_text((root / "pages" / f"{pid}.txt").read_bytes()), g["articleBody"])
        for pid, g in sorted(gold.items())
    ]


def lines_as_html(text: str) -> str:
    """Wrap every non-empty line of a dump in its own ``<p>``, escaped, as a whole page.

    This is how the README fed the dumps to the HTML extractors, so each line is one
    candidate block for them to keep or drop.
    """
    paras = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    return f"<html><body>{paras}</body></html>"


def trafilatura_peer() -> Callable[[str], str] | None:
    """Return a dump -> body function using ``trafilatura.extract`` defaults, or None."""
    try:
        import trafilatura
    except ImportError:
        return None
    return lambda text: trafilatura.extract(lines_as_html(text)) or ""


def justext_peer() -> Callable[[str], str] | None:
    """Return a dump -> body function using jusText defaults (English stoplist), or None."""
    try:
        import justext
    except ImportError:
        return None
    stoplist = justext.get_stoplist("English")  # the pages are English news sites

    def run(text: str) -> str:
        paras = justext.justext(lines_as_html(text).encode("utf-8"), stoplist)
        return "\n\n".join(p.text for p in paras if not p.is_boilerplate)

    return run


def run_peers(corpus: list[tuple[str, str, str]]) -> list[tuple[str, list[str], float]]:
    """Run each installed peer over the dumps; return ``(name, outputs, pages_per_s)``."""
    out = []
    for name, make, pip_name in (("trafilatura-p", trafilatura_peer, "trafilatura"),
                                 ("justext-p", justext_peer, "justext")):
        extract = make()
        if extract is None:
            print(f"note: {pip_name} is not installed; skipping peer {name}")
            continue
        t0 = time.perf_counter()
        outputs = [extract(text) for _, text, _ in corpus]
        out.append((name, outputs, len(corpus) / (time.perf_counter() - t0)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    parser.add_argument("--worst", type=int, default=10)
    args = parser.parse_args(argv)
    corpus = load_corpus(args.data)
    textpage = load_textpage()

    t0 = time.perf_counter()
    pages = [textpage.parse_text_page(text) for _, text, _ in corpus]
    elapsed = time.perf_counter() - t0
    preds = [page.text for page in pages]
    flags = {pid: getattr(page, "low_confidence", None)
             for (pid, _, _), page in zip(corpus, pages, strict=True)}

    peers = run_peers(corpus)
    rows = [("keep-all", [text for _, text, _ in corpus]), ("parse_text_page", preds)]
    rows += [(name, outputs) for name, outputs, _ in peers]
    print(f"{'method':<16} {'P':>6} {'R':>6} {'F1':>6}   ({len(corpus)} pages)")
    for name, outputs in rows:
        p, r, f = macro_prf(zip(outputs, (g for _, _, g in corpus), strict=True))
        print(f"{name:<16} {p:6.3f} {r:6.3f} {f:6.3f}")
    print(f"speed: {len(corpus) / elapsed:.0f} pages/s")
    for name, _, rate in peers:
        print(f"speed {name}: {rate:.0f} pages/s")

    scored = sorted(
        ((prf(pred, gold), pid) for pred, (pid, _, gold) in zip(preds, corpus, strict=True)),
        key=lambda row: row[0][2],
    )
    low = [pid for (_, r, _), pid in scored if r < 0.3]
    print(f"\npages with token recall < 0.3: {len(low)}, flagged low-confidence: "
          f"{sum(bool(flags[pid]) for pid in low)}; flagged overall: "
          f"{sum(bool(flag) for flag in flags.values())}")
    print(f"\n{args.worst} worst pages (P R F1 id low-confidence):")
    for (p, r, f), pid in scored[: args.worst]:
        print(f"  {p:.3f} {r:.3f} {f:.3f}  {pid[:16]}  {flags[pid] or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
