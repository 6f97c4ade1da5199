"""Building blocks shared by every app: the root widget, error reporting, escaping, charts.

Interfaces (interfaces.md section 5): the root widget of every app carries the
CSS class ``hl-app`` and gains ``hl-ready`` once it is built; visible errors
appear in an element with class ``hl-error``.

Nothing here calls ``display()``: builders return widgets, notebooks show them.
"""

from __future__ import annotations

import functools
import html
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import ipywidgets as widgets

from heavylegs_core.atomic import write_atomic
from heavylegs_core.errors import UserError

log = logging.getLogger("heavylegs.ui")

P = ParamSpec("P")
R = TypeVar("R")


def esc(text: object) -> str:
    """Escape untrusted text (names, file names, imported fields) for HTML."""
    return html.escape("" if text is None else str(text), quote=True)


class ErrorBox(widgets.HTML):
    """A visible ``.hl-error`` message area, empty and hidden until an error occurs."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(value="", **kwargs)
        self.add_class("hl-error")
        self.layout.display = "none"

    def show(self, message: str) -> None:
        """Show ``message`` (plain text; it is escaped here)."""
        lines = "".join(f"<div>{esc(line)}</div>" for line in str(message).splitlines() if line)
        self.value = f'<div role="alert">{lines}</div>'
        self.layout.display = None

    def clear(self) -> None:
        """Hide the message."""
        self.value = ""
        self.layout.display = "none"


def describe_error(exc: BaseException) -> str:
    """A readable one- or few-line message for a user; no traceback."""
    if isinstance(exc, UserError):
        return "\n".join(str(p) for p in exc.problems)
    return (
        f"Something went wrong ({type(exc).__name__}: {exc}). "
        "Your answers are kept; try again, and if it keeps happening reload the page."
    )


def reports_errors(box: ErrorBox) -> Callable[[Callable[P, R]], Callable[P, R | None]]:
    """Decorate a widget callback so that any failure is shown in ``box`` and logged.

    In Voila an exception raised in a callback is otherwise shown nowhere. A
    successful call clears an earlier message.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R | None]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
            try:
                result = func(*args, **kwargs)
            except Exception as exc:
                log.exception("callback %s failed", getattr(func, "__name__", func))
                box.show(describe_error(exc))
                return None
            box.clear()
            return result

        return wrapper

    return decorate


def app_root(children: list[widgets.Widget], *, name: str) -> widgets.VBox:
    """The root widget of an app, with ``hl-app`` and ``hl-<name>`` classes."""
    root = widgets.VBox(children, layout=widgets.Layout(width="100%", max_width="1100px"))
    root.add_class("hl-app")
    root.add_class(f"hl-{name}")
    return root


def mark_ready(root: widgets.Widget) -> widgets.Widget:
    """Add ``hl-ready``: the app is built and interactive."""
    root.add_class("hl-ready")
    return root


# ---------------------------------------------------------------------------
# Offline charts
# ---------------------------------------------------------------------------

def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "heavylegs"


def _chart_js_path() -> Path:
    import altair as alt
    import vl_convert as vlc

    return _cache_dir() / f"jupyterchart-altair{alt.__version__}-vlc{vlc.__version__}.js"


@functools.cache
def offline_chart_js() -> str:
    """The JupyterChart JavaScript with Vega bundled in (no CDN), cached on disk.

    Bundling with vl-convert takes a few seconds, so the result is stored in
    the user's cache folder (``$XDG_CACHE_HOME/heavylegs``), keyed by the Altair
    and vl-convert versions, and reused by every later kernel.
    """
    path = _chart_js_path()
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    import altair as alt

    class _Probe(alt.JupyterChart):
        pass

    _Probe._is_offline = False
    _Probe.enable_offline()
    src: str = _Probe._esm
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, src)
    except OSError:  # a read-only home still gets working charts, only slower
        log.warning("could not cache the chart JavaScript at %s", path)
    return src


def offline_chart(chart: Any, **kwargs: Any) -> widgets.DOMWidget:
    """An interactive chart widget that renders with no network access.

    A subclass of ``altair.JupyterChart`` whose JavaScript (Vega, Vega-Lite,
    vega-embed) comes from :func:`offline_chart_js` instead of a CDN. Renders as
    SVG, which also makes the marks easy to test in a browser.
    """
    import altair as alt

    cls = type("OfflineChart", (alt.JupyterChart,), {"_esm": offline_chart_js()})
    widget = cls(chart, embed_options={"renderer": "svg", "actions": {"export": True,
                 "source": False, "compiled": False, "editor": False}}, **kwargs)
    widget.add_class("hl-chart")
    return widget
