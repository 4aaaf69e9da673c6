"""NotebookRun: the kernel starts before the data, runs in its folder, never outlives the run."""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from analysis.notebook_run import NotebookRun


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("name = 'x'  # parameters"),
                *(nbformat.v4.new_code_cell(s) for s in sources)]
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def _kernels() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True)
            if "ipykernel" in " ".join(p.cmdline())]


def _no_kernel_left(timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while _kernels() and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _kernels()


def test_runs_in_its_folder_with_the_parameters_and_leaves_ours_alone(tmp_path):
    here = os.getcwd()
    template = _notebook(tmp_path / "t.ipynb",
                         "import os\nopen('seen.txt', 'w').write(os.getcwd() + '|' + name)")
    folder = tmp_path / "build"
    folder.mkdir()
    with NotebookRun(template, folder / "out.ipynb", {"name": "oil"}, cwd=folder) as run:
        # The kernel starts meanwhile; this process keeps its working directory.
        time.sleep(0.5)
        assert os.getcwd() == here
        assert not (folder / "seen.txt").exists()  # no cell before run()
        run.run()
    assert (folder / "seen.txt").read_text() == f"{folder}|oil"
    ran = nbformat.read(folder / "out.ipynb", as_version=4)
    # The preloaded imports run without history: the cells count from 1.
    assert [c.execution_count for c in ran.cells] == [1, 2, 3]
    assert _no_kernel_left()


def test_a_failure_before_run_runs_no_cell_and_stops_the_kernel(tmp_path):
    template = _notebook(tmp_path / "t.ipynb", "open('ran.txt', 'w').write('yes')")
    with pytest.raises(RuntimeError, match="computing the data failed"):
        with NotebookRun(template, tmp_path / "out.ipynb", {}, cwd=tmp_path):
            time.sleep(0.5)
            raise RuntimeError("computing the data failed")
    assert not (tmp_path / "ran.txt").exists()
    assert not (tmp_path / "out.ipynb").exists()
    assert _no_kernel_left()


def test_a_failing_cell_is_raised_by_run(tmp_path):
    import papermill

    template = _notebook(tmp_path / "t.ipynb", "raise ValueError('bad cell')")
    with pytest.raises(papermill.PapermillExecutionError, match="bad cell"):
        with NotebookRun(template, tmp_path / "out.ipynb", {}, cwd=tmp_path) as run:
            run.run()
    assert _no_kernel_left()


def test_run_outside_its_block_is_an_error(tmp_path):
    with pytest.raises(RuntimeError, match="outside its `with` block"):
        NotebookRun(tmp_path / "t.ipynb", tmp_path / "out.ipynb", {}, cwd=tmp_path).run()
