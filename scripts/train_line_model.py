"""Train the line model of :mod:`analysis.textlines` and report site-grouped CV figures.

Usage::

    PYTHONPATH=. .venv/bin/python scripts/train_line_model.py [--folds 5] [--no-cv]
        [--thresholds 0.5 0.55] [--out analysis/models/line_model.json]

Data (the shared folder: ``$NEWSSCOPE_SHARED_DATA``, else ``<repo>/../shared/data``):

- ``textdumps-multi/`` (495 dumps, many languages, snippet gold). A line
  holding a ``with`` snippet is article text, one holding a ``without``
  snippet is not (weight 3). The other lines get a weak label from a
  teacher: trafilatura run on the page's original HTML
  (``trafilatura-eval.tar.gz``, read at training time only), whose
  extraction scores F1 0.93 on these snippets; a line is article text when
  the teacher's extraction holds it (short lines only as a whole line).
  The teacher is noisy (it keeps 12 % of the lines the snippets call chrome
  and misses 7 % of those they call article), so its labels weigh 0.3.
- ``textdumps/`` (91 English dumps, full gold body): a line is article text
  when the gold body holds it (short lines only as a whole paragraph);
  exact labels, weight 1.

Cross-validation is grouped by site (the domain of the gold ``url``; the
archived site for web.archive.org addresses; the page itself when there is
no address), so the figures predict pages from sites the model never saw.
Every fold retrains the model on the other folds' sites and reads its
pages with :func:`analysis.textpage.parse_text_page`; the scores use the
corpora's own measures (snippet P/R/F1, title and date accuracy on
textdumps-multi; macro token F1 on textdumps).

The model (:class:`analysis.linemodel.StackedLineModel`) is three steps,
each trained on what the step before it says of lines it did not see:

1. wording: a logistic regression over each line's hashed character
   2- to 4-grams, words and word pairs (liblinear, C = :data:`LEXICAL_C`),
   out-of-fold for the steps after it;
2. layout: gradient-boosted trees over the line features plus the wording
   scores of the line and its neighbours (the out-of-fold folds: the
   pages' sites split in :data:`INNER_FOLDS`), out-of-fold for the next;
3. context: deeper trees over the same plus the layout trees'
   out-of-fold probabilities around each line and the share of each
   line's words found in the lines those probabilities are sure of.

Seeded and single-threaded: the same data gives the same model file.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from analysis import textpage  # noqa: E402
from analysis.clean import normalise_text  # noqa: E402
from analysis.config import shared_data_dir  # noqa: E402
from analysis.linemodel import (  # noqa: E402
    CONTEXT_FEATURES,
    LEXICAL_FEATURES,
    VOCABULARY_FEATURES,
    LexicalScorer,
    StackedLineModel,
    char_ngrams,
    context_columns,
    lexical_columns,
    line_words,
    vocabulary_columns,
)
from analysis.textlines import FEATURES, LineModel, page_language  # noqa: E402
from benchmarks.scoring import snippet_scorer  # noqa: E402

MODEL_PATH = REPO / "analysis" / "models" / "line_model.json"
SEED = 0
#: Depth and count of the layout step's trees, and of the context step's
#: (site-grouped CV, snippet F1 / title / token F1, the reader's lead rule at
#: p > 0.3, with the vocabulary columns and LEXICAL_C = 10: 3 x 300 and
#: 4 x 300 at 0.05 0.902 / 0.856 / 0.936; 3 x 150 and 4 x 300 0.899 / 0.861 /
#: 0.937; without the vocabulary columns, C = 3: 3 x 150 and 3 x 150 at 0.1
#: 0.894 / 0.859 / 0.933. The shipped lead rule, p > 0.4: 0.901 / 0.856 / 0.937).
DEPTH, TREES = 3, 300
CONTEXT_DEPTH, CONTEXT_TREES = 4, 300
LEARNING_RATE = 0.05
SNIPPET_WEIGHT = 3.0
#: Weight of a teacher-labelled line (site-grouped CV, snippet F1 / token F1:
#: 1.0 0.865 / 0.920, 0.5 0.868 / 0.919, 0.3 0.871 / 0.922, 0.2 0.876 / 0.918).
WEAK_WEIGHT = 0.3
#: Site-grouped folds inside the training pages for the out-of-fold inputs
#: of the layout and context steps.
INNER_FOLDS = 4
LEXICAL_BITS = 18
#: The wording model's inverse regularisation (site-grouped CV with the trees
#: and columns above, lead rule at 0.3, snippet F1 / title / token F1: C = 3
#: 0.899 / 0.856 / 0.933, C = 10 0.902 / 0.856 / 0.936).
LEXICAL_C = 10.0
#: Probability above which a line is kept (site-grouped CV, snippet F1 /
#: token F1: 0.5 0.891 / 0.932, 0.55 0.890 / 0.930).
THRESHOLD_KEEP = 0.5
_SPACE = re.compile(r"\s+")


def _n(s: str) -> str:
    return _SPACE.sub(" ", s or "").strip()


@dataclass
class Page:
    """One labelled dump: its features, line labels and where it comes from."""

    pid: str
    corpus: str          # "multi" or "dumps"
    group: str           # site
    text: str
    lines: list[str]
    x: np.ndarray
    y: np.ndarray
    w: np.ndarray


def site_of(url: str | None, pid: str) -> str:
    """Return the site of a gold url (the archived one for web.archive.org), else the page id.

    Examples
    --------
    >>> site_of("https://web.archive.org/web/2019/https://www.zeit.de/x", "p")
    'zeit.de'
    >>> site_of("", "p1")
    'page:p1'
    """
    if not url:
        return f"page:{pid}"
    host = urlparse(url).netloc.lower()
    if host == "web.archive.org":
        inner = re.search(r"/web/[^/]*/(.+)$", url)
        host = urlparse(inner.group(1)).netloc.lower() if inner else host
    return host.removeprefix("www.") or f"page:{pid}"


def page_matrix(text: str, boilerplate: frozenset[str]) -> tuple[list[str], np.ndarray]:
    """Return the lines the model scores and their feature matrix, as the reader sees them."""
    layout = textpage._layout(text, boilerplate)
    if layout is None:
        return [], np.zeros((0, len(FEATURES)))
    anchor = layout.repeats[0] if layout.repeats else None
    reading = textpage._rule_reading(layout.lines, layout.first, layout.chrome, anchor)
    sub = [layout.lines[i] for i in reading.idx]
    language = page_language("\n".join(sub))
    if not sub:
        return [], np.zeros((0, len(FEATURES)))
    return sub, textpage._line_table(layout, reading, language)


def teacher_extractions(data: Path, gold: dict) -> dict[str, str]:
    """Return trafilatura's extraction of each page's original HTML (the weak labeller)."""
    import trafilatura

    archive = data / "trafilatura-eval.tar.gz"
    out = {}
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.endswith(".html")]
        tar.extractall(tmp, members=members, filter="data")
        files = {Path(m.name).name: Path(tmp) / m.name for m in members}
        for pid, g in gold.items():
            path = files.get(g.get("file") or f"{pid}.html")
            out[pid] = (trafilatura.extract(path.read_bytes()) or "") if path else ""
    return out


def multi_labels(lines: list[str], g: dict, teacher: str) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(labels, weights)`` of a textdumps-multi page's lines."""
    with_ = [_n(s) for s in g.get("with") or [] if _n(s)]
    without = [_n(s) for s in g.get("without") or [] if _n(s)]
    teacher_lines = {_n(line) for line in teacher.splitlines() if _n(line)}
    teacher_all = _n(teacher)
    y, w = np.zeros(len(lines)), np.full(len(lines), WEAK_WEIGHT)
    for k, line in enumerate(lines):
        norm = _n(line)
        pos = any(s in norm for s in with_)
        neg = any(s in norm for s in without)
        if pos or neg:
            y[k], w[k] = float(pos), (SNIPPET_WEIGHT if pos != neg else 0.0)
            continue
        y[k] = norm in teacher_lines or (len(norm.split()) >= 2 and norm in teacher_all)
    return y, w


def dumps_labels(lines: list[str], body: str) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(labels, weights)`` of a textdumps page's lines from its gold body."""
    paragraphs = {_n(p) for p in body.splitlines() if _n(p)}
    whole = _n(body)
    y = np.array([_n(line) in paragraphs or (len(line.split()) >= 5 and _n(line) in whole)
                  for line in lines], dtype=np.float64)
    return y, np.ones(len(lines))


def load_pages(data: Path, teacher: dict[str, str] | None = None
               ) -> tuple[list[Page], dict, dict]:
    """Return every labelled page of both corpora, textdumps-multi's gold and its dumps."""
    pages = []
    root = data / "textdumps-multi"
    gold = json.loads((root / "gold.json").read_text(encoding="utf-8"))
    # The files' own text. The reader runs on load_articles' normalised text
    # (items.dump_text) and the benchmarks score that; a model trained on the
    # normalised text was no better (RESULTS, issue 14 seventh pass).
    texts = {pid: (root / "pages" / f"{pid}.txt").read_text(encoding="utf-8") for pid in gold}
    chrome = textpage.recurring_lines(texts.values())
    teacher = teacher_extractions(data, gold) if teacher is None else teacher
    for pid in sorted(gold):
        mine = frozenset(chrome.intersection(map(textpage._norm, texts[pid].splitlines())))
        lines, x = page_matrix(texts[pid], mine)
        y, w = multi_labels(lines, gold[pid], teacher[pid])
        pages.append(Page(pid, "multi", site_of(gold[pid].get("url"), pid), texts[pid], lines,
                          x, y, w))
    root = data / "textdumps"
    dgold = json.loads((root / "gold.json").read_text(encoding="utf-8"))
    for pid in sorted(dgold):
        text = (root / "pages" / f"{pid}.txt").read_text(encoding="utf-8")
        lines, x = page_matrix(text, frozenset())
        y, w = dumps_labels(lines, dgold[pid]["articleBody"])
        pages.append(Page(pid, "dumps", site_of(dgold[pid].get("url"), pid), text, lines, x, y,
                          w))
    return pages, gold, dgold


def fit_trees(x: np.ndarray, y: np.ndarray, w: np.ndarray, features: tuple[str, ...], *,
              depth: int = DEPTH, trees: int = TREES) -> LineModel:
    """Return seeded gradient-boosted trees on the weighted rows, as a LineModel."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    keep = w > 0
    clf = HistGradientBoostingClassifier(
        max_iter=trees, max_depth=depth, max_leaf_nodes=2 ** depth, learning_rate=LEARNING_RATE,
        min_samples_leaf=40, l2_regularization=1.0, early_stopping=False, random_state=SEED)
    with threadpool_limits(1):  # one core, and the same trees on any machine
        clf.fit(x[keep], y[keep].astype(int), sample_weight=w[keep])
    model = to_line_model(clf, features, depth)
    check = clf.decision_function(x[:2000])
    mine = model.predict_proba(x[:2000])
    assert np.allclose(1 / (1 + np.exp(-check)), mine, atol=1e-9), "tree export mismatch"
    return model


def fit_lexical(pages: list[Page]) -> LexicalScorer:
    """Return the wording model: a logistic regression over the lines' hashed n-grams."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    rows = sp.vstack([ngram_matrix(p.lines) for p in pages]).tocsr()
    y = np.concatenate([p.y for p in pages])
    w = np.concatenate([p.w for p in pages])
    keep = w > 0
    clf = LogisticRegression(C=LEXICAL_C, solver="liblinear", max_iter=200, random_state=SEED)
    with threadpool_limits(1):
        clf.fit(rows[keep], y[keep].astype(int), sample_weight=w[keep])
    # Half floats: what the model file stores (2**18 weights in 512 KiB).
    coef = clf.coef_.ravel().astype("<f2").astype(np.float64)
    return LexicalScorer(coef, float(clf.intercept_[0]), LEXICAL_BITS)


def ngram_matrix(lines: list[str]):
    """Return the lines' weighted n-gram rows (sparse), as :class:`LexicalScorer` sums them."""
    import scipy.sparse as sp

    line, bucket, weight = char_ngrams(lines, bits=LEXICAL_BITS)
    rows = sp.csr_matrix((weight, (line, bucket)),
                         shape=(len(lines), 2 ** LEXICAL_BITS))
    rows.sum_duplicates()
    return rows


def _stacked(pages: list[Page], columns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the pages' rows (``columns(page)``), labels and weights, stacked."""
    return (np.vstack([columns(p) for p in pages]), np.concatenate([p.y for p in pages]),
            np.concatenate([p.w for p in pages]))


def fit(pages: list[Page]) -> StackedLineModel:
    """Return the wording, layout and context models trained on *pages* (see the docstring)."""
    pages = [p for p in pages if len(p.y)]
    inner = folds_of(pages, INNER_FOLDS)
    wording = {}
    for test in inner:
        held = set(test.tolist())
        scorer = fit_lexical([p for i, p in enumerate(pages) if i not in held])
        wording.update({pages[i].pid: scorer.predict_proba(pages[i].lines) for i in test})
    lexical = fit_lexical(pages)

    def first_columns(page: Page) -> np.ndarray:
        return np.hstack([page.x, lexical_columns(wording[page.pid])])

    first_features = FEATURES + LEXICAL_FEATURES
    layout = {}
    for test in inner:
        held = set(test.tolist())
        trees = fit_trees(*_stacked([p for i, p in enumerate(pages) if i not in held],
                                    first_columns), first_features)
        layout.update({pages[i].pid: trees.predict_proba(first_columns(pages[i]))
                       for i in test})
    first = fit_trees(*_stacked(pages, first_columns), first_features)

    def second_columns(page: Page) -> np.ndarray:
        return np.hstack([first_columns(page),
                          context_columns(layout[page.pid], line_words(page.x)),
                          vocabulary_columns(layout[page.pid], page.lines)])

    second = fit_trees(*_stacked(pages, second_columns),
                       first_features + CONTEXT_FEATURES + VOCABULARY_FEATURES,
                       depth=CONTEXT_DEPTH, trees=CONTEXT_TREES)
    return StackedLineModel(lexical, first, second, THRESHOLD_KEEP)


def to_line_model(clf, features: tuple[str, ...], depth: int) -> LineModel:
    """Return the fitted classifier's trees (of at most *depth* levels) as complete trees."""
    n_inner, n_leaf = 2 ** depth - 1, 2 ** depth
    trees = [stage[0] for stage in clf._predictors]
    feature = np.zeros((len(trees), n_inner), dtype=np.intp)
    threshold = np.full((len(trees), n_inner), np.inf)
    leaf = np.zeros((len(trees), n_leaf))
    for t, predictor in enumerate(trees):
        nodes = predictor.nodes

        def place(node: int, slot: int, level: int, t=t, nodes=nodes) -> None:
            if level == depth:
                leaf[t, slot - n_inner] = nodes[node]["value"]
                return
            if nodes[node]["is_leaf"]:
                # Padded split: every row goes left, down to the same value.
                feature[t, slot], threshold[t, slot] = 0, np.inf
                place(node, 2 * slot + 1, level + 1)
                place(node, 2 * slot + 2, level + 1)
                return
            feature[t, slot] = nodes[node]["feature_idx"]
            threshold[t, slot] = nodes[node]["num_threshold"]
            place(int(nodes[node]["left"]), 2 * slot + 1, level + 1)
            place(int(nodes[node]["right"]), 2 * slot + 2, level + 1)

        place(0, 0, 0)
    bias = float(np.ravel(clf._baseline_prediction)[0])
    return LineModel(feature, threshold, leaf, bias, depth, 0.5, features)


def folds_of(pages: list[Page], folds: int) -> list[np.ndarray]:
    """Return the page positions of each test fold, whole sites per fold (seeded shuffle)."""
    groups = sorted({p.group for p in pages})
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(groups))
    fold_of = {groups[g]: k % folds for k, g in enumerate(order)}
    return [np.array([i for i, p in enumerate(pages) if fold_of[p.group] == k])
            for k in range(folds)]


def cross_validated_models(folds: int = 5, data: Path | None = None
                           ) -> Iterator[tuple[StackedLineModel, list[str]]]:
    """Yield ``(model, test page ids)`` per site-grouped fold, the model trained without them."""
    pages, _, _ = load_pages(data or shared_data_dir())
    for test in folds_of(pages, folds):
        held = set(test.tolist())
        model = fit([p for i, p in enumerate(pages) if i not in held])
        yield model, [pages[i].pid for i in test]


def read(texts: dict[str, str], model: StackedLineModel,
         boilerplate: frozenset[str] = frozenset()):
    """Return ``{page_id: TextPage}`` read with *model* and the folder's chrome."""
    out = {}
    for pid, text in texts.items():
        mine = frozenset(boilerplate.intersection(map(textpage._norm, text.splitlines())))
        out[pid] = textpage.parse_text_page(text, boilerplate=mine, model=model)
    return out


def evaluate(pages: list[Page], by_pid: dict, gold: dict, dgold: dict, data: Path) -> dict:
    """Return the corpora's scores of pages read per fold (``by_pid``: pid -> TextPage)."""
    from benchmarks.scoring import macro_prf

    score = snippet_scorer(data)
    multi = {p.pid: by_pid[p.pid] for p in pages if p.corpus == "multi"}
    extracted = {pid: (tp.title or "", tp.published.date().isoformat() if tp.published else "",
                       tp.text) for pid, tp in multi.items()}
    result = {"multi": score(extracted, gold)}
    pairs = [(by_pid[p.pid].text, dgold[p.pid]["articleBody"]) for p in pages
             if p.corpus == "dumps"]
    result["dumps_token_prf"] = tuple(round(v, 3) for v in macro_prf(pairs))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--thresholds", type=float, nargs="+",
                        help="keep thresholds to score the CV folds at (default: the "
                             "shipped one); the model file keeps THRESHOLD_KEEP")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    pages, gold, dgold = load_pages(args.data)
    n_lines = sum(len(p.y) for p in pages)
    print(f"{len(pages)} pages, {n_lines} lines, {len({p.group for p in pages})} sites, "
          f"{sum(p.y.sum() for p in pages):.0f} article lines ({time.perf_counter() - t0:.0f} s)")
    if not args.no_cv:
        # Scored on the text load_articles parses (items.dump_text of the file).
        chrome = textpage.recurring_lines(normalise_text(p.text) for p in pages
                                          if p.corpus == "multi")
        thresholds = args.thresholds or [THRESHOLD_KEEP]
        by_pid: dict[float, dict] = {t: {} for t in thresholds}
        for k, test in enumerate(folds_of(pages, args.folds)):
            held = set(test.tolist())
            fitted = fit([p for i, p in enumerate(pages) if i not in held])
            multi = {pages[i].pid: normalise_text(pages[i].text) for i in test
                     if pages[i].corpus == "multi"}
            dumps = {pages[i].pid: normalise_text(pages[i].text) for i in test
                     if pages[i].corpus == "dumps"}
            for t in thresholds:
                model = dataclasses.replace(fitted, threshold_keep=t)
                by_pid[t].update(read(multi, model, chrome))
                by_pid[t].update(read(dumps, model))
            print(f"fold {k + 1}/{args.folds}: {len(test)} pages "
                  f"({time.perf_counter() - t0:.0f} s)")
        for t in thresholds:
            result = evaluate(pages, by_pid[t], gold, dgold, args.data)
            print(f"site-grouped {args.folds}-fold CV, threshold {t}: textdumps-multi "
                  f"{result['multi']}")
            print(f"site-grouped {args.folds}-fold CV, threshold {t}: textdumps token P/R/F1 "
                  f"{result['dumps_token_prf']}")
    model = fit(pages)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model.to_json(), separators=(",", ":")) + "\n",
                        encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB, "
          f"{time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
