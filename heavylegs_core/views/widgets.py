"""The widget building blocks every app shares: the root widget, the error box, one look.

Interfaces (interfaces.md section 5): the root widget of every app carries the
CSS class ``hl-app`` and gains ``hl-ready`` once it is built; visible errors
appear in an element with class ``hl-error``.

Nothing here calls ``display()``: builders return widgets, notebooks show them.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import ipywidgets as widgets
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle

from heavylegs_core.base.errors import UserError
from heavylegs_core.views.html import esc

log = logging.getLogger("heavylegs.ui")

P = ParamSpec("P")
R = TypeVar("R")


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


class SharedLooks:
    """Layout and style models shared by the widgets of one app that never change their look.

    The browser builds one model per layout and style before an app shows, and most of
    a page's models would be identical defaults. Only looks that never change are
    shared, and only by widgets the app keeps to itself (questions, step pages, fixed
    texts; never a public control that an embedding app may hide): a widget shown or
    hidden swaps between :attr:`plain` and :attr:`hidden`, it never changes a shared
    layout. Each model is created when first used, so an app sends only those it uses.
    """

    @functools.cached_property
    def plain(self) -> widgets.Layout:
        return widgets.Layout()

    @functools.cached_property
    def hidden(self) -> widgets.Layout:
        return widgets.Layout(display="none")

    @functools.cached_property
    def html_style(self) -> HTMLStyle:
        return HTMLStyle()

    @functools.cached_property
    def dropdown_style(self) -> DescriptionStyle:
        return DescriptionStyle()

    @functools.cached_property
    def text_style(self) -> TextStyle:
        return TextStyle()

    @functools.cached_property
    def toggle_style(self) -> widgets.ToggleButtonsStyle:
        return widgets.ToggleButtonsStyle()

    @functools.cached_property
    def button_style(self) -> widgets.ButtonStyle:
        return widgets.ButtonStyle()

    def html(self, value: str = "") -> widgets.HTML:
        """A fixed text (``value``: trusted markup; escape user text first) with the shared looks."""
        return widgets.HTML(value, layout=self.plain, style=self.html_style)


def mark_ready(root: widgets.Widget) -> widgets.Widget:
    """Add ``hl-ready``: the app is built and interactive."""
    root.add_class("hl-ready")
    return root
