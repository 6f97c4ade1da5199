#!/usr/bin/env python3
"""The workbook's two commands, with set-up included. Needs only Python >= 3.11, pip and git.

    python3 dev.py app     serve the workbook (http://127.0.0.1:8866, landing page first)
    python3 dev.py test    run the whole test suite: ruff, unit, notebook (nbval) and browser tests
    python3 dev.py bench   run the benchmarks and print medians and ratios
    python3 dev.py lock    re-resolve the pinned versions (maintainers; see README "Updating dependencies")

Set-up: a virtual environment in .venv is created when missing, and the pinned
dependencies (binder/requirements.txt, plus tests/requirements.txt for tests and
benchmarks) are installed whenever those files change. Binder installs from the same
binder/requirements.txt, so local runs and Binder use the same versions.
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
TEST_LOCK = ROOT / "tests" / "requirements.txt"
# Top-level runtime requirements; the lock pins these and everything they pull in.
RUNTIME_TOP = [
    "voila==0.5.13", "ipywidgets==8.1.9", "ipykernel==7.4.0", "jupyterlab==4.6.6",
    "altair==6.3.0", "anywidget==0.11.0", "vl-convert-python==1.9.0.post1", "pandas==3.1.1",
    "pydantic==2.14.3", "pyyaml==6.0.3", "fitdecode==0.11.0", "gpxpy==1.6.2", "lxml==6.1.3",
    "defusedxml==0.7.1",
]
TEST_TOP = [
    "pytest==9.2.0", "nbval==0.11.0", "hypothesis==6.170.15", "playwright==1.65.2",
    "pytest-playwright==0.10.0", "jupyter-repo2docker==2026.4.0", "acwr==0.1.1", "ruff==0.17.6",
]


def say(msg: str) -> None:
    print(f"[dev] {msg}", flush=True)


def run(cmd: list[str | Path], **kw) -> int:
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kw)


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
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in locks)).hexdigest()
    stamp = VENV / (".stamp-test" if with_tests else ".stamp-app")
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("installing the pinned dependencies (first run only; takes a few minutes)")
    cmd: list[str | Path] = [PY, "-m", "pip", "install", "--disable-pip-version-check", "-q",
                             "-r", RUNTIME_LOCK]
    if with_tests:
        cmd += ["-r", TEST_LOCK]
    check(cmd)
    # the Voila template is installed as package data: refresh it with the package
    check([PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-deps", "-e", "."])
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


def cmd_lock(args: list[str]) -> int:
    """Resolve RUNTIME_TOP and TEST_TOP afresh and write both lock files."""
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "v"
        check([sys.executable, "-m", "venv", venv])
        py = venv / "bin" / "python"
        check([py, "-m", "pip", "install", "-q", *RUNTIME_TOP])
        runtime = subprocess.check_output([py, "-m", "pip", "freeze", "--exclude-editable"], text=True)
        check([py, "-m", "pip", "install", "-q", *TEST_TOP])
        everything = subprocess.check_output([py, "-m", "pip", "freeze", "--exclude-editable"], text=True)
    pinned = {line for line in runtime.splitlines() if "==" in line}
    extra = sorted(line for line in everything.splitlines() if "==" in line and line not in pinned)
    RUNTIME_LOCK.write_text(
        "# Runtime lock: the one source of versions for local set-up (dev.py) and Binder.\n"
        "# Regenerate with `python3 dev.py lock`; bump together and run the browser tests.\n"
        "-e .\n" + "\n".join(sorted(pinned, key=str.lower)) + "\n"
    )
    TEST_LOCK.write_text(
        "# Test and benchmark tools, on top of binder/requirements.txt (python3 dev.py lock).\n"
        + "\n".join(sorted(extra, key=str.lower)) + "\n"
    )
    say(f"wrote {RUNTIME_LOCK.relative_to(ROOT)} and {TEST_LOCK.relative_to(ROOT)}")
    return 0


def _check_python() -> None:
    if sys.version_info[:2] < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("[dev] heavylegs needs Python 3.11 or newer")


COMMANDS = {"app": cmd_app, "test": cmd_test, "bench": cmd_bench, "lock": cmd_lock}

if __name__ == "__main__":
    _check_python()
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
