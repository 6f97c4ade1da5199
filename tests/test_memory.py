"""The server's memory housekeeping (heavylegs_core.serve.memory): freed memory goes back to the system."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import types

import pytest

from heavylegs_core.serve import memory

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim and mallopt")


def run_python(code: str, env: dict[str, str] | None = None) -> dict:
    """Run ``code`` in a fresh interpreter (its own heap) and return the JSON it prints."""
    import os

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                         env={**os.environ, **(env or {})})
    return json.loads(out.stdout.strip().splitlines()[-1])


@linux
def test_release_memory_returns_freed_heap_pages_to_the_system():
    # 60 MB in 1 kB blocks from the C heap, all freed but the last (which pins the top of the
    # heap, so the C library cannot shrink it on its own), as a server's buffers after sessions
    figures = run_python(
        "import json, psutil\n"
        "from heavylegs_core.serve.memory import release_memory\n"
        "p = psutil.Process()\n"
        "blocks = [bytes(1024) + bytes([i % 256]) for i in range(60_000)]\n"
        "pin = blocks[-1]\n"
        "del blocks\n"
        "freed = p.memory_info().rss\n"
        "trimmed = release_memory()\n"
        "after = p.memory_info().rss\n"
        "print(json.dumps({'freed_mb': freed / 1e6, 'after_mb': after / 1e6, 'trimmed': trimmed}))\n")
    assert figures["trimmed"] is True
    assert figures["freed_mb"] - figures["after_mb"] > 30, figures


@linux
def test_limit_arenas_applies_unless_the_environment_already_says():
    code = "import json; from heavylegs_core.serve.memory import limit_arenas; print(json.dumps(limit_arenas(2)))"
    assert run_python(code) is True
    assert run_python(code, env={"MALLOC_ARENA_MAX": "4"}) is False  # the administrator's setting wins


def test_keeper_releases_only_after_kernels_end(monkeypatch):
    counts = iter([2, 2, 5, 4, 4, 0, 3])
    released = []
    monkeypatch.setattr(memory, "release_memory", lambda: released.append(True) or True)
    keeper = memory.MemoryKeeper(lambda: next(counts))  # reads 2 at start
    assert [keeper.check() for _ in range(6)] == [False, False, True, False, True, False]
    assert keeper.releases == len(released) == 2


def run_loop_for(seconds: float, setup) -> None:
    """Run ``setup()`` on a fresh event loop in its own thread, then let the loop run ``seconds``."""
    errors: list[BaseException] = []

    async def main() -> None:
        setup()
        await asyncio.sleep(seconds)

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001  (re-raised in the test's thread)
            errors.append(exc)

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if errors:
        raise errors[0]


def test_the_jupyter_server_extension_watches_the_servers_kernels(monkeypatch):
    """Binder loads the module as a Jupyter server extension: it checks the server's kernels on its loop."""
    assert memory._jupyter_server_extension_points() == [{"module": "heavylegs_core.serve.memory"}]
    kernels = ["a", "b", "c"]
    released = []
    monkeypatch.setattr(memory, "release_memory", lambda: released.append(True) or True)
    monkeypatch.setattr(memory, "CHECK_EVERY_S", 0.02)
    monkeypatch.setattr(memory, "limit_arenas", lambda n=2: True)
    log: list[str] = []
    app = types.SimpleNamespace(
        kernel_manager=types.SimpleNamespace(list_kernel_ids=lambda: list(kernels)),
        web_app=types.SimpleNamespace(settings={}),
        log=types.SimpleNamespace(info=log.append))

    def setup() -> None:
        memory._load_jupyter_server_extension(app)
        kernels.pop()  # a kernel ends (culled, or its tab closed)

    run_loop_for(0.3, setup)
    app.web_app.settings["heavylegs_memory_keeper"].stop()
    assert released == [True]  # once: after the kernel ended, not on every check
    assert log and "memory" in log[0]
