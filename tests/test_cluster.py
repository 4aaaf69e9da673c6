"""Running on a Dask cluster gives the same articles and report tables as running here.

The clusters are real: ``--dask local`` starts a LocalCluster, and the
``tcp://`` runs use a scheduler and two workers started as separate
processes, bound to 127.0.0.1 on free ports and stopped by the test, also
on failure.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli, cluster, config, report_data
from analysis.io import load_articles
from tests.daskcluster import (
    free_port,
    run_killing_a_worker,
    scheduler_with_workers,
    wait_until,
)

if os.environ.get("CI") == "true":
    import distributed  # `make` installs the scale lock: without it CI is broken, not skipped
else:
    distributed = pytest.importorskip("distributed", reason="the scale extra is not installed")


@pytest.fixture(scope="module")
def export(corpus, tmp_path_factory) -> Path:
    """BBC News as 40 dated JSON-lines files from 12 outlets, plus the sample's pages and files."""
    root = tmp_path_factory.mktemp("dask-corpus")
    bbc = load_articles(corpus("bbc-fulltext.tar.gz"), fmt="bbc", cache=False, progress=False)
    start = pd.Timestamp("2021-01-01", tz="UTC")
    folder = root / "export"
    folder.mkdir()
    for shard in range(40):
        with open(folder / f"part-{shard:02d}.jsonl", "w", encoding="utf-8") as out:
            for i in range(shard, len(bbc), 40):
                row = bbc.iloc[i]
                # A date spread over two years, fixed by the row: trends have periods to count.
                published = start + pd.Timedelta(days=(i * 7919) % 730, hours=i % 24)
                out.write(json.dumps({"id": f"bbc{i}", "title": row["title"],
                                      "text": row["text"], "published": published.isoformat(),
                                      "source": f"Outlet {i % 12:02d}",
                                      "label": row["label"]}) + "\n")
    shutil.copytree(config.SAMPLE_DIR, root / "sample")
    return root


def _report_tables(export: Path, out: Path, *extra: str) -> dict[str, bytes]:
    status = cli.main(["report", str(export / "export"), str(export / "sample"), "--out",
                       str(out), "--title", "Dask check", "--freq", "M", "--no-cache",
                       "--quiet", "--previous", "none", *extra])
    assert status == 0
    (page,) = out.glob("dask-check/*/index.html")
    engine = json.loads((page.parent / "manifest.json").read_text(encoding="utf-8"))["engine"]
    # The CLI hands the report its client: a local cluster is named by its scheduler's address.
    expected = ("local processes" if not extra else "dask tcp://127.0.0.1:"
                if extra[-1] == "local" else f"dask {extra[-1]}")
    assert engine.startswith(expected)
    return {p.name: p.read_bytes() for p in sorted((page.parent / "tables").glob("*.csv"))}


@pytest.mark.corpus
def test_report_tables_are_identical_without_dask_on_local_and_on_a_scheduler(export, tmp_path):
    here = _report_tables(export, tmp_path / "here")
    assert {"articles.csv", "manifest.csv", "topics.csv", "term_trends.csv"} <= set(here)
    assert len(here["articles.csv"].splitlines()) > 2000
    local = _report_tables(export, tmp_path / "local", "--dask", "local")
    with scheduler_with_workers(2, log_dir=tmp_path) as (address, _):
        remote = _report_tables(export, tmp_path / "remote", "--dask", address)
    for name in here:
        assert local[name] == here[name], f"tables/{name} differs with --dask local"
        assert remote[name] == here[name], f"tables/{name} differs with --dask {address}"



@pytest.mark.corpus
def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(export, tmp_path):
    sources = [str(export / "export"), str(export / "sample")]

    def tables(data: report_data.ReportData) -> dict[str, pd.DataFrame]:
        return report_data.report_tables(data)

    undisturbed = tables(report_data.compute_report_data(
        sources, freq="M", cache=False, progress=False))
    with scheduler_with_workers(2, nanny=False, log_dir=tmp_path) as (address, workers), \
            distributed.Client(address) as client:
        data = run_killing_a_worker(client, workers[0], lambda: report_data.compute_report_data(
            sources, freq="M", cache=False, progress=False, dask=client))
    disturbed = tables(data)
    assert disturbed.keys() == undisturbed.keys()
    for name, table in undisturbed.items():
        pd.testing.assert_frame_equal(disturbed[name], table, obj=name)


def test_an_unreachable_scheduler_is_one_line_within_30_seconds(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Title\nA body of text about the harbour.", encoding="utf-8")
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    status = cli.main(["ingest", str(tmp_path / "a.txt"), "--out", str(tmp_path / "a.parquet"),
                       "--dask", address, "--no-cache"])
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert status == 2 and elapsed < 30
    assert err.startswith(f"newsscope: error: cannot reach the Dask scheduler at {address}")
    assert err.count("\n") == 1
    assert not (tmp_path / "a.parquet").exists()


def test_dask_values_are_checked_before_any_work(tmp_path, capsys):
    status = cli.main(["ingest", str(tmp_path), "--dask", "127.0.0.1:8786"])
    assert status == 2
    assert "--dask takes 'local' or a scheduler address like 'tcp://" in capsys.readouterr().err
    with pytest.raises(ValueError, match="dask takes 'local'"):
        load_articles(config.SAMPLE_DIR, dask=8786)
    with pytest.raises(ValueError, match="dask takes 'local'"):
        report_data.compute_report_data(config.SAMPLE_DIR, dask="yes")


def test_a_client_passed_in_is_used_and_left_open(tmp_path):
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0") as local, \
            distributed.Client(local) as client:
        ours = load_articles(config.SAMPLE_DIR / "bakudaily", cache=False, progress=False,
                             dask=client)
        assert client.status == "running"
        assert sum(client.run(lambda: 1).values()) == 1
    here = load_articles(config.SAMPLE_DIR / "bakudaily", cache=False, progress=False)
    pd.testing.assert_frame_equal(ours, here)


def test_without_the_switch_nothing_imports_dask():
    code = ("import sys; from analysis import load_articles, config; "
            "from analysis.report_data import compute_report_data; "
            "load_articles(config.SAMPLE_DIR, cache=False, progress=False, n_jobs=2); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=config.PROJ_ROOT)
    assert done.stdout.strip() == "[]"


def test_the_cluster_is_described_in_one_line():
    with cluster.dask_client("local") as client:
        line = cluster.describe(client)
        assert cluster.n_workers(client) == (os.cpu_count() or 1)
        # Its workers keep their heap as the local pool's processes do, not dask's 64 KiB trim.
        kept = client.run(lambda dask_worker: dask_worker.plugins["newsscope-keep-heap"].kept)
        assert set(kept.values()) == {cluster._libc_mallopt() is not None}
    assert line.startswith("dask: tcp://127.0.0.1:")
    assert f"{os.cpu_count() or 1} threads" in line


@pytest.mark.corpus
def test_a_cluster_that_loses_every_worker_says_so(export, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 3)
    with scheduler_with_workers(1, nanny=False, log_dir=tmp_path) as (address, workers), \
            distributed.Client(address) as client:
        result: dict = {}

        def run():
            try:
                load_articles(export / "export", cache=False, progress=False, dask=client)
            except BaseException as exc:  # noqa: BLE001 - checked in the test's thread
                result["error"] = exc

        thread = threading.Thread(target=run)
        thread.start()
        try:
            wait_until(lambda: any(client.processing().values()), timeout=60,
                        what="a task to start")
            workers[0].kill()
            workers[0].wait(timeout=10)
        finally:
            thread.join(timeout=60)
        assert not thread.is_alive(), "the load still waits for a worker that will not come"
    assert isinstance(result.get("error"), ConnectionError)
    assert "lost all its workers" in str(result["error"])


class _Future:
    """A stand-in for ``distributed.Future``: ``result`` gives or raises each outcome in turn."""

    def __init__(self, *outcomes, cancelled=False):
        self.outcomes, self._cancelled, self.waits = list(outcomes), cancelled, 0
        self.status = "cancelled" if cancelled else "finished"

    def result(self, timeout=None):
        self.waits += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def cancelled(self):
        return self._cancelled

    def done(self):
        return True


class _Client:
    scheduler = types.SimpleNamespace(address="tcp://127.0.0.1:1")

    def nthreads(self):
        return {"tcp://127.0.0.1:2": 1}


def test_a_wait_cut_short_is_waited_out_and_a_dropped_result_is_one_error(monkeypatch):
    # dask/distributed#8514: a wait interrupted under sync() surfaces as UnboundLocalError.
    future = _Future(UnboundLocalError("result"), 42)
    assert cluster.result(future, _Client()) == 42 and future.waits == 2
    dropped = _Future(concurrent.futures.CancelledError("lost"), cancelled=True)
    with pytest.raises(ConnectionError, match="dropped a result this run needs.*run the "
                                              "command again"):
        cluster.result(dropped, _Client())
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 0.2)
    stuck = _Future(*[UnboundLocalError("result")] * 5)
    with pytest.raises(ConnectionError, match="were cut short for 0.2 s"):
        cluster.result(stuck, _Client())
    assert stuck.waits == 2
    # An ordinary wait in between starts the count again.
    later = _Future(UnboundLocalError("result"), TimeoutError(), UnboundLocalError("result"), 7)
    assert cluster.result(later, _Client()) == 7


def test_wait_all_waits_out_a_cut_short_wait_and_names_a_dropped_result(monkeypatch):
    import distributed

    waits = iter([UnboundLocalError("result"), None])

    def wait(futures, timeout):
        outcome = next(waits)
        if outcome is not None:
            raise outcome

    monkeypatch.setattr(distributed, "wait", wait)
    cluster.wait_all([_Future(1)], _Client())
    waits = iter([concurrent.futures.CancelledError("lost")])
    with pytest.raises(ConnectionError, match="dropped a result this run needs"):
        cluster.wait_all([_Future(1), _Future(cancelled=True)], _Client())


def test_workers_running_other_code_are_refused(tmp_path):
    import analysis

    other = tmp_path / "other"
    shutil.copytree(Path(analysis.__file__).parent, other / "analysis")
    with open(other / "analysis" / "topics.py", "a", encoding="utf-8") as changed:
        changed.write("\n# a worker with a change of its own\n")
    env = {**os.environ, "PYTHONPATH": str(other)}
    with scheduler_with_workers(1, log_dir=tmp_path, worker_env=env) as (address, _):
        with pytest.raises(ValueError, match="run other newsscope code than this one"):
            with cluster.dask_client(address):
                pass
