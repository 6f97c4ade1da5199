"""The server side of the upload path: a streaming Tornado handler, in Voila and in Jupyter Server.

``PUT <base>heavylegs/upload/<token>/<index>?name=N&offset=O&total=T`` with a chunk
as its body appends the chunk to file ``index`` of the ticket ``token``
(:mod:`heavylegs_core.io.uploads`); ``GET`` of the same URL (without ``offset``) says
what the server holds of that file, or why it would refuse it, before the page
sends anything. Answers are JSON: ``{"name", "received", "complete"}``, or
``{"message"}`` with a 4xx status for a refused request.

The handler is a Jupyter ``APIHandler``: it needs the same login as every other
request to the server, and a ``PUT`` must carry the ``_xsrf`` cookie's value
(``X-XSRFToken``) from a page of the same origin, as Jupyter checks every other
request that changes something (the ``GET`` sets that cookie when the page has none). The body is streamed
(``tornado.web.stream_request_body``): each piece the connection reads (64 KB)
is written to disk as it arrives.

Registered by :class:`heavylegs_core.serve.voila_app.HeavylegsVoila` (``heavylegs app``)
and, as a Jupyter Server extension (``_load_jupyter_server_extension``), where
Voila runs inside Jupyter Server (Binder, JupyterLab).
"""

from __future__ import annotations

import json
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from heavylegs_core.io import uploads

#: The handler's URL pattern under the server's base URL.
ROUTE = r"/heavylegs/upload/([A-Za-z0-9_-]{43})/([0-9]{1,4})"


@tornado.web.stream_request_body
class UploadHandler(APIHandler):
    """Stream upload chunks to disk; answer what arrived (see the module docstring)."""

    writer: uploads.ChunkWriter | None = None
    refused = False

    def _refuse(self, exc: uploads.UploadRefused) -> None:
        self.refused = True
        self.set_status(exc.status)
        self.set_header("Content-Type", "application/json")
        body: dict[str, Any] = {"message": exc.message}
        if exc.received is not None:
            body["received"] = exc.received
        self.finish(json.dumps(body))

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()  # login, XSRF (PUT) and origin, as for every Jupyter request
        if self.request.method != "PUT":
            return
        token, index = self.path_args
        try:
            length_header = self.request.headers.get("Content-Length", "")
            if not length_header.isdigit():
                raise uploads.UploadRefused(411, "the upload request has no length: try again")
            length = int(length_header)
            if length > uploads.MAX_CHUNK_BYTES:
                raise uploads.UploadRefused(413, "an upload request over the chunk size: try again")
            folder = uploads.ticket_folder(token)
            self.writer = uploads.ChunkWriter(
                folder, index=index, name=self.get_query_argument("name", ""),
                offset=self.get_query_argument("offset", ""), total=self.get_query_argument("total", ""),
                length=length)
        except uploads.UploadRefused as exc:
            self._refuse(exc)

    def data_received(self, chunk: bytes) -> None:
        if self.writer is not None:
            try:
                self.writer.write(chunk)
            except uploads.UploadRefused as exc:
                self.writer = None
                self._refuse(exc)

    @tornado.web.authenticated
    def get(self, token: str, index: str) -> None:
        """What the server holds of file ``index`` (or why it would refuse it).

        Also gives the page Jupyter's ``_xsrf`` cookie when it has none: where Voila runs
        inside Jupyter Server (Binder), its pages never set it, and the ``PUT`` that follows
        must carry its value.
        """
        self.xsrf_token  # noqa: B018 - read for its effect: tornado sets the cookie when missing
        try:
            state = uploads.status(uploads.ticket_folder(token), index, self.get_query_argument("name", ""),
                                   self.get_query_argument("total", ""))
        except uploads.UploadRefused as exc:
            self._refuse(exc)
            return
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(state))

    @tornado.web.authenticated
    def put(self, token: str, index: str) -> None:
        """Close the chunk that was streamed in; rename the file when it is complete."""
        if self.refused:
            return
        if self.writer is None:
            self._refuse(uploads.UploadRefused(400, "the upload request was refused: try again"))
            return
        try:
            state = self.writer.finish()
        except uploads.UploadRefused as exc:
            self._refuse(exc)
            return
        finally:
            self.writer = None
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(state))

    def on_connection_close(self) -> None:
        if self.writer is not None:
            self.writer.abort()
            self.writer = None
        super().on_connection_close()


def handlers(base_url: str) -> list[tuple[str, type]]:
    """The upload route under ``base_url``."""
    return [(url_path_join(base_url, ROUTE), UploadHandler)]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "heavylegs_core.serve.upload_handler"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Serve the upload route in Jupyter Server (Voila's extension on Binder, JupyterLab)."""
    web_app = serverapp.web_app
    web_app.add_handlers(".*$", handlers(web_app.settings["base_url"]))
