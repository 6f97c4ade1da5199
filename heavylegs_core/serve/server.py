"""Start Voila on the workbook's notebooks (used by ``heavylegs app``, the tests and the benchmarks).

Voila serves the notebooks folder in directory mode so that relative links
between notebooks work; the landing page is ``/voila/render/00_start.ipynb``.
It runs with the repository's ``voila.json`` (template, hidden tracebacks,
kernel culling) because it is started from the project root.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from heavylegs_core.apps.dashboard.model import SYNTHETIC
from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import (
    LANDING_NOTEBOOK,
    NOTEBOOKS_DIR,
    PROJECT_ROOT,
    pmdata_participants,
)

HOST = "127.0.0.1"
#: Largest websocket message the server takes (bytes). Exports never travel over the websocket
#: (they stream to the upload handler, heavylegs_core.io.uploads); the largest messages are a saved
#: session to resume (at most 256 KB) and the chart JavaScript where it is not served as a file.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
#: Seconds Voila waits, after a page took a preheated kernel, before starting its replacement
#: (Voila's default is 1 s): the replacement then does not compete for the CPU with the page
#: that is still connecting to its kernel.
PREHEAT_FILL_DELAY_S = 5.0


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    """True when nothing listens on ``127.0.0.1:port``."""
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def voila_command(port: int, *, notebooks: Path = NOTEBOOKS_DIR, show_tracebacks: bool | None = None,
                  extra: list[str] | None = None) -> list[str]:
    """The command line that serves ``notebooks`` on ``127.0.0.1:port``.

    ``show_tracebacks`` None keeps the setting of ``voila.json`` (hidden from users).
    """
    tracebacks = [] if show_tracebacks is None else [f"--show_tracebacks={show_tracebacks}"]
    return [
        sys.executable, "-m", "heavylegs_core.serve.voila_app", str(notebooks),
        "--no-browser", f"--port={port}", f"--Voila.ip={HOST}", "--Voila.port_retries=0",
        *tracebacks,
        # compress websocket frames (the chart JavaScript may travel over it); a message over the
        # limit closes the connection, so the limit sits well above the largest message an app sends
        (
            "--Voila.tornado_settings="
            f"{{'websocket_compression_options': {{}}, 'websocket_max_message_size': {MAX_MESSAGE_BYTES}}}"
        ),
        *(extra or []),
    ]


#: The notebooks ``heavylegs app`` keeps a preheated kernel for: their first view depends only
#: on the code and the bundled data, so a kernel that ran them before the request shows what
#: a fresh one would. Not the roster (it reads the athlete store when built: a kernel
#: prepared earlier would show a stale roster) and not the lessons (opened less often).
PREHEATED: tuple[str, ...] = (LANDING_NOTEBOOK, "01_assessment.ipynb", "02_dashboard.ipynb")


def preheated_notebooks(folder: Path = NOTEBOOKS_DIR) -> list[str]:
    """The notebooks of :data:`PREHEATED` present in ``folder``.

    A preheated kernel has run its notebook before anyone asks for it, so the page only
    has to connect; each costs its memory (about 60-70 MB) while it waits.
    """
    return [name for name in PREHEATED if (folder / name).is_file()]


def preheat_options(notebooks: Iterable[str], *, fill_delay: float = PREHEAT_FILL_DELAY_S) -> list[str]:
    """Voila options that keep one preheated kernel ready for each of ``notebooks`` (and none for others).

    ``notebooks`` are paths relative to the served folder. Preheating is for standalone
    Voila (``heavylegs app``); Voila as a Jupyter server extension (Binder) has no pools.
    The apps read neither query strings nor request headers, so a kernel prepared before
    the request serves it unchanged.
    """
    pools = {"default": {"pool_size": 0}, **{name: {"pool_size": 1} for name in notebooks}}
    return [
        "--VoilaConfiguration.preheat_kernel=True",
        f"--VoilaKernelManager.kernel_pools_config={json.dumps(pools)}",
        f"--VoilaKernelManager.fill_delay={fill_delay:g}",
    ]


def prebuild() -> None:
    """Compute once, before any kernel needs them, what every kernel would otherwise compute at its first view.

    Publishes the offline chart JavaScript (:func:`heavylegs_core.views.chart_widget.publish_chart_js`) and
    fills the cache of first views (:func:`heavylegs_core.views.view_cache.cached_view`): the landing
    page's sample charts and the dashboard's bundled and synthetic athletes. Run by
    ``heavylegs app`` before Voila starts and by Binder's postBuild; a later run with
    nothing changed only reads the cache.
    """
    from heavylegs_core.apps.dashboard.view import dashboard_app
    from heavylegs_core.apps.landing.view import sample_spec
    from heavylegs_core.views.chart_widget import publish_chart_js

    publish_chart_js()
    for participant in pmdata_participants():
        sample_spec(participant)
    for athlete in [*pmdata_participants(), *SYNTHETIC]:
        dashboard_app(athlete=athlete)


def landing_url(port: int) -> str:
    """The URL of the landing page."""
    return f"http://{HOST}:{port}/voila/render/{LANDING_NOTEBOOK}"


def wait_until_up(url: str, proc: subprocess.Popen | None = None, timeout: float = 120.0) -> None:
    """Poll ``url`` until it answers (any HTTP status); raise if the server died or timed out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer at {url} within {timeout:.0f} s")


def check_port(port: int) -> None:
    """Refuse a busy port (UserError naming ``--port``)."""
    if not port_is_free(port):
        raise UserError(f"port {port} is already in use: stop the other server or pass --port N",
                        where="--port")


def start(port: int, **kwargs) -> subprocess.Popen:
    """Start Voila from the project root (so ``voila.json`` applies); refuse a busy port."""
    check_port(port)
    return subprocess.Popen(voila_command(port, **kwargs), cwd=PROJECT_ROOT)


@contextlib.contextmanager
def running(cmd: list[str], *, url: str, log: Path | None = None, cwd: Path = PROJECT_ROOT,
            env: Mapping[str, str] | None = None, timeout: float = 120.0) -> Iterator[subprocess.Popen]:
    """Run a server ``cmd``, wait until ``url`` answers, and stop it afterwards.

    Output goes to ``log`` (or nowhere). If the server dies or never answers,
    the RuntimeError carries the end of its log. On exit the server is
    terminated, and killed if it has not stopped within 30 s.
    """
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(log.open("w")) if log is not None else subprocess.DEVNULL
        proc = subprocess.Popen(cmd, cwd=cwd, env=dict(env) if env is not None else os.environ.copy(),
                                stdout=out, stderr=subprocess.STDOUT)
        try:
            try:
                wait_until_up(url, proc, timeout)
            except RuntimeError as exc:
                tail = log.read_text(errors="replace")[-3000:] if log is not None else ""
                raise RuntimeError(f"{exc}\n{tail}") from None
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
