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

import contextlib
import os
import re
from collections.abc import Iterator

__all__ = ["CONNECT_TIMEOUT_S", "LOCAL", "check_dask", "dask_client", "describe", "n_workers"]

#: ``dask="local"``: a cluster started on this machine for the call.
LOCAL = "local"
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
    if dask is None or _is_client(dask):
        yield dask
        return
    distributed = _distributed()
    if dask == LOCAL:
        # One single-threaded worker per core, as the local process pool; the
        # scheduler's web server on a free port (the dashboard's pages need bokeh).
        with distributed.LocalCluster(
                n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address="127.0.0.1:0",
                silence_logs=40) as local, distributed.Client(local) as client:
            yield client
        return
    try:
        client = distributed.Client(dask, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(f"cannot reach the Dask scheduler at {dask} within "
                              f"{CONNECT_TIMEOUT_S} s ({type(exc).__name__}): is it running, "
                              "and is the address right?") from exc
    with client:
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(f"the Dask scheduler at {dask} has no workers (waited "
                                  f"{CONNECT_TIMEOUT_S} s): start some with `dask worker "
                                  f"{dask}`") from exc
        yield client


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
