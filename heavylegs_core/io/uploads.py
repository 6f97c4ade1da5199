"""The one upload path of the apps: files streamed to disk in chunks, then read by the importers.

Exports are large (a Strava bulk export or an Apple Health ``export.zip`` is often
200 MB to several GB), so an upload never travels through a widget's websocket
message. Instead:

1. the app's kernel opens a *ticket* (:func:`open_ticket`): a private folder
   ``<user data>/uploads/<token>/`` named by a random 256-bit token;
2. the page sends each file in chunks of :data:`CHUNK_BYTES` to the server's
   upload handler (:mod:`heavylegs_core.serve.upload_handler`), which checks the
   request as Jupyter checks every other one (login, XSRF and origin) and writes
   the chunk with :class:`ChunkWriter`, never holding more than one read
   buffer in memory;
3. when the page says the upload is complete, the kernel lists what arrived
   (:func:`received`) and hands the paths to the importers.

The server only writes into a ticket folder that a kernel has opened, under the
user data folder (:func:`heavylegs_core.base.paths.user_data_dir`), never under
anything Voila or Jupyter serves. File names are reduced by the one sanitiser,
:func:`safe_filename`, and every limit lives here: :data:`MAX_UPLOAD_BYTES`
(all files of one upload together), :data:`MAX_UPLOAD_FILES` and
:data:`UPLOAD_SUFFIXES`. A refused upload says why in one line
(:class:`UploadRefused`).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from heavylegs_core.base.paths import user_data_dir

#: All files of one upload together (bytes): 8 GiB, sized for full Strava and Apple Health exports.
MAX_UPLOAD_BYTES = 8 * 2**30
#: Files in one upload (an unpacked export folder can hold thousands of activity files).
MAX_UPLOAD_FILES = 5000
#: Bytes the page sends per request. Each request is streamed to disk, so this bounds only
#: how much is sent again when a request fails, never the server's memory.
CHUNK_BYTES = 8 * 2**20
#: Largest request body the handler accepts (bytes): a chunk and some slack.
MAX_CHUNK_BYTES = 2 * CHUNK_BYTES
#: Free disk space (bytes) an upload must leave on the server's disk.
DISK_RESERVE_BYTES = 256 * 2**20
#: File types the importers read.
UPLOAD_SUFFIXES: tuple[str, ...] = (".csv", ".json", ".fit", ".gz", ".gpx", ".tcx", ".zip", ".xml")
#: Tickets older than this (seconds) are removed when a new one is opened (a kernel that died).
STALE_TICKET_S = 24 * 3600
#: Longest file name kept (characters).
MAX_NAME_CHARS = 120

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
_PART = ".part"
_DONE = re.compile(r"(\d{4})-(.+)")


class UploadRefused(Exception):
    """An upload request the server refuses: ``status`` (HTTP) and a one-line ``message`` for the user."""

    def __init__(self, status: int, message: str, *, received: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.received = received


def safe_filename(name: str) -> str:
    """The file name to write and to show: no folders, no odd characters, at most 120 characters.

    ``"../../etc/passwd"`` gives ``"passwd"``, ``"C:\\\\x\\\\run.fit"`` gives ``"run.fit"``;
    a name with nothing left gives ``"upload"``.
    """
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip(" .") or "upload"
    if len(base) > MAX_NAME_CHARS:  # keep the suffix, which says the type
        _, dot, suffix = base.rpartition(".")
        keep = f"{dot}{suffix}" if dot and len(suffix) <= 10 else ""
        base = base[: MAX_NAME_CHARS - len(keep)] + keep
    return base


def shown_where(where: str | None, names: Mapping[str, str]) -> str | None:
    """A problem's place as the user knows it: an uploaded file's name instead of its private path.

    ``names`` maps a path on disk to the name the file was uploaded as; a place under
    none of them is reduced to its file name (:func:`safe_filename`).
    """
    if not where:
        return None
    for path, name in names.items():
        if where.startswith(path):
            return name + where[len(path):]
    return safe_filename(where)


def size_text(n_bytes: float) -> str:
    """A size for a message, decimal units: ``4.3 GB``, ``300.0 MB``, ``256 KB``, ``12 bytes``."""
    if n_bytes >= 1e9:
        return f"{n_bytes / 1e9:.1f} GB"
    if n_bytes >= 1e6:
        return f"{n_bytes / 1e6:.1f} MB"
    if n_bytes >= 1e3:
        return f"{n_bytes / 1e3:.0f} KB"
    return f"{int(n_bytes)} bytes"


def check_name(name: str) -> str:
    """The sanitised name of a file to upload, or :class:`UploadRefused` naming what is wrong."""
    safe = safe_filename(name)
    if not safe.lower().endswith(UPLOAD_SUFFIXES):
        raise UploadRefused(415, f"{safe}: not a file type the workbook reads "
                                 f"(use {', '.join(UPLOAD_SUFFIXES)})")
    return safe


def uploads_root() -> Path:
    """``<user data>/uploads``, created private (mode 0700) on first use."""
    root = user_data_dir() / "uploads"
    root.mkdir(mode=0o700, exist_ok=True)
    return root


@dataclass(frozen=True)
class Ticket:
    """One upload's private folder; ``token`` is what the page sends to address it."""

    token: str
    folder: Path


def open_ticket(root: Path | None = None) -> Ticket:
    """Open a new upload ticket (a fresh private folder); stale tickets are removed first."""
    root = uploads_root() if root is None else root
    sweep(root)
    token = secrets.token_urlsafe(32)  # 43 characters, 256 bits
    folder = root / token
    folder.mkdir(mode=0o700)
    return Ticket(token, folder)


def ticket_folder(token: str, root: Path | None = None) -> Path:
    """The folder of an open ticket, or :class:`UploadRefused` (404) for any other token."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise UploadRefused(404, "unknown upload: choose the files again")
    root = uploads_root() if root is None else root
    folder = root / token
    if folder.is_symlink() or not folder.is_dir():
        raise UploadRefused(404, "this upload was cancelled or its page was closed: choose the files again")
    return folder


def close_ticket(ticket: Ticket) -> None:
    """Delete the ticket's folder and everything in it (idempotent)."""
    shutil.rmtree(ticket.folder, ignore_errors=True)


def sweep(root: Path, max_age_s: float = STALE_TICKET_S) -> None:
    """Remove ticket folders older than ``max_age_s`` seconds (left by kernels that died)."""
    now = time.time()
    for entry in root.iterdir() if root.is_dir() else ():
        try:
            if _TOKEN.fullmatch(entry.name) and now - entry.stat().st_mtime > max_age_s:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue


@dataclass(frozen=True)
class Received:
    """A file that arrived whole: its place in the upload, the sanitised name, path and size (bytes)."""

    index: int
    name: str
    path: Path
    size: int


def received(folder: Path) -> list[Received]:
    """The files of a ticket that arrived whole, in upload order (partial files are not listed)."""
    out = []
    for entry in folder.iterdir():
        m = _DONE.fullmatch(entry.name)
        if m and entry.is_file() and not entry.is_symlink():
            out.append(Received(int(m.group(1)), m.group(2), entry, entry.stat().st_size))
    return sorted(out, key=lambda r: r.index)


def _entries(folder: Path) -> Iterator[tuple[int, Path]]:
    for entry in folder.iterdir():
        m = _DONE.fullmatch(entry.name)
        if m:
            yield int(m.group(1)), entry
        elif entry.name.endswith(_PART) and entry.name[:-len(_PART)].isdigit():
            yield int(entry.name[:-len(_PART)]), entry


def _int_arg(value: str | None, what: str, lo: int, hi: int) -> int:
    try:
        n = int(value or "")
    except ValueError:
        raise UploadRefused(400, f"the upload request has no valid {what}: choose the files again") from None
    if not lo <= n <= hi:
        raise UploadRefused(400, f"the upload request's {what} {n} is out of range: choose the files again")
    return n


def status(folder: Path, index: str, name: str, total: str) -> dict[str, int | bool | str]:
    """What the server holds of file ``index`` of a ticket: ``{"name", "received", "complete"}``.

    Checks the file as a first chunk would be checked (name, type, size, the upload's
    total and the free disk space), so that the page learns why a file is refused
    before it sends any of it. Raises :class:`UploadRefused`.
    """
    i = _int_arg(index, "file number", 0, MAX_UPLOAD_FILES - 1)
    safe = check_name(name)
    size = _int_arg(total, "file size", 1, MAX_UPLOAD_BYTES)
    got = 0
    others = 0
    for j, path in _entries(folder):
        n = path.stat().st_size
        if j == i:
            if not path.name.endswith(_PART):
                return {"name": safe, "received": n, "complete": True}
            got = n
        else:
            others += n
    if others + size > MAX_UPLOAD_BYTES:
        raise UploadRefused(413, f"{safe}: the files add up to more than {size_text(MAX_UPLOAD_BYTES)}, "
                                 "the limit of one upload: upload fewer files at a time")
    free = shutil.disk_usage(folder).free
    if size - got + DISK_RESERVE_BYTES > free:
        raise UploadRefused(507, f"{safe}: the server has {size_text(free)} of free disk space, "
                                 f"not enough for {size_text(size)}: free some space or upload a smaller export")
    return {"name": safe, "received": got, "complete": False}


class ChunkWriter:
    """Writes one request's chunk of file ``index`` to its ticket folder, as the body arrives.

    ``offset`` must equal what the server already holds of the file (else 409 with
    ``received``), and ``offset + length`` may not pass the file's ``total`` size.
    The file grows as ``<index>.part``; when its last byte is written it is renamed
    ``<index>-<name>`` (atomic), which is what :func:`received` lists.
    """

    def __init__(self, folder: Path, *, index: str, name: str, offset: str, total: str, length: int) -> None:
        state = status(folder, index, name, total)
        self.index = int(index)
        self.name = str(state["name"])
        self.total = int(total)
        self.offset = _int_arg(offset, "offset", 0, self.total - 1)
        if state["complete"]:
            raise UploadRefused(409, f"{self.name} has already arrived", received=int(state["received"]))
        if self.offset != state["received"]:
            raise UploadRefused(409, f"{self.name}: the server holds {state['received']} bytes, not {self.offset}",
                                received=int(state["received"]))
        if length <= 0 or length > MAX_CHUNK_BYTES or self.offset + length > self.total:
            raise UploadRefused(400, f"{self.name}: a chunk of {length} bytes does not fit the file's size")
        self.length = length
        self.folder = folder
        self.part = folder / f"{self.index:04d}{_PART}"
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        self._fd: int | None = os.open(self.part, flags, 0o600)
        self.written = 0

    def write(self, data: bytes) -> None:
        """Append ``data`` (a piece of the request body)."""
        if self._fd is None:
            return
        if self.written + len(data) > self.length:
            self.abort()
            raise UploadRefused(400, f"{self.name}: more bytes arrived than the request announced")
        os.write(self._fd, data)
        self.written += len(data)

    def finish(self) -> dict[str, int | bool | str]:
        """Close the chunk; rename the file when complete. Returns ``{"name", "received", "complete"}``."""
        if self._fd is None:
            raise UploadRefused(409, f"{self.name}: the upload was interrupted: try again")
        os.close(self._fd)
        self._fd = None
        received_now = self.offset + self.written
        if self.written != self.length:
            raise UploadRefused(400, f"{self.name}: {self.written} of {self.length} bytes arrived",
                                received=received_now)
        complete = received_now == self.total
        if complete:
            self.part.replace(self.folder / f"{self.index:04d}-{self.name}")
        return {"name": self.name, "received": received_now, "complete": complete}

    def abort(self) -> None:
        """Stop writing (a closed connection): what arrived stays, so the page may go on from there."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

