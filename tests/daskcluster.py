"""Dask clusters for tests: a scheduler and workers as separate processes on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path


def free_port() -> int:
    """Return a port nothing listens on now (the OS's pick; a race with another process that
    picks it too is possible but rare)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def scheduler_with_workers(n_workers: int = 2, *, nanny: bool = True, log_dir: Path,
                           worker_env: dict | None = None):
    """Start ``dask scheduler`` and ``n_workers`` ``dask worker`` processes; yield
    ``(address, worker processes)``; stop them all on the way out.

    ``worker_env`` replaces the workers' environment (e.g. another PYTHONPATH). The
    processes start in ``log_dir``, so they import newsscope as installed (or from their
    PYTHONPATH), never from the folder they happen to start in.
    """
    address = f"tcp://127.0.0.1:{free_port()}"
    processes: list[subprocess.Popen] = []
    logs = []

    def start(name: str, *args: str, env: dict | None = None) -> subprocess.Popen:
        log = open(log_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed below
        logs.append(log)
        process = subprocess.Popen([sys.executable, "-m", *args], stdout=log,
                                   stderr=subprocess.STDOUT, cwd=log_dir, env=env)
        processes.append(process)
        return process

    try:
        start("scheduler", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
              "--port", address.rsplit(":", 1)[1], "--no-dashboard")
        workers = [start(f"worker{i}", "distributed.cli.dask_worker", address,
                         "--host", "127.0.0.1", "--nthreads", "1", "--no-dashboard",
                         "--nanny" if nanny else "--no-nanny", "--memory-limit", "0",
                         env=worker_env)
                   for i in range(n_workers)]
        import distributed

        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(n_workers, timeout=60)
        yield address, workers
    finally:
        _stop(processes)
        for log in logs:
            log.close()


def wait_until(condition, *, timeout: float, what: str):
    """Return ``condition()``'s first true value, polled; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


def run_killing_a_worker(client, worker: subprocess.Popen, function):
    """Return ``function()``, run in a thread while ``worker`` (a --no-nanny worker process of
    ``client``'s cluster) is SIGKILLed as soon as it holds a task; re-raise its error."""
    victim = next(w for w, pid in client.run(os.getpid).items() if pid == worker.pid)
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    try:
        # Killed while it holds tasks: they must run again on another worker.
        wait_until(lambda: client.processing().get(victim), timeout=60,
                   what="the victim worker to take a task")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        thread.join(timeout=300)
    assert not thread.is_alive(), "the run did not finish after the kill"
    assert worker.returncode == -signal.SIGKILL
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
