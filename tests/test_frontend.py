"""heavylegs' page front end (``frontend/``, issue #11): the committed build is the build of its sources.

The template runs ``static/heavylegs-page.js`` and ``.css``, built by ``frontend/build.mjs``
and committed so that installing heavylegs needs no Node.js. A maintainer who changes a
source (or a pinned npm package) and forgets to rebuild would ship the old front end:
the digest check below catches that everywhere, and where npm is installed the build is
redone from the lock file and compared byte for byte. The front end's behaviour in the
browser is tested with the apps (and in ``test_page_front_end.py``).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
STATIC = ROOT / "share/jupyter/voila/templates/heavylegs/static"
BUILT = ("heavylegs-page.js", "heavylegs-page.css", "heavylegs-page.licenses.txt")
BANNER = re.compile(r"/\* heavylegs-page, built by heavylegs' frontend/build\.mjs from sources sha256:([0-9a-f]{64}) \*/")


def source_files() -> list[str]:
    """The files whose bytes make the build, as ``build.mjs``'s ``sourceFiles()`` lists them."""
    src = sorted(p.relative_to(FRONTEND).as_posix() for p in (FRONTEND / "src").rglob("*") if p.is_file())
    return sorted(["build.mjs", "package.json", "package-lock.json", *src])


def source_digest() -> str:
    """SHA-256 of each source's path and bytes, as ``build.mjs``'s ``sourceDigest()`` computes it."""
    h = hashlib.sha256()
    for name in source_files():
        h.update(name.encode() + b"\0")
        h.update((FRONTEND / name).read_bytes())
        h.update(b"\0")
    return h.hexdigest()


@pytest.mark.parametrize("name", ["heavylegs-page.js", "heavylegs-page.css"])
def test_committed_build_was_made_from_the_current_sources(name):
    first_line = (STATIC / name).read_text(encoding="utf-8").split("\n", 1)[0]
    match = BANNER.fullmatch(first_line)
    assert match, f"{name} does not start with build.mjs's banner"
    assert match[1] == source_digest(), (
        f"{name} was built from other sources than frontend/ holds now: run `python3 dev.py frontend`")


def test_npm_packages_are_pinned_to_exact_versions():
    package = json.loads((FRONTEND / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((FRONTEND / "package-lock.json").read_text(encoding="utf-8"))
    for section in ("dependencies", "devDependencies"):
        for name, version in package[section].items():
            assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is not pinned: {version}"
            assert lock["packages"][f"node_modules/{name}"]["version"] == version, name


def test_licences_name_every_direct_dependency_bundled():
    text = (STATIC / "heavylegs-page.licenses.txt").read_text(encoding="utf-8")
    package = json.loads((FRONTEND / "package.json").read_text(encoding="utf-8"))
    for name, version in package["dependencies"].items():
        assert re.search(rf"^{re.escape(name)} {re.escape(version)} \(", text, re.MULTILINE), name
    assert "esbuild" not in text  # the build tool is not in the bundle


def test_rebuilding_from_the_lock_file_gives_the_committed_files(tmp_path):
    """The committed files are exactly what the pinned packages and the sources build."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip("Node.js and npm are not installed: the digest test above still checks the build")
    work = tmp_path / "frontend"
    work.mkdir()
    for name in source_files():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(FRONTEND / name, work / name)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=work, check=True,
                   capture_output=True, timeout=600)
    subprocess.run([node, "build.mjs", "--out", str(tmp_path / "out")], cwd=work, check=True,
                   capture_output=True, timeout=300)
    for name in BUILT:
        assert (tmp_path / "out" / name).read_bytes() == (STATIC / name).read_bytes(), name


def test_widget_packages_match_the_python_widgets_installed():
    """The bundle speaks the widget protocol of the installed ipywidgets and anywidget.

    A `dev.py lock` that moves ipywidgets (jupyterlab_widgets) or anywidget to versions whose
    JavaScript the bundle does not carry fails here: bump frontend/package.json to match and
    run `python3 dev.py frontend`.
    """
    from importlib.metadata import version

    from jupyter_core.paths import jupyter_path

    package = json.loads((FRONTEND / "package.json").read_text(encoding="utf-8"))["dependencies"]
    assert package["anywidget"] == version("anywidget")
    manager = next(Path(p, "@jupyter-widgets/jupyterlab-manager/package.json") for p in jupyter_path("labextensions")
                   if Path(p, "@jupyter-widgets/jupyterlab-manager/package.json").is_file())
    wanted = json.loads(manager.read_text(encoding="utf-8"))["dependencies"]
    for name in ("@jupyter-widgets/base", "@jupyter-widgets/base-manager", "@jupyter-widgets/controls"):
        low = wanted[name].lstrip("^")  # JupyterLab's widget manager asks for ^X.Y.Z
        pinned = tuple(int(x) for x in package[name].split("."))
        assert pinned[0] == int(low.split(".")[0]) and pinned >= tuple(int(x) for x in low.split(".")), (
            f"{name} {package[name]} does not satisfy {wanted[name]} (jupyterlab_widgets' own front end)")
