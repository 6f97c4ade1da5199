"""Atomic file writes: a failed command leaves any existing file untouched."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from heavylegs_core.base.errors import storage_error


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` all at once, or not at all.

    The bytes go to a temporary file in the same folder, are flushed to disk,
    and the temporary file is then renamed over ``path`` (an atomic operation on
    POSIX). The file gets the permissions of the file it replaces, or those a
    plain ``open()`` would give a new one. On any error the temporary file is
    removed and an existing ``path`` keeps its old content. A full disk or a
    read-only or forbidden folder raises :class:`~heavylegs_core.base.errors.StorageError`
    (a one-line user error that is also an ``OSError``).
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        _write(target, payload)
    except OSError as exc:
        err = storage_error(exc, str(target))
        if err is None:
            raise
        raise err from None
    return target


def _write(target: Path, payload: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        # mkstemp creates the file 0600; give it the mode a plain open() would (or keep the old file's)
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise
