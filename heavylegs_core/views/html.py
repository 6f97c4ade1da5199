"""Escaping for HTML: every user-given text passes through :func:`esc` before it reaches a page."""

from __future__ import annotations

import html


def esc(text: object) -> str:
    """Escape untrusted text (names, file names, imported fields) for HTML."""
    return html.escape("" if text is None else str(text), quote=True)
