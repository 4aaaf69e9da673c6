"""The report template ships in the package; notebooks/4.01-report.ipynb is its executed twin."""

from __future__ import annotations

from pathlib import Path

import nbformat

from analysis import report
from analysis.config import NOTEBOOKS_DIR

EXAMPLE = NOTEBOOKS_DIR / "4.01-report.ipynb"


def _cells(path: Path) -> list[tuple[str, str, dict]]:
    nb = nbformat.read(str(path), as_version=4)
    # Papermill's injected-parameters cell and run metadata are part of a run, not of the
    # notebook; tags (parameters, remove_cell) and chart alt texts are.
    return [(c.cell_type, c.source, {k: v for k, v in c.metadata.items()
                                     if k not in ("papermill", "execution")})
            for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]


def test_template_is_inside_the_package():
    template = report.report_template()
    assert template.is_file()
    assert template.parent == Path(report.__file__).parent / "templates"


def test_template_and_committed_example_have_the_same_cells_and_alt_texts():
    # Edit both, or copy the example over the template without outputs:
    # the example is what `make notebooks` executes, the template what reports run.
    assert _cells(report.report_template()) == _cells(EXAMPLE)


def test_template_has_no_outputs():
    nb = nbformat.read(str(report.report_template()), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert any("parameters" in c.metadata.get("tags", []) for c in code)


def test_code_fingerprint_follows_the_template_used(tmp_path):
    copy = tmp_path / "report.ipynb"
    copy.write_bytes(report.report_template().read_bytes())
    assert report.code_fingerprint() == report.code_fingerprint(copy)
    copy.write_bytes(copy.read_bytes().replace(b"Report template", b"Report  template"))
    assert report.code_fingerprint() != report.code_fingerprint(copy)
    # The example notebook's outputs are not what a report runs.
    assert report.code_fingerprint() != report.code_fingerprint(EXAMPLE)
