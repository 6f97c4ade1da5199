"""Give the Voila server's freed memory back to the system once kernels have ended.

Each session costs the server (not only its kernel) some memory while it runs:
websocket and ZeroMQ buffers, the kernel's manager and session objects, the
rendered page. When the session's kernel ends (closed tab, culling) Python frees
those objects, but the C allocator keeps the freed pages for reuse, so the
server's resident memory stays at its peak: after 20 sessions, about 30 MB above
the baseline (measured in tests/test_load.py). On Binder, where a user's
container has 1-2 GB for the server and every kernel, that is room for a kernel
less. :class:`MemoryKeeper` watches the number of kernels and, whenever it has
dropped, collects cyclic garbage and asks glibc to return free heap pages to the
system (``malloc_trim``; a no-op where the C library has none, e.g. macOS).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
from collections.abc import Callable
from functools import cache
from typing import Any

from tornado.ioloop import PeriodicCallback

#: how often the kernel count is checked (s); a release takes ~10-50 ms of the server's thread
CHECK_EVERY_S = 5.0
#: glibc's ``mallopt`` parameter for the number of heaps ("arenas") threads may spread over
M_ARENA_MAX = -8
#: the server's heaps: glibc allows 8 per core, and memory freed in one heap cannot serve
#: another, so the server's threads (tornado, ZeroMQ, the kernels' channels) kept more
ARENAS = 2


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none."""
    return getattr(_libc(), "malloc_trim", None)


def limit_arenas(n: int = ARENAS) -> bool:
    """Let the C allocator use at most ``n`` heaps for all threads (glibc); True if it could.

    Call early, before the server starts its threads. Same effect as the environment
    variable ``MALLOC_ARENA_MAX``, which is left to win when it is set.
    """
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is None or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    return bool(mallopt(M_ARENA_MAX, n))


def release_memory() -> bool:
    """Collect cyclic garbage, then return the C heap's free pages to the system.

    Returns True when the C library could trim (glibc), False when only Python's
    garbage collection ran.
    """
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


class MemoryKeeper:
    """Calls :func:`release_memory` after kernels end, checked every ``every_s`` seconds (default :data:`CHECK_EVERY_S`).

    ``count_kernels`` returns how many kernels the server runs now (e.g.
    ``lambda: len(kernel_manager.list_kernel_ids())``). Nothing is done while the
    count stays the same or grows: a busy server is not slowed down.
    """

    def __init__(self, count_kernels: Callable[[], int], every_s: float | None = None):
        self.count_kernels = count_kernels
        self.last = count_kernels()
        self.releases = 0
        self._callback = PeriodicCallback(self.check, (CHECK_EVERY_S if every_s is None else every_s) * 1000)

    def check(self) -> bool:
        """Release memory if the number of kernels dropped since the last check; True if it did."""
        now = self.count_kernels()
        dropped = now < self.last
        self.last = now
        if dropped:
            release_memory()
            self.releases += 1
        return dropped

    def start(self) -> None:
        """Check periodically on the current tornado IO loop."""
        self._callback.start()

    def stop(self) -> None:
        self._callback.stop()


# --------------------------------------------------------------------------- Jupyter server extension
# On Binder, Voila runs inside the Jupyter server (as its extension), not as ``heavylegs app``:
# binder/postBuild enables this module as a server extension so that the same housekeeping runs there.

def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "heavylegs_core.serve.memory"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Start a :class:`MemoryKeeper` on the Jupyter server's kernels (Binder)."""
    limit_arenas()
    manager = serverapp.kernel_manager
    keeper = MemoryKeeper(lambda: len(manager.list_kernel_ids()))
    keeper.start()
    serverapp.web_app.settings["heavylegs_memory_keeper"] = keeper
    serverapp.log.info("heavylegs: memory is given back to the system after kernels end")
