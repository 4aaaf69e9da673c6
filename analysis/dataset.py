"""Loaded articles as a Parquet dataset: one folder per month, written where they were loaded.

``write_dataset`` is :func:`analysis.load_articles` for corpora that should
not pass through one process. On a Dask cluster (``dask=``) each worker
keeps the articles it parsed; only what the corpus-wide decisions need
comes back to the client — ids, dates, titles, sources and the small
near-duplicate sketches, never the texts — and once unique ids and
duplicates are settled, every worker writes its own articles into the
month folders. Without a cluster the same dataset is written from here.

Layout (Hive-style, so pandas, pyarrow and Dask read the partition column)::

    <out>/month=2021-01/part-00000.parquet
    <out>/month=2021-01/part-00003.parquet
    <out>/month=undated/part-00001.parquet
    <out>/.newsscope-dataset

Every file has the columns and dtypes of :data:`analysis.io.ARTICLE_COLUMNS`.
Read in path order, the rows come by month, then in input order: a dataset
written on a cluster and one written here read back identically.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from analysis import config, io
from analysis.cluster import check_dask, dask_client, result
from analysis.remote import load_on_cluster

__all__ = ["DATASET_MARKER", "PARTITION", "UNDATED", "NoArticlesError", "check_target",
           "write_dataset"]

#: The partition column: ``YYYY-MM`` of ``published`` in the load's time zone.
PARTITION = "month"
#: The partition of articles without a date.
UNDATED = "undated"
#: A file in every dataset folder: only such a folder may be replaced by a new dataset.
DATASET_MARKER = ".newsscope-dataset"


class NoArticlesError(ValueError):
    """No article could be loaded, so no dataset was written; ``manifest`` says why."""

    def __init__(self, message: str, manifest: pd.DataFrame):
        super().__init__(message)
        self.manifest = manifest


def write_dataset(
    sources: str | os.PathLike | Iterable[str | os.PathLike],
    out: str | os.PathLike,
    *,
    fmt: str = "auto",
    tz: str = "UTC",
    drop_duplicates: bool = False,
    columns: Mapping[str, str] | None = None,
    languages: Sequence[str] = config.DEFAULT_LANGUAGES,
    max_bytes: int = config.MAX_FILE_BYTES,
    cache: bool = True,
    progress: bool | None = None,
    n_jobs: int | None = None,
    dask=None,
) -> pd.DataFrame:
    """Load ``sources`` into a Parquet dataset at ``out``, by month; return the manifest.

    Parameters
    ----------
    sources, fmt, tz, drop_duplicates, columns, languages, max_bytes, progress, n_jobs
        As for :func:`analysis.load_articles`; the dataset holds the articles
        it would return.
    out : path
        The dataset folder. It is built beside ``out`` and renamed into
        place, replacing an earlier dataset there only once the new one is
        complete; a folder that is not a dataset is never replaced.
    cache : bool
        Without a cluster, reuse the load cache as :func:`analysis.load_articles`
        does. A cluster's workers load every input afresh.
    dask : "local", scheduler address, distributed.Client or None
        Load and write on a Dask cluster (:mod:`analysis.cluster`). Workers
        read the inputs and write into the folder of ``out`` themselves: on
        several machines, both must be on a file system they all see.

    Returns
    -------
    DataFrame
        The manifest, as ``load_articles(..., return_manifest=True)`` gives it.

    Raises
    ------
    NoArticlesError
        No article loaded: nothing is written (an earlier dataset stays);
        the error's ``manifest`` says what each input was.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "articles"
    >>> manifest = write_dataset(config.SAMPLE_DIR / "bakudaily", out, cache=False,
    ...                          progress=False)
    >>> sorted(p.name for p in out.iterdir())
    ['.newsscope-dataset', 'month=2014-09']
    >>> pd.read_parquet(out)[["title", "month"]].iloc[0].tolist()
    ['OSCE supports study visit of Azerbaijani experts to Hungary', '2014-09']
    """
    check_dask(dask)
    out = Path(out).absolute()
    check_target(out)
    build = out.parent / f".{out.name}.build-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        # Made here, before any worker writes: a write that outlives a failed run
        # finds no folder to write into rather than making one again.
        build.mkdir(parents=True)
        with dask_client(dask) as client:
            if client is None:
                articles, manifest = io.load_articles(
                    sources, fmt=fmt, tz=tz, drop_duplicates=drop_duplicates, columns=columns,
                    languages=languages, max_bytes=max_bytes, cache=cache, progress=progress,
                    n_jobs=n_jobs, return_manifest=True)
                if articles.empty:
                    raise NoArticlesError(_NOTHING.format(
                        sources=", ".join(map(str, io._check_sources(sources)))), manifest)
                _write_months(articles, build, part=0, width=_WIDTH)
            else:
                manifest = _on_cluster(
                    client, sources, build, fmt=fmt, tz=tz, drop_duplicates=drop_duplicates,
                    columns=columns, languages=languages, max_bytes=max_bytes,
                    progress=progress)
        (build / DATASET_MARKER).write_text("Articles written by newsscope (write_dataset).\n",
                                            encoding="utf-8")
        _replace(build, out)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return manifest


_NOTHING = "no articles could be loaded from {sources}: no dataset was written"
#: Digits of a part number, at least: more batches than this take more, for all parts alike.
_WIDTH = 5


def check_target(out: str | os.PathLike) -> None:
    """Raise ``ValueError`` unless ``out`` may become a dataset: new, empty, or a dataset.

    Examples
    --------
    >>> check_target(config.SAMPLE_DIR)
    Traceback (most recent call last):
    ...
    ValueError: .../sample holds other files, not a newsscope dataset; give a new or empty folder
    """
    out = Path(out)
    if out.is_file():
        raise ValueError(f"{out} is a file; a dataset is a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / DATASET_MARKER).is_file():
        raise ValueError(f"{out} holds other files, not a newsscope dataset; give a new or "
                         "empty folder")


def _replace(build: Path, out: Path) -> None:
    """Move ``build`` to ``out``; an earlier dataset there is removed only after the move."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
        os.replace(out, old)
    try:
        os.replace(build, out)
    except BaseException:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_months(articles: pd.DataFrame, folder: Path, *, part: int, width: int
                  ) -> list[tuple[str, int]]:
    """Write ``articles`` as ``folder/month=M/part-<part>.parquet`` files; return (path, rows).

    Part numbers have ``width`` digits, the same in every file of a dataset, so
    that files read in name order come in part order.
    """
    if not folder.is_dir():
        raise FileNotFoundError(f"the dataset's build folder {folder} is gone (the run that "
                                "made it failed or was stopped)")
    months = articles["published"].dt.strftime("%Y-%m").fillna(UNDATED)
    written = []
    for month, rows in articles.groupby(months.to_numpy(), sort=True):
        target = folder / f"{PARTITION}={month}" / f"part-{part:0{width}d}.parquet"
        target.parent.mkdir(exist_ok=True)
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        # Renamed into place: a task that a killed worker left half done, run
        # again elsewhere, leaves one whole file.
        rows.reset_index(drop=True).to_parquet(tmp, index=False)
        os.replace(tmp, target)
        written.append((str(target), len(rows)))
    return written


# ------------------------------------------------------------------------ on a cluster


def _write_batch(loaded: tuple, final: pd.DataFrame, folder: str, batch: int, width: int
                 ) -> list:
    """Write a batch's articles, texts joined back by row, into the month folders."""
    texts = loaded[0]["text"].to_numpy()[final["batch_row"].to_numpy()]
    articles = final.drop(columns="batch_row").assign(
        text=pd.array(texts, dtype=io.ARTICLE_COLUMNS["text"]))
    return _write_months(articles, Path(folder), part=batch, width=width)


def _on_cluster(client, sources, build: Path, *, fmt, tz, drop_duplicates, columns, languages,
                max_bytes, progress) -> pd.DataFrame:
    """Load on ``client``'s workers, decide ids and duplicates here, write there."""
    from tqdm.auto import tqdm

    if progress is None:  # a terminal only: tqdm.auto's notebook widget ignores disable=None
        progress = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    with tqdm(desc="dataset on dask", unit=" partition", disable=not progress) as bar:
        articles, manifest, texts = load_on_cluster(
            client, sources, fmt=fmt, tz=tz, columns=columns, languages=languages,
            max_bytes=max_bytes, progress=progress, step=bar.update)
        loaded, where = texts.batches, pd.DataFrame({"batch": texts.batch,
                                                     "batch_row": texts.rows})
        del texts
        n_batches = len(loaded)
        bar.total = 2 * n_batches  # loaded, then written
        bar.refresh()
        futures = list(loaded)
        try:
            if drop_duplicates:
                keep = articles["duplicate_of"].isna().to_numpy()
                articles, where = articles[keep], where[keep]
            if articles.empty:
                named = ", ".join(map(str, io._check_sources(sources)))
                raise NoArticlesError(_NOTHING.format(sources=named), manifest)
            articles = articles.assign(text=None)[list(io.ARTICLE_COLUMNS)]
            finals = {b: articles[mask].assign(batch_row=where.loc[mask, "batch_row"].to_numpy())
                      for b, mask in ((b, (where["batch"] == b).to_numpy())
                                      for b in range(n_batches))}
            del articles
            writes = [client.submit(_write_batch, loaded[b], finals.pop(b), str(build), b,
                                    max(_WIDTH, len(str(n_batches - 1))), pure=False)
                      for b in range(n_batches)]
            futures += writes
            for future in writes:
                result(future, client)
                bar.update()
        except BaseException:
            # Nothing of a failed run goes on working on the cluster or holds its memory.
            client.cancel(futures, force=True)
            raise
    # A write a killed worker left half done was done again elsewhere; its temporary file stays.
    for stray in build.glob(f"{PARTITION}=*/.part-*.tmp"):
        stray.unlink(missing_ok=True)
    return manifest
