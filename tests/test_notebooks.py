"""The committed notebooks: small diffs, nothing volatile in outputs, a papermill template.

nbval (run by `make test`) re-executes them and compares outputs; these checks keep the
committed files themselves clean.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from analysis.config import NOTEBOOKS_DIR

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
    assert names[:3] == ["0.01-corpus-overview", "1.01-topics", "2.01-keyword-trends"]
    assert "4.01-report" in names


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
