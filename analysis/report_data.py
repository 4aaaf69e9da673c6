"""Everything a report shows, computed once: topics, trends, bursts and what changed.

:func:`compute_report_data` runs the pipeline (load, topics, trends, bursts,
rising terms, comparison with a previous report) and returns a
:class:`ReportData`. :func:`report_tables` turns it into the tidy tables a
report ships as CSV; they are sorted and rounded so that the same input and
parameters give byte-identical files.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import pickle
import re
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config
from analysis.bursts import detect_bursts
from analysis.cache import CacheWarning, frame_digest, mark_used, usable_cache_dir
from analysis.cluster import check_dask, dask_client
from analysis.index import (
    TOKENISER_VERSION,
    TermIndex,
    build_index,
    load_index,
    prune_store,
    save_index,
)
from analysis.io import load_articles, status_counts
from analysis.parallel import give_back_memory
from analysis.periods import DateOutliersWarning, date_outliers
from analysis.remote import load_on_cluster
from analysis.topics import TopicModel, fit_topics, topic_map
from analysis.trends import (
    article_counts,
    compared_windows,
    rising_terms,
    term_trends,
    topic_trends,
)

__all__ = ["NothingLoadedError", "ReportData", "compute_report_data", "focus_window",
           "dump_report_data", "load_report_data", "csv_safe", "nothing_loaded_error",
           "read_previous", "report_tables", "status_counts", "topic_changes", "write_tables"]

#: Share change (percentage points) a matched topic needs to count as grown or shrunk.
CHANGE_POINTS = 1.0
#: ... and the relative change it needs, so a 40% topic moving 1 point is "stable".
CHANGE_RELATIVE = 0.2
#: Least G² (p < 0.05, one degree of freedom) for a term to be reported as rising or falling.
G2_MIN = 3.84
#: Numbers of topics a report's k="auto" chooses from.
K_RANGE = (5, 20)
#: Two-word phrases in fewer articles are left out of the report's term index (see
#: :func:`analysis.index.build_index`); the top terms need 2 or less.
INDEX_MIN_DF = 2
#: The cache's folder of tokenised chunks of texts (:func:`analysis.index.build_index`'s ``store``).
INDEX_CHUNKS = "termchunks"


@dataclass
class ReportData:
    """The frames behind one report; see :func:`compute_report_data`."""

    params: dict
    articles: pd.DataFrame
    manifest: pd.DataFrame
    topics: pd.DataFrame
    doc_topics: pd.DataFrame
    k_selection: pd.DataFrame | None
    counts: pd.DataFrame
    topic_trends: pd.DataFrame
    term_trends: pd.DataFrame
    bursts: pd.DataFrame
    rising: pd.DataFrame
    rising_all: pd.DataFrame
    chart_terms: list[str]
    topic_map: pd.DataFrame
    source_topics: pd.DataFrame
    window: dict
    changes: dict | None = None
    versions: dict = field(default_factory=dict)
    #: Articles with an outlying date (:func:`analysis.periods.date_outliers`):
    #: ``article_id``, ``published``, ``source``, ``title``, ``path`` and ``excluded``.
    date_outliers: pd.DataFrame | None = None


COUNT_COLUMNS = ("period", "group", "n")
TOPIC_TREND_COLUMNS = ("period", "topic_id", "count", "n_articles", "share", "partial_period",
                       "no_data")
TERM_TREND_COLUMNS = ("period", "term", "count", "n_articles", "share", "per_10k_words",
                      "partial_period", "no_data")
BURST_COLUMNS = ("term", "start", "end", "peak", "weight", "n_articles", "headlines")
RISING_COLUMNS = ("term", "count_focus", "count_baseline", "share_focus", "share_baseline",
                  "g2", "log_ratio", "direction", "is_new")


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns}).astype(
        {c: "float64" for c in ("share", "g2", "weight", "log_ratio") if c in columns})


def resolve_sources(sources) -> list[str]:
    """Return ``sources`` as a list, existing paths made absolute (globs stay as given).

    Examples
    --------
    >>> resolve_sources("no/such/*.txt")
    ['no/such/*.txt']
    """
    sources = [sources] if isinstance(sources, (str, os.PathLike)) else list(sources)
    return [str(Path(s).expanduser().resolve()) if Path(s).expanduser().exists() else str(s)
            for s in sources]


def default_title(sources: Sequence[str]) -> str:
    """Return a report title for ``sources``: the first one's name.

    Examples
    --------
    >>> default_title(["/data/week-12/"])
    'week-12'
    """
    return Path(str(sources[0]).rstrip("/")).name or "newsscope report"


def _source_roots(sources: Sequence[str]) -> list[str]:
    """Return the folders that report paths are made relative to: each source's parent."""
    roots = set()
    for source in sources:
        wild = [source.index(ch) for ch in "*?[" if ch in source]
        base = Path(source[: min(wild)]).parent if wild else Path(source)
        roots.add(str(base.expanduser().resolve().parent).rstrip(os.sep) + os.sep)
    return sorted(roots, key=len, reverse=True)


def _relative(paths: pd.Series, roots: Sequence[str]) -> pd.Series:
    """Return ``paths`` without the first root each starts with, as Arrow-backed text.

    Examples
    --------
    >>> _relative(pd.Series(["/data/x/a.txt", "/else/b.txt"]), ["/data/"]).tolist()
    ['x/a.txt', '/else/b.txt']
    """
    # Arrow text, matched and cut by vectorised kernels: a million Python
    # strings (and a call per row) would be 70 MiB more in every later stage.
    paths = paths.astype("string[pyarrow]")
    done = pd.Series(False, index=paths.index)
    for root in roots:
        hit = ~done & paths.str.startswith(root).fillna(False).astype(bool)
        paths = paths.where(~hit, paths.str.slice(len(root)))
        done |= hit
    return paths


def focus_window(articles: pd.DataFrame, focus: str | None) -> tuple:
    """Return ``(start, end)`` for rising terms: ``focus`` parsed, or the newest quarter.

    The default is the newest quarter of the *articles*, not of the calendar,
    so one old article cannot leave the baseline nearly empty.

    Examples
    --------
    >>> focus_window(pd.DataFrame({"published": []}), "2022-01-01:2022-01-31")
    ('2022-01-01', '2022-01-31')
    >>> focus_window(pd.DataFrame({"published": []}), "2022-01-01 09:00:2022-01-31 18:00")
    ('2022-01-01 09:00', '2022-01-31 18:00')
    >>> stamps = pd.to_datetime(["2024-01-01"] * 9 + ["2024-02-01"], utc=True)
    >>> [str(w.date()) for w in focus_window(pd.DataFrame({"published": stamps}), None)]
    ['2024-02-01', '2024-02-01']
    """
    if focus:
        # The separator is the colon before the END date, not one inside a time.
        match = re.fullmatch(r"\s*(.+?)\s*(?::|\.\.)\s*(\d{4}-.*?)\s*", focus)
        if not match:
            raise ValueError(
                f"focus must be START:END, e.g. 2022-01-01:2022-01-31, not {focus!r}")
        return match.group(1), match.group(2)
    dated = articles["published"].dropna()
    if dated.empty:
        raise ValueError("no dated articles: trends need publication dates")
    start = dated.quantile(0.75)
    if not (dated < start).any():
        # Most articles share the first timestamp: the quartile is that
        # timestamp and nothing would come before the focus. Start it at the
        # next timestamp instead, so there is a baseline to compare with.
        later = dated[dated > dated.min()]
        start = later.min() if len(later) else start
    return start, dated.max()


def _with_headlines(topics: pd.DataFrame, articles: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    titles = articles.set_index(articles["article_id"].astype(object))["title"]
    titles = titles.where(titles.notna(), "(untitled)")
    return topics.assign(headlines=[[titles[a] for a in reps[:n]]
                                    for reps in topics["representative"]])


def _source_topic_mix(articles: pd.DataFrame, doc_topics: pd.DataFrame) -> pd.DataFrame:
    source = articles["source"].astype(object).where(articles["source"].notna(), "(unknown)")
    frame = pd.DataFrame({"source": source.to_numpy(),
                          "topic_id": doc_topics["topic_id"].to_numpy()})
    mix = frame.value_counts(["source", "topic_id"]).rename("n").reset_index()
    mix["share"] = (mix["n"] / mix.groupby("source")["n"].transform("sum")).round(4)
    return mix.sort_values(["source", "topic_id"], kind="stable", ignore_index=True)


_CALENDAR = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
    "saturday sunday week weekend month year today yesterday tomorrow".split())


def _chart_terms(terms, bursts: pd.DataFrame, rising: pd.DataFrame, trends: pd.DataFrame,
                 topics: pd.DataFrame, n: int = 5) -> list[str]:
    # Without asked-for terms, show what moved: the strongest bursts (one term
    # per stretch of time: earnings season bursts "qtr", "shr" and "cts"
    # together; at most n - 1, so one topic lead term always shows), then each
    # topic's lead term (rising terms of a small corpus are mostly
    # chance), then the top rising terms; calendar words burst every month and
    # say nothing. Only terms whose trend was counted, or the line is missing.
    if terms:
        return list(terms)
    counted = set(trends["term"])

    def usable(term: str) -> bool:
        return term in counted and not set(term.split()) & _CALENDAR

    picked, spans = [], []
    strongest = bursts.sort_values(["weight", "term"], ascending=[False, True], kind="stable")
    for burst in strongest.itertuples():
        if len(picked) < n - 1 and usable(burst.term) and burst.term not in picked and not any(
                burst.start <= end and start <= burst.end for start, end in spans):
            picked.append(burst.term)
            spans.append((burst.start, burst.end))
    candidates = [*picked, *(t for row in topics["top_terms"] for t in row[:1]),
                  *rising.loc[rising["direction"] == "rising", "term"]]
    chosen, words = [], set()
    for term in dict.fromkeys(candidates):
        # "qtr net" beside "qtr" repeats one story with one more line.
        if usable(term) and not set(term.split()) & words and len(chosen) < n:
            chosen.append(term)
            words |= set(term.split())
    return chosen


def _read_table(folder: Path, name: str) -> pd.DataFrame | None:
    # The Parquet twin holds exact values; the CSV's text cells may be quoted for spreadsheets.
    twin = folder / PARQUET_FOLDER / f"{name}.parquet"
    if twin.is_file():
        return pd.read_parquet(twin)
    path = folder / "tables" / f"{name}.csv"
    return pd.read_csv(path, keep_default_na=False) if path.is_file() else None


def read_previous(folder: str | Path) -> dict:
    """Return the tables of an earlier report version that a comparison needs.

    Raises ``ValueError`` naming the folder when it is not a report version.
    """
    tables = Path(folder) / "tables"
    if not (tables / "topics.csv").is_file():
        raise ValueError(f"previous report {folder} has no tables/topics.csv "
                         "(give a version folder written by `newsscope report`)")
    topics = _read_table(Path(folder), "topics")
    topics["top_terms"] = topics["top_terms"].str.split("; ")
    rising = _read_table(Path(folder), "rising_terms")
    return {"folder": str(folder), "name": Path(folder).name, "topics": topics, "rising": rising}


def topic_changes(topics: pd.DataFrame, previous: pd.DataFrame,
                  alignment: pd.DataFrame | None) -> pd.DataFrame:
    """Return one row per current or vanished topic: shares now and before, and a status.

    ``status`` is ``new`` (no match in the previous version), ``grown``,
    ``shrunk``, ``stable`` or ``gone`` (a previous topic nothing matched).

    Examples
    --------
    >>> now = pd.DataFrame({"topic_id": [0, 5], "label": ["a", "b"], "share": [0.5, 0.5]})
    >>> before = pd.DataFrame({"topic_id": [0, 1], "label": ["a", "c"], "share": [0.2, 0.8]})
    >>> align = pd.DataFrame({"topic_id": [0, 5], "previous_topic_id": [0, -1],
    ...                       "matched": [True, False]})
    >>> topic_changes(now, before, align)[["topic_id", "status"]].values.tolist()
    [[0, 'grown'], [5, 'new'], [1, 'gone']]
    """
    before = previous.set_index("topic_id")["share"]
    matched = set()
    if alignment is not None:
        matched = set(alignment.loc[alignment["matched"], "topic_id"])
    rows = []
    for row in topics.itertuples():
        was = before.get(row.topic_id) if row.topic_id in matched else None
        change = None if was is None else round(100 * (row.share - was), 2)
        if was is None:
            status = "new"
        # Thresholds are compared in rounded points, not raw floats: 0.06 - 0.05
        # is 0.00999... in floats, and a topic exactly at a threshold counts.
        elif abs(change) >= CHANGE_POINTS and (round(100 * abs(row.share - was), 6)
                                               >= round(100 * CHANGE_RELATIVE * was, 6)):
            status = "grown" if change > 0 else "shrunk"
        else:
            status = "stable"
        rows.append({"topic_id": row.topic_id, "label": row.label,
                     "share_before": was, "share_now": row.share,
                     "change_points": change, "status": status})
    gone = previous[~previous["topic_id"].isin(matched)]
    rows += [{"topic_id": r.topic_id, "label": r.label, "share_before": r.share,
              "share_now": None, "change_points": None, "status": "gone"}
             for r in gone.itertuples()]
    return pd.DataFrame(rows, columns=["topic_id", "label", "share_before", "share_now",
                                       "change_points", "status"])


def _newly_rising(rising: pd.DataFrame, previous: pd.DataFrame | None, n: int = 20
                  ) -> pd.DataFrame:
    """Return the top ``n`` significant rising terms that were not significantly rising before."""
    now = rising[rising["direction"] == "rising"].head(n)
    if previous is None or previous.empty:
        return now.reset_index(drop=True)
    was = previous[(previous["direction"] == "rising")
                   & (pd.to_numeric(previous["g2"], errors="coerce") >= G2_MIN)]
    return now[~now["term"].isin(set(was["term"]))].reset_index(drop=True)


class NothingLoadedError(ValueError):
    """No article loaded from the sources; ``manifest`` says what each input item was.

    A ``ValueError`` like every bad input; the command line catches this one
    to list the items and their reasons before its one-line error.
    """

    def __init__(self, message: str, manifest: pd.DataFrame) -> None:
        super().__init__(message)
        self.manifest = manifest


def nothing_loaded_error(sources: Sequence[str], manifest: pd.DataFrame, n: int = 3
                         ) -> NothingLoadedError:
    """Return the error for a load that gave no article: the items by status and why.

    The ``n`` commonest manifest reasons are quoted, so the message explains
    itself where the manifest is not at hand (a failed command line run).

    Examples
    --------
    >>> manifest = pd.DataFrame({"status": ["empty", "empty", "rejected"],
    ...                          "reason": ["no body", "no body", "binary"]})
    >>> print(nothing_loaded_error(["news/"], manifest))  # doctest: +NORMALIZE_WHITESPACE
    no articles could be loaded from news/: 3 input items, 2 empty and 1 rejected
    (2× no body; 1× binary). A layout that must be forced (bbc, ttc3600) needs fmt=;
    an export whose columns have other names needs columns=
    >>> print(nothing_loaded_error(["news/"], manifest.iloc[:0]))
    no input items in news/ (names starting with . are skipped)
    """
    where = ", ".join(str(s) for s in sources)
    if manifest.empty:
        return NothingLoadedError(f"no input items in {where} (names starting with . are "
                                  "skipped)", manifest)
    statuses = [f"{count} {status}" for status, count in status_counts(manifest).items()]
    reasons = manifest["reason"].astype(object).fillna("").replace("", "no reason given")
    common = "; ".join(f"{count}× {reason}" for reason, count
                       in reasons.value_counts().head(n).items())
    items = f"{len(manifest)} input item{'s' if len(manifest) != 1 else ''}"
    return NothingLoadedError(f"no articles could be loaded from {where}: {items}, "
                              f"{' and '.join(statuses)} ({common}). A layout that must be "
                              "forced (bbc, ttc3600) needs fmt=; an export whose columns have "
                              "other names needs columns=", manifest)


def _versions() -> dict:
    import platform
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("newsscope", "pandas", "numpy", "scikit-learn", "scipy", "matplotlib",
                 "trafilatura", "dateparser", "py3langid"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


OUTLIER_COLUMNS = ("article_id", "published", "source", "title", "path", "excluded")


def _outlier_rows(outlying: pd.DataFrame, *, excluded: bool) -> pd.DataFrame:
    rows = outlying.reindex(columns=list(OUTLIER_COLUMNS[:-1])).assign(excluded=excluded)
    return rows.sort_values("published", kind="stable", ignore_index=True)


def _outlier_message(outliers: pd.DataFrame, n_dated: int, n: int = 3) -> str:
    """Return the warning for outlying dates left out, naming the first few.

    Examples
    --------
    >>> rows = pd.DataFrame({"published": pd.to_datetime(["1900-01-01"], utc=True)})
    >>> print(_outlier_message(rows, 61))  # doctest: +NORMALIZE_WHITESPACE
    1 of the 61 dated articles has a date far from all the others (1900-01-01) and is left
    out of the time sections; include_date_outliers=True keeps it
    """
    k = len(outliers)
    days = ", ".join(outliers["published"].head(n).map(lambda t: f"{t:%Y-%m-%d}"))
    more = f" and {k - n} more" if k > n else ""
    verb, them = ("has a date", "it") if k == 1 else ("have dates", "them")
    return (f"{k} of the {n_dated} dated articles {verb} far from all the others ({days}{more})"
            f" and {'is' if k == 1 else 'are'} left out of the time sections; "
            f"include_date_outliers=True keeps {them}")


def _no_time_reason(dated: pd.DataFrame, *, since: str | None, n_before_since: int
                    ) -> str | None:
    """Return why the time sections are empty, or None when there is a time span to chart.

    Examples
    --------
    >>> one = pd.DataFrame({"published": pd.to_datetime(["2024-03-01"] * 4, utc=True)})
    >>> _no_time_reason(one, since=None, n_before_since=0)
    'all 4 dated articles share one timestamp (2024-03-01 00:00 UTC): no time span to chart'
    >>> _no_time_reason(one.iloc[:0], since=None, n_before_since=0)
    'no dated articles: no time charts'
    """
    published = dated["published"]
    if published.empty:
        if since and n_before_since:
            return (f"no dated article on or after since={since} ({n_before_since} before it):"
                    " no time charts")
        return "no dated articles: no time charts"
    if published.nunique() == 1:
        stamp = published.iloc[0]
        return (f"all {len(published)} dated articles share one timestamp "
                f"({stamp:%Y-%m-%d %H:%M} {stamp.tzname() or published.dt.tz}): "
                "no time span to chart")
    return None


def _time_rows(articles: pd.DataFrame, *, since: str | None, include_date_outliers: bool
               ) -> tuple[np.ndarray, int, pd.DataFrame]:
    """Return which articles the time sections use, how many ``since`` left out, the outliers.

    The mask marks the rows of ``articles`` that the time sections use: the
    term index of all articles is cut to the same rows.
    """
    in_time = articles["published"].notna().to_numpy().copy()
    dated = articles[in_time]
    n_before_since = 0
    if since and len(dated):
        cutoff = pd.Timestamp(since)
        cutoff = cutoff.tz_localize(dated["published"].dt.tz) if cutoff.tzinfo is None else cutoff
        n_before_since = int((dated["published"] < cutoff).sum())
        in_time[np.flatnonzero(in_time)] = (dated["published"] >= cutoff).to_numpy(dtype=bool)
        dated = articles[in_time]
    # A stray date (1900-01-01, a mistyped year) would stretch every chart and
    # trend table over decades of empty periods; after `since`, which may
    # already have cut it.
    outlying = date_outliers(dated)
    outliers = _outlier_rows(dated[outlying], excluded=not include_date_outliers)
    if outlying.any() and not include_date_outliers:
        in_time[np.flatnonzero(in_time)] = ~outlying.to_numpy(dtype=bool)
        warnings.warn(_outlier_message(outliers, int(in_time.sum()) + len(outliers)),
                      DateOutliersWarning, stacklevel=4)
    return in_time, n_before_since, outliers


def _index_key(articles: pd.DataFrame) -> str:
    """Return the cache key of the term index of ``articles``: ids, texts and tokeniser.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a"], "title": ["Oil"], "text": ["Prices rose."]})
    >>> _index_key(arts) == _index_key(arts.copy()), _index_key(arts) == _index_key(
    ...     arts.assign(text="Prices fell."))
    (True, False)
    """
    columns = [c for c in ("article_id", "title", "text") if c in articles.columns]
    digest = hashlib.sha256(f"{TOKENISER_VERSION}|{INDEX_MIN_DF}|{len(articles)}|"
                            f"{columns}|".encode())
    if columns:
        digest.update(frame_digest(articles[columns]))
    return digest.hexdigest()[:32]


def _term_index(articles: pd.DataFrame, *, cache: bool, n_jobs: int | None,
                progress: bool | None, client=None, fresh: bool = False,
                texts=None) -> TermIndex:
    """Return the term index of ``articles``: from the cache folder, or built (and stored there).

    The index sits beside the load caches as ``index-<key>`` (see
    :func:`_index_key`); ``cache=False`` neither reads nor writes it. A cache
    that cannot be written costs a :class:`~analysis.cache.CacheWarning`, never the run.
    """
    folder = root = None
    if cache:
        root = usable_cache_dir()
        # On a cluster the counts stay on the workers (analysis.shards), and
        # only their tokenised chunks are kept, by the workers.
        folder = None if root is None or texts is not None else \
            root / f"index-{_index_key(articles)}"
    if folder is not None:
        found = load_index(folder)
        if found is not None and found.min_df == INDEX_MIN_DF and len(found.codes) == len(articles):
            mark_used(folder)
            return found
    # Texts tokenised for an earlier version of the corpus are kept in
    # chunks, so a corpus that grew is tokenised only where it changed.
    chunks = None if root is None else root / INDEX_CHUNKS
    index = build_index(articles, min_df=INDEX_MIN_DF, progress=progress, client=client,
                        n_jobs=max(1, n_jobs if n_jobs is not None else os.cpu_count() or 1),
                        fresh=fresh, store=chunks, texts=texts)
    if chunks is not None:
        prune_store(chunks)
    if folder is not None:
        try:
            save_index(index, folder)
        except OSError as exc:
            warnings.warn(f"cannot store the term index in {folder.parent} "
                          f"({exc.strerror or type(exc).__name__}); going on without it",
                          CacheWarning, stacklevel=4)
    return index


#: Modules whose code shapes the topics: a change to any of them refits.
_TOPIC_CODE = ("tokens.py", "topic_terms.py", "topic_vectors.py", "topics.py", "report_data.py")
_TOPIC_LIBRARIES = ("scikit-learn", "numpy", "scipy", "wordllama")


def _topics_key(articles: pd.DataFrame, *, k, random_state: int, texts=None) -> str:
    """Return the cache key of the topics of ``articles``: texts, copies, options and code.

    Not the previous version's topics: they only renumber the topics
    (:meth:`~analysis.topics.TopicModel.aligned_to`), which is done after.
    """
    digest = hashlib.sha256(f"{k}|{random_state}|{K_RANGE}|{len(articles)}".encode())
    columns = [c for c in ("article_id", "title", "text", "duplicate_of", "source", "published",
                           "lang") if c in articles]
    digest.update(frame_digest(articles[columns]))
    if texts is not None:
        digest.update(b"remote|" + texts.digests.tobytes())
    for module in _TOPIC_CODE:
        digest.update((Path(__file__).parent / module).read_bytes())
    for library in _TOPIC_LIBRARIES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            digest.update(f"{library}={importlib.metadata.version(library)}".encode())
    return digest.hexdigest()[:32]


def _topics_folder(articles: pd.DataFrame, *, k, random_state: int, cache: bool,
                   texts=None) -> Path | None:
    """Return the cache folder of the topics of ``articles``, or None without a cache.

    Topics and the map do not depend on ``terms``, ``freq``, ``focus`` or
    ``since``: a second report on the same articles with other ones reuses
    them from ``topics-<key>`` beside the load cache (``cache=False``
    neither reads nor writes it).
    """
    root = usable_cache_dir() if cache else None
    if root is None:
        return None
    return root / ("topics-" + _topics_key(articles, k=k, random_state=random_state,
                                           texts=texts))


def _cached_topics(folder: Path | None) -> tuple[TopicModel, pd.DataFrame] | None:
    """Return the fitted topic model and topic map stored in ``folder``, if any."""
    if folder is None:
        return None
    with contextlib.suppress(OSError, EOFError, pickle.UnpicklingError, AttributeError,
                             ImportError, ValueError):
        with (folder / "topics.pkl").open("rb") as handle:
            found = pickle.load(handle)  # our own cache folder: trusted
        mark_used(folder)
        return found
    return None


def _store_topics(folder: Path | None, found: tuple[TopicModel, pd.DataFrame]) -> None:
    """Write the topic model and map into ``folder`` atomically; a failure only warns."""
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".tmp-{os.getpid()}-topics.pkl"
        with tmp.open("wb") as handle:
            pickle.dump(found, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / "topics.pkl")
    except OSError as exc:
        warnings.warn(f"cannot store the topics in {folder.parent} "
                      f"({exc.strerror or type(exc).__name__}); going on without it",
                      CacheWarning, stacklevel=4)


def compute_report_data(sources: Sequence[str] | str, *, title: str | None = None,
                        fmt: str = "auto", columns: Mapping[str, str] | None = None,
                        freq: str = "W", k="auto", terms: Sequence[str] | None = None,
                        focus: str | None = None, since: str | None = None,
                        previous: str | Path | None = None, tz: str = "UTC",
                        random_state: int = 0, top_n: int = 200,
                        include_date_outliers: bool = False, cache: bool = True,
                        max_bytes: int = config.MAX_FILE_BYTES,
                        progress: bool | None = None, n_jobs: int | None = None,
                        dask=None) -> ReportData:
    """Return everything a report shows for ``sources``.

    Parameters
    ----------
    sources : str or list of str
        Files, folders, globs or archives, as for :func:`analysis.load_articles`.
    title : str, optional
        Report title; defaults to the first source's name.
    fmt, columns
        Reader and export column mapping, as for :func:`analysis.load_articles`:
        ``fmt="bbc"`` reads the BBC News layout, ``columns={"text": "story"}``
        an export whose text column is called ``story``.
    freq : {"D", "W", "M", "Q", "Y"}
        Period of the trend charts and tables.
    k : int or "auto"
        Number of topics.
    terms : list of str, optional
        Terms (words, phrases, ``traffick*`` patterns) to chart and test for
        bursts; by default the strongest bursts among the ``top_n`` terms.
    focus : str, optional
        ``START:END`` window compared with everything before it for rising
        terms; by default the newest quarter of the articles.
    since : str, optional
        Leave articles published before this date out of the time-based
        sections (they still count in the corpus summary and topics).
    previous : path, optional
        An earlier version folder: topic ids are aligned to it and a
        "What changed" comparison is made.
    tz, random_state, top_n, progress
        Time zone of dates, seed of every randomised step, number of frequent
        terms tracked when ``terms`` is not given, progress bar switch.
    include_date_outliers : bool
        Keep articles whose dates lie far from all the others
        (:func:`analysis.periods.date_outliers`: a small group cut off by a gap
        longer than a year and than the span of the rest) in the time-based
        sections. By default they are left out of them, with a
        :class:`~analysis.periods.DateOutliersWarning`; either way they are
        listed in ``date_outliers`` and the corpus summary, and count in the
        topics.
    cache, max_bytes
        Reuse and store the parsed load, and the term index the trends,
        bursts and rising terms share (:func:`analysis.index.build_index`,
        kept beside the load caches as ``index-<key>``, keyed by the articles'
        ids and texts); size limit of one input file; as for
        :func:`analysis.load_articles`.
    n_jobs : int, optional
        Processes that load the sources and tokenise the articles for the
        term index; ``None``: one per CPU. The results are the same for any
        value.
    dask : "local", scheduler address, distributed.Client or None
        Load the sources and tokenise the articles on a Dask cluster's
        workers instead (:mod:`analysis.cluster`); topics, trends and the
        rest are computed here. The results are the same as without.

    Warns
    -----
    DateOutliersWarning
        When articles with outlying dates are left out of the time sections.

    Notes
    -----
    When there is no time span to chart (no dated article, every dated
    article at one timestamp, none on or after ``since``), the time sections
    are empty and ``window["no_time"]`` says why; topics and the summary are
    still made.
    """
    check_dask(dask)
    sources = resolve_sources(sources)
    with dask_client(dask) as client:
        return _computed(sources, title=title, fmt=fmt, columns=columns, freq=freq, k=k,
                         terms=terms, focus=focus, since=since, previous=previous, tz=tz,
                         random_state=random_state, top_n=top_n,
                         include_date_outliers=include_date_outliers, cache=cache,
                         max_bytes=max_bytes, progress=progress, n_jobs=n_jobs, client=client)


def _computed(sources: list[str], *, title, fmt, columns, freq, k, terms, focus, since,
              previous, tz, random_state, top_n, include_date_outliers, cache, max_bytes,
              progress, n_jobs, client) -> ReportData:
    """Return :func:`compute_report_data`'s result, on ``client``'s cluster when not None."""
    roots = _source_roots(sources)
    before = read_previous(previous) if previous else None
    if client is None:
        articles, manifest = load_articles(sources, fmt=fmt, columns=columns, tz=tz,
                                           return_manifest=True, cache=cache,
                                           max_bytes=max_bytes, progress=progress, n_jobs=n_jobs)
        texts = None
    else:
        # The texts stay on the workers that loaded them (gigabytes at a
        # million articles): the index is tokenised there, and the few texts
        # the topic map needs are fetched.
        articles, manifest, texts = load_on_cluster(
            client, sources, fmt=fmt, tz=tz, columns=columns, languages=config.DEFAULT_LANGUAGES,
            max_bytes=max_bytes, progress=progress)
    if articles.empty:
        raise nothing_loaded_error(sources, manifest)
    # Paths relative to each source's folder: a shared report does not show
    # where the analyst keeps the files, and moving them changes no table.
    articles = articles.assign(path=_relative(articles["path"], roots))
    manifest = manifest.assign(path=_relative(manifest["path"], roots))
    # A report with two or three topics tells a reader little: "auto" scans
    # from 5 (the stability curve is in the methods appendix; --k overrides).
    # The term index comes first: the topics count their words from it, and
    # trends, bursts and rising terms use it too. It is tokenised on every
    # core, in new interpreters rather than forks (this process has other
    # threads: the notebook's kernel is starting). Without two dates the
    # corpus gets no trends, and the topics read the texts themselves. The
    # topic map (t-SNE, one core) is drawn in a thread while the trends are
    # computed.
    full_index = _term_index(articles, cache=cache, n_jobs=n_jobs, progress=False,
                             client=client, fresh=True, texts=texts) \
        if articles["published"].nunique() > 1 or texts is not None else None
    with ThreadPoolExecutor(1) as pool:
        topics_folder = _topics_folder(articles, k=k, random_state=random_state, cache=cache,
                                       texts=texts)
        found = _cached_topics(topics_folder)
        if found is None:
            fitted = fit_topics(articles, k=int(k) if str(k) != "auto" else "auto",
                                random_state=random_state, k_range=K_RANGE, n_jobs=n_jobs,
                                index=full_index)
            mapping = pool.submit(topic_map, fitted, articles, random_state=random_state,
                                  texts=texts)
        else:
            fitted, mapping = found[0], None
        model = fitted.aligned_to(before["topics"]) if before else fitted
        # Tokenising and the topic fit leave gigabytes of freed pages at a million articles.
        give_back_memory()
        topics = _with_headlines(model.topics_, articles)
        doc_topics = model.doc_topics_
        in_time, n_before_since, outliers = _time_rows(
            articles, since=since, include_date_outliers=include_date_outliers)
        dated = articles[in_time]
        min_count = 3 if len(dated) < 1000 else 5
        no_time = _no_time_reason(dated, since=since, n_before_since=n_before_since)
        if no_time:
            # Undated corpora (exports without dates, BBC, TTC-3600), or all dates
            # at one moment, still get topics and the corpus summary; the time
            # sections say why they are empty.
            window, counts, shares = None, _empty(COUNT_COLUMNS), _empty(TOPIC_TREND_COLUMNS)
            trends, bursts, rising = (_empty(TERM_TREND_COLUMNS), _empty(BURST_COLUMNS),
                                      _empty(RISING_COLUMNS))
        else:
            window = focus_window(dated, focus)
            counts = article_counts(dated, freq=freq, by="source")
            shares = topic_trends(dated, doc_topics, freq=freq)
            # The texts are tokenised once, for bursts, trends and rising terms alike.
            if full_index is None:
                full_index = _term_index(articles, cache=cache, n_jobs=n_jobs, progress=progress,
                                         client=client)
            index = full_index.take(in_time)
            bursts = detect_bursts(dated, terms=terms, freq=freq, top_n=top_n, index=index)
            trends = term_trends(dated, terms=terms, freq=freq, top_n=top_n, index=index)
            rising = rising_terms(dated, focus=window, terms=terms, min_count=min_count,
                                  index=index)
        if mapping is None:
            the_map = found[1]
        else:
            the_map = mapping.result()
            _store_topics(topics_folder, (fitted, the_map))
    if before:
        renumbered = pd.Series(model.topic_ids_, index=fitted.topic_ids_)
        the_map = the_map.assign(topic_id=the_map["topic_id"].map(renumbered).astype("int64"))
    # Shown: significant changes, without month and day names, which rise and
    # fall with the calendar (the CSV keeps every term).
    calendar = rising["term"].map(lambda t: bool(set(str(t).split()) & _CALENDAR))
    significant = rising[(rising["g2"] >= G2_MIN) & ~calendar].reset_index(drop=True)
    n_focus = n_baseline = 0
    if window is not None:
        inside, before_focus = compared_windows(dated["published"], focus=window)
        n_focus, n_baseline = int(inside.sum()), int(before_focus.sum())
    changes = None
    if before is not None:
        changes = {"previous": before["name"],
                   "topics": topic_changes(topics, before["topics"], model.alignment_),
                   "new_rising": _newly_rising(significant, before["rising"])}
    params = {"title": title or default_title(sources),
              "sources": [_relative(pd.Series([s]), roots)[0] for s in sources],
              "fmt": fmt, "columns": dict(columns or {}), "freq": freq, "k": str(k),
              "terms": list(terms or []),
              "focus": focus, "since": since, "previous": before["name"] if before else None,
              "tz": tz, "random_state": random_state, "top_n": top_n,
              "include_date_outliers": include_date_outliers,
              "rising_min_count": min_count, "rising_min_g2": G2_MIN}
    return ReportData(
        params=params, articles=articles, manifest=manifest, topics=topics,
        doc_topics=doc_topics, k_selection=model.k_selection_, counts=counts,
        topic_trends=shares, term_trends=trends, bursts=bursts, rising=significant,
        rising_all=rising, chart_terms=_chart_terms(terms, bursts, significant, trends, topics),
        topic_map=the_map,
        source_topics=_source_topic_mix(articles, doc_topics),
        window={"first": dated["published"].min() if len(dated) else None,
                "last": dated["published"].max() if len(dated) else None,
                "focus": tuple(pd.Timestamp(w) for w in window) if window else None,
                "n_dated": len(dated), "n_before_since": n_before_since,
                "n_focus": n_focus, "n_baseline": n_baseline,
                "n_undated": int(articles["published"].isna().sum()),
                "n_date_outliers": len(outliers), "no_time": no_time},
        changes=changes, versions=_versions(), date_outliers=outliers,
    )


# ------------------------------------------------------------------------------ tables

#: Arrow-backed text, the dtype of the tables' text columns.
_TEXT = pd.StringDtype("pyarrow")


def _offset_text(seconds: float) -> str:
    """Return a UTC offset in seconds as ``isoformat`` prints it (``+04:00``), ``""`` for NaN."""
    if seconds != seconds:
        return ""
    sign, whole = "-" if seconds < 0 else "+", abs(int(seconds))
    text = f"{sign}{whole // 3600:02d}:{whole % 3600 // 60:02d}"
    return f"{text}:{whole % 60:02d}" if whole % 60 else text


def _iso(series: pd.Series) -> pd.Series:
    """Return ``series``' timestamps as ``Timestamp.isoformat`` text, ``""`` for NaT.

    Whole seconds are formatted by Arrow and the offsets (a few distinct
    values) once each: a Python call per row took most of a report's table
    writing at 100,000 articles, and a Python string per row 100 MiB at a
    million.

    Examples
    --------
    >>> _iso(pd.Series(pd.to_datetime(["2024-03-31 01:30", None, "2024-03-31 03:15:00.5"],
    ...                               format="ISO8601"
    ...                               ).tz_localize("Europe/Berlin"))).tolist()
    ['2024-03-31T01:30:00+01:00', '', '2024-03-31T03:15:00.500000+02:00']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        # astype: an empty series would keep its datetime dtype through map.
        return series.map(lambda t: "" if pd.isna(t) else t.isoformat()).astype(_TEXT)
    tz = series.dt.tz
    wall = series.dt.tz_localize(None) if tz is not None else series
    values = wall.to_numpy()  # in the series' own unit: ns, us, ms or s
    seconds = values.astype("datetime64[s]")
    text = pc.strftime(pa.array(seconds), format="%Y-%m-%dT%H:%M:%S")
    if tz is not None:
        utc = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
        codes, offsets = pd.factorize((values - utc).astype("timedelta64[s]").astype("float64"))
        labels = pa.array([_offset_text(o) for o in offsets] + [""], type=pa.string())
        text = pc.binary_join_element_wise(
            text, labels.take(np.where(codes < 0, len(offsets), codes)), "")
    text = pd.Series(pd.arrays.ArrowStringArray(pc.fill_null(text, ""), dtype=_TEXT),
                     index=series.index)
    # Sub-second values and years outside 1000-9999 print otherwise: isoformat them.
    odd = ~series.isna().to_numpy() & (
        (values != seconds.astype(values.dtype))
        | (wall.dt.year.to_numpy(dtype="float64", na_value=2000) < 1000))
    if odd.any():
        text.iloc[np.flatnonzero(odd)] = [series.iloc[i].isoformat() for i in np.flatnonzero(odd)]
    return text


def _joined(series: pd.Series, sep: str) -> pd.Series:
    return series.map(lambda items: sep.join(str(i) for i in items))


def _topic_rows(ids: pd.Series, topic_ids: pd.Series) -> slice | np.ndarray:
    """Return where each of ``ids`` is in ``topic_ids`` (the doc-topic table's ids).

    The doc-topic table lists the articles in their own order, so this is
    usually every row; else each id is looked up, and one that is missing is
    an error, not a row without a topic.

    Examples
    --------
    >>> _topic_rows(pd.Series(["a", "b"]), pd.Series(["a", "b"]))
    slice(None, None, None)
    >>> _topic_rows(pd.Series(["b", "a"]), pd.Series(["a", "b"]))
    array([1, 0])
    """
    if ids.array.equals(topic_ids.array):
        return slice(None)
    rows = pd.Index(topic_ids).get_indexer(ids)
    if (rows < 0).any():
        raise KeyError(f"{int((rows < 0).sum())} articles have no row in doc_topics, e.g. "
                       f"{ids[rows < 0].iloc[0]!r}")
    return rows


def report_tables(data: ReportData) -> dict[str, pd.DataFrame]:
    """Return the report's tables by file stem, sorted and rounded for stable CSVs.

    ``articles`` (one row per article with its topic), ``manifest`` (every
    input item), ``topics``, ``doc_topics``, ``topic_trends``,
    ``term_trends``, ``bursts``, ``rising_terms``, plus ``k_selection``,
    ``topic_changes`` and ``date_outliers`` when they exist.
    """
    arts = data.articles
    rows = _topic_rows(arts["article_id"], data.doc_topics["article_id"])
    # copy=False: the columns are read, never changed (a copy would be every
    # title again at the report's busiest moment).
    articles = pd.DataFrame({
        "article_id": arts["article_id"], "published": _iso(arts["published"]),
        "source": arts["source"], "lang": arts["lang"], "title": arts["title"],
        "n_words": arts["n_words"], "duplicate_of": arts["duplicate_of"],
        "topic_id": data.doc_topics["topic_id"].to_numpy()[rows],
        "topic_weight": data.doc_topics["weight"].to_numpy()[rows], "path": arts["path"],
    }, copy=False)
    topics = data.topics.assign(top_terms=_joined(data.topics["top_terms"], "; "),
                                representative=_joined(data.topics["representative"], " "),
                                headlines=_joined(data.topics["headlines"], " | "))
    bursts = data.bursts.assign(
        start=_iso(data.bursts["start"]), end=_iso(data.bursts["end"]),
        peak=_iso(data.bursts["peak"]),
        headlines=data.bursts["headlines"].map(
            lambda items: " | ".join(f"{h['article_id']}: {h['title']}" for h in items)))
    tables = {
        "articles": articles, "manifest": data.manifest, "topics": topics,
        "doc_topics": data.doc_topics,
        "topic_trends": data.topic_trends.assign(period=_iso(data.topic_trends["period"])),
        "term_trends": data.term_trends.assign(period=_iso(data.term_trends["period"])),
        "bursts": bursts, "rising_terms": data.rising_all,
    }
    if data.k_selection is not None:
        tables["k_selection"] = data.k_selection
    if data.changes is not None:
        tables["topic_changes"] = data.changes["topics"]
    # getattr: report data pickled before date outliers were found has none.
    outliers = getattr(data, "date_outliers", None)
    if outliers is not None and len(outliers):
        tables["date_outliers"] = outliers.assign(published=_iso(outliers["published"]))
    return {name: _rounded(frame) for name, frame in tables.items()}


def _rounded(frame: pd.DataFrame, decimals: int = 6) -> pd.DataFrame:
    """Return ``frame`` with float columns rounded and no negative zeros, index reset.

    A last-bit difference must not reach a CSV, nor print ``-0.0`` for ``0.0``.

    Examples
    --------
    >>> _rounded(pd.DataFrame({"x": [-1e-12, 0.1234567], "n": [1, 2]})).to_csv(
    ...     index=False).splitlines()
    ['x,n', '0.0,1', '0.123457,2']
    """
    frame = frame.round(decimals).reset_index(drop=True)
    floats = frame.select_dtypes("float").columns
    return frame.assign(**{c: frame[c] + 0.0 for c in floats}) if len(floats) else frame


#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Folder, beside the CSVs' folder, that holds each table's exact Parquet twin.
PARQUET_FOLDER = "parquet"


def _defused(value):
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    # Python's csv module leaves a lone carriage return unquoted, and readers
    # start a new row at it: "x\r=1+1" would become a row starting =1+1.
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with text cells that a spreadsheet would run as a formula quoted.

    Text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return get a leading ``'`` (OWASP's advice), and carriage returns inside
    text become line feeds (the CSV writer quotes those; a lone ``\\r`` it
    would leave bare, splitting the row); numbers, also negative ones, stay as
    they are. The exact values are in the tables' Parquet twins.

    Examples
    --------
    >>> csv_safe(pd.DataFrame({"title": ["=1+1", "@SUM(A1)", "ok"], "x": [-0.5, 1.0, 2.0]})
    ...          ).values.tolist()
    [["'=1+1", -0.5], ["'@SUM(A1)", 1.0], ['ok', 2.0]]
    """
    text = [c for c in frame.columns
            if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype)]
    if not text:
        return frame
    return frame.assign(**{c: _defused_column(frame[c]) for c in text})


#: A cell :func:`_defused` changes: a formula start, or a carriage return anywhere.
_RISKY = "^[=+\\-@\t\r]|\r"


def _defused_column(column: pd.Series) -> pd.Series:
    """Return ``column`` with :func:`_defused` applied to the cells it would change.

    The cells are found by one vectorised match (a Python call per cell took
    seconds at 100,000 articles); other values, and the dtype, stay as they are.
    """
    if column.dtype == object:
        if pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
            return column.map(_defused)
        found = column.astype("string[pyarrow]").str.contains(_RISKY, regex=True)
    else:
        found = column.str.contains(_RISKY, regex=True)
    rows = np.flatnonzero(found.fillna(False).to_numpy(dtype=bool))
    if not len(rows):
        return column
    column = column.copy()
    column.iloc[rows] = column.iloc[rows].map(_defused)
    return column


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    # Fixed options and no write statistics that vary: the same frame gives the same bytes.
    pq.write_table(table, path, compression="zstd", compression_level=3,
                   use_dictionary=True, write_statistics=True)


def write_tables(tables: dict[str, pd.DataFrame], folder: str | Path,
                 parquet: str | Path | None = "auto") -> list[Path]:
    """Write each table as ``<folder>/<name>.csv`` and an exact Parquet twin; return the CSVs.

    The CSVs (UTF-8, ``\\n`` line ends) are made safe to open in a
    spreadsheet (:func:`csv_safe`); the Parquet twins
    (``<folder>/../parquet/<name>.parquet`` by default, ``parquet=None`` for
    none) keep every value exactly as computed.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if parquet == "auto":
        parquet = folder.parent / PARQUET_FOLDER
    if parquet is not None:
        Path(parquet).mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in sorted(tables.items()):
        path = folder / f"{name}.csv"
        csv_safe(frame).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        paths.append(path)
        if parquet is not None:
            _write_parquet(frame, Path(parquet) / f"{name}.parquet")
    return paths


def _arrow_strings(values, dtype: pd.StringDtype) -> pd.arrays.ArrowStringArray:
    return pd.arrays.ArrowStringArray(values, dtype=dtype)


class _NoCopyPickler(pickle.Pickler):
    """A pickler that writes Arrow-backed text columns from their own buffers.

    pandas pickles such a column through ``combine_chunks``, a copy, and the
    pickler keeps every copy until the end: 210 MiB more for a million
    articles' frame, at the report's busiest moment.
    """

    def reducer_override(self, obj):
        if type(obj) is pd.arrays.ArrowStringArray:
            return _arrow_strings, (obj.__arrow_array__(), obj.dtype)
        return NotImplemented


def dump_report_data(data: ReportData, path: str | Path) -> Path:
    """Write ``data`` where :func:`load_report_data` reads it; return the path.

    Examples
    --------
    >>> import tempfile
    >>> data = ReportData(params={}, articles=pd.DataFrame({"title": pd.array(
    ...     ["a", None], dtype="string[pyarrow]")}), manifest=pd.DataFrame(),
    ...     topics=pd.DataFrame(), doc_topics=pd.DataFrame(), k_selection=None,
    ...     counts=pd.DataFrame(), topic_trends=pd.DataFrame(), term_trends=pd.DataFrame(),
    ...     bursts=pd.DataFrame(), rising=pd.DataFrame(), rising_all=pd.DataFrame(),
    ...     chart_terms=[], topic_map=pd.DataFrame(), source_topics=pd.DataFrame(), window={})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     back = load_report_data(dump_report_data(data, Path(folder) / "data.pkl"))
    >>> back.articles.equals(data.articles), back.articles["title"].dtype == "string[pyarrow]"
    (True, True)
    """
    path = Path(path)
    with open(path, "wb") as handle:
        _NoCopyPickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(data)
    return path


def load_report_data(path: str | Path) -> ReportData:
    """Return the :class:`ReportData` that :func:`analysis.report.build_report` handed over.

    The file is a pickle written by this package in the same run; never
    point this at a file from elsewhere.
    """
    import pickle

    with open(path, "rb") as handle:
        data = pickle.load(handle)
    if not isinstance(data, ReportData):
        raise TypeError(f"{path} does not hold report data")
    return data
