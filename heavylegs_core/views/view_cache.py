"""First views cached on disk across kernels, keyed by the code that made them.

A kernel that finds a cached view opens it without importing pandas or Altair;
the key (:func:`code_fingerprint`) changes with any file of the package, so a
cached view always equals a fresh one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

from heavylegs_core.base.atomic import write_atomic
from heavylegs_core.base.paths import PACKAGE_DIR, user_cache_dir

log = logging.getLogger("heavylegs.ui")




@functools.cache
def code_fingerprint() -> str:
    """A digest of every file of the package (code, knowledge, templates) and the chart library versions.

    Any change to the code or its data gives a new digest, so a cached view is never
    served by a different version of the code that made it.
    """
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(PACKAGE_DIR)).encode("utf-8") + b"\0")
            h.update(path.read_bytes())
    for dist in ("altair", "pandas", "numpy", "vl-convert-python"):
        try:
            h.update(f"{dist}={version(dist)}".encode())
        except PackageNotFoundError:
            h.update(f"{dist} absent".encode())
    return h.hexdigest()


def cached_view(kind: str, name: str, build: Callable[[], dict], *, inputs: tuple[Path, ...] = ()) -> dict:
    """What ``build()`` returns (a JSON-able dict), cached on disk across kernels.

    The cache file (in ``$XDG_CACHE_HOME/heavylegs/views``) is keyed by ``kind``,
    ``name``, :func:`code_fingerprint` and the bytes of the ``inputs`` files, so it
    always equals a fresh ``build()``: only the time to make it is saved. A kernel
    that finds it opens the view without importing pandas or Altair. A missing,
    unreadable or unwritable cache only costs the time of ``build()``.
    """
    if not re.fullmatch(r"[a-z0-9_-]+", kind) or not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(f"cache names are letters, digits, - and _: {kind!r}, {name!r}")
    h = hashlib.sha256(code_fingerprint().encode())
    for path in inputs:
        h.update(Path(path).read_bytes())
    folder = user_cache_dir() / "views"
    target = folder / f"{kind}-{name}-{h.hexdigest()[:20]}.json"
    try:
        return json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    view = json.loads(json.dumps(build(), allow_nan=False))  # what a later kernel will read
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(target, json.dumps(view, separators=(",", ":"), allow_nan=False))
        for stale in folder.glob(f"{kind}-{name}-*.json"):
            if stale != target:
                stale.unlink(missing_ok=True)
    except OSError:
        log.warning("could not cache the %s view %s at %s", kind, name, target)
    return view


def cached_educational_note() -> str:
    """The educational note (:func:`heavylegs_core.knowledge.educational_note`) through the view cache.

    A first view that shows this sentence and nothing else of the knowledge base (the
    landing page, the dashboard) then opens without loading and validating it.
    """
    def build() -> dict:
        from heavylegs_core.knowledge import educational_note

        return {"text": educational_note()}

    return str(cached_view("text", "educational_note", build)["text"])
