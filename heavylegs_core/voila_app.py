"""Voila, as ``heavylegs app`` runs it: standard Voila with gzip-compressed HTTP responses.

Voila applies its ``tornado_settings`` after the tornado application exists, too late
for ``compress_response`` (which tornado reads when the application is built). The
apps' JavaScript and CSS are several MB uncompressed, so this subclass switches
compression on where tornado reads it. Everything else, including ``voila.json``,
works as in plain Voila.
"""

from __future__ import annotations

from typing import Any

from voila.app import Voila


class HeavylegsVoila(Voila):
    """Voila with ``compress_response`` enabled."""

    def init_settings(self) -> dict[str, Any]:
        settings = super().init_settings()
        settings["compress_response"] = True
        return settings


main = HeavylegsVoila.launch_instance

if __name__ == "__main__":
    main()
