"""Guard the apps' widgets against state a page script sends directly.

A browser page can send any widget state it likes, not only what the controls
produce: a Dropdown ``index`` out of range, a number where text belongs, text
megabytes long, a file upload with thousands of entries or a size that does not
match its content. ipywidgets applies such state in ``Widget.set_state``; when a
trait rejects it, the exception ends in the kernel's comm handler, which only
logs it. The user sees nothing, and the page keeps showing a value the kernel
refused.

:func:`guard` wraps ``set_state`` of one widget so that every refused change

* is reported in the app's :class:`~heavylegs_core.views.widgets.ErrorBox` (``.hl-error``)
  with a short, plain message naming the control,
* leaves the kernel's value as it was (traitlets rolls a rejected change back),
* is undone in the page too (the kernel's value is sent back), and
* never stops the kernel or the app.

It also refuses, with the same message, changes a control's page view never
makes (a Button's ``disabled``, a Layout's ``display``, an HTML output's
``value``) and strings longer than a limit. Values that pass these checks still
go through the app's own validation in its callbacks (for example
``parse_number``); :func:`checked_uploads` is that validation for file uploads.

Use::

    box = ErrorBox()
    root = widgets.VBox([...])
    guard_tree(root, box)                                # every widget below root
    guard(control, box, label="Age (years)", max_chars=40)   # one widget, a better label

Interfaces: nothing new in the page; messages appear in ``.hl-error``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import ipywidgets as widgets

from heavylegs_core.base.errors import UserError
from heavylegs_core.views.html import quote
from heavylegs_core.views.widgets import ErrorBox

log = logging.getLogger("heavylegs.guard")

#: Longest string a guarded widget accepts from the page, by default (characters).
MAX_CHARS = 10_000
#: ipywidgets' selection controls (one choice or several): the page changes their ``index``.
#: Public classes only (issue 22): ipywidgets' private bases (``_Selection``,
#: ``_MultipleSelection``) are not part of its API. tests/test_guard.py lists every public
#: widget class of the installed ipywidgets with the keys it gets, and fails on a new one.
SELECTION_CONTROLS: tuple[type, ...] = (
    widgets.Dropdown, widgets.RadioButtons, widgets.Select, widgets.SelectionSlider,
    widgets.ToggleButtons, widgets.SelectMultiple, widgets.SelectionRangeSlider,
)
#: ipywidgets' boolean and number controls (in place of the private ``_Bool``, ``_Int`` and
#: ``_Float``): the page changes their ``value``. The progress bars, which the page never
#: changes, come first in :data:`EDITABLE`.
VALUE_CONTROLS: tuple[type, ...] = (
    widgets.Checkbox, widgets.ToggleButton, widgets.Valid,
    widgets.IntSlider, widgets.IntText, widgets.BoundedIntText, widgets.IntRangeSlider, widgets.Play,
    widgets.FloatSlider, widgets.FloatLogSlider, widgets.FloatText, widgets.BoundedFloatText,
    widgets.FloatRangeSlider,
)

#: The state keys each kind of control changes from its page view (ipywidgets 8 front end).
#: The first matching class wins; widgets of classes not listed may change any synced key
#: (their values are still validated by their traits and by the app).
EDITABLE: tuple[tuple[type | tuple[type, ...], frozenset[str]], ...] = (
    (widgets.FileUpload, frozenset({"value", "error"})),
    (SELECTION_CONTROLS, frozenset({"index"})),
    ((widgets.Text, widgets.Textarea), frozenset({"value"})),
    ((widgets.IntProgress, widgets.FloatProgress), frozenset()),
    (VALUE_CONTROLS, frozenset({"value"})),
    ((widgets.Tab, widgets.Accordion), frozenset({"selected_index"})),
    ((widgets.Button, widgets.HTML, widgets.HTMLMath, widgets.Label, widgets.Box,
      widgets.Layout, widgets.Style, widgets.Image), frozenset()),
)

_GUARDED = "_hl_guarded"


def editable_keys(widget: widgets.Widget) -> frozenset[str] | None:
    """The state keys the page may change on ``widget``; None means any synced key.

    A widget class of the workbook may name its own with a ``_hl_editable`` attribute.
    """
    own = getattr(type(widget), "_hl_editable", None)
    if isinstance(own, frozenset):
        return own
    for classes, keys in EDITABLE:
        if isinstance(widget, classes):
            return keys
    return None


def widget_label(widget: widgets.Widget) -> str:
    """A name for ``widget`` in a message: its description, its ``hl-`` class, or its kind."""
    description = getattr(widget, "description", "")
    if isinstance(description, str) and description.strip():
        return description.strip()
    for cls in getattr(widget, "_dom_classes", ()):
        if cls.startswith("hl-") and cls not in ("hl-app", "hl-ready"):
            return cls.removeprefix("hl-").replace("-", " ").replace("_", " ")
    return type(widget).__name__


def _too_long(value: Any, max_chars: int) -> int | None:
    """Length of the first string in ``value`` (nested lists and dicts) over ``max_chars``."""
    stack = [value]
    seen = 0
    while stack and seen < 100_000:  # a page can nest deeply; stop looking, not the kernel
        seen += 1
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > max_chars:
                return len(item)
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return None


def rejection(label: str, problem: str) -> str:
    """The message a user sees when the page sent a change the app refuses."""
    return (f"{label}: the page sent a change the app cannot accept ({problem}). "
            "The previous value is kept; carry on with the controls as usual.")


def guard(widget: widgets.Widget, box: ErrorBox, *, label: str | None = None,
          max_chars: int = MAX_CHARS, editable: Iterable[str] | None = None,
          on_reject: Callable[[widgets.Widget, str], None] | None = None) -> widgets.Widget:
    """Make ``widget`` report and undo state from the page that it refuses.

    ``label`` names the control in messages (default :func:`widget_label`);
    ``max_chars`` is the longest string accepted in any state value (characters);
    ``editable`` the keys the page may change (default :func:`editable_keys`);
    ``on_reject(widget, message)`` is called after a refusal (after the message is
    shown). Guarding a widget twice does nothing. Returns ``widget``.
    """
    if getattr(widget, _GUARDED, False):
        return widget
    allowed = frozenset(editable) if editable is not None else editable_keys(widget)
    original = widget.set_state

    def name() -> str:
        return label or widget_label(widget)

    def refuse(keys: list[str], problem: str) -> None:
        message = rejection(name(), problem)
        log.warning("refused state from the page for %s (%s): %s",
                    type(widget).__name__, ", ".join(keys), problem)
        try:
            box.show(message)
            synced = [k for k in keys if k in widget.keys]
            if synced and widget.comm is not None:
                widget.send_state(synced)  # the page shows the kept value again
            if on_reject is not None:
                on_reject(widget, message)
        except Exception:  # reporting must never be what breaks the kernel's handler
            log.exception("could not report refused state for %s", type(widget).__name__)

    def set_state(sync_data: dict[str, Any]) -> None:
        if not isinstance(sync_data, dict):
            refuse([], f"a state of type {type(sync_data).__name__}")
            return
        keys = [k for k in sync_data if isinstance(k, str)]
        if allowed is not None:
            extra = sorted(k for k in keys if k in widget.keys and k not in allowed)
            if extra:
                refuse(keys, f"{', '.join(extra)} cannot be changed from the page")
                return
        length = _too_long(sync_data, max_chars)
        if length is not None:
            refuse(keys, f"{length:,} characters of text; at most {max_chars:,} are accepted")
            return
        try:
            original(sync_data)
        except UserError as exc:
            refuse(keys, quote("; ".join(p.message for p in exc.problems), 300))
        except Exception as exc:  # noqa: BLE001  (a TraitError, a deserialiser's KeyError or TypeError: all reported)
            refuse(keys, quote(str(exc).splitlines()[0] if str(exc) else type(exc).__name__))

    widget.set_state = set_state  # type: ignore[method-assign]  # instance attribute wins
    setattr(widget, _GUARDED, True)
    return widget


def is_guarded(widget: widgets.Widget) -> bool:
    """True once :func:`guard` has wrapped ``widget``."""
    return bool(getattr(widget, _GUARDED, False))


def walk(root: widgets.Widget) -> Iterator[widgets.Widget]:
    """``root`` and every widget below it: children, layouts and styles (each once)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        w = stack.pop()
        if id(w) in seen or not isinstance(w, widgets.Widget):
            continue
        seen.add(id(w))
        yield w
        for attr in ("layout", "style"):
            sub = getattr(w, attr, None)
            if isinstance(sub, widgets.Widget):
                stack.append(sub)
        stack.extend(getattr(w, "children", ()) or ())


def guard_tree(root: widgets.Widget, box: ErrorBox, **kwargs: Any) -> int:
    """Guard ``root`` and every widget below it not guarded yet; returns how many were new.

    Call it again after adding children (already guarded widgets are skipped).
    ``kwargs`` go to :func:`guard` (``max_chars``, ``on_reject``).
    """
    n = 0
    for w in walk(root):
        if not is_guarded(w):
            guard(w, box, **kwargs)
            n += 1
    return n


def size_text(n_bytes: int) -> str:
    """A size for a message: ``50 MB``, ``256 KB`` or ``12 bytes`` (decimal units)."""
    if n_bytes >= 1_000_000:
        return f"{n_bytes / 1e6:.0f} MB"
    if n_bytes >= 1_000:
        return f"{n_bytes / 1e3:.0f} KB"
    return f"{n_bytes} bytes"


def checked_uploads(value: Any, *, max_files: int, max_bytes: int,
                    where: str = "upload") -> list[tuple[str, bytes]]:
    """The files of a FileUpload ``value`` as ``(name, content)``, or a UserError.

    Refuses more than ``max_files`` entries, entries that are not files (no
    string name, content not bytes), a declared ``size`` that differs from the
    content that arrived, and a total over ``max_bytes`` (bytes).
    """
    files = list(value or ())
    if len(files) > max_files:
        raise UserError(f"{len(files):,} files at once is too many: upload at most {max_files}", where=where)
    out: list[tuple[str, bytes]] = []
    total = 0
    for i, f in enumerate(files, start=1):
        if not isinstance(f, Mapping):
            raise UserError(f"item {i} of the upload is not a file", where=where)
        name, content = f.get("name"), f.get("content")
        if not isinstance(name, str) or not name.strip():
            raise UserError(f"item {i} of the upload has no file name", where=where)
        if not isinstance(content, bytes | bytearray | memoryview):
            raise UserError(f"{quote(name, 80)}: the upload holds no file content; upload the file again",
                            where=where)
        data = bytes(content)
        size = f.get("size", len(data))
        if isinstance(size, bool) or not isinstance(size, int) or size != len(data):
            raise UserError(f"{quote(name, 80)}: {len(data):,} bytes arrived but {quote(size, 40)} were announced; "
                            "the upload is damaged, upload the file again", where=where)
        total += len(data)
        if total > max_bytes:
            raise UserError(f"the files add up to more than {size_text(max_bytes)}, the limit: "
                            "upload fewer or smaller files", where=where)
        out.append((name, data))
    return out
