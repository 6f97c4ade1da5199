"""Shared fixtures: a Voila server on a free loopback port and guarded browser pages.

Browser tests drive Debian's Chromium through Playwright's ``executable_path``
(``playwright install`` cannot download browsers here). Every page is guarded:
a request to any host other than the loopback interface, or an uncaught page
error, fails the test. Pages are closed with ``run_before_unload`` so Voila
shuts their kernels down.
"""

from __future__ import annotations

import os
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import ipywidgets
import psutil
import pytest

from heavylegs_core.serve import server

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def kernels(proc: psutil.Process) -> list[psutil.Process]:
    """The ipykernel processes the server ``proc`` started (processes that end meanwhile are skipped)."""
    out = []
    for child in proc.children(recursive=True):
        try:
            if any("ipykernel" in part for part in child.cmdline()):
                out.append(child)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return out


class PeakMemory:
    """Peak resident memory (MB) of a server process and, separately, of its kernels, sampled every 50 ms.

    Use as a context manager around what is measured; ``server_mb`` and ``kernel_mb`` are
    the peaks seen (any process, including a child such as ``heavylegs import``, can be
    the "server").
    """

    def __init__(self, proc: psutil.Process, interval_s: float = 0.05) -> None:
        self.proc = proc
        self.interval_s = interval_s
        self.server_mb = 0.0
        self.kernel_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        try:
            self.server_mb = max(self.server_mb, self.proc.memory_info().rss / 2**20)
            for k in kernels(self.proc):
                self.kernel_mb = max(self.kernel_mb, k.memory_info().rss / 2**20)
        except psutil.Error:
            pass

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.sample()

    def __enter__(self) -> Self:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


@pytest.fixture(autouse=True)
def _close_widgets() -> Iterator[None]:
    """Kernel-free widget tests must not leak widgets into each other."""
    yield
    ipywidgets.Widget.close_all()


def chromium_path() -> str:
    """Debian's Chromium; browser tests fail (not skip) without it."""
    exe = os.environ.get("HEAVYLEGS_CHROMIUM") or shutil.which("chromium")
    if not exe:
        pytest.fail("Debian chromium is not installed: run 'apt-get install chromium' "
                    "(python3 dev.py test does this when it runs as root)")
    return exe


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": chromium_path(), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def voila_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a Voila server on the notebooks, tracebacks shown (tests only).

    Its athlete records go to ``$HEAVYLEGS_DATA_DIR`` if set (``dev.py test`` sets a
    temporary one), else to a fresh temporary folder: never the user's own records.
    """
    port = server.free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    base = f"http://{server.HOST}:{port}"
    env = os.environ.copy()
    env.setdefault("HEAVYLEGS_DATA_DIR", str(tmp_path_factory.mktemp("voila-data")))
    with server.running(server.voila_command(port, show_tracebacks=True), url=base + "/",
                        log=ARTIFACTS / "voila.log", env=env):
        yield base


def http_get(url: str, timeout: float = 300) -> tuple[int, str]:
    """Status and body of a GET, without raising on HTTP errors."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


@dataclass
class Guard:
    """What a page did that it must not do."""

    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def guarded_page(context, request) -> Iterator:
    """A Playwright page that may only talk to the loopback interface and must not throw."""
    guard = Guard()

    def route(r) -> None:
        url = r.request.url
        host = urllib.parse.urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:", "about:")) or host in LOOPBACK:
            r.continue_()
        else:
            guard.external.append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: guard.errors.append(str(exc)))
    page.guard = guard
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    if not page.is_closed():
        try:
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        finally:
            page.close(run_before_unload=True)
    assert not guard.external, f"requests to non-loopback hosts: {guard.external}"
    assert not guard.errors, f"errors in the page: {guard.errors}"
