"""Do headlines get honest topics: close to their categories, and a catch-all flagged as one?

How to run, from the repository root::

    PYTHONPATH=. .venv/bin/python benchmarks/bench_short_texts.py [--work DIR]
        [--only CASE[,CASE...]] [--markdown]

Data: the headline stream ``shared_data_dir()/fwd-news-headlines/headlines.json`` (10,037
headlines with a ``category``, 13 labels), read once with :func:`analysis.load_articles`
(``label`` = category, ``title`` = the headline, ``text`` empty; duplicates flagged in
``duplicate_of``) and saved as ``WORK/headlines.parquet``.

Cases (issue 10), each in a fresh child process (the script re-invokes itself with
``--child``) that reads the parquet and times only the fit:

- ``auto``: ``fit_topics(a, k="auto", progress=False)`` (method "auto": embeddings on
  short texts);
- ``k13``: ``fit_topics(a, k=13, progress=False)`` (method "auto");
- ``hybrid13``: ``fit_topics(a, k=13, method="hybrid", progress=False)`` (TF-IDF/LSA);
- ``nmf13``: ``fit_topics(a, k=13, method="nmf", progress=False)``;
- ``peer-nmf``: scikit-learn ``TfidfVectorizer(stop_words="english", min_df=2,
  sublinear_tf=True)`` + ``NMF(13, init="nndsvda", random_state=0, max_iter=400)``, topic =
  argmax of the document weights;
- ``peer-lsa-kmeans``: the same TF-IDF + ``TruncatedSVD(100, random_state=0)`` +
  ``normalize`` + ``KMeans(13, n_init=10, random_state=0)``.

The peers cluster the same text newsscope does (:func:`analysis.topic_terms.article_texts`:
the headline, as the body is empty) for every article, duplicates included, and run under
``threadpool_limits(1)`` as ``fit_topics`` does, so CPU seconds compare like with like.

Per case: NMI (scikit-learn's ``normalized_mutual_info_score`` of category vs topic over all
10,037 articles; newsscope's ``doc_topics_`` merged on ``article_id``), the largest topic's
share of the articles, whether that topic is flagged ``is_catch_all`` and how many are
(newsscope only), ``method_``, k found, wall seconds, the child's CPU seconds and the 1-minute
load average at the start of the fit (on a busy machine CPU seconds are the steadier measure).
Each case's topics are listed after the table: label (newsscope's, "mixed: …" for a
catch-all) or top terms (peers: the highest-weighted words of the mean TF-IDF row), share and,
for newsscope, cohesion. Each child also reports a fingerprint of the code it ran; the output
warns when the run spanned a change, and a child that fails is reported, not fatal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
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

SOURCE = Path("fwd-news-headlines") / "headlines.json"
COLUMNS = ["article_id", "title", "text", "label", "duplicate_of"]
K = 13
# case -> (kind, description)
CASES = {
    "auto": ("newsscope", 'fit_topics(k="auto")'),
    "k13": ("newsscope", "fit_topics(k=13)"),
    "hybrid13": ("newsscope", 'fit_topics(k=13, method="hybrid")'),
    "nmf13": ("newsscope", 'fit_topics(k=13, method="nmf")'),
    "peer-nmf": ("peer", "sklearn TF-IDF + NMF(13) argmax"),
    "peer-lsa-kmeans": ("peer", "sklearn TF-IDF + SVD(100) + KMeans(13)"),
}
FIT_ARGS = {"auto": {"k": "auto"}, "k13": {"k": K},
            "hybrid13": {"k": K, "method": "hybrid"}, "nmf13": {"k": K, "method": "nmf"}}


# --------------------------------------------------------------------------- data


def build_frame(work: Path) -> dict:
    """Write WORK/headlines.parquet (once); return counts."""
    import pandas as pd

    from analysis import load_articles

    path = work / "headlines.parquet"
    if path.exists():
        frame = pd.read_parquet(path)
    else:
        frame = load_articles(shared_data_dir() / SOURCE, cache=False, progress=False)[COLUMNS]
        frame.to_parquet(path)
    words = frame["title"].fillna("").str.split().str.len()
    return {"articles": len(frame), "labels": int(frame["label"].nunique()),
            "duplicates": int(frame["duplicate_of"].notna().sum()),
            "median_words": float(words.median())}


# --------------------------------------------------------------------------- child


def newsscope_fit(articles, case: str) -> tuple[dict, object]:
    from analysis import fit_topics

    cpu0, t0 = time.process_time(), time.perf_counter()
    model = fit_topics(articles, progress=False, **FIT_ARGS[case])
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    docs = model.doc_topics_.merge(articles[["article_id", "label"]], on="article_id")
    if len(docs) != len(articles):
        raise RuntimeError(f"doc_topics_ covers {len(docs)} of {len(articles)} articles")
    topics = model.topics_.sort_values("share", ascending=False, kind="stable")
    largest = topics.iloc[0]
    return {
        "seconds": seconds, "cpu": cpu, "method": model.method_, "k_found": len(topics),
        "largest_share": float(largest["share"]),
        "largest_catch_all": bool(largest["is_catch_all"]),
        "catch_alls": int(topics["is_catch_all"].sum()),
        "topics": [[str(t["label"]), float(t["share"]), float(t["cohesion"]),
                    bool(t["is_catch_all"])] for _, t in topics.iterrows()],
    }, docs[["label", "topic_id"]]


def peer_fit(articles, case: str) -> tuple[dict, object]:
    import numpy as np
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.decomposition import NMF, TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize
    from threadpoolctl import threadpool_limits

    from analysis.topic_terms import article_texts

    texts = article_texts(articles)
    with threadpool_limits(limits=1):
        cpu0, t0 = time.process_time(), time.perf_counter()
        vectorizer = TfidfVectorizer(stop_words="english", min_df=2, sublinear_tf=True)
        X = vectorizer.fit_transform(texts)
        if case == "peer-nmf":
            W = NMF(K, init="nndsvda", random_state=0, max_iter=400).fit_transform(X)
            labels = W.argmax(axis=1)
        else:
            Z = normalize(TruncatedSVD(100, random_state=0).fit_transform(X))
            labels = KMeans(K, n_init=10, random_state=0).fit_predict(Z)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    sizes = np.bincount(labels, minlength=K)
    vocabulary = vectorizer.get_feature_names_out()
    topics = []
    for t in np.argsort(-sizes, kind="stable"):
        if sizes[t] == 0:
            continue
        mean = np.asarray(X[labels == t].mean(axis=0)).ravel()
        terms = " · ".join(vocabulary[np.argsort(-mean, kind="stable")[:3]])
        topics.append([terms, round(float(sizes[t]) / len(labels), 4), None, False])
    docs = pd.DataFrame({"label": articles["label"].to_numpy(), "topic_id": labels})
    return {"seconds": seconds, "cpu": cpu, "method": "-", "k_found": int((sizes > 0).sum()),
            "largest_share": float(sizes.max() / len(labels)), "largest_catch_all": None,
            "catch_alls": None, "topics": topics}, docs


def child_fit(path: Path, case: str) -> dict:
    """In this (fresh) process: read the frame, time only the fit, score it."""
    import pandas as pd
    from sklearn.metrics import normalized_mutual_info_score

    version = code_version()
    articles = pd.read_parquet(path)
    load = os.getloadavg()[0]
    fit = newsscope_fit if CASES[case][0] == "newsscope" else peer_fit
    result, docs = fit(articles, case)
    nmi = normalized_mutual_info_score(docs["label"].astype(str), docs["topic_id"])
    return result | {"case": case, "nmi": float(nmi), "load": load, "version": version}


def spawn_child(path: Path, case: str, timeout: float) -> dict:
    """Re-invoke this script as a fresh child for one case; return its result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(path), "--case", case]
    try:
        done = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"case": case, "timeout": timeout}
    except subprocess.CalledProcessError as err:
        last = (err.stderr.strip().splitlines() or ["?"])[-1]
        return {"case": case, "failed": f"exit {err.returncode}: {last}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def progress(r: dict) -> None:
    if "timeout" in r:
        text = f"killed after {r['timeout']:.0f} s"
    elif "failed" in r:
        text = f"FAILED ({r['failed']})"
    else:
        text = (f"{r['seconds']:.1f} s (CPU {r['cpu']:.1f} s, load {r['load']:.1f}), "
                f"k found {r['k_found']}, NMI {r['nmi']:.3f}, largest "
                f"{r['largest_share']:.3f}, code {r['version']}")
    print(f"done {r['case']}: {text}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- report


def flag(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def cells(r: dict) -> list[str]:
    case = r["case"]
    first = [case, CASES[case][1]]
    if "timeout" in r:
        return [*first, "-", "-", "-", "-", "-", "-", f"> {r['timeout']:.0f} (killed)", "-", "-"]
    if "failed" in r:
        return [*first, "-", "-", "-", "-", "-", "-", "failed", "-", "-"]
    catch_alls = "-" if r["catch_alls"] is None else str(r["catch_alls"])
    return [*first, r["method"], str(r["k_found"]), f"{r['nmi']:.3f}",
            f"{r['largest_share']:.3f}", flag(r["largest_catch_all"]), catch_alls,
            f"{r['seconds']:.1f}", f"{r['cpu']:.1f}", f"{r['load']:.1f}"]


def topic_lines(r: dict) -> list[str]:
    if "topics" not in r:
        return []
    lines = [f"- **{r['case']}** ({CASES[r['case']][1]}):"]
    for label, share, cohesion, catch_all in r["topics"]:
        extra = "" if cohesion is None else f", cohesion {cohesion:.3f}"
        mark = " **[catch-all]**" if catch_all else ""
        lines.append(f"  - {share:.3f} {label}{extra}{mark}")
    return lines


# --------------------------------------------------------------------------- CLI


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/bst"), help="work folder")
    parser.add_argument("--only", help=f"comma-separated cases, of {', '.join(CASES)}")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds before a fit is killed and reported as too slow")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--case", choices=list(CASES), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child_fit(args.child, args.case)))
        return 0
    cases = args.only.split(",") if args.only else list(CASES)
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        raise SystemExit(f"unknown case(s) {unknown}; known: {', '.join(CASES)}")
    args.work.mkdir(parents=True, exist_ok=True)
    command = "PYTHONPATH=. .venv/bin/python benchmarks/bench_short_texts.py " + shlex.join(
        sys.argv[1:] if argv is None else argv)
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, work {args.work}, {load_average()}")
    print(f"Command (from {REPO}): {command.strip()}")
    print(f"git HEAD {git_head()}, code {code_version()}")
    print(f"{machine()}\n")
    info = build_frame(args.work)
    print(f"Headline stream {SOURCE}: {info['articles']:,} articles "
          f"({info['duplicates']} duplicates), {info['labels']} categories, median "
          f"{info['median_words']:.0f} words per headline")
    results = []
    for case in cases:
        results.append(spawn_child(args.work / "headlines.parquet", case, args.timeout))
        progress(results[-1])
    header = ("case", "fit", "method_", "k found", "NMI", "largest share",
              "largest is catch-all", "catch-alls", "seconds", "CPU s", "load")
    print("\n### Headlines vs their 13 categories\n")
    print(table(header, [cells(r) for r in results], args.markdown, text_columns=3))
    print("\n### Topics, largest first (share of articles)\n")
    print("\n".join(line for r in results for line in topic_lines(r)))
    print(run_footer(results, "case"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
