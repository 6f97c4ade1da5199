"""What the page does with an upload control, without a browser: chunks to the ticket, then the status.

:func:`send` writes a file to a ticket as the page's requests do (chunk after chunk, each
through :class:`heavylegs_core.io.uploads.ChunkWriter` at the offset the server holds);
:func:`deliver` sends files and reports them done, as ``upload_widget.js`` does.
"""

from __future__ import annotations

from pathlib import Path

from heavylegs_core.io import uploads
from heavylegs_core.views.upload_widget import UploadArea


def send(folder: Path, index: int, name: str, data: bytes, chunk: int = 1 << 16) -> dict:
    """Send ``data`` as file ``index`` of the ticket ``folder``; returns the server's last answer."""
    state = uploads.status(folder, str(index), name, str(len(data)))
    while state["received"] < len(data):
        at = int(state["received"])
        piece = data[at:at + chunk]
        w = uploads.ChunkWriter(folder, index=str(index), name=name, offset=str(at), total=str(len(data)),
                                length=len(piece))
        w.write(piece)
        state = w.finish()
    return state


def done_status(files: list[tuple[int, str, int]]) -> dict:
    """The status the page reports when ``files`` (index, name, size) have all been sent."""
    return {"state": "done", "files_total": len(files), "files_done": len(files),
            "bytes_total": sum(f[2] for f in files), "bytes_done": sum(f[2] for f in files),
            "files": [{"index": i, "name": n, "size": s} for i, n, s in files]}


def deliver(area: UploadArea, files: list[tuple[str, bytes]]) -> None:
    """Upload ``files`` (name, content) through ``area`` as the page would, and report them done.

    As the page does, it reports ``uploading`` first: a status equal to the last one would
    not reach the kernel (traitlets reports changes only).
    """
    area.widget.status = {"state": "uploading", "files_total": len(files), "files_done": 0,
                          "bytes_total": sum(len(d) for _, d in files), "bytes_done": 0}
    for i, (name, data) in enumerate(files):
        send(area.ticket.folder, i, name, data)
    area.widget.status = done_status([(i, name, len(data)) for i, (name, data) in enumerate(files)])
