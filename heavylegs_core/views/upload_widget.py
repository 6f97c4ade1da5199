"""The upload control of the apps: files streamed to the server in chunks, then handed to the app.

:class:`UploadArea` puts one control on the page (an anywidget, ``upload_widget.js``)
that sends the chosen files to the server's upload handler
(:mod:`heavylegs_core.serve.upload_handler`) in chunks, with a progress bar (bytes and
files sent) and a Cancel button. The kernel never receives file content over the
widget's websocket: it opens a ticket (:func:`heavylegs_core.io.uploads.open_ticket`),
and when the page reports the upload complete it checks that report against the
files on disk and calls the app's ``on_files`` with them. Anything that goes wrong
(a refused file, a lost connection, a report that does not match the disk) is
shown in the app's ``.hl-error`` box; a cancelled upload leaves nothing behind.

The page may change only the ``status`` trait (:mod:`heavylegs_core.views.guard`), and
every status is validated here before it is used.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from heavylegs_core.base.errors import UserError
from heavylegs_core.io import uploads
from heavylegs_core.views.widgets import ErrorBox, reports_errors

#: The states the page reports (``status["state"]``).
STATES = frozenset({"uploading", "done", "cancelled", "refused", "error"})
#: Longest message from the page that is shown (characters).
MAX_MESSAGE_CHARS = 300

_CSS = """
.hl-stream-upload { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5em; margin: 0.3em 0; }
.hl-stream-upload .hl-upload-pick { position: relative; display: inline-block; padding: 0.3em 0.9em;
  border: 1px solid #9e9e9e; border-radius: 2px; background: #eeeeee; color: #212121; cursor: pointer; }
.hl-stream-upload .hl-upload-pick:hover { background: #e0e0e0; }
.hl-stream-upload .hl-upload-pick:focus-within { outline: 2px solid #1976d2; outline-offset: 1px; }
.hl-stream-upload .hl-upload-pick input { position: absolute; inset: 0; width: 100%; height: 100%;
  opacity: 0; cursor: pointer; }
.hl-stream-upload progress { width: 16em; height: 1em; }
.hl-stream-upload .hl-upload-status { font-size: 0.95em; }
"""


@functools.cache
def _widget_class() -> type:
    import anywidget
    import traitlets

    class StreamUpload(anywidget.AnyWidget):
        """The page control: pick files, send them in chunks, show progress, cancel."""

        _esm = Path(__file__).with_name("upload_widget.js").read_text(encoding="utf-8")
        _css = _CSS
        #: The only state the page may change (heavylegs_core.views.guard).
        _hl_editable = frozenset({"status"})

        token = traitlets.Unicode("").tag(sync=True)
        description = traitlets.Unicode("Upload files").tag(sync=True)
        accept = traitlets.Unicode(",".join(uploads.UPLOAD_SUFFIXES)).tag(sync=True)
        max_bytes = traitlets.Int(uploads.MAX_UPLOAD_BYTES).tag(sync=True)
        max_files = traitlets.Int(uploads.MAX_UPLOAD_FILES).tag(sync=True)
        chunk_bytes = traitlets.Int(uploads.CHUNK_BYTES).tag(sync=True)
        status = traitlets.Dict().tag(sync=True)
        #: Why uploads cannot be taken here (e.g. no user data folder); empty when they can.
        unavailable = traitlets.Unicode("").tag(sync=True)

    return StreamUpload


def _count(status: Mapping[str, Any], key: str) -> int:
    value = status.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UserError("the page sent an upload status that is not valid: choose the files again", where="upload")
    return value


def checked_status(value: Any) -> dict[str, Any]:
    """The page's upload status, validated: ``state`` and counts, the message cut to 300 characters."""
    if not isinstance(value, Mapping) or value.get("state") not in STATES:
        raise UserError("the page sent an upload status that is not valid: choose the files again", where="upload")
    out: dict[str, Any] = {"state": value["state"]}
    for key in ("files_total", "files_done", "bytes_total", "bytes_done"):
        out[key] = _count(value, key)
    message = value.get("message", "")
    out["message"] = " ".join(str(message).split())[:MAX_MESSAGE_CHARS] if message else ""
    files = value.get("files", [])
    if not isinstance(files, list) or len(files) > uploads.MAX_UPLOAD_FILES:
        raise UserError("the page sent an upload status that is not valid: choose the files again", where="upload")
    checked = []
    for f in files:
        if not isinstance(f, Mapping) or not isinstance(f.get("name"), str):
            raise UserError("the page sent an upload status that is not valid: choose the files again",
                            where="upload")
        checked.append({"index": _count(f, "index"), "name": f["name"], "size": _count(f, "size")})
    out["files"] = checked
    return out


def arrived(folder: Path, announced: Sequence[Mapping[str, Any]]) -> list[uploads.Received]:
    """The files on disk, checked against what the page announced (same number, names and sizes)."""
    got = uploads.received(folder)
    by_index = {r.index: r for r in got}
    for f in announced:
        r = by_index.get(f["index"])
        if r is None or r.size != f["size"] or r.name != uploads.safe_filename(f["name"]):
            raise UserError(f"{uploads.safe_filename(f['name'])}: the file did not arrive whole; upload it again",
                            where="upload")
    if not announced or len(got) != len(announced):
        raise UserError(f"{len(got)} of {len(announced)} files arrived: upload them again", where="upload")
    return got


class UploadArea:
    """An upload control for one app; ``on_files`` gets the files that arrived (then they are deleted).

    ``on_files(files)`` runs in the kernel with :class:`heavylegs_core.io.uploads.Received`
    items (sanitised name, path on disk, size). Its errors, like the upload's own, are
    shown in ``errors`` (so pass it as it is, not wrapped in ``reports_errors``: a wrapper
    would report the error and return, and the upload's own success would clear it). After each upload (done, refused, failed or cancelled) the
    ticket's files are deleted and a new ticket is opened for the next one.
    """

    def __init__(self, description: str, on_files: Callable[[list[uploads.Received]], Any], *,
                 errors: ErrorBox, classes: tuple[str, ...] = ()) -> None:
        self.on_files = on_files
        self.errors = errors
        self.widget = _widget_class()(description=description, _dom_classes=("hl-upload-area", *classes))
        self.widget.observe(reports_errors(errors)(self._status), names="status")
        self.ticket: uploads.Ticket | None = None
        self._finalizer: weakref.finalize | None = None
        self._renew()

    def _renew(self) -> None:
        """Delete this upload's files and open a ticket for the next one.

        Where no ticket can be opened (the user data folder is refused or not writable),
        the control says why and takes no files.
        """
        if self._finalizer is not None:
            self._finalizer()
        try:
            self.ticket = uploads.open_ticket()
        except (OSError, ValueError) as exc:
            self.ticket, self._finalizer = None, None
            self.widget.unavailable = f"Uploads are not possible here: {exc}"
            self.widget.token = ""
            return
        self._finalizer = weakref.finalize(self, uploads.close_ticket, self.ticket)
        self.widget.unavailable = ""
        self.widget.token = self.ticket.token

    def _status(self, change: dict) -> None:
        status = checked_status(change["new"])
        state = status["state"]
        if state == "uploading":
            return
        if state == "cancelled":
            self._renew()
            return
        if state in ("refused", "error"):
            self._renew()
            raise UserError(status["message"] or "the upload failed: choose the files again", where="upload")
        if self.ticket is None:
            raise UserError(self.widget.unavailable, where="upload")
        try:
            files = arrived(self.ticket.folder, status["files"])
            self.on_files(files)
        finally:
            self._renew()
