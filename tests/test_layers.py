"""The package's layers: every import points down, and an app's model never needs widgets.

The layers, bottom to top (docs/architecture.md): base, knowledge, domain, io, views,
apps, serve, cli. A module may import its own layer and the layers below; every import
counts, at the top of a module, inside a function, or for type checking only.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "heavylegs_core"
LAYERS = ("base", "knowledge", "domain", "io", "views", "apps", "serve", "cli")


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imported(name: str, path: Path) -> set[str]:
    """The heavylegs_core modules ``name`` imports anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    known = modules()
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for t in targets:
            if t.split(".")[0] == "heavylegs_core":
                while t not in known and "." in t:
                    t = t.rpartition(".")[0]
                out.add(t)
    return out


def layer(name: str) -> int:
    """The layer's index; the package's own ``__init__`` is below everything (it imports nothing)."""
    parts = name.split(".")
    if len(parts) == 1:
        return -1
    assert parts[1] in LAYERS, f"{name} is in no layer: put it in one of {', '.join(LAYERS)}"
    return LAYERS.index(parts[1])


def test_every_module_is_in_a_layer() -> None:
    for name in modules():
        layer(name)


def test_imports_only_point_down() -> None:
    upward = [f"{name} ({LAYERS[layer(name)]}) imports {target} ({LAYERS[layer(target)]})"
              for name, path in modules().items() for target in imported(name, path)
              if layer(target) > layer(name)]
    assert not upward, "imports that point up a layer:\n" + "\n".join(sorted(upward))


def test_the_package_root_imports_nothing_of_its_own() -> None:
    assert imported("heavylegs_core", PACKAGE / "__init__.py") == set()


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The rule is not vacuous: an import inside a function, from domain up to apps, is found."""
    source = "def f():\n    from heavylegs_core.apps.assessment import model\n    return model\n"
    path = tmp_path / "x.py"
    path.write_text(source, encoding="utf-8")
    found = imported("heavylegs_core.domain.x", path)
    assert found == {"heavylegs_core.apps.assessment.model"}
    assert layer("heavylegs_core.apps.assessment.model") > layer("heavylegs_core.domain.x")


def app_models() -> list[str]:
    return sorted(n for n in modules() if n.startswith("heavylegs_core.apps.") and n.endswith(".model"))


def test_every_app_is_a_model_and_a_view() -> None:
    apps = {n.rpartition(".")[0] for n in modules() if n.startswith("heavylegs_core.apps.")
            and n.endswith((".model", ".view"))}
    assert {"heavylegs_core.apps.assessment", "heavylegs_core.apps.dashboard", "heavylegs_core.apps.roster",
            "heavylegs_core.apps.landing"} <= apps
    for app in apps:
        assert f"{app}.model" in modules() and f"{app}.view" in modules(), app
        init = modules()[app]
        assert imported(app, init) == set(), f"{app}/__init__.py must not import (the model would need the view)"


@pytest.mark.parametrize("model", app_models())
def test_an_app_model_imports_without_widgets(model: str) -> None:
    code = f"import sys, {model}; sys.exit('ipywidgets' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"{model} pulls in ipywidgets{done.stderr[-2000:]}"


def late_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every heavylegs_core import inside a function of ``path``."""
    known = modules()
    out = []
    for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("heavylegs_core"):
                subs = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in known]
                out += [(node.lineno, t) for t in subs or [node.module]]
            elif isinstance(node, ast.Import):
                out += [(node.lineno, a.name) for a in node.names if a.name.startswith("heavylegs_core")]
    return out


def test_an_import_inside_a_function_keeps_start_up_lean() -> None:
    """Imports stand at the top of a module, where a reader sees them, unless importing there would
    load a heavy library (pandas, Altair, ipywidgets, ...) the module does not load already. The apps
    and the commands are start-up paths (the time to ready, ``heavylegs --help``), so they may also
    leave for the action that needs it a package module they would otherwise not load (opening the
    dashboard, preparing the downloads, running a command); an import of what is loaded anyway stands
    at the top everywhere."""
    from tests.import_closure import HEAVY, heavy_closure

    names = sorted(n for n in modules() if not n.endswith("__main__"))
    loads = heavy_closure(names)

    def needless(name: str, target: str) -> bool:
        added = loads[target] - loads[name]
        if layer(name) in (LAYERS.index("apps"), LAYERS.index("cli")):
            return not added
        return not added & set(HEAVY)

    found = [f"{name}:{line} imports {target} inside a function, which loads nothing heavy {name} does not "
             "load already: import it at the top"
             for name, path in modules().items() if name in loads
             for line, target in late_imports(path) if needless(name, target)]
    assert not found, "\n".join(found)
