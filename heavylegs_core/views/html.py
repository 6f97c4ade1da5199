"""Escaping for HTML: every user-given text passes through :func:`esc` before it reaches a page."""

from __future__ import annotations

import html
from typing import Any

#: Longest part of a rejected value or reason quoted in a message (characters).
MAX_QUOTE = 120


def esc(text: object) -> str:
    """Escape untrusted text (names, file names, imported fields) for HTML."""
    return html.escape("" if text is None else str(text), quote=True)


def quote(value: Any, limit: int = MAX_QUOTE) -> str:
    """A short printable rendering of ``value`` for a message (cut to ``limit`` characters; not escaped)."""
    text = repr(value) if not isinstance(value, str) else value
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
