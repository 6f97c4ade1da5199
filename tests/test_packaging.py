"""``pip install heavylegs`` must bring everything the package imports.

Every third-party module imported anywhere in ``heavylegs_core`` (at the top of a module or
inside a function, as the importers import fitdecode and lxml) must come from a distribution
that ``pyproject.toml`` declares, or that a declared one requires. Before this test,
``fitdecode`` and ``lxml`` were missing, so an installed heavylegs failed on FIT, GPX, TCX and
Apple Health files.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import tomllib

from packaging.requirements import Requirement

from heavylegs_core.base.paths import PACKAGE_DIR, PROJECT_ROOT

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules() -> set[str]:
    """Top-level names of every module ``heavylegs_core`` imports (absolute imports only)."""
    found: set[str] = set()
    for path in PACKAGE_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"heavylegs_core", "__future__"}


def declared_closure() -> set[str]:
    """The distributions ``pyproject.toml`` declares, and everything they require (installed metadata)."""
    deps = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    todo = [_canonical(_NAME.match(d).group(0)) for d in deps]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for text in md.requires(name) or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(_canonical(req.name))
    return seen


def test_every_imported_package_is_installed_with_heavylegs():
    providers = md.packages_distributions()
    closure = declared_closure()
    missing = {}
    for module in sorted(imported_modules()):
        dists = {_canonical(d) for d in providers.get(module, [])}
        assert dists, f"{module} is imported but no installed distribution provides it"
        if not dists & closure:
            missing[module] = sorted(dists)
    assert not missing, f"imported but not declared in pyproject.toml (nor required by a declared package): {missing}"

