"""Process pools for the stages that use every core (loading and indexing), and their memory.

Results never depend on the number of processes: work is split into tasks
whose results are combined in task order, whatever order they finish in.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from analysis.cluster import tune_heap

__all__ = ["give_back_memory", "keep_heap", "ordered_map", "resolve_n_jobs"]


@functools.cache
def _libc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to call
        return None


def give_back_memory() -> bool:
    """Return freed heap memory to the operating system; return whether that could be asked.

    A load builds and drops millions of small objects (rows, strings,
    worker results): glibc keeps the freed pages, scattered between live
    ones, so the process stays as large as its busiest moment (700 MiB
    after loading 100,000 articles that take 140 MiB). ``malloc_trim``
    hands them back; later stages grow from there instead. Nothing changes
    but the resident size, and only on glibc systems.

    Examples
    --------
    >>> give_back_memory() in (True, False)
    True
    """
    trim = _libc_trim()
    if trim is None:
        return False
    trim(0)
    return True


#: Whether this process's heap keeps freed blocks for reuse (set in the pools' workers).
heap_kept = False


def keep_heap() -> bool:
    """Make this process keep freed memory for reuse; return whether glibc took the setting.

    Run in each worker process of :func:`ordered_map`, never in the caller's
    own process. A worker allocates and frees the same large numpy
    temporaries batch after batch; by default glibc gives blocks of more
    than 128 KiB back to the kernel when they are freed, and the next batch
    faults them in again page by page (4.5 of 38 CPU seconds of loading
    100,000 articles were the kernel's). Here blocks up to 32 MiB come from
    the heap, and up to 512 MiB of free space stays at its top.

    Examples
    --------
    >>> from concurrent.futures import ProcessPoolExecutor
    >>> with ProcessPoolExecutor(1, initializer=keep_heap) as pool:
    ...     pool.submit(sum, [1, 2]).result()
    3
    """
    global heap_kept
    heap_kept = tune_heap()
    return heap_kept


def resolve_n_jobs(n_jobs: int | None) -> int:
    """Return the number of processes ``n_jobs`` asks for: ``None`` means every core.

    Examples
    --------
    >>> resolve_n_jobs(2)
    2
    >>> resolve_n_jobs(None) == (os.cpu_count() or 1)
    True
    >>> resolve_n_jobs(0)
    Traceback (most recent call last):
    ...
    ValueError: n_jobs must be a positive number of processes, or None for every core (...), not 0
    """
    cores = os.cpu_count() or 1
    if n_jobs is None:
        return cores
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError("n_jobs must be a positive number of processes, or None for every "
                         f"core ({cores} here), not {n_jobs!r}")
    return n_jobs


def ordered_map(function: Callable, tasks: Iterable[tuple], *, n_jobs: int,
                client=None, fresh: bool = False) -> Iterator:
    """Yield ``function(*task)`` for each task in task order, in up to ``n_jobs`` processes.

    Tasks are submitted a few at a time, so an endless or huge stream of
    tasks is never held in memory at once. With ``n_jobs=1`` everything runs
    in this process, without a pool. ``fresh=True`` starts new interpreters
    instead of forking this process, for a caller that is large or has other
    threads running. With a Dask ``client``
    (:func:`analysis.cluster.dask_client`) the tasks run on its workers
    instead, ``n_jobs`` at a time: a task whose worker dies is run again by
    the scheduler, so none is lost or yielded twice.

    Examples
    --------
    >>> list(ordered_map(pow, [(2, 3), (3, 2)], n_jobs=1))
    [8, 9]
    """
    if client is not None:
        from analysis.cluster import result

        # pure=False: two equal tasks are still two tasks, each with its own result.
        yield from _in_order(lambda task: client.submit(function, *task, pure=False), tasks,
                             n_jobs, wait=lambda future: result(future, client))
        return
    if n_jobs <= 1:
        yield from (function(*task) for task in tasks)
        return
    if fresh:
        # loky's executor (joblib's, as scikit-learn uses it), not multiprocessing's
        # "spawn": its workers do not re-run the caller's script, so a script
        # without an `if __name__ == "__main__":` guard still works.
        from joblib.externals.loky import ProcessPoolExecutor as FreshPoolExecutor

        executor = FreshPoolExecutor(n_jobs, initializer=keep_heap)
    else:
        executor = ProcessPoolExecutor(n_jobs, initializer=keep_heap)
    with executor as pool:
        yield from _in_order(lambda task: pool.submit(function, *task), tasks, n_jobs)


def _in_order(submit: Callable, tasks: Iterable[tuple], n_jobs: int, *,
              wait: Callable = lambda future: future.result()) -> Iterator:
    """Yield the results of ``submit(task)``'s futures in task order, a few in flight."""
    pending: deque = deque()
    try:
        for task in tasks:
            pending.append(submit(task))
            if len(pending) > 2 * n_jobs:  # a few tasks in flight, not the whole corpus
                yield wait(pending.popleft())
        while pending:
            yield wait(pending.popleft())
    finally:
        # On an error, Ctrl-C or a consumer that stops early, queued tasks
        # are dropped rather than run to no purpose while the pool closes.
        for future in pending:
            future.cancel()
