"""Voila, as ``heavylegs app`` runs it: standard Voila, gzip on, malformed template paths refused.

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
"""

from __future__ import annotations

from typing import Any

import tornado.web
from voila.app import Voila
from voila.static_file_handler import TemplateStaticFileHandler


class StrictTemplateStaticFileHandler(TemplateStaticFileHandler):
    """Voila's template static files, serving only ``<template>/static/<file>`` paths."""

    def parse_url_path(self, path: str) -> str:
        parts = path.split("/")
        if len(parts) < 3 or parts[1] != "static" or any(p in ("", ".", "..") for p in parts):
            raise tornado.web.HTTPError(404)
        return super().parse_url_path(path)


class HeavylegsVoila(Voila):
    """Voila with ``compress_response`` enabled and strict template static paths."""

    def init_settings(self) -> dict[str, Any]:
        settings = super().init_settings()
        settings["compress_response"] = True
        return settings

    def init_handlers(self) -> list:
        handlers = super().init_handlers()
        return [
            (h[0], StrictTemplateStaticFileHandler, *h[2:]) if h[1] is TemplateStaticFileHandler else h
            for h in handlers
        ]


main = HeavylegsVoila.launch_instance

if __name__ == "__main__":
    main()
