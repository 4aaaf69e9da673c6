"""The report notebook's kernel, started while the report's data is still being computed.

Starting papermill and a Jupyter kernel, and importing the notebook's own
modules in it, takes seconds of mostly single-threaded work. A report spends
the same seconds computing its data in this process, so the notebook is
started first, on its own thread, and waits at the start of its first cell
until :meth:`NotebookRun.run` says the data is there.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

__all__ = ["NotebookRun"]

#: Imported by the kernel while it starts, before it runs a cell (so not the
#: notebook's first outputs, nor its execution counts: IPython runs these lines
#: without history). They are what the report notebook's first code cell imports.
_PRELOAD = ("import analysis.plots, analysis.report_html, analysis.report_data",)


class NotebookRun:
    """Execute a notebook with papermill once its inputs are ready; start its kernel now.

    Use it as a context manager: entering starts papermill and the kernel in a
    thread; :meth:`run` lets the cells run and returns when they are done;
    leaving without :meth:`run` (the data failed) runs no cell, shuts the
    kernel down and waits for it, so no kernel outlives the report.

    Parameters
    ----------
    template, out : Path
        Notebook to run, and where papermill writes the executed one.
    parameters : dict
        Papermill parameters.
    cwd : Path
        The kernel's working directory. This process's own is left alone:
        papermill's ``cwd=`` would change it for every thread while the
        report's data, with its relative globs, is still being loaded.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.report import report_template
    >>> folder = Path(tempfile.mkdtemp())
    >>> with NotebookRun(report_template(), folder / "out.ipynb", {}, cwd=folder) as notebook:
    ...     pass  # the data failed: no cell runs
    >>> (folder / "out.ipynb").is_file()
    False
    """

    def __init__(self, template: Path, out: Path, parameters: dict, *, cwd: Path) -> None:
        self.template, self.out, self.parameters, self.cwd = template, out, parameters, cwd
        self._ready = threading.Event()
        self._cancelled = False
        self._pool: ThreadPoolExecutor | None = None
        self._future: Future | None = None

    def __enter__(self) -> NotebookRun:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="newsscope-notebook")
        self._future = self._pool.submit(self._execute)
        return self

    def run(self) -> None:
        """Let the cells run now; return when the notebook is done (its errors are raised)."""
        if self._future is None:
            raise RuntimeError("NotebookRun.run() outside its `with` block")
        self._ready.set()
        self._future.result()

    def __exit__(self, *exc_info) -> None:
        if not self._ready.is_set():
            self._cancelled = True
            self._ready.set()
        try:
            if self._future is not None and exc_info[0] is not None:
                # The error being raised is the one to report; the kernel's
                # shutdown only has to finish.
                self._future.exception()
        finally:
            self._pool.shutdown(wait=True)

    def _wait_for_data(self, notebook, **_) -> None:
        # nbclient calls this hook once the kernel is ready, before the first
        # cell; the cells it then runs are these very ones, so emptying them
        # runs none and shuts the kernel down as after any run.
        self._ready.wait()
        if self._cancelled:
            notebook.cells.clear()

    def _execute(self) -> None:
        import papermill

        papermill.execute_notebook(
            str(self.template), str(self.out), parameters=self.parameters,
            progress_bar=False, log_output=False, kernel_name="python3",
            # The kernel's start-up warnings would land on the analyst's terminal.
            extra_arguments=["--IPKernelApp.log_level=ERROR",
                             *(f"--IPKernelApp.exec_lines={line}" for line in _PRELOAD)],
            resources={"metadata": {"path": str(self.cwd)}},
            # Every output has arrived when the last cell is done: waiting
            # for the kernel to wind down would only add a second.
            shutdown_kernel="immediate",
            on_notebook_start=self._wait_for_data)
        if self._cancelled:
            Path(self.out).unlink(missing_ok=True)
