"""Dask clusters: where loading and indexing run when a function is given ``dask=``.

The same tasks that :func:`analysis.parallel.ordered_map` runs in local
processes — batches of input units to read, parse and clean, chunks of
texts to tokenise — go to the workers of a Dask cluster instead, and their
results are combined in task order, so a run on a cluster gives what a run
on this machine gives. A worker that dies takes no task with it: the
scheduler runs its tasks again elsewhere.

``dask`` is one of

- ``None``: no cluster (nothing here imports dask);
- ``"local"``: a :class:`distributed.LocalCluster` on this machine, one
  single-threaded worker process per core, started for the call and
  stopped after it;
- a scheduler address, ``"tcp://host:8786"`` (any scheme Dask knows);
- a :class:`distributed.Client` the caller made and keeps (not closed here).

Dask comes with the ``scale`` extra: ``pip install "newsscope[scale]"``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import functools
import os
import re
import time
import weakref
from collections.abc import Iterator
from concurrent.futures import CancelledError

__all__ = ["CONNECT_TIMEOUT_S", "LOCAL", "check_dask", "dask_client", "describe", "n_workers",
           "result"]

#: ``dask="local"``: a cluster started on this machine for the call.
LOCAL = "local"
#: glibc's malloc thresholds for processes that load and tokenise (see
#: :func:`analysis.parallel.keep_heap`), by their environment variables. Dask's
#: nanny starts workers with a 64 KiB trim threshold, which hands freed
#: memory back after every batch and faults it in again for the next:
#: loading 500,000 articles took 144 s on two such workers, 115 s with these.
WORKER_MALLOC = {"MALLOC_MMAP_THRESHOLD_": 32 * 2**20, "MALLOC_TRIM_THRESHOLD_": 512 * 2**20}
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's <malloc.h>


@functools.cache
def _libc_mallopt():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return None


def tune_heap() -> bool:
    """Give this process :data:`WORKER_MALLOC`'s thresholds; return whether glibc took them.

    For worker processes only (see :func:`analysis.parallel.keep_heap`).
    """
    mallopt = _libc_mallopt()
    if mallopt is None:
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, WORKER_MALLOC["MALLOC_MMAP_THRESHOLD_"])) and bool(
        mallopt(_M_TRIM_THRESHOLD, WORKER_MALLOC["MALLOC_TRIM_THRESHOLD_"]))
#: How long to try to reach a scheduler before saying it cannot be reached.
CONNECT_TIMEOUT_S = 20
_ADDRESS = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$")
_EXAMPLE = "'local' or a scheduler address like 'tcp://10.0.0.5:8786'"


def _is_client(value) -> bool:
    # Duck-typed: no dask import to recognise a client the caller made with it.
    return all(hasattr(value, name) for name in ("submit", "scheduler_info", "close"))


def check_dask(dask) -> None:
    """Raise ``ValueError`` unless ``dask`` names a cluster the way ``dask=`` takes it.

    Examples
    --------
    >>> check_dask(None); check_dask("local"); check_dask("tcp://127.0.0.1:8786")
    >>> check_dask("127.0.0.1:8786")
    Traceback (most recent call last):
    ...
    ValueError: dask takes 'local' or a scheduler address like 'tcp://10.0.0.5:8786', not '127...'
    """
    if dask is None or _is_client(dask):
        return
    if isinstance(dask, str) and (dask == LOCAL or _ADDRESS.match(dask)):
        return
    also = "" if isinstance(dask, str) else " or a distributed.Client"
    raise ValueError(f"dask takes {_EXAMPLE}{also}, not {dask!r}")


def _distributed():
    try:
        import distributed
    except ImportError as exc:
        raise ValueError("running on a Dask cluster needs dask.distributed, which comes with "
                         "the scale extra: pip install \"newsscope[scale]\"") from exc
    return distributed


@contextlib.contextmanager
def dask_client(dask) -> Iterator:
    """Yield a :class:`distributed.Client` for ``dask``, or ``None`` for no cluster.

    A cluster or connection made here is closed on the way out; a client
    passed in is left open.

    Raises
    ------
    ValueError
        ``dask`` is not a cluster (see :func:`check_dask`), or the ``scale``
        extra is not installed.
    ConnectionError
        The scheduler does not answer within :data:`CONNECT_TIMEOUT_S` seconds.

    Examples
    --------
    >>> with dask_client(None) as client:
    ...     print(client)
    None
    """
    check_dask(dask)
    if dask is None:
        yield None
        return
    if _is_client(dask):
        _check_workers(dask, str(dask.scheduler.address))
        yield dask
        return
    distributed = _distributed()
    if dask == LOCAL:
        # One single-threaded worker per core, as the local process pool, its
        # heap kept as theirs is; the scheduler's web server on a free port
        # (the dashboard's pages need bokeh).
        with distributed.LocalCluster(
                n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address="127.0.0.1:0",
                silence_logs=40) as local, distributed.Client(local) as client:
            client.register_plugin(_heap_keeper())
            yield client
        return
    try:
        client = distributed.Client(dask, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(f"cannot reach the Dask scheduler at {dask} within "
                              f"{CONNECT_TIMEOUT_S} s ({type(exc).__name__}): is it running, "
                              "and is the address right?") from exc
    with client:
        _check_workers(client, dask)
        yield client


def _heap_keeper():
    """Return a worker plugin that runs :func:`tune_heap` on every worker (``kept``: it took).

    A plugin rather than an environment variable: it reaches workers the
    nanny restarts too, and this process's own environment (which dask's
    nanny fills with its trim threshold) is not consulted.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class HeapKeeper(WorkerPlugin):
        name = "newsscope-keep-heap"
        kept = False

        def setup(self, worker) -> None:
            self.kept = tune_heap()

    return HeapKeeper()


#: The workers each client was last checked with: a report hands one client to several
#: stages, and a cluster whose workers did not change is not asked again.
_CHECKED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _check_workers(client, address: str) -> None:
    """Raise unless ``client`` has workers that run this very newsscope."""
    if _CHECKED.get(client) == frozenset(client.nthreads()):
        return
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(f"the Dask scheduler at {address} has no workers (waited "
                              f"{CONNECT_TIMEOUT_S} s): start some with `dask worker "
                              f"{address}`") from exc
    # Workers with other code would give other tables without a word: refuse them.
    ours = package_digest()
    try:
        theirs = client.run(package_digest)
    except Exception as exc:  # noqa: BLE001 - the worker's error, whatever it is, says why
        raise ValueError(f"the workers of {address} cannot run newsscope ({exc!r}): install "
                         "it on every worker, at this version") from exc
    other = sorted(worker for worker, value in theirs.items() if value != ours)
    if other:
        raise ValueError(f"{len(other)} worker(s) of {address} run other newsscope code than "
                         f"this one (e.g. {other[0]}: {theirs[other[0]]}, here {ours}): install "
                         "the same version, from the same lock file, on every worker")
    _CHECKED[client] = frozenset(theirs)


def package_digest() -> str:
    """Return the newsscope version and a digest of its code and models (run on each worker)."""
    import hashlib
    from pathlib import Path

    import analysis

    root = Path(analysis.__file__).parent
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.json"), *root.rglob("*.txt")]):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{analysis.__version__}+{digest.hexdigest()}"


#: How a wait under distributed's ``sync()`` ends when it is cut short: a
#: cancelled future's error, or, when the wait itself was cancelled (the
#: client's link to the scheduler broke), ``sync()`` failing on its own unset
#: result (dask/distributed#8514).
_CUT_SHORT = (CancelledError, asyncio.CancelledError, UnboundLocalError)


def result(future, client):
    """Return ``future.result()``, or raise ``ConnectionError`` once the cluster has no workers.

    A scheduler keeps a task whose workers all died waiting for a new one,
    for ever by default; an analyst's command should say so instead. A
    result the cluster dropped (cancelled) is a ``ConnectionError`` too, and
    waits cut short are retried for :data:`CONNECT_TIMEOUT_S`.
    """
    lost = cut = None
    while True:
        try:
            return future.result(timeout=2)
        except TimeoutError:
            lost, cut = _still_hoping(client, lost), None
        except _CUT_SHORT:
            if future.cancelled():
                raise _dropped(future, client) from None
            cut = _waited_out(client, cut)


def wait_all(futures: list, client) -> None:
    """Wait until every future is done, raising the first failure, without fetching their data.

    For results that stay on the workers; like :func:`result`, a cluster
    left without workers, or a result it dropped, raises ``ConnectionError``.
    """
    from distributed import wait

    lost = cut = None
    pending = list(futures)
    while pending:
        try:
            wait(pending, timeout=2)
        except TimeoutError:
            lost, cut = _still_hoping(client, lost), None
        except _CUT_SHORT:
            cut = _waited_out(client, cut)
        else:
            cut = None
        for future in pending:
            if future.status == "cancelled":
                raise _dropped(future, client)
            if future.status == "error":
                future.result()  # raises the task's own error
        pending = [future for future in pending if not future.done()]


def _dropped(future, client) -> ConnectionError:
    """Return the error for a result the cluster cancelled (its worker or scheduler was lost)."""
    # The reason is kept only on the future's private state; say it when there.
    reason = getattr(getattr(future, "_state", None), "exception", None)
    return ConnectionError(
        f"the Dask cluster at {client.scheduler.address} dropped a result this run needs"
        f"{f' ({reason})' if reason else ''}: a worker or the connection to the scheduler was "
        "lost in a way Dask could not recover from; run the command again")


def _waited_out(client, since: float | None) -> float:
    """Return since when waits on ``client``'s cluster have been cut short, after a pause; raise
    after :data:`CONNECT_TIMEOUT_S` of them."""
    now = time.monotonic()
    if since is not None and now - since > CONNECT_TIMEOUT_S:
        raise ConnectionError(
            f"waits on the Dask cluster at {client.scheduler.address} were cut short for "
            f"{CONNECT_TIMEOUT_S} s: the connection to its scheduler is broken; run the command "
            "again") from None
    time.sleep(0.5)
    return now if since is None else since


def _still_hoping(client, lost: float | None) -> float | None:
    """Return since when ``client``'s cluster has had no workers (None: it has some); raise after
    :data:`CONNECT_TIMEOUT_S`."""
    if client.nthreads():
        return None
    if lost is None:
        return time.monotonic()
    if time.monotonic() - lost > CONNECT_TIMEOUT_S:
        raise ConnectionError(
            f"the Dask cluster at {client.scheduler.address} lost all its workers and "
            f"got none back in {CONNECT_TIMEOUT_S} s") from None
    return lost


def _has_dashboard() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def n_workers(client) -> int:
    """Return how many tasks ``client``'s cluster runs at once (its worker threads, ≥ 1)."""
    return max(1, sum(client.nthreads().values()))


def describe(client) -> str:
    """Return one line naming ``client``'s scheduler, workers and dashboard, for the CLI."""
    threads = client.nthreads()
    line = (f"dask: {client.scheduler.address}, {len(threads)} worker"
            f"{'s' if len(threads) != 1 else ''}, {sum(threads.values())} threads")
    link = getattr(client, "dashboard_link", None) if _has_dashboard() else None
    return f"{line}, dashboard {link}" if link else line
