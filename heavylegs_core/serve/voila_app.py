"""Voila, as ``heavylegs app`` runs it: gzip on, malformed template paths refused, static files cached.

``/``, the address Voila prints, redirects to the landing page (Voila's list of notebook
files stays at ``/voila/tree/``), and the apps' upload route
(:mod:`heavylegs_core.serve.upload_handler`) is served beside Voila's handlers.

Voila applies its ``tornado_settings`` after the tornado application exists, too late
for ``compress_response`` (which tornado reads when the application is built). The
apps' JavaScript and CSS are several MB uncompressed, so this subclass switches
compression on where tornado reads it.

Voila's template static-file handler asserts on the shape of the URL path, so a
request such as ``/voila/templates/..%2f..%2fetc%2fpasswd`` ended in a 500 error
(and a traceback in the server log). Such paths are now refused with 404 before
Voila looks at them. Everything else, including ``voila.json`` and Voila's own
websocket message filter (only widget, kernel-info and shutdown messages reach the
kernel; ``execute_request`` is dropped), works as in plain Voila.

Static files (issue #11). The heavylegs template's pages run heavylegs' own front end
(``static/heavylegs-page.js`` and ``.css`` of the template, built from ``frontend/``) instead
of Voila's JavaScript. Voila's own files (``/voila/static/``), the template files
(``/voila/templates/``) and the JupyterLab extensions (``/voila/labextensions/``) are served
by handlers that

- gzip each compressible file once and keep the compressed bytes in memory, keyed by
  path, modification time and size (:func:`encoded`), instead of compressing it again
  for every request on the server's only thread; a client that does not accept gzip,
  or asks for a byte range, gets the file as it is;
- send a strong ETag (a digest of the file's bytes; the gzip form has its own) and
  answer a matching ``If-None-Match`` with 304;
- let the browser keep a file for a year, without asking again, only when its URL names
  its version: a template file requested with ``?v=`` set to its SHA-512 (as Voila's
  templates link them, the page's front end among them), and an extension's content-hashed
  file requested with ``?v=`` set to that hash. Every other static URL is revalidated on
  each use (``no-cache`` plus ETag), so an upgrade can never leave a browser with a stale
  file.

Memory (issue #10): :func:`main` limits the C allocator to two heaps before the server
starts its threads, and the server gives freed memory back to the system whenever
kernels have ended (:class:`heavylegs_core.serve.memory.MemoryKeeper`), so that its memory
returns near its baseline after a squad's sessions end.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.base.handlers import FileFindHandler
from jupyter_server.utils import url_path_join
from voila.app import Voila
from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

from heavylegs_core.base.paths import LANDING_NOTEBOOK
from heavylegs_core.serve import upload_handler
from heavylegs_core.serve.memory import MemoryKeeper, limit_arenas

#: Seconds a browser may keep a file whose URL names its version (one year, the usual
#: ceiling); such answers are also marked ``immutable``.
VERSIONED_MAX_AGE_S = 365 * 24 * 3600
#: Files larger than this (bytes) are served as tornado serves them (streamed, no cached gzip).
MAX_CACHED_FILE_BYTES = 16 * 2**20
#: Upper bound (bytes) of the compressed bytes kept in memory; the least recently used go first.
MAX_CACHE_BYTES = 64 * 2**20
#: Compression level of the cached gzip (done once per file, so the best ratio is affordable).
GZIP_LEVEL = 9
#: A content hash in an extension's file name (webpack's ``[contenthash]``: 16-32 hex digits).
_NAME_HASH = re.compile(r"(?<![0-9a-f])[0-9a-f]{16,64}(?![0-9a-f])")

@dataclass(frozen=True)
class Encoded:
    """What is kept in memory for one version of one file.

    ``digest``: SHA-512 hex digest of the file's bytes (what tornado's ``static_url`` puts
    in ``?v=``; its first 32 digits are the ETag); ``gzip``: the gzip-compressed bytes, or
    None when the file is not worth compressing (a type tornado does not compress, or
    under 1 KB).
    """

    digest: str
    gzip: bytes | None


_cache: OrderedDict[tuple[str, int, int], Encoded] = OrderedDict()
_cache_bytes = 0


def _compressible(content_type: str) -> bool:
    """True for the types tornado's ``compress_response`` would compress."""
    ctype = content_type.split(";")[0].strip()
    return ctype.startswith("text/") or ctype in tornado.web.GZipContentEncoding.CONTENT_TYPES


def encoded(path: str, content_type: str) -> Encoded | None:
    """The digest and gzip bytes of the file at ``path``, computed once per (path, mtime, size).

    None for a file over :data:`MAX_CACHED_FILE_BYTES` (served as tornado serves it).
    A file that changes on disk gets a new entry: the key holds its modification time
    (ns) and size (bytes). At most :data:`MAX_CACHE_BYTES` of compressed bytes are kept.
    """
    global _cache_bytes
    file = Path(path)
    st = file.stat()
    if st.st_size > MAX_CACHED_FILE_BYTES:
        return None
    key = (path, st.st_mtime_ns, st.st_size)
    entry = _cache.get(key)
    if entry is not None:
        _cache.move_to_end(key)
        return entry
    data = file.read_bytes()
    small = len(data) < tornado.web.GZipContentEncoding.MIN_LENGTH
    packed = None if small or not _compressible(content_type) else gzip.compress(data, GZIP_LEVEL, mtime=0)
    entry = Encoded(hashlib.sha512(data).hexdigest(), packed)
    for old in [k for k in _cache if k[0] == path]:  # an older version of the same file
        _cache_bytes -= len(_cache.pop(old).gzip or b"")
    _cache[key] = entry
    _cache_bytes += len(packed or b"")
    while _cache_bytes > MAX_CACHE_BYTES and len(_cache) > 1:
        _cache_bytes -= len(_cache.popitem(last=False)[1].gzip or b"")
    return entry


def accepts_gzip(accept_encoding: str) -> bool:
    """True when an ``Accept-Encoding`` header value accepts gzip (``gzip;q=0`` refuses it)."""
    for item in accept_encoding.split(","):
        name, *params = (part.strip() for part in item.split(";"))
        if name.lower() in ("gzip", "x-gzip"):
            for param in params:
                key, _, value = param.partition("=")
                if key.strip().lower() == "q":
                    try:
                        return float(value) > 0
                    except ValueError:
                        return False
            return True
    return False


class CachedStaticMixin:
    """Cached gzip, content ETags and version-aware caching for a tornado ``StaticFileHandler``.

    Uses StaticFileHandler's hooks: :meth:`compute_etag`, :meth:`get_cache_time`,
    :meth:`get_content_size`, and the content read by ``get``. A gzip answer carries
    ``Content-Encoding: gzip``, which tornado's ``compress_response`` leaves alone.
    Subclasses say whether the requested URL names its version (:meth:`versioned`).
    """

    absolute_path: str | None
    request: Any

    def versioned(self) -> bool:
        """True when the URL names the version of the file: the browser may keep it without asking."""
        return False

    def _entry(self) -> Encoded | None:
        if not hasattr(self, "_hl_entry"):
            assert self.absolute_path is not None
            self._hl_entry = encoded(self.absolute_path, self.get_content_type())  # type: ignore[attr-defined]
        return self._hl_entry

    def _gzip_body(self) -> bytes | None:
        """The cached gzip bytes, when this answer is to use them."""
        entry = self._entry()
        if entry is None or entry.gzip is None or self.request.headers.get("Range"):
            return None
        return entry.gzip if accepts_gzip(self.request.headers.get("Accept-Encoding", "")) else None

    def compute_etag(self) -> str | None:
        entry = self._entry()
        if entry is None:
            return super().compute_etag()  # type: ignore[misc]
        tag = entry.digest[:32]
        return f'"{tag}-gz"' if self._gzip_body() is not None else f'"{tag}"'

    def get_cache_time(self, path: str, modified: Any, mime_type: str) -> int:
        return VERSIONED_MAX_AGE_S if self.versioned() else 0

    def set_headers(self) -> None:
        super().set_headers()  # type: ignore[misc]
        cache_control = f"public, max-age={VERSIONED_MAX_AGE_S}, immutable" if self.versioned() else "no-cache"
        self.set_header("Cache-Control", cache_control)  # type: ignore[attr-defined]
        if not self.versioned():
            self.clear_header("Expires")  # type: ignore[attr-defined]
        entry = self._entry()
        if entry is not None and entry.gzip is not None:
            if not self.settings.get("compress_response"):  # type: ignore[attr-defined]
                self.set_header("Vary", "Accept-Encoding")  # type: ignore[attr-defined]
            body = self._gzip_body()
            if body is not None:
                self.set_header("Content-Encoding", "gzip")  # type: ignore[attr-defined]
                # StaticFileHandler.get reads the body through get_content(absolute_path, start, end),
                # a classmethod that cannot see the request: this answer's body is the cached gzip.
                self.get_content = lambda abspath, start=None, end=None: body

    def get_content_size(self) -> int:
        body = self._gzip_body()
        return len(body) if body is not None else super().get_content_size()  # type: ignore[misc]


class CachedStaticFileHandler(CachedStaticMixin, MultiStaticFileHandler):
    """Voila's ``/voila/static/`` files (its tree page's JavaScript), revalidated on each use."""


class CachedLabextensionsHandler(CachedStaticMixin, FileFindHandler):
    """JupyterLab extensions' files; a content-hashed name requested with ``?v=<that hash>`` is kept a year.

    Jupyter's own handler marks every extension file ``no-cache`` and sends no ETag, so
    each visit asked again for every file and got it whole unless its date matched.
    """

    def versioned(self) -> bool:
        v = self.get_argument("v", "")
        return bool(v) and v in _NAME_HASH.findall(Path(self.path).name)


class StrictTemplateStaticFileHandler(CachedStaticMixin, TemplateStaticFileHandler):
    """Voila's template static files, serving only ``<template>/static/<file>`` paths.

    Voila's templates link these with ``?v=<SHA-512 of the file>`` (tornado's ``static_url``):
    with the file's current digest there, the browser may keep it for a year.
    """

    def versioned(self) -> bool:
        entry = self._entry()
        return entry is not None and self.get_argument("v", "") == entry.digest

    def parse_url_path(self, path: str) -> str:
        parts = path.split("/")
        if len(parts) < 3 or parts[1] != "static" or any(p in ("", ".", "..") for p in parts):
            raise tornado.web.HTTPError(404)
        return super().parse_url_path(path)


class PageHandler(TornadoVoilaHandler):
    """Voila's page handler, which also gives the browser Jupyter's ``_xsrf`` cookie when it has none.

    When a page is closed, its front end (Voila's, and heavylegs') asks Voila to shut the page's
    kernel down (``POST /voila/api/shutdown/<id>``, with the ``_xsrf`` cookie's value in the
    form). Voila's page handler never sets that cookie, so Jupyter's server refused the request
    (403) and the kernel of every closed tab stayed until the culler ended it (``voila.json``:
    10 idle minutes), holding its memory. Reading ``xsrf_token`` sets the cookie (tornado).
    """

    async def prepare(self, **kwargs: Any) -> None:
        await super().prepare(**kwargs)
        self.xsrf_token  # noqa: B018 - read for its effect: tornado sets the cookie when missing


_REPLACED = {
    TornadoVoilaHandler: PageHandler,
    TemplateStaticFileHandler: StrictTemplateStaticFileHandler,
    MultiStaticFileHandler: CachedStaticFileHandler,
    FileFindHandler: CachedLabextensionsHandler,
}


def replace_handlers(handlers: list, replaced: dict[type, type] | None = None) -> list:
    """``handlers`` (Voila's tornado rules) with each class of ``replaced`` swapped for its replacement.

    Raises RuntimeError, naming the Voila version, when Voila no longer serves one of the
    classes (issue 22): the replacement would otherwise be silently lost, and with it the
    page's ``_xsrf`` cookie, the strict template paths or the cached static files.
    """
    import voila

    replaced = _REPLACED if replaced is None else replaced
    missing = sorted(c.__name__ for c in replaced if not any(len(h) > 1 and h[1] is c for h in handlers))
    if missing:
        raise RuntimeError(f"Voila {voila.__version__} serves no {', '.join(missing)}: "
                           "heavylegs_core.serve.voila_app cannot replace it; update _REPLACED")
    return [(h[0], replaced.get(h[1], h[1]), *h[2:]) if len(h) > 1 else h for h in handlers]


class HeavylegsVoila(Voila):
    """Voila with ``compress_response`` enabled, strict template static paths and cached static files."""

    def init_settings(self) -> dict[str, Any]:
        settings = super().init_settings()
        settings["compress_response"] = True
        # give freed memory back to the system after kernels end (heavylegs_core.serve.memory)
        manager = self.kernel_manager
        self._memory_keeper = MemoryKeeper(lambda: len(manager.list_kernel_ids()))
        self._memory_keeper.start()
        return settings

    def init_handlers(self) -> list:
        """Voila's handlers with the replacements above, the upload route, and ``/`` opening the landing page.

        Voila serves the notebooks folder's file list at ``/``, the address it prints; that
        page now redirects to the landing page. The list stays at ``/voila/tree/`` for
        maintainers.
        """
        landing = url_path_join(self.server_url, "voila/render", LANDING_NOTEBOOK)
        root = (self.server_url, tornado.web.RedirectHandler, {"url": landing, "permanent": False})
        voila = [root if h[0] == self.server_url else h for h in replace_handlers(super().init_handlers())]
        return [*upload_handler.handlers(self.server_url), *voila]


def main() -> None:
    """Run Voila as ``heavylegs app`` does."""
    limit_arenas()  # before the server starts its threads
    HeavylegsVoila.launch_instance()


if __name__ == "__main__":
    main()
