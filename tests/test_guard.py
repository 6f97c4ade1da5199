"""The widget guard, without a kernel: state a page script sends directly is refused visibly.

Each test feeds a widget the comm message a browser would send (``_handle_msg``)
and checks what the user sees (the ``.hl-error`` box), what the kernel keeps,
and what is sent back to the page so that it shows the kept value again.
"""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from heavylegs_core.apps.assessment.view import AssessmentApp
from heavylegs_core.base.errors import UserError
from heavylegs_core.io.uploads import MAX_UPLOAD_BYTES, MAX_UPLOAD_FILES
from heavylegs_core.views.guard import (
    checked_uploads,
    guard,
    guard_tree,
    is_guarded,
    walk,
)
from heavylegs_core.views.widgets import ErrorBox


def from_page(widget: widgets.Widget, state: dict, buffer_paths: list | None = None,
              buffers: list | None = None) -> None:
    """Deliver ``state`` to ``widget`` as the browser's widget manager would."""
    data: dict = {"method": "update", "state": state}
    if buffer_paths is not None:
        data["buffer_paths"] = buffer_paths
    widget._handle_msg({"content": {"data": data}, "buffers": buffers or []})


def record_sent(widget: widgets.Widget) -> list[dict]:
    """The messages ``widget`` sends to the page from now on."""
    sent: list[dict] = []
    widget._send = lambda msg, buffers=None: sent.append(msg)
    return sent


def updates(sent: list[dict]) -> list[dict]:
    return [m["state"] for m in sent if m["method"] == "update"]


def upload_entry(name: str, size: int, last_modified: int = 1_700_000_000_000) -> dict:
    return {"name": name, "type": "text/csv", "size": size, "last_modified": last_modified}


def test_an_out_of_range_index_is_refused_shown_and_undone_in_the_page():
    box = ErrorBox()
    dd = guard(widgets.Dropdown(options=[("Yes", "y"), ("No", "n")], value="n"), box, label="Chest pain")
    sent = record_sent(dd)
    from_page(dd, {"index": 99})
    assert dd.value == "n"
    assert box.layout.display is None
    assert "Chest pain" in box.value and "index out of bounds" in box.value
    assert {"index": 1} in updates(sent)  # the page is told to show "No" again


@pytest.mark.parametrize("bad", [5, None, ["a"], {"x": 1}])
def test_a_value_of_the_wrong_type_is_refused(bad):
    box = ErrorBox()
    text = guard(widgets.Text(value="kept"), box, label="Age")
    from_page(text, {"value": bad})
    assert text.value == "kept"
    assert "Age: the page sent a change the app cannot accept" in box.value


def test_megabytes_of_text_are_refused_before_any_observer_sees_them():
    box = ErrorBox()
    text = guard(widgets.Text(value=""), box, label="Name", max_chars=100)
    seen: list[str] = []
    text.observe(lambda c: seen.append(c["new"]), names="value")
    from_page(text, {"value": "x" * 2_000_000})
    assert text.value == "" and not seen
    assert "2,000,000 characters" in box.value
    assert len(box.value) < 1000  # the message quotes nothing of the payload


def test_keys_a_control_never_changes_itself_are_refused():
    box = ErrorBox()
    button = guard(widgets.Button(description="Next", disabled=True), box)
    layout = guard(widgets.Layout(display="none"), box)
    html = guard(widgets.HTML("<b>result</b>"), box)
    from_page(button, {"disabled": False})
    assert button.disabled is True
    assert "disabled cannot be changed from the page" in box.value
    from_page(layout, {"display": "block"})
    assert layout.display == "none"
    from_page(html, {"value": "<script>alert(1)</script>"})
    assert html.value == "<b>result</b>"


def test_a_valid_change_goes_through_and_observers_run():
    box = ErrorBox()
    dd = guard(widgets.Dropdown(options=["a", "b"], value="a"), box)
    seen: list[str] = []
    dd.observe(lambda c: seen.append(c["new"]), names="value")
    from_page(dd, {"index": 1})
    assert dd.value == "b" and seen == ["b"]
    assert box.value == ""


def test_a_failing_observer_is_reported_not_lost():
    box = ErrorBox()
    text = guard(widgets.Text(), box, label="Weight")

    def fail(_change):
        raise UserError("weight must be in kilograms", where="answer")

    text.observe(fail, names="value")
    from_page(text, {"value": "12"})
    assert "weight must be in kilograms" in box.value


def test_a_malformed_upload_is_refused():
    box = ErrorBox()
    up = guard(widgets.FileUpload(multiple=True), box, label="Upload exports")
    from_page(up, {"value": [{"name": "a.csv"}]})  # no size, content or date
    assert up.value == ()
    assert "Upload exports" in box.value
    from_page(up, {"value": [upload_entry("a.csv", 3, last_modified="soon")]},
              buffer_paths=[["value", 0, "content"]], buffers=[memoryview(b"abc")])
    assert up.value == ()


def test_a_well_formed_upload_arrives_with_its_buffers():
    box = ErrorBox()
    up = guard(widgets.FileUpload(multiple=True), box)
    from_page(up, {"value": [upload_entry("a.csv", 3)]},
              buffer_paths=[["value", 0, "content"]], buffers=[memoryview(b"abc")])
    assert checked_uploads(up.value, max_files=5, max_bytes=10) == [("a.csv", b"abc")]
    assert box.value == ""


def test_guard_tree_covers_children_layouts_and_styles_once():
    box = ErrorBox()
    inner = widgets.Text(description="Name")
    root = widgets.VBox([widgets.HBox([inner]), widgets.Button()])
    n = guard_tree(root, box)
    assert n == len(list(walk(root))) and n >= 8
    assert all(is_guarded(w) for w in walk(root))
    assert is_guarded(inner.layout) and is_guarded(inner.style)
    assert guard_tree(root, box) == 0
    root.children = (*root.children, widgets.Dropdown(options=["a"]))
    assert guard_tree(root, box) == 3  # the dropdown, its layout, its style


@pytest.mark.parametrize(("value", "message"), [
    ([{"name": f"f{i}.csv", "size": 1, "content": b"x"} for i in range(5000)], "5,000 files at once"),
    ([{"name": "a.csv", "size": 10, "content": b"abc"}], "3 bytes arrived but 10 were announced"),
    ([{"name": "a.csv", "size": "3", "content": b"abc"}], "were announced"),
    ([{"name": "a.csv", "size": 3, "content": "abc"}], "no file content"),
    ([{"size": 3, "content": b"abc"}], "no file name"),
    (["a.csv"], "not a file"),
    ([{"name": "a.csv", "size": 6, "content": b"abcdef"}, {"name": "b.csv", "size": 6, "content": b"abcdef"}],
     "more than 10 bytes, the limit"),
])
def test_checked_uploads_refuses_what_is_not_an_honest_upload(value, message):
    with pytest.raises(UserError, match=message):
        checked_uploads(value, max_files=20, max_bytes=10)


def test_checked_uploads_accepts_an_empty_value():
    assert checked_uploads((), max_files=1, max_bytes=1) == []


# ---------------------------------------------------------------- ipywidgets' public classes

#: The keys the page may change, for every public widget class of ipywidgets 8.1 (None: any
#: synced key). The guard names public classes only (issue 22); this table is what it gave
#: when it used ipywidgets' private bases ``_Bool``, ``_Int``, ``_Float`` and ``_Selection``.
PUBLIC_WIDGET_KEYS: dict[str, list[str] | None] = {
    "Accordion": ["selected_index"], "AppLayout": [], "Audio": None, "BoundedFloatText": ["value"],
    "BoundedIntText": ["value"], "Box": [], "Button": [], "ButtonStyle": [], "Checkbox": ["value"],
    "ColorPicker": None, "ColorsInput": None, "Combobox": ["value"], "Controller": None,
    "CoreWidget": None, "DOMWidget": None, "DatePicker": None, "DatetimePicker": None,
    "Dropdown": ["index"], "FileUpload": ["error", "value"], "FloatLogSlider": ["value"],
    "FloatProgress": [], "FloatRangeSlider": ["value"], "FloatSlider": ["value"], "FloatText": ["value"],
    "FloatsInput": None, "GridBox": [], "GridspecLayout": [], "HBox": [], "HTML": [], "HTMLMath": [],
    "Image": [], "IntProgress": [], "IntRangeSlider": ["value"], "IntSlider": ["value"],
    "IntText": ["value"], "IntsInput": None, "Label": [], "Layout": [], "NaiveDatetimePicker": None,
    "Output": None, "Password": ["value"], "Play": ["value"], "RadioButtons": ["index"],
    "Select": ["index"], "SelectMultiple": ["index"], "SelectionRangeSlider": ["index"],
    "SelectionSlider": ["index"], "SliderStyle": [], "Stack": [], "Style": [],
    "Tab": ["selected_index"], "TagsInput": None, "Text": ["value"], "Textarea": ["value"],
    "TimePicker": None, "ToggleButton": ["value"], "ToggleButtons": ["index"],
    "ToggleButtonsStyle": [], "TwoByTwoLayout": [], "VBox": [], "Valid": ["value"],
    "ValueWidget": None, "Video": None, "Widget": None, "interactive": [],
}


def _public_widget_classes() -> dict[str, type]:
    import inspect

    return {name: cls for name, cls in vars(widgets).items()
            if inspect.isclass(cls) and issubclass(cls, widgets.Widget)}


def test_every_public_ipywidgets_class_gets_the_keys_it_got_before():
    """Fails loudly when ipywidgets adds, removes or re-parents a public widget class."""
    from heavylegs_core.views.guard import editable_keys

    needs = {"SelectionSlider": {"options": ["a"]}, "SelectionRangeSlider": {"options": ["a"]},
             "GridspecLayout": {"n_rows": 1, "n_columns": 1}}
    public = _public_widget_classes()
    assert sorted(public) == sorted(PUBLIC_WIDGET_KEYS), (
        f"ipywidgets {widgets.__version__} has other public widget classes than the guard knows: "
        f"new {sorted(set(public) - set(PUBLIC_WIDGET_KEYS))}, gone {sorted(set(PUBLIC_WIDGET_KEYS) - set(public))}; "
        "add each new control to heavylegs_core.views.guard.EDITABLE (or here, as open) and update this table")
    for name, cls in public.items():
        widget = cls(lambda: None) if name == "interactive" else cls(**needs.get(name, {}))
        keys = editable_keys(widget)
        got = None if keys is None else sorted(keys)
        assert got == PUBLIC_WIDGET_KEYS[name], (
            f"ipywidgets {widgets.__version__}: the page may change {got} of a {name}, not {PUBLIC_WIDGET_KEYS[name]}")


# ---------------------------------------------------------------- the assessment app


@pytest.fixture
def app() -> AssessmentApp:
    import datetime as dt

    return AssessmentApp(today=dt.date(2026, 5, 1))


def test_every_widget_of_the_app_is_guarded_as_steps_are_built(app):
    assert all(is_guarded(w) for w in walk(app))
    app.go(+1)
    app.go(+1)
    assert all(is_guarded(w) for w in walk(app))


def test_hostile_state_in_the_app_is_shown_and_the_app_keeps_working(app):
    age = app.fields["age"].control
    from_page(age, {"value": 42})  # a number, not text
    assert app.errors.layout.display is None and "page sent a change" in app.errors.value
    from_page(age, {"value": "9" * 500})
    assert "500 characters" in app.errors.value
    assert age.value == ""
    from_page(app.units, {"index": 7})
    assert app.units.value == "km"
    # the app still answers: a normal change from the page clears the message and updates the results
    from_page(age, {"value": "34"})
    assert app.answers["age"] == 34
    assert app.errors.value == ""


def test_thousands_of_files_at_once_are_refused_with_a_message(app):
    app._build(app.keep_step)
    n = 3000
    from_page(app.resume, {"value": [upload_entry(f"f{i}.json", 1) for i in range(n)]},
              buffer_paths=[["value", i, "content"] for i in range(n)], buffers=[memoryview(b"x")] * n)
    assert "resume from one saved session file at a time" in app.errors.value
    app._build(app.history_step)
    from_page(app.upload, {"status": {"state": "done", "files": [{"index": i, "name": f"f{i}.csv", "size": 1}
                                                                 for i in range(MAX_UPLOAD_FILES + 1)]}})
    assert "upload status that is not valid" in app.errors.value
    assert app.metrics is None


def test_an_upload_announcing_a_false_size_is_refused(app):
    app._build(app.keep_step)
    from_page(app.resume, {"value": [upload_entry("week.json", 10)]},
              buffer_paths=[["value", 0, "content"]], buffers=[memoryview(b"x" * 5_000)])
    assert "5,000 bytes arrived but 10 were announced" in app.errors.value


def test_the_page_may_not_change_the_upload_ticket(app):
    app._build(app.history_step)
    token = app.upload.token
    from_page(app.upload, {"token": "A" * 43, "max_bytes": 10**15})
    assert app.upload.token == token and app.upload.max_bytes == MAX_UPLOAD_BYTES
    assert app.errors.layout.display is None


def test_the_dashboard_is_guarded_and_reports_in_its_own_error_box():
    from heavylegs_core.apps.dashboard.view import dashboard_app

    root = dashboard_app()
    assert all(is_guarded(w) for w in walk(root))
    controls = root.hl_controls
    kept = controls["acwr"].value
    from_page(controls["acwr"], {"index": 9})
    assert controls["acwr"].value == kept
    assert "ACWR: the page sent a change the app cannot accept" in controls["errors"].value
