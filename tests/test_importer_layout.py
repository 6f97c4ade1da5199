"""The importer modules' layout (issue 22): no import cycles, readers where they belong."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from heavylegs_core.io import importers

PACKAGE = "heavylegs_core.io.importers"
FOLDER = Path(importers.__file__).parent


def _imports(path: Path) -> set[str]:
    """The sibling modules a module imports (at the top or inside a function)."""
    modules = {p.stem for p in FOLDER.glob("*.py")} - {"__init__"}
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == PACKAGE:  # from heavylegs_core.io.importers import activity, load_sources
                found |= {a.name if a.name in modules else "__init__" for a in node.names}
            elif node.module.startswith(PACKAGE + "."):
                found.add(node.module.removeprefix(PACKAGE + ".").split(".")[0])
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix(PACKAGE + ".").split(".")[0] for a in node.names
                      if a.name.startswith(PACKAGE + ".")}
    return found - {path.stem}


def test_no_importer_module_imports_another_in_a_cycle() -> None:
    graph = {p.stem: _imports(p) for p in FOLDER.glob("*.py")}
    assert not {m for m, deps in graph.items() if m != "__init__" and "__init__" in deps}, (
        "a format module imports the registry (heavylegs_core.io.importers itself)")
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import cycle: {' -> '.join((*path, module))}"
        if module in done:
            return
        for dep in sorted(graph.get(module, ())):
            visit(dep, (*path, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())
    assert "tables" not in graph["detectors"] and "detectors" not in graph["tables"]


def test_sleep_holds_only_sleep_readers_and_the_registry_finds_every_reader() -> None:
    from heavylegs_core.io.importers import sleep, tables

    assert not hasattr(sleep, "read_garmin_activities") and not hasattr(sleep, "read_whoop_workouts")
    assert callable(tables.read_garmin_activities) and callable(tables.read_whoop_workouts)
    kinds = {f.name: f.kind for f in importers.FORMATS}
    assert kinds["garmin-summarized-activities"] == kinds["whoop-workouts-csv"] == "training"
    for fmt in importers.FORMATS:  # a lazily imported reader names its module in its closure
        reader = fmt.read_source
        module = inspect.getclosurevars(reader).nonlocals.get("module") if reader is not None else None
        if fmt.kind == "training":
            assert module != "sleep", fmt.name
        if fmt.kind == "sleep" and module is not None:
            assert module == "sleep", fmt.name


def test_the_dashboards_file_readers_live_with_the_importers() -> None:
    from heavylegs_core import apps
    from heavylegs_core.io.importers import ratings

    assert ratings.read_ratings_csv.__module__ == ratings.read_assessment_json.__module__ == f"{PACKAGE}.ratings"
    for path in Path(apps.__file__).parent.rglob("*.py"):  # no app reads a file format of its own
        source = path.read_text(encoding="utf-8")
        assert "read_csv(" not in source and "json.load(" not in source, path
