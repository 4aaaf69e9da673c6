"""The committed notebooks: small diffs, nothing volatile in outputs, a papermill template.

nbval (run by `make test`) re-executes them and compares outputs; these checks keep the
committed files themselves clean.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from analysis.config import NOTEBOOKS_DIR, PROJ_ROOT

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
VOLATILE = [
    (re.compile(r"0x[0-9a-f]{6,}"), "a memory address"),
    (re.compile(r"/(?:work|home|tmp|root)/"), "an absolute path"),
    (re.compile(r"\d+it \[|\d+%\|"), "a progress bar"),
    (re.compile(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d"), "a timestamp"),
]


def _outputs_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        for mime, value in output.get("data", {}).items():
            if mime.startswith("text/"):
                parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def test_the_four_phases_are_there():
    names = [p.stem for p in NOTEBOOKS]
    assert {"0.01-corpus-overview", "0.02-headlines-and-bbc-walkthrough", "1.01-topics",
            "2.01-keyword-trends", "4.01-report"} <= set(names)
    assert all(name[0] in "01234" and name[1] == "." for name in names)  # <phase>.<nn>-<desc>


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_with_outputs_and_no_volatile_metadata(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code), "run `make notebooks` before committing"
    assert any(c.outputs for c in code)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in code:
        assert set(cell.metadata) <= {"tags", "alt"}, f"volatile metadata {set(cell.metadata)}"
        text = _outputs_text(cell)
        for pattern, what in VOLATILE:
            assert not pattern.search(text), f"{what} in the output of {cell.source[:40]!r}"
        assert not any(o.get("name") == "stderr" for o in cell.outputs), cell.source[:40]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_define_no_reusable_logic(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not re.search(r"^\s*(def|class) ", cell.source, re.MULTILINE), cell.source[:60]


def test_report_template_has_a_papermill_parameters_cell():
    nb = nbformat.read(NOTEBOOKS_DIR / "4.01-report.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in first.metadata.get("tags", [])
    names = set(re.findall(r"^(\w+) =", first.source, re.MULTILINE))
    assert {"sources", "title", "freq", "k", "terms", "focus", "previous"} <= names
    charts = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
                 for o in c.outputs)
    assert charts >= 9
    with_alt = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("alt")]
    assert len(with_alt) == charts  # every chart has a description for screen readers


# ----------------------------------------------------------------- papermill, from anywhere

REPORT = NOTEBOOKS_DIR / "4.01-report.ipynb"


def _parameter_names() -> list[str]:
    nb = nbformat.read(REPORT, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    return re.findall(r"^(\w+) =", cell.source, re.MULTILINE)


def test_report_notebook_runs_with_papermill_from_any_working_directory(tmp_path):
    # Defaults come from analysis.config, not from a path relative to notebooks/.
    done = subprocess.run(
        [sys.executable, "-m", "papermill", str(REPORT), "out.ipynb", "-p", "k", "5",
         "--no-progress-bar", "--log-level", "ERROR"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    methods = "".join(o.get("data", {}).get("text/html", "") for o in nb.cells[-1].outputs)
    assert "<th>sources</th>\n<td>sample</td>" in methods  # the bundled sample, by default


def test_papermill_help_gives_every_parameter_a_type_and_a_description():
    done = subprocess.run([sys.executable, "-m", "papermill", "--help-notebook", str(REPORT)],
                          capture_output=True, text=True, timeout=120, check=True)
    assert "Unknown type" not in done.stdout
    names = _parameter_names()
    assert {"sources", "fmt", "columns", "freq", "k", "data_file"} <= set(names)
    import papermill

    inferred = papermill.inspect_notebook(str(REPORT))
    assert list(inferred) == names  # no parameter line the help parser cannot read
    for name, param in inferred.items():
        assert param["inferred_type_name"] not in ("None", ""), name
        assert len(param["help"]) > 10, name
        assert f"  {name}: {param['inferred_type_name']} (default " in done.stdout
        assert param["help"] in done.stdout
    assert inferred["freq"]["inferred_type_name"] == "str"
    assert "D, W, M, Q or Y" in inferred["freq"]["help"]


# ------------------------------------------------- JupyterLab: make lab; opening changes nothing

@pytest.fixture(scope="module")
def kernel_info():
    """The kernel_info reply of the kernel the notebooks name, as JupyterLab gets it."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        client.kernel_info()
        reply = client.get_shell_msg(timeout=60)
        while reply["msg_type"] != "kernel_info_reply":
            reply = client.get_shell_msg(timeout=60)
        return reply["content"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_saving_an_unchanged_notebook_gives_the_same_bytes(path):
    # Jupyter saves with nbformat.write; a notebook it would rewrite shows as modified.
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    assert (nb.nbformat, nb.nbformat_minor) == (4, nbformat.current_nbformat_minor)
    assert all(cell.get("id") for cell in nb.cells)
    saved = io.StringIO()
    nbformat.write(nb, saved)
    assert saved.getvalue() == text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_opening_a_notebook_in_jupyterlab_changes_no_metadata(path, kernel_info):
    """JupyterLab writes its kernel's kernelspec and language_info when it opens a notebook.

    Equal values leave the notebook unmodified; `make notebooks` writes them.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    nb = nbformat.read(path, as_version=4)
    name = nb.metadata["kernelspec"]["name"]
    spec = KernelSpecManager().get_kernel_spec(name)
    assert nb.metadata["kernelspec"] == {"name": name, "display_name": spec.display_name,
                                         "language": spec.language}
    # The Python version is that of whoever ran `make notebooks` (the locks': 3.11.7).
    language_info = {k: v for k, v in kernel_info["language_info"].items() if k != "version"}
    assert {k: v for k, v in nb.metadata["language_info"].items() if k != "version"} == \
        language_info


def test_the_notebooks_kernel_is_this_environment():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    # jupyter_client runs a bare "python" as the Python it runs in: the venv's.
    assert spec.argv[0] in ("python", "python3", sys.executable)


def _make_dry_run(target: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    done = subprocess.run(["make", "-n", target], cwd=PROJ_ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    return done.stdout


def test_make_lab_opens_the_repository_root_on_the_notebooks_kernel():
    commands = _make_dry_run("lab")
    lab = next(line for line in commands.splitlines() if " lab " in line)
    assert "JUPYTER_PREFER_ENV_PATH=1" in lab  # the venv's python3 before any ~/.local one
    assert f'--ServerApp.root_dir="{PROJ_ROOT}"' in lab  # reports/ can be opened too
    assert not re.search(r"jupyter lab \S*notebooks", lab)
    assert "ipykernel install" not in commands and "newsscope" not in commands


def test_make_notebooks_writes_the_kernelspec_jupyterlab_would():
    commands = _make_dry_run("notebooks")
    assert "nbconvert" in commands and '"$WRITE_KERNELSPEC" notebooks/*.ipynb' in commands
