"""Sparse counts kept in row blocks on a Dask cluster's workers, used as one matrix.

A million articles' term counts are gigabytes; on a cluster they stay on the
workers that tokenised them (:func:`analysis.index.build_index` with texts
kept there), and the few things the analyses read off them — a handful of
columns, products with a terms matrix, a sample's rows, column sums — are
computed block by block where the blocks are, and only those come back.
Every answer is exactly what the same operation on one ``csr_matrix`` gives
(counts are integers: sums do not depend on their order).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analysis.cluster import result

__all__ = ["ShardedCounts", "local_matrix"]

#: Partial results (one per block, then per group of them) summed by one reducing task.
_FAN_IN = 16


@dataclass(frozen=True, eq=False)
class ShardedCounts:
    """A ``csr_matrix`` of integer counts held as row blocks by a Dask cluster's workers.

    Supports what :class:`analysis.index.TermIndex` does with its counts:
    ``shape``, ``m[rows]`` (lazy: no data moves), ``m[:, columns]`` and
    ``m @ terms`` (fetched: rows × a few columns), :meth:`gather` (a few
    rows, fetched) and :meth:`column_sums` (reduced on the workers).
    Fetched matrices are ``int32`` with sorted indices, as the index's own.

    Attributes
    ----------
    client : distributed.Client
    parts : list of distributed.Future
        Each a ``csr_matrix`` of rows ``bounds[i]:bounds[i + 1]`` with every column.
    bounds : ndarray of int64
        Block ``i``'s first row is ``bounds[i]``; ``bounds[-1]`` is the row count.
    n_columns : int
    rows : ndarray of int64 or None
        The blocks' rows this matrix is made of, in its own order; None: all, in order.
    """

    client: object
    parts: list
    bounds: np.ndarray
    n_columns: int
    rows: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        n = int(self.bounds[-1]) if self.rows is None else len(self.rows)
        return (n, self.n_columns)

    def __getitem__(self, key):
        if isinstance(key, tuple):
            rows, columns = key
            if not (isinstance(rows, slice) and rows == slice(None)):
                raise TypeError("ShardedCounts: index rows and columns one after the other")
            return self._fetched(_columns_of, np.asarray(columns, dtype=np.int64),
                                 n_out=len(np.asarray(columns)))
        key = np.asarray(key)
        if key.dtype == bool:
            key = np.flatnonzero(key)
        every = self.rows if self.rows is not None else np.arange(self.shape[0], dtype=np.int64)
        return dataclasses.replace(self, rows=every[key.astype(np.int64)])

    def __matmul__(self, other) -> sp.csr_matrix:
        other = sp.coo_matrix(other)
        if other.shape[0] != self.n_columns:
            raise ValueError(f"ShardedCounts: {self.shape} @ {other.shape}")
        # Sent as its few entries: the workers multiply by the rows they touch only.
        return self._fetched(_product, (other.row.astype(np.int64), other.col.astype(np.int64),
                                        other.data, other.shape[1]), n_out=other.shape[1])

    def gather(self) -> sp.csr_matrix:
        """Return the rows as one local ``csr_matrix`` (fetched: keep it to a sample)."""
        return self._fetched(_columns_of, None, n_out=self.n_columns)

    def column_sums(self, *, limit: int | None = None) -> np.ndarray:
        """Return how many rows hold each of the first ``limit`` columns (``bincount`` of indices).

        Summed on the workers, a few blocks at a time; only the total comes back.
        """
        limit = self.n_columns if limit is None else int(limit)
        sums = [self.client.submit(_column_counts, self.parts[i], local, limit, pure=False)
                for i, local, _ in self._plan()]
        return self._reduced(sums, _summed) if sums else np.zeros(limit, dtype=np.int64)

    def weighted_columns(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the columns found in any row and their sums of the rows' ``weights``.

        ``np.bincount(m.indices, weights=np.repeat(weights, np.diff(m.indptr)))``
        where it is not 0, as (columns in order, sums): summed on the
        workers, a few blocks at a time, as sparse vectors. Whole-number
        weights give exact sums in any order.
        """
        weights = np.asarray(weights, dtype=np.float64)
        sums = []
        for i, local, at in self._plan():
            mine = weights[self.bounds[i]:self.bounds[i + 1]] if at is None else weights[at]
            sums.append(self.client.submit(_weighted_columns, self.parts[i], local, mine,
                                           pure=False))
        if not sums:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        columns, found = self._reduced(sums, _merged_columns)
        return columns.astype(np.int64), found

    def summed(self, weights: sp.csr_matrix, columns: np.ndarray, *, binary: bool
               ) -> np.ndarray:
        """Return ``weights @ m[:, columns]`` (int64; ``binary``: each row counts once).

        Each block multiplies its own rows; the groups × columns products are
        summed on the workers, a few at a time.
        """
        weights = sp.csc_matrix(weights, dtype=np.int64)
        columns = np.asarray(columns, dtype=np.int64)
        sums = []
        for i, local, at in self._plan():
            mine = weights[:, slice(self.bounds[i], self.bounds[i + 1]) if at is None else at]
            sums.append(self.client.submit(_weighted, self.parts[i], local,
                                           (sp.csr_matrix(mine), columns, binary), pure=False))
        return self._reduced(sums, _summed) if sums else \
            np.zeros((weights.shape[0], len(columns)), dtype=np.int64)

    def _reduced(self, partials: list, combine):
        """Return ``combine`` of every partial result, combined on the workers a few at a time."""
        while len(partials) > 1:
            partials = [self.client.submit(combine, *partials[i:i + _FAN_IN], pure=False)
                        for i in range(0, len(partials), _FAN_IN)]
        return result(partials[0], self.client)

    def _plan(self) -> list[tuple[int, np.ndarray | None, np.ndarray | None]]:
        """Return ``(block, its rows, their positions here)`` for each block used."""
        if self.rows is None:
            return [(i, None, None) for i in range(len(self.parts))]
        block = np.searchsorted(self.bounds, self.rows, side="right") - 1
        order = np.argsort(block, kind="stable")
        starts = np.searchsorted(block[order], np.arange(len(self.parts) + 1))
        return [(i, self.rows[order[a:b]] - self.bounds[i], order[a:b])
                for i, (a, b) in enumerate(zip(starts[:-1], starts[1:], strict=True)) if b > a]

    def _fetched(self, function, argument, *, n_out: int) -> sp.csr_matrix:
        plan = self._plan()
        futures = [self.client.submit(function, self.parts[i], local, argument, pure=False)
                   for i, local, _ in plan]
        blocks = [result(future, self.client) for future in futures]
        if not blocks:
            return sp.csr_matrix((self.shape[0], n_out), dtype=np.int32)
        # Blocks are int32 csr already (made so on the workers): stacked without conversion.
        stacked = sp.vstack(blocks, format="csr")
        del blocks
        if self.rows is not None:
            # Blocks come block by block: `back` puts each row where it was asked for.
            placed = np.concatenate([at for _, _, at in plan])
            back = np.empty(len(placed), dtype=np.int64)
            back[placed] = np.arange(len(placed))
            stacked = stacked[back]
        stacked.sort_indices()
        return stacked


def local_matrix(matrix) -> sp.csr_matrix:
    """Return ``matrix`` itself if it is a local sparse matrix, else its rows fetched.

    Examples
    --------
    >>> local_matrix(sp.identity(2, format="csr")).toarray().tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    return matrix if sp.issparse(matrix) else matrix.gather()


# ----------------------------------------------------------- run on the workers


def _rows(block: sp.csr_matrix, local: np.ndarray | None) -> sp.csr_matrix:
    return block if local is None else block[local]


def _columns_of(block: sp.csr_matrix, local: np.ndarray | None,
                columns: np.ndarray | None) -> sp.csr_matrix:
    rows = _rows(block, local)
    rows = rows if columns is None else rows[:, columns]
    return sp.csr_matrix(rows, dtype=np.int32)


def _product(block: sp.csr_matrix, local: np.ndarray | None, entries) -> sp.csr_matrix:
    row, col, data, width = entries
    used, at = np.unique(row, return_inverse=True)
    combine = sp.csr_matrix((data.astype(np.int32), (at.ravel(), col)), shape=(len(used), width))
    return (sp.csr_matrix(_rows(block, local)[:, used], dtype=np.int32) @ combine).tocsr()


def _weighted(block: sp.csr_matrix, local: np.ndarray | None, task) -> np.ndarray:
    weights, columns, binary = task
    part = sp.csr_matrix(_rows(block, local)[:, columns], dtype=np.int64)
    if binary:
        part.data = np.minimum(part.data, 1)
    return np.asarray((weights @ part).todense())


def _weighted_columns(block: sp.csr_matrix, local: np.ndarray | None,
                      weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows = _rows(block, local)
    columns, at = np.unique(rows.indices, return_inverse=True)
    return columns, np.bincount(at.ravel(), weights=np.repeat(weights, np.diff(rows.indptr)),
                                minlength=len(columns))


def _merged_columns(*parts: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    columns, at = np.unique(np.concatenate([c for c, _ in parts]), return_inverse=True)
    return columns, np.bincount(at.ravel(), weights=np.concatenate([s for _, s in parts]),
                                minlength=len(columns))


def _column_counts(block: sp.csr_matrix, local: np.ndarray | None, limit: int) -> np.ndarray:
    indices = _rows(block, local).indices
    return np.bincount(indices[indices < limit], minlength=limit).astype(np.int64)


def _summed(*parts: np.ndarray) -> np.ndarray:
    total = parts[0].copy()
    for part in parts[1:]:
        total += part
    return total
