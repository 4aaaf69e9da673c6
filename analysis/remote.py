"""Articles loaded on a Dask cluster whose texts stay on the workers that loaded them.

:func:`load_on_cluster` is :func:`analysis.load_articles` for a client that
must not hold the corpus: each worker parses a batch of the inputs and keeps
it; the client gets each row without its text (ids, dates, titles, sources,
the small near-duplicate sketches and a digest of the text), settles unique
ids and duplicates as :func:`analysis.load_articles` does, and is handed a
:class:`RemoteTexts` for whatever later needs the texts: the term index
tokenises them where they are, and the few a report shows are fetched.
:func:`analysis.dataset.write_dataset` and
:func:`analysis.report_data.compute_report_data` use it on a cluster.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import formats, io, units
from analysis.clean import DuplicateSketches
from analysis.cluster import n_workers, result
from analysis.index import _text_digest
from analysis.tokens import article_texts

__all__ = ["RemoteTexts", "load_on_cluster"]


@dataclass(frozen=True, eq=False)
class RemoteTexts:
    """The texts of a frame's articles, held by the Dask workers that loaded them.

    A text is what :func:`analysis.tokens.article_texts` makes of an article:
    title, blank line, body. Article ``i`` of the frame is row ``rows[i]`` of
    loaded batch ``batch[i]``. If a worker dies, the scheduler loads its
    batches again from the inputs, so the texts are never lost.

    Attributes
    ----------
    client : distributed.Client
    batches : list of distributed.Future
        The loaded batches (:func:`analysis.units._loaded_batch`), in input order.
    batch, rows : ndarray of int64, one per article
    digests : ndarray of bytes (``S16``), one per article
        BLAKE2 digests of the texts (:func:`analysis.index._text_digest`):
        equal texts have equal digests, so the index numbers distinct texts
        without seeing them.
    """

    client: object
    batches: list
    batch: np.ndarray
    rows: np.ndarray
    digests: np.ndarray

    def __len__(self) -> int:
        return len(self.batch)

    def take(self, positions) -> RemoteTexts:
        """Return the texts of the articles at ``positions`` (ints, or a boolean mask)."""
        positions = np.asarray(positions)
        if positions.dtype == bool:
            positions = np.flatnonzero(positions)
        return RemoteTexts(self.client, self.batches, self.batch[positions],
                           self.rows[positions], self.digests[positions])

    def submit(self, positions) -> object:
        """Return a future of the texts at ``positions``, in that order, made on the workers."""
        positions = np.asarray(positions, dtype=np.int64)
        batch = self.batch[positions]
        order = np.argsort(batch, kind="stable")
        parts = [self.client.submit(_texts_in_batch, self.batches[b],
                                    self.rows[positions[order[batch[order] == b]]], pure=False)
                 for b in np.unique(batch)]
        # The parts come batch by batch; `back` puts each text where it was asked for.
        back = np.empty(len(order), dtype=np.int64)
        back[order] = np.arange(len(order))
        return self.client.submit(_in_order, parts, back, pure=False)

    def __call__(self, positions) -> list[str]:
        """Return the texts at ``positions`` (fetched: keep it to the few that are needed)."""
        return result(self.submit(positions), self.client)


def _texts_in_batch(loaded: tuple, rows: np.ndarray) -> list[str]:
    return article_texts(loaded[0].iloc[rows][["title", "text"]])


def _in_order(parts: list[list[str]], back: np.ndarray) -> list[str]:
    texts = [text for part in parts for text in part]
    return [texts[i] for i in back]


def _rows_of(loaded: tuple, batch: int) -> pd.DataFrame:
    """Return a loaded batch's rows without texts or signatures (run where the batch is)."""
    frame = loaded[0]
    return frame.drop(columns=["text", "signature"]).assign(
        bodyless=io._bodyless(frame["text"]).to_numpy(), batch=batch,
        batch_row=np.arange(len(frame)),
        text_digest=np.array([_text_digest(t) for t in article_texts(frame[["title", "text"]])],
                             dtype="S16"))


def _signatures_of(loaded: tuple) -> np.ndarray:
    """Return the MinHash signatures of a loaded batch's records, one uint32 row each."""
    frame = loaded[0]
    signatures = frame["signature"][frame["record"].to_numpy(dtype=bool)]
    return np.frombuffer(b"".join(signatures), dtype=np.uint32).reshape(
        len(signatures), DuplicateSketches.num_perm)


def load_on_cluster(client, sources, *, fmt: str, tz: str, columns, languages: Sequence[str],
                    max_bytes: int, progress: bool | None,
                    step: Callable[[], None] | None = None
                    ) -> tuple[pd.DataFrame, pd.DataFrame, RemoteTexts]:
    """Load ``sources`` on ``client``'s workers; return articles without texts, manifest, texts.

    The articles and manifest are those of :func:`analysis.load_articles`
    (with ``return_manifest=True``), but the articles have no ``text``
    column: :class:`RemoteTexts` holds them, and the workers hold its
    batches for as long as it lives (a caller that fails later cancels
    ``texts.batches``). ``step`` is called once per batch received (for a
    caller's own progress bar); otherwise a bar of the batches is shown as
    ``progress`` says. If loading fails, nothing is left on the cluster.
    """
    sources = io._check_sources(sources)
    io._check_options(fmt=fmt, tz=tz, languages=languages, max_bytes=max_bytes)
    options = units._Options(fmt, max_bytes, formats.resolve_field_names(columns), tz,
                             tuple(languages))
    with contextlib.ExitStack() as open_archives:
        items = io._discover(sources, open_archives)
        base = io._unit_base(io._options_of(fmt=fmt, tz=tz, columns=columns,
                                            languages=languages, max_bytes=max_bytes))
        planned, _ = units._plan_units(items, options, base, None)
    batches = list(units._batches(list(enumerate(planned)), n_jobs=n_workers(client)))
    del planned  # text pages and archive members were read here: not kept beyond their batch
    n_batches = len(batches)
    # The loaded batches stay on the workers (held by these futures); if a
    # worker dies, the scheduler loads its batches again from the inputs.
    loaded = [client.submit(units._loaded_batch, batches.pop(0), options, pure=False)
              for _ in range(n_batches)]
    try:
        articles, manifest, texts = _assembled_there(client, loaded, options, tz=tz,
                                                     progress=progress, step=step)
    except BaseException:
        # Nothing of a failed load goes on working on the cluster or holds its memory.
        client.cancel(loaded, force=True)
        raise
    return articles, manifest, texts


def _assembled_there(client, loaded: list, options, *, tz: str, progress: bool | None,
                     step: Callable[[], None] | None
                     ) -> tuple[pd.DataFrame, pd.DataFrame, RemoteTexts]:
    """Return :func:`load_on_cluster`'s result from the futures of the loaded batches."""
    from tqdm.auto import tqdm

    metas = [client.submit(_rows_of, future, i, pure=False) for i, future in enumerate(loaded)]
    if progress is None:  # a terminal only: tqdm.auto's notebook widget ignores disable=None
        progress = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    parts = []
    try:
        with tqdm(total=len(loaded), desc="loading on dask", unit=" partition",
                  disable=step is not None or not progress) as bar:
            for future in metas:
                parts.append(result(future, client))
                (step or bar.update)()
    except BaseException:
        client.cancel(metas, force=True)
        raise
    del metas  # the workers drop their copies of the rows
    rows = (pd.concat(parts, ignore_index=True) if parts
            else units._load_units([], options)[0].drop(columns=["text", "signature"]).assign(
                bodyless=False, batch=0, batch_row=0, text_digest=np.array([], dtype="S16")))
    # This is the client's whole share of the corpus: one copy of it at a time.
    parts.clear()
    n_records = int(rows["record"].sum())
    rows, taken = _in_input_order(rows)
    records = rows["record"].to_numpy(dtype=bool)

    def signatures() -> np.ndarray:
        # Fetched when the duplicates are looked for, and dropped right after.
        found = _signatures(client, loaded, n_records)
        return found if taken is None else found[taken]

    texts = RemoteTexts(client, loaded, rows["batch"].to_numpy(dtype=np.int64)[records],
                        rows["batch_row"].to_numpy(dtype=np.int64)[records],
                        rows["text_digest"].to_numpy()[records].astype("S16"))
    # The digests go with the rows (no copy without them): the articles take named columns.
    articles, manifest = io._assembled(rows, tz=tz, bodyless=rows["bodyless"],
                                       signatures=signatures)
    return articles.drop(columns="text"), manifest, texts


def _in_input_order(rows: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Return ``rows`` by ``position``, and where each record's signature goes (None: unmoved).

    Signatures come batch by batch, one per record row: ``signatures[taken]``
    puts them in the order of the returned rows' records.

    Examples
    --------
    >>> rows = pd.DataFrame({"position": [2, 0, 1], "record": [True, False, True]})
    >>> rows, taken = _in_input_order(rows)
    >>> rows["position"].tolist(), taken.tolist()
    ([0, 1, 2], [1, 0])
    """
    if rows["position"].is_monotonic_increasing:  # batches come in input order
        return rows, None
    order = rows["position"].argsort(kind="stable").to_numpy()
    numbered = np.full(len(rows), -1, dtype=np.int64)
    records = rows["record"].to_numpy(dtype=bool)
    numbered[records] = np.arange(int(records.sum()))
    taken = numbered[order]
    return rows.iloc[order].reset_index(drop=True), taken[taken >= 0]


def _signatures(client, loaded: list, n_records: int) -> np.ndarray:
    """Return the records' signatures, batch after batch, written into one array as they come.

    Half a kilobyte per article, the largest thing the client receives: one
    copy, not the batches' parts and their concatenation.
    """
    out = np.empty((n_records, DuplicateSketches.num_perm), dtype=np.uint32)
    at = 0
    parts = [client.submit(_signatures_of, future, pure=False) for future in loaded]
    try:
        for future in parts:
            part = result(future, client)
            out[at:at + len(part)] = part
            at += len(part)
    except BaseException:
        client.cancel(parts, force=True)
        raise
    if at != n_records:
        raise RuntimeError(f"the workers sent {at} signatures for {n_records} records")
    return out
