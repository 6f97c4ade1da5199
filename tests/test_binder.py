"""Binder: the files repo2docker reads, and a fresh environment built only from them.

No Docker here: ``repo2docker --no-build`` prints the Dockerfile it would build,
and a new virtual environment installed from binder/ alone serves every notebook
through the Jupyter server extension, exactly the path a Binder launch takes, and the
assessment app works there in Chromium.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.parse
import venv
from pathlib import Path

import pytest
from conftest import http_get
from test_assessment_e2e import FIT, next_until

from heavylegs_core.base.paths import NOTEBOOKS_DIR, PROJECT_ROOT
from heavylegs_core.serve import server

BINDER = PROJECT_ROOT / "binder"


def test_binder_folder_is_the_only_environment_source():
    assert (BINDER / "requirements.txt").is_file() and (BINDER / "runtime.txt").is_file()
    for stray in ("environment.yml", "Pipfile", "setup.py"):
        assert not (BINDER / stray).exists()
    for ignored in ("requirements.txt", "runtime.txt", "environment.yml"):
        assert not (PROJECT_ROOT / ignored).exists(), f"root {ignored} would be silently ignored"


def test_runtime_is_python_311_or_newer():
    m = re.fullmatch(r"python-3\.(\d+)\s*", (BINDER / "runtime.txt").read_text())
    assert m and int(m.group(1)) >= 11


def _lock_entries(path: Path) -> dict[str, str]:
    """The entries of a hashed lock file (``name==version`` and its hash lines), by name."""
    entries: dict[str, str] = {}
    name = ""
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            name = line.split("==")[0].strip().lower().replace("_", "-").replace(".", "-")
            assert name not in entries, f"{path.name}: {name} is listed twice"
            entries[name] = line
        else:
            entries[name] += "\n" + line
    return entries


@pytest.mark.parametrize("lock", [BINDER / "requirements.txt", PROJECT_ROOT / "tests" / "requirements.txt"])
def test_every_requirement_is_pinned_with_sha256_hashes(lock):
    entries = _lock_entries(lock)
    assert entries
    bad = [name for name, entry in entries.items()
           if not re.fullmatch(r"[A-Za-z0-9_.\-]+==[^\s\\]+ \\(\n    --hash=sha256:[0-9a-f]{64}( \\)?)+", entry)
           or entry.endswith("\\")]
    assert not bad, f"{lock.name}: not pinned with hashes: {bad}"
    # pip's hash-checking mode refuses editable or unpinned lines: the package is installed apart
    assert not [ln for ln in lock.read_text().splitlines() if ln.startswith(("-e", "-r", "--", "."))]


def test_the_locks_cover_the_package_and_do_not_overlap():
    runtime = _lock_entries(BINDER / "requirements.txt")
    tests = _lock_entries(PROJECT_ROOT / "tests" / "requirements.txt")
    assert not set(runtime) & set(tests), "a package pinned in both locks"
    for needed in ("voila", "ipywidgets", "ipykernel", "jupyterlab", "altair", "anywidget",
                   "vl-convert-python", "pandas", "hatchling", "editables"):
        assert needed in runtime
    for needed in ("pytest", "playwright", "nbval", "jupyter-repo2docker"):
        assert needed in tests


def test_the_package_is_installed_after_the_lock_in_both_set_ups():
    post = (BINDER / "postBuild").read_text()
    dev = (PROJECT_ROOT / "dev.py").read_text()
    assert "pip install --no-cache-dir --no-deps --no-build-isolation -e ." in post
    assert '"--require-hashes", "-r", RUNTIME_LOCK' in dev
    assert '"--no-deps", "--no-build-isolation", "-e", "."' in dev


def test_readme_badge_opens_the_landing_page_in_voila():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert re.search(r"mybinder\.org/v2/gh/[^)\s]+\?urlpath=voila%2Frender%2Fnotebooks%2F00_start\.ipynb", readme)


@pytest.mark.binder
def test_repo2docker_generates_the_expected_dockerfile():
    exe = Path(sys.executable).with_name("repo2docker")
    out = subprocess.run([str(exe), "--no-build", "--debug", "."], cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=300, check=True)
    text = out.stdout + out.stderr
    assert "Building conda environment for python=3.11" in text
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in text
    assert "RUN ./binder/postBuild" in text
    assert "environment.yml" not in text
    # the hashed lock is installed first, then postBuild installs the package itself
    assert text.index('-r "binder/requirements.txt"') < text.index("RUN ./binder/postBuild")


@pytest.mark.binder
@pytest.mark.e2e
def test_a_fresh_environment_from_binder_files_renders_every_notebook(tmp_path, browser):
    env_dir = tmp_path / "binder-venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    # as repo2docker does it; the hashes in the file switch pip to hash-checking mode. (Without
    # byte-compiling every installed module: the same files, in less of the suite's time.)
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-compile",
                    "-r", "binder/requirements.txt"], cwd=PROJECT_ROOT, check=True, timeout=1800)
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "NB_PYTHON_PREFIX": str(env_dir), "HOME": str(home),
           "PATH": f"{env_dir / 'bin'}:{os.environ['PATH']}", "XDG_CACHE_HOME": str(home / ".cache")}
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_DIR", None)
    subprocess.run(["bash", "binder/postBuild"], cwd=PROJECT_ROOT, env=env, check=True, timeout=600)
    assert "cull_idle_timeout" in (env_dir / "etc/jupyter/jupyter_server_config.json").read_text()
    views = {p.name.split("-")[0] for p in (home / ".cache" / "heavylegs" / "views").glob("*.json")}
    assert {"landing", "dashboard"} <= views  # first views are built into the image, not per visitor
    assert subprocess.run([str(env_dir / "bin" / "heavylegs"), "--help"], capture_output=True,
                          check=False).returncode == 0

    port, token = server.free_port(), "heavylegs-binder-test"
    root = ["--allow-root"] if os.geteuid() == 0 else []  # CI runs as root
    # under a base URL, as on Binder (/user/<name>/): the pages and the upload route must follow it
    cmd = [str(env_dir / "bin" / "jupyter"), "server", "--no-browser", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
           "--ServerApp.base_url=/user/heavylegs/", *root]
    base = f"http://127.0.0.1:{port}/user/heavylegs"
    with server.running(cmd, url=f"{base}/api/status?token={token}", log=tmp_path / "jupyter-server.log",
                        env=env, timeout=300):
        notebooks = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
        assert notebooks
        for nb in notebooks:
            status, body = http_get(f"{base}/voila/render/notebooks/{nb.name}?token={token}")
            assert status == 200, nb.name
            assert "There was an error when executing cell" not in body, nb.name
            assert "An exception occurred at the server" not in body, nb.name
            assert "application/vnd.jupyter.widget-view+json" in body, nb.name
            assert "cdn.jsdelivr.net" not in body, nb.name  # the heavylegs template is in use
        # as a Binder user: the page's front end reaches its kernel through the server extension
        # (token login, then the session cookie) and the app draws; only the loopback host is asked
        context = browser.new_context()
        hosts: set[str] = set()
        errors: list[str] = []
        # every request that leaves the page (blob: and data: URLs, such as a widget's module, do not)
        context.on("request", lambda r: None if r.url.startswith(("blob:", "data:"))
                   else hosts.add(urllib.parse.urlsplit(r.url).hostname or ""))
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{base}/voila/render/notebooks/01_assessment.ipynb?token={token}")
            page.locator(".hl-ready").first.wait_for(state="visible", timeout=120_000)
            step = page.locator(".hl-step").inner_text()
            page.locator("button.hl-next").click()  # the kernel answers: the next step is drawn
            page.wait_for_function("t => document.querySelector('.hl-step').innerText !== t", arg=step)
            assert page.locator(".hl-error:visible").count() == 0
            # an upload streams through the server extension's route under the base URL
            next_until(page, "history")
            page.locator(".hl-upload input[type=file]").set_input_files(str(FIT))
            page.locator(".hl-history table").wait_for(state="visible", timeout=120_000)
            assert page.locator(".hl-error:visible").count() == 0
            page.close(run_before_unload=True)
        finally:
            context.close()
        assert hosts <= {"127.0.0.1"} and not errors, (hosts, errors)
    # the server extension that gives memory back after kernels end was loaded
    assert "heavylegs: memory is given back" in (tmp_path / "jupyter-server.log").read_text()
