"""Snippet benchmark of :func:`analysis.textpage.parse_text_page` on textdumps-multi.

Each dump is read as :func:`analysis.io.load_articles` reads a ``.txt``
(:func:`analysis.items.dump_text`: decoded, mojibake repaired, normalised), so
the figures are those of the text an analyst gets.

Usage::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_textdumps_multi.py [--data DIR] [--cv 5]
        [--worst 15] [--no-cv]

``DIR`` is the shared data folder holding ``textdumps-multi/`` (default:
``$NEWSSCOPE_SHARED_DATA`` or ``<repo>/../shared/data``).  Scored with the
corpus' own ``tools/extraction/snippet_score.py`` (imported from the shared
folder, not copied): pooled snippet precision / recall / F1, title and date
accuracy.  Rows:

- ``keep-all``: every line of the dump (the recall ceiling);
- ``shipped model``: the reader as installed, with the line model in
  ``analysis/models/`` (trained on these pages too, so in-sample);
- ``site-grouped CV``: the line model retrained per fold
  (``scripts/train_line_model.py``), each page read by the model that never
  saw its site: the figure that predicts unseen sites.

Each row again against the gold with its soft hyphens (U+00AD) removed: the
text load_articles returns holds none, so a gold snippet holding one cannot be
found literally. Also the per-language date accuracy, pages/s of the reader on
one core, and the worst pages by snippet recall with their low-confidence flag.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from analysis.config import shared_data_dir  # noqa: E402
from analysis.items import dump_text  # noqa: E402
from benchmarks.scoring import snippet_scorer  # noqa: E402


def load_corpus(data: Path) -> tuple[dict[str, str], dict[str, dict]]:
    """Return ``({page_id: dump}, gold)`` of textdumps-multi."""
    root = data / "textdumps-multi"
    gold = json.loads((root / "gold.json").read_text(encoding="utf-8"))
    # Read as load_articles reads a .txt (decoded, mojibake repaired, soft
    # hyphens and blank runs removed): the benchmark scores the product's text.
    texts = {pid: dump_text((root / "pages" / f"{pid}.txt").read_bytes()) for pid in gold}
    return texts, gold


def read_pages(texts: dict[str, str], model=None) -> tuple[dict, float]:
    """Return ``({page_id: TextPage}, pages_per_s)`` read with the folder's chrome."""
    from analysis import textpage

    chrome = textpage.recurring_lines(texts.values())
    t0 = time.perf_counter()
    pages = {}
    for pid, text in texts.items():
        mine = frozenset(chrome.intersection(map(textpage._norm, text.splitlines())))
        pages[pid] = textpage.parse_text_page(text, boilerplate=mine, model=model)
    return pages, len(texts) / (time.perf_counter() - t0)


def as_extracted(pages: dict) -> dict:
    """Return ``snippet_score``'s input: ``{page_id: (title, date, body)}``."""
    return {pid: (p.title or "", p.published.date().isoformat() if p.published else "", p.text)
            for pid, p in pages.items()}


def page_recall(gold: dict, body: str) -> float | None:
    """Return the share of a page's ``with`` snippets found in *body* (None if it has none)."""
    norm = " ".join(body.split())
    snippets = gold.get("with") or []
    if not snippets:
        return None
    return sum(" ".join(s.split()) in norm for s in snippets) / len(snippets)


def date_by_language(pages: dict, gold: dict) -> dict[str, tuple[int, int]]:
    """Return ``{language: (correct, dated pages)}`` of the date field."""
    from analysis.textlines import page_language

    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pid, g in gold.items():
        if not g.get("date"):
            continue
        page = pages[pid]
        lang = page_language(page.text or page.title or "") or "?"
        got = page.published.date().isoformat() if page.published else ""
        out[lang][0] += got == g["date"][:10]
        out[lang][1] += 1
    return {k: tuple(v) for k, v in sorted(out.items(), key=lambda kv: -kv[1][1])}


def cv_pages(texts: dict[str, str], gold: dict, folds: int) -> dict:
    """Return pages read by per-fold models that never saw the page's site."""
    from scripts.train_line_model import cross_validated_models

    pages = {}
    for model, test_ids in cross_validated_models(folds=folds):
        sub = {pid: texts[pid] for pid in test_ids if pid in texts}
        got, _ = read_pages(sub, model=model)
        pages.update(got)
    return pages


def row(name: str, scores: dict, rate: float | None) -> str:
    speed = f"{rate:.0f}" if rate else "–"
    return (f"| {name} | {scores['precision']:.3f} | {scores['recall']:.3f} | {scores['f1']:.3f} "
            f"| {scores['title_acc']:.3f} | {scores['date_acc']:.3f} | {speed} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    parser.add_argument("--cv", type=int, default=5, help="site-grouped folds")
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument("--worst", type=int, default=15)
    args = parser.parse_args(argv)
    score = snippet_scorer(args.data)
    texts, gold = load_corpus(args.data)

    read_pages(dict(list(texts.items())[:20]))  # warm-up: model, regexes, dateparser
    pages, rate = read_pages(texts)
    print(f"| method ({len(gold)} dumps) | P | R | F1 | title | date | pages/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    keep_all = {pid: ("", "", text) for pid, text in texts.items()}
    print(row("keep every line", score(keep_all, gold), None))
    print(row("shipped model (in-sample)", score(as_extracted(pages), gold), rate))
    cv = None
    if not args.no_cv:
        cv = cv_pages(texts, gold, args.cv)
        print(row(f"site-grouped {args.cv}-fold CV", score(as_extracted(cv), gold), None))
    # The text holds no soft hyphen (load_articles removes them), so a gold
    # snippet holding one is missed however well the body is read: the same
    # scores against the gold with its soft hyphens removed.
    plain = without_soft_hyphens(gold)
    print(row("shipped model, gold without soft hyphens", score(as_extracted(pages), plain), None))
    if cv is not None:
        print(row(f"site-grouped {args.cv}-fold CV, gold without soft hyphens",
                  score(as_extracted(cv), plain), None))

    print("\nDate accuracy by page language (shipped model): language correct/dated")
    for lang, (ok, n) in date_by_language(pages, gold).items():
        print(f"  {lang}: {ok}/{n} = {ok / n:.2f}")

    recalls = [(page_recall(gold[pid], pages[pid].text), pid) for pid in gold]
    worst = sorted((r, pid) for r, pid in recalls if r is not None)[: args.worst]
    print()
    print_flags("shipped", pages, gold)
    print_flags("shipped, gold without soft hyphens", pages, plain)
    if cv is not None:
        print_flags("CV", cv, gold)
        print_flags("CV, gold without soft hyphens", cv, plain)
    print_soft_hyphens(gold)
    print(f"{args.worst} worst pages by snippet recall (recall, id, flag):")
    for r, pid in worst:
        print(f"  {r:.2f} {pid} {pages[pid].low_confidence or '-'}")
    return 0


def without_soft_hyphens(gold: dict) -> dict:
    """Return a copy of *gold* whose snippets and titles are normalised as the text is.

    :func:`analysis.clean.normalise_text` (soft hyphens and zero-width
    characters removed, NFC, single spaces); on this gold it changes only
    the soft hyphens.
    """
    from analysis.clean import normalise_text

    def plain(value):
        if isinstance(value, str):
            return normalise_text(value, keep_paragraphs=False)
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return {pid: {key: plain(value) if key in ("with", "without", "title") else value
                  for key, value in g.items()} for pid, g in gold.items()}


def print_soft_hyphens(gold: dict) -> None:
    """Print the gold strings holding a soft hyphen (U+00AD), which no text load_articles
    returns can hold: it removes them, so "Klima\u00adwandel" is found as "Klimawandel"."""
    def has(s):
        return "\u00ad" in (s or "")

    with_ = sum(has(s) for g in gold.values() for s in g.get("with") or [])
    without = sum(has(s) for g in gold.values() for s in g.get("without") or [])
    titles = [pid for pid, g in gold.items() if has(g.get("title"))]
    pages = sorted(pid for pid, g in gold.items() if has(g.get("title")) or any(
        has(s) for key in ("with", "without") for s in g.get(key) or []))
    print(f"gold with soft hyphens: {with_} 'with' and {without} 'without' snippets, "
          f"{len(titles)} titles, on {len(pages)} pages: {', '.join(pages) or '-'}")


def print_flags(name: str, pages: dict, gold: dict) -> None:
    """Print how many pages of recall < 0.3 are flagged low-confidence, and which are not."""
    recalls = {pid: page_recall(gold[pid], pages[pid].text) for pid in gold}
    low = [pid for pid, r in recalls.items() if r is not None and r < 0.3]
    missed = [pid for pid in low if not pages[pid].low_confidence]
    print(f"{name}: pages with snippet recall < 0.3: {len(low)}, flagged low-confidence: "
          f"{len(low) - len(missed)}; flagged overall: "
          f"{sum(bool(p.low_confidence) for p in pages.values())}; "
          f"not flagged: {', '.join(missed) or '-'}")


if __name__ == "__main__":
    raise SystemExit(main())
