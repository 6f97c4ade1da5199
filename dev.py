#!/usr/bin/env python3
"""The workbook's two commands, with set-up included. Needs only Python >= 3.11, pip and git.

    python3 dev.py app     serve the workbook (http://127.0.0.1:8866, landing page first)
    python3 dev.py test    run the whole test suite: ruff, unit, notebook (nbval) and browser tests
    python3 dev.py bench   run the benchmarks and print medians and ratios
    python3 dev.py lock    re-resolve the pinned versions and their hashes (maintainers; README "Updating dependencies")
    python3 dev.py frontend  rebuild the page front end from frontend/ (maintainers; needs Node.js and npm)

Set-up: a virtual environment in .venv is created when missing, and the pinned
dependencies (binder/requirements.txt, plus tests/requirements.txt for tests and
benchmarks) are installed whenever those files change, in pip's hash-checking mode:
every pin carries the sha256 of its files. The package itself is then installed with
`pip install --no-deps --no-build-isolation -e .` (its build backend is in the lock).
Binder installs from the same binder/requirements.txt and binder/postBuild runs the same
package install, so local runs and Binder use the same versions.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
RUNTIME_LOCK = ROOT / "binder" / "requirements.txt"
TEMPLATE = ROOT / "share" / "jupyter" / "voila" / "templates" / "heavylegs"
TEST_LOCK = ROOT / "tests" / "requirements.txt"
SERVER_CONFIG = ROOT / "jupyter-config"  # Jupyter Server extensions, installed as a copy like the template
# Top-level runtime requirements; the lock pins these and everything they pull in.
RUNTIME_TOP = [
    "voila==0.5.13", "ipywidgets==8.1.9", "ipykernel==7.4.0", "jupyterlab==4.6.6",
    "altair==6.3.0", "anywidget==0.11.0", "vl-convert-python==1.9.0.post1", "pandas==3.1.1",
    "pydantic==2.14.3", "pyyaml==6.0.3", "fitdecode==0.11.0", "lxml==6.1.3",
]
TEST_TOP = [
    "pytest==9.2.0", "nbval==0.11.0", "hypothesis==6.170.15", "playwright==1.65.2",
    "pytest-playwright==0.10.0", "jupyter-repo2docker==2026.4.0", "acwr==0.1.1", "ruff==0.17.6",
    "gpxpy==1.6.2",
]
# The build backend (and the helper its editable installs use), pinned like everything else:
# the package itself is installed with `pip install --no-deps --no-build-isolation -e .`
# so that no unpinned build tool is fetched.
BUILD_TOP = ["hatchling==1.33.0", "editables==0.5"]
# The tool that resolves the locks and records every file's sha256 (`python3 dev.py lock`).
LOCK_TOOL = "uv==0.13.9"


def say(msg: str) -> None:
    print(f"[dev] {msg}", flush=True)


def run(cmd: list[str | Path], **kw) -> int:
    kw.setdefault("cwd", ROOT)
    return subprocess.call([str(c) for c in cmd], **kw)


def check(cmd: list[str | Path], **kw) -> None:
    code = run(cmd, **kw)
    if code:
        sys.exit(f"[dev] failed ({code}): {' '.join(map(str, cmd))}")


def setup(with_tests: bool) -> None:
    """Create .venv if missing and install the pinned dependencies when they changed."""
    if not PY.exists():
        say(f"creating the virtual environment in {VENV}")
        check([sys.executable, "-m", "venv", VENV])
    locks = [RUNTIME_LOCK, ROOT / "pyproject.toml"] + ([TEST_LOCK] if with_tests else [])
    # the Voila template is installed as a copy (package data): an edit to it installs again
    template = sorted(p for p in [*TEMPLATE.rglob("*"), *SERVER_CONFIG.rglob("*")] if p.is_file())
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in [*locks, *template])).hexdigest()
    stamp = VENV / (".stamp-test" if with_tests else ".stamp-app")
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("installing the pinned dependencies (first run only; takes a few minutes)")
    pip: list[str | Path] = [PY, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    # every pin carries its sha256 hashes: pip refuses any file that does not match
    check([*pip, "--require-hashes", "-r", RUNTIME_LOCK, *(["-r", TEST_LOCK] if with_tests else [])])
    # the package itself (and its Voila template, installed as package data), built by the
    # pinned hatchling from the lock; binder/postBuild runs the same command on Binder
    check([*pip, "--no-deps", "--no-build-isolation", "-e", "."])
    stamp.write_text(digest)


def ensure_chromium() -> None:
    """Browser tests use Debian's Chromium; install it when running as root on Debian."""
    if os.environ.get("HEAVYLEGS_CHROMIUM") or shutil.which("chromium"):
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        say("installing Debian's chromium for the browser tests")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        check(["apt-get", "update", "-qq"], env=env)
        check(["apt-get", "install", "-y", "-qq", "chromium"], env=env)
        return
    sys.exit("[dev] the browser tests need Chromium: install Debian's 'chromium' package "
             "(or set HEAVYLEGS_CHROMIUM to a Chromium binary) and run again")


def cmd_app(args: list[str]) -> int:
    setup(with_tests=False)
    return run([BIN / "heavylegs", "app", *args])


def cmd_test(args: list[str]) -> int:
    setup(with_tests=True)
    ensure_chromium()
    say("ruff check")
    if run([PY, "-m", "ruff", "check", "."]):
        return 1
    with tempfile.TemporaryDirectory(prefix="heavylegs-test-data-") as data:
        env = {**os.environ, "HEAVYLEGS_DATA_DIR": data}
        return run([PY, "-m", "pytest", "tests", "notebooks", "--nbval-lax", "--nbval-current-env",
                    *args], env=env)


def cmd_bench(args: list[str]) -> int:
    setup(with_tests=True)
    ensure_chromium()
    return run([PY, "benchmarks/run_all.py", *args])


def cmd_frontend(args: list[str]) -> int:
    """Rebuild heavylegs' page front end (frontend/) into the Voila template, from the npm lock file.

    The built files are committed, so users and Binder need no Node.js; tests/test_frontend.py
    fails when they are older than their sources.
    """
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        sys.exit("[dev] rebuilding the front end needs Node.js and npm (https://nodejs.org)")
    frontend = ROOT / "frontend"
    say("installing the front end's pinned npm packages (frontend/package-lock.json)")
    check([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=frontend)
    return run([node, "build.mjs", *args], cwd=frontend)


def _lock_entries(text: str) -> dict[str, str]:
    """The entries of a hashed lock (``name==version \\`` plus its ``--hash`` lines), by normalised name."""
    entries: dict[str, str] = {}
    name = ""
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            name = line.split("==")[0].strip().lower().replace("_", "-").replace(".", "-")
            entries[name] = line
        else:
            entries[name] += "\n" + line
    return entries


def cmd_lock(args: list[str]) -> int:
    """Resolve RUNTIME_TOP, BUILD_TOP and TEST_TOP and write both hashed lock files.

    Versions already in the locks are kept unless a top-level pin needs another one;
    ``python3 dev.py lock --upgrade`` re-resolves everything to the newest allowed versions.
    """
    unknown = [a for a in args if a != "--upgrade"]
    if unknown:
        sys.exit(f"[dev] lock: unknown option(s) {' '.join(unknown)} (only --upgrade)")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        check([sys.executable, "-m", "venv", tmp / "v"])
        check([tmp / "v" / "bin" / "python", "-m", "pip", "install", "-q", LOCK_TOOL])

        def compile_lock(top: list[str], previous: str, name: str) -> dict[str, str]:
            (tmp / f"{name}.in").write_text("\n".join(top) + "\n")
            out = tmp / f"{name}.txt"
            out.write_text(previous)  # uv keeps the versions it finds in the output file
            check([tmp / "v" / "bin" / "uv", "pip", "compile", tmp / f"{name}.in", "-o", out, "-q",
                   "--generate-hashes", "--no-header", "--no-annotate", "--python", sys.executable,
                   *args])
            return _lock_entries(out.read_text())

        old_runtime = RUNTIME_LOCK.read_text() if RUNTIME_LOCK.exists() else ""
        old_test = TEST_LOCK.read_text() if TEST_LOCK.exists() else ""
        runtime = compile_lock(RUNTIME_TOP + BUILD_TOP, old_runtime, "runtime")
        everything = compile_lock(RUNTIME_TOP + BUILD_TOP + TEST_TOP, old_runtime + old_test, "all")
    moved = [n for n in runtime if everything.get(n, "").split("\n")[0] != runtime[n].split("\n")[0]]
    if moved:
        sys.exit(f"[dev] the test tools need other versions of runtime packages: {', '.join(moved)}")
    RUNTIME_LOCK.write_text(
        "# Runtime lock: the one source of versions for local set-up (dev.py) and Binder, with the\n"
        "# sha256 of every file (pip's hash-checking mode). Regenerate with `python3 dev.py lock`\n"
        "# (README: Updating dependencies); the package itself is installed separately with\n"
        "# `pip install --no-deps --no-build-isolation -e .` (dev.py, binder/postBuild).\n"
        + "\n".join(runtime[n] for n in sorted(runtime)) + "\n"
    )
    TEST_LOCK.write_text(
        "# Test and benchmark tools, on top of binder/requirements.txt, with hashes (python3 dev.py lock).\n"
        + "\n".join(everything[n] for n in sorted(everything) if n not in runtime) + "\n"
    )
    say(f"wrote {RUNTIME_LOCK.relative_to(ROOT)} and {TEST_LOCK.relative_to(ROOT)}")
    return 0


def _check_python() -> None:
    if sys.version_info[:2] < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("[dev] heavylegs needs Python 3.11 or newer")


COMMANDS = {"app": cmd_app, "test": cmd_test, "bench": cmd_bench, "lock": cmd_lock, "frontend": cmd_frontend}

if __name__ == "__main__":
    _check_python()
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
