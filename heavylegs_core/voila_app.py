"""Voila, as ``heavylegs app`` runs it: gzip on, malformed template paths refused, static files cached.

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

Static files (issue #11: opening a page fetches about 100 JavaScript files, most of the
time to ready on a first visit). Voila's own files (``/voila/static/``), the template
files (``/voila/templates/``) and the JupyterLab extensions (``/voila/labextensions/``)
are served by handlers that

- gzip each compressible file once and keep the compressed bytes in memory, keyed by
  path, modification time and size (:func:`encoded`), instead of compressing it again
  for every request on the server's only thread; a client that does not accept gzip,
  or asks for a byte range, gets the file as it is;
- send a strong ETag (a digest of the file's bytes; the gzip form has its own) and
  answer a matching ``If-None-Match`` with 304;
- let the browser keep a file for a year, without asking again, only when its URL names
  its version: Voila's files under ``/voila/static/_v/<version>/`` (the version is a
  digest of the names, sizes and modification times of Voila's static files,
  :func:`static_version`, so a Voila upgrade changes it; the page's ``fullStaticUrl``
  points there, and Voila's JavaScript loads its chunks relative to where ``voila.js``
  came from), a template file requested with ``?v=`` set to its SHA-512 (as Voila's
  templates link them), and an extension's content-hashed file requested with ``?v=``
  set to that hash. Every other static URL is revalidated on each use (``no-cache`` plus
  ETag), so an upgrade can never leave a browser with a stale file.

The page also runs Voila's startup chunks (:data:`STARTUP_CHUNKS`) and the JupyterLab
extensions' chunks (:data:`EXTENSION_CHUNKS`) from one file each (:func:`write_bundle`)
just before ``voila.js``, and announces the extensions' entry files with
``<link rel="preload">`` (:func:`page_config_extras`; the heavylegs template reads both
from the page configuration), so that the browser no longer fetches about 90 chunks in
five waves, each waiting for the JavaScript of the one before.

Once an app is ready, the page registers a service worker (:data:`SERVICE_WORKER`, served
from ``/voila/static/`` with the scope ``/voila/``) that keeps the versioned startup scripts
in Cache Storage, where Chromium keeps their compiled code: a page opened later in the same
browser, in any tab, starts without compiling Voila's JavaScript again. The worker keeps
only what the server marks ``immutable`` and answers only the scripts the page listed
(see the file itself).

Memory (issue #10): :func:`main` limits the C allocator to two heaps before the server
starts its threads, and the server gives freed memory back to the system whenever
kernels have ended (:class:`heavylegs_core.memory.MemoryKeeper`), so that its memory
returns near its baseline after a squad's sessions end.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import posixpath
import re
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.base.handlers import FileFindHandler
from jupyter_server.utils import url_path_join
from voila.app import Voila
from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler

from heavylegs_core.atomic import write_atomic
from heavylegs_core.memory import MemoryKeeper, limit_arenas

#: Seconds a browser may keep a file whose URL names its version (one year, the usual
#: ceiling); such answers are also marked ``immutable``.
VERSIONED_MAX_AGE_S = 365 * 24 * 3600
#: Files larger than this (bytes) are served as tornado serves them (streamed, no cached gzip).
MAX_CACHED_FILE_BYTES = 16 * 2**20
#: Upper bound (bytes) of the compressed bytes kept in memory; the least recently used go first.
MAX_CACHE_BYTES = 64 * 2**20
#: Compression level of the cached gzip (done once per file, so the best ratio is affordable).
GZIP_LEVEL = 9
#: Path segment under ``/voila/static/`` that names the version of Voila's static files.
VERSION_SEGMENT = "_v"
_VERSIONED = re.compile(rf"{VERSION_SEGMENT}/([0-9a-f]{{16}})/(.+)", re.DOTALL)
#: A content hash in an extension's file name (webpack's ``[contenthash]``: 16-32 hex digits).
_NAME_HASH = re.compile(r"(?<![0-9a-f])[0-9a-f]{16,64}(?![0-9a-f])")

#: Name (under ``/voila/static/``) of the startup bundle: Voila's startup chunks in one file.
STARTUP_BUNDLE = "heavylegs-startup.js"
#: Voila's webpack chunks (``<id>.voila.js``) that opening an app loads, recorded with Voila
#: 0.5.13 from the one-widget page and the three preheated apps (tests/test_static_serving.py
#: fails, naming the ids, when a page loads a chunk that is not here). A chunk file only
#: registers its modules (``webpackChunk_JUPYTERLAB_CORE_OUTPUT.push``) and webpack does not
#: fetch a chunk that is already registered, so the bundle, run just before ``voila.js``, saves
#: the browser about 70 requests in three waves; a stale list costs only those requests again,
#: never correctness (an id whose file is missing is skipped, one not listed is fetched as before).
STARTUP_CHUNKS: tuple[int, ...] = (
    # voila.js at startup
    5764, 8135, 3992, 9582, 8925, 7883, 7556, 6049, 1670, 6573, 3311, 4135, 1621, 3916, 3649, 8487,
    9684, 4041, 143, 7155, 3144, 1601, 4972, 9890, 5312, 6468, 3459, 630, 5688, 2930, 73, 1187, 4173,
    7483, 431, 3989, 8766, 9151, 4729, 6382, 5044, 7598, 9081, 7770, 3249, 4653, 8862, 9981, 5767,
    4222, 8773, 3307, 6008, 8017, 457, 9212,
    # once the kernel is connected (the widget manager)
    4371, 2829, 7259, 6074, 4875, 4486, 6305, 7393, 225, 614, 1996, 2121, 2772, 2296, 7245, 5992,
)

#: Name (under ``/voila/static/``) of the extensions bundle: the JupyterLab extensions' chunks in one file.
EXTENSIONS_BUNDLE = "heavylegs-extensions.js"
#: The JupyterLab extensions' webpack chunks (``<name>/static/<id>.<hash>.js``) that every app page
#: loads, by extension, recorded with the pinned versions from the one-widget page and the four
#: apps (the same 16 on each). Voila's JavaScript fetches them in two waves: once it has loaded
#: the extensions' entries, and once the kernel is connected (the widget views). A chunk file
#: only registers its modules in its extension's ``webpackChunk...`` array, which the extension's
#: entry reads when it starts, so the bundle, run before ``voila.js``, spares the page both waves.
#: tests/test_static_serving.py fails, naming the files, when a page fetches one that is not here.
EXTENSION_CHUNKS: dict[str, tuple[int, ...]] = {
    "@jupyter-widgets/jupyterlab-manager": (7, 704, 170, 84, 32, 452, 967, 160, 718, 121),
    "@voila-dashboards/widgets-manager8": (883, 496),
    "anywidget": (2, 528),
    "jupyterlab_pygments": (568, 747),
}


#: The service worker's file, in :data:`SERVICE_WORKER_DIR`, served under ``/voila/static/``.
SERVICE_WORKER = "heavylegs-sw.js"
SERVICE_WORKER_DIR = Path(__file__).resolve().parent / "static"


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


_versions: dict[tuple[str, ...], tuple[tuple[int, ...], str]] = {}


def static_version(roots: tuple[str, ...]) -> str:
    """16 hex digits naming the current content of the static folders ``roots``.

    A digest of every file's relative path, size (bytes) and modification time (ns).
    Computed again when a root folder's modification time changes (installing or
    removing a package adds or removes files there), else kept.
    """
    stamp = tuple(Path(r).stat().st_mtime_ns if Path(r).is_dir() else -1 for r in roots)
    known = _versions.get(roots)
    if known is not None and known[0] == stamp:
        return known[1]
    h = hashlib.blake2b(digest_size=8)
    for root in roots:
        h.update(f"root {root}\n".encode())
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                full = Path(folder, name)
                try:
                    st = full.stat()
                except OSError:
                    continue
                h.update(f"{full.relative_to(root)} {st.st_size} {st.st_mtime_ns}\n".encode())
    version = h.hexdigest()
    _versions[roots] = (stamp, version)
    return version


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
    """Voila's ``/voila/static/`` files; ``_v/<version>/<file>`` is ``<file>``, cacheable for a year.

    ``version_roots``: the folders whose files :func:`static_version` names (Voila's static
    paths; ``paths`` may hold more, such as the folder of the startup bundle). A version that
    is not the current one (a page rendered before an upgrade) still gets the current file,
    revalidated on each use like an unversioned URL.
    """

    def initialize(self, paths: list[str], default_filename: str | None = None,
                   version_roots: tuple[str, ...] | None = None) -> None:
        super().initialize(paths, default_filename)
        self.version_roots = version_roots or tuple(paths)

    def parse_url_path(self, path: str) -> str:
        match = _VERSIONED.fullmatch(path)
        self._hl_versioned = False
        if match:
            self._hl_versioned = match[1] == static_version(self.version_roots)
            path = match[2]
        return super().parse_url_path(path)

    def versioned(self) -> bool:
        return self._hl_versioned

    def set_extra_headers(self, path: str) -> None:
        if path == SERVICE_WORKER:  # its scope is Voila's pages, above the folder it is served from
            self.set_header("Service-Worker-Allowed", url_path_join(self.settings.get("base_url", "/"), "voila/"))


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


_REPLACED = {
    TemplateStaticFileHandler: StrictTemplateStaticFileHandler,
    MultiStaticFileHandler: CachedStaticFileHandler,
    FileFindHandler: CachedLabextensionsHandler,
}


def voila_chunk_files(roots: tuple[str, ...], chunks: tuple[int, ...] = STARTUP_CHUNKS) -> list[Path]:
    """The files ``<id>.voila.js`` of ``chunks``, each from the first root that has it (as ``/voila/static/`` serves it).

    An id whose file is in no root is left out.
    """
    found = (next((Path(r, f"{c}.voila.js") for r in roots if Path(r, f"{c}.voila.js").is_file()), None)
             for c in chunks)
    return [f for f in found if f is not None]


def extension_chunk_files(roots: tuple[str, ...],
                          chunks: dict[str, tuple[int, ...]] | None = None) -> list[Path]:
    """The content-hashed chunk files ``<name>/static/<id>.<hash>.js`` of :data:`EXTENSION_CHUNKS`.

    Each extension is taken from the first of the labextension folders ``roots`` that has it
    (as ``/voila/labextensions/`` serves it). An id with no such file is left out; an id with
    several (a stale build beside a new one) is left out too, since the browser would fetch
    whichever one the extension's own entry names.
    """
    files = []
    for name, ids in (EXTENSION_CHUNKS if chunks is None else chunks).items():
        static = next((Path(r, name, "static") for r in roots if Path(r, name, "static").is_dir()), None)
        if static is None:
            continue
        for chunk in ids:
            named = [f for f in static.glob(f"{chunk}.*.js") if re.fullmatch(rf"{chunk}\.[0-9a-f]+\.js", f.name)]
            if len(named) == 1:
                files.extend(named)
    return files


def write_bundle(files: list[Path], target: Path) -> int:
    """Write the webpack chunk ``files`` one after another into ``target`` (atomically); return how many.

    Each chunk ends with a newline and a semicolon, so that chunks cannot run into each
    other (0: the file is empty, and pages do not link it).
    """
    write_atomic(target, b"".join(f.read_bytes().rstrip() + b"\n;\n" for f in files))
    return len(files)


def page_config_extras(page_config: dict[str, Any], base_url: str, version: str,
                       bundles: list[str]) -> dict[str, Any]:
    """``page_config`` with the versioned ``fullStaticUrl`` and what the heavylegs template links early.

    ``heavylegsStartupScripts``: URLs of the ``bundles`` (file names under ``/voila/static/``
    that hold chunks), run in this order just before ``voila.js``;
    ``heavylegsPreload``: URLs of the JupyterLab extensions' entry files, which Voila's
    JavaScript loads only once its own startup is done (the template announces them with
    ``<link rel="preload">`` so that they are fetched meanwhile);
    ``heavylegsServiceWorker``: the URL and scope of the service worker the page registers
    once the app is ready. All are derived from this page's configuration, so they follow
    whatever Voila and the installed extensions are.
    """
    static = url_path_join(base_url, "voila/static", VERSION_SEGMENT, version)
    page_config["fullStaticUrl"] = static
    page_config["heavylegsStartupScripts"] = [url_path_join(static, name) for name in bundles]
    labext = page_config.get("fullLabextensionsUrl", url_path_join(base_url, "voila/labextensions"))
    page_config["heavylegsPreload"] = [
        posixpath.normpath(url_path_join(labext, ext["name"], ext["load"]))  # as Voila's URLExt.join
        for ext in page_config.get("federated_extensions", []) if ext.get("name") and ext.get("load")
    ]
    page_config["heavylegsServiceWorker"] = {"url": url_path_join(base_url, "voila/static", SERVICE_WORKER),
                                             "scope": url_path_join(base_url, "voila/")}
    return page_config


class HeavylegsVoila(Voila):
    """Voila with ``compress_response`` enabled, strict template static paths and cached static files."""

    def init_settings(self) -> dict[str, Any]:
        previous = self.voila_configuration.page_config_hook
        roots, labext = tuple(self.static_paths), tuple(self.labextensions_path)
        # the bundles' URLs name a version of Voila's and the extensions' files (the bundles hold both)
        self._version_roots = roots + labext
        self._bundle_dir = tempfile.TemporaryDirectory(prefix="heavylegs-voila-")
        folder = Path(self._bundle_dir.name)
        bundles = [name for name, files in ((STARTUP_BUNDLE, voila_chunk_files(roots)),
                                            (EXTENSIONS_BUNDLE, extension_chunk_files(labext)))
                   if write_bundle(files, folder / name)]
        for name in bundles:
            encoded(str(folder / name), "text/javascript")  # gzip them before the first page

        def hook(page_config: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            if previous is not None:
                page_config = previous(page_config, **kwargs)
            return page_config_extras(page_config, kwargs["base_url"], static_version(self._version_roots), bundles)

        self.voila_configuration.page_config_hook = hook
        settings = super().init_settings()
        settings["compress_response"] = True
        # give freed memory back to the system after kernels end (heavylegs_core.memory)
        manager = self.kernel_manager
        self._memory_keeper = MemoryKeeper(lambda: len(manager.list_kernel_ids()))
        self._memory_keeper.start()
        return settings

    def init_handlers(self) -> list:
        handlers = []
        for h in super().init_handlers():
            cls = _REPLACED.get(h[1], h[1])
            if cls is CachedStaticFileHandler:
                kwargs = {**h[2], "paths": [*h[2]["paths"], self._bundle_dir.name, str(SERVICE_WORKER_DIR)],
                          "version_roots": self._version_roots}
                handlers.append((h[0], cls, kwargs, *h[3:]))
            else:
                handlers.append((h[0], cls, *h[2:]))
        return handlers


def main() -> None:
    """Run Voila as ``heavylegs app`` does."""
    limit_arenas()  # before the server starts its threads
    HeavylegsVoila.launch_instance()


if __name__ == "__main__":
    main()
