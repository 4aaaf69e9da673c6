"""The package reads in data-flow order: every import of ``analysis.*`` points back, never round.

The order below is the order data flows through the stages (STYLE.md). A module
may import modules at or before its own place, never after; the import graph
(imports inside functions included, as they run too) has no cycle. A new module
needs a place in the order before it can pass.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import analysis

PACKAGE_DIR = Path(analysis.__file__).resolve().parent

#: Stages in data-flow order; a subpackage (``plots``) is one stage.
ORDER = ("config", "cache", "unitstore", "cluster", "parallel", "clean", "dates", "formats",
         "textlines", "linemodel", "textpage", "items", "units", "io", "tokens", "shards", "index",
         "remote", "dataset", "topic_terms", "topic_vectors", "topics", "periods", "trends",
         "bursts", "plots", "report_data", "report_html", "notebook_run", "report", "cli")



def module_names(root: Path) -> dict[str, Path]:
    """Return ``{dotted module name: file}`` for every ``.py`` file of the package at ``root``."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _target(name: str, modules: dict[str, Path]) -> str | None:
    # `from analysis.plots import _style` names a module; `from analysis.plots
    # import plot_x` names a function of the package `analysis.plots`.
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imported_modules(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Return the package's modules that ``module`` (at ``path``) imports, anywhere in it."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    top = module.partition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            candidates = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in candidates:
            if name == top or name.startswith(top + "."):
                target = _target(name, modules)
                if target and target != module:
                    found.add(target)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    """Return ``{module: modules of the same package it imports}`` for the package at ``root``."""
    modules = module_names(root)
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def stage(module: str) -> str:
    """Return the stage of a module: its name under the package (``plots`` for its files)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def exempt(module: str) -> bool:
    """Return whether ``module`` is the package itself: it only re-exports, so it may import all."""
    return "." not in module


def unplaced(graph: dict[str, set[str]], order=ORDER) -> list[str]:
    """Return the modules whose stage ``order`` does not name."""
    return sorted(m for m in graph if not exempt(m) and stage(m) not in order)


def back_imports(graph: dict[str, set[str]], order=ORDER) -> list[str]:
    """Return ``"a imports b"`` for each import of a module placed later in ``order``."""
    place = {name: i for i, name in enumerate(order)}
    return sorted(f"{module} imports {target}" for module, targets in graph.items()
                  if not exempt(module) for target in targets
                  if not exempt(target) and place[stage(target)] > place[stage(module)])


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return one import cycle per strongly connected group of modules (Tarjan), if any."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.fixture(scope="module")
def graph():
    return import_graph(PACKAGE_DIR)


def test_every_module_has_a_place_in_the_order(graph):
    missing = unplaced(graph)
    assert not missing, (f"add {', '.join(sorted({stage(m) for m in missing}))} to ORDER in "
                         "tests/test_layout.py, at its place in the data flow")


def test_the_order_names_only_real_stages(graph):
    assert set(ORDER) <= {stage(m) for m in graph}


def test_imports_point_back_along_the_data_flow(graph):
    assert not unplaced(graph)
    found = back_imports(graph)
    assert not found, ("imports against the data flow (move what is imported down to an "
                       "earlier module):\n" + "\n".join(found))


def test_there_is_no_import_cycle(graph):
    # Without the package itself: it imports the stages it re-exports, and a
    # stage reading ``analysis.__version__`` is not a circle between stages.
    found = cycles({m: {t for t in targets if not exempt(t)}
                    for m, targets in graph.items() if not exempt(m)})
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(group) for group in found)


def test_the_graph_sees_every_kind_of_import(graph):
    # Module level, inside a function, `from analysis import x` and a plots file.
    assert "analysis.report_html" in graph["analysis.report"]
    assert "analysis.report_data" in graph["analysis.cli"]
    assert "analysis.config" in graph["analysis.cache"]
    assert "analysis.plots._figure" in graph["analysis.plots._article_counts"]


# A package of three stages, to show the checks catch what they are for.
_TOY = {"__init__.py": "from toy.late import go\n",
        "early.py": "import os\n",
        "late.py": "from toy import early\n\ndef go():\n    from toy.sub import _part\n",
        "sub/__init__.py": "",
        "sub/_part.py": "from . import _other\n",
        "sub/_other.py": "import toy.early\n"}


def _toy(tmp_path: Path, **changes: str) -> dict[str, set[str]]:
    root = tmp_path / "toy"
    for name, text in {**_TOY, **changes}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return import_graph(root)


def test_a_well_ordered_package_passes(tmp_path):
    graph = _toy(tmp_path)
    order = ("early", "sub", "late")
    assert graph["toy.sub._part"] == {"toy.sub._other"}
    assert (unplaced(graph, order), back_imports(graph, order), cycles(graph)) == ([], [], [])


def test_a_back_import_inside_a_function_fails(tmp_path):
    graph = _toy(tmp_path, **{"early.py": "def f():\n    import toy.late\n"})
    assert back_imports(graph, ("early", "sub", "late")) == ["toy.early imports toy.late"]
    [cycle] = cycles(graph)
    assert {"toy.early", "toy.late"} <= set(cycle)


def test_a_module_out_of_the_order_fails(tmp_path):
    graph = _toy(tmp_path, **{"extra.py": ""})
    assert unplaced(graph, ("early", "sub", "late")) == ["toy.extra"]


# ------------------------------------------------------ the package imports its stages lazily

def _modules_after(code: str) -> set[str]:
    # A fresh interpreter: this one has imported everything already.
    script = f"import sys\n{code}\nprint('\\n'.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=PACKAGE_DIR.parent)
    return set(done.stdout.split())


def test_importing_the_package_loads_no_modelling_stack():
    loaded = _modules_after("import analysis")
    assert not {"sklearn", "matplotlib", "pandas"} & loaded


def test_the_command_line_help_loads_no_modelling_stack():
    loaded = _modules_after("import analysis.cli\nanalysis.cli.build_parser().format_help()")
    assert not {"sklearn", "matplotlib"} & loaded


def test_every_public_name_is_there_when_asked_for():
    for name in analysis.__all__:
        assert getattr(analysis, name) is getattr(
            importlib.import_module(f"analysis.{analysis._HOMES[name]}"), name)
    assert set(analysis.__all__) <= set(dir(analysis))
    assert analysis.trends.__name__ == "analysis.trends"
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        analysis.no_such_name  # noqa: B018
