"""The load and sleep dashboard: widget logic without a kernel, and the whole page in a browser."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from playwright.sync_api import expect

from heavylegs_core.apps.dashboard import model as dashboard
from heavylegs_core.apps.dashboard import view as dashboard_ui
from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import NOTEBOOKS_DIR, PMDATA_DIR, pmdata_file
from heavylegs_core.domain.history import empty_ratings
from heavylegs_core.domain.metrics import daily_metrics
from heavylegs_core.domain.synthetic import synthetic_history
from heavylegs_core.io import uploads
from heavylegs_core.io.history import sample_history
from heavylegs_core.io.importers import ratings
from heavylegs_core.knowledge import educational_note
from heavylegs_core.serve import server
from heavylegs_core.views import chart_widget
from tests.upload_client import deliver

RATINGS_CSV = b"date,heavy_legs\n2019-11-05,6\n2019-11-12,\n2019-11-20,3.5\n"


@pytest.fixture
def app():
    return dashboard_ui.dashboard_app(athlete="p01")


def _field(chart) -> str:
    acwr = chart.spec["vconcat"][3]["layer"][2]
    return acwr["encoding"]["y"]["field"]


def _brush(chart, lo: str, hi: str) -> None:
    """What the browser sends when the user drags the brush (ms since 1970, UTC)."""
    ms = [pd.Timestamp(lo).value // 10**6, pd.Timestamp(hi).value // 10**6]
    chart._vl_selections = {"period": {"value": {"date": ms}, "store": []}}


# ---------------------------------------------------------------- kernel-free: the app


def test_app_is_ready_with_results_and_the_educational_note(app):
    assert {"hl-app", "hl-ready", "hl-dashboard"} <= set(app._dom_classes)
    c = app.hl_controls
    assert "hl-results" in c["summary"].value and "Whole history" in c["summary"].value
    assert "hl-chart" in c["chart"]._dom_classes
    html = "".join(getattr(w, "value", "") for w in app.children if isinstance(getattr(w, "value", None), str))
    assert educational_note().split(".")[0] in html
    assert "Lolli" in html and "Impellizzeri" in html  # the ACWR caveat beside the chart


def test_every_sample_athlete_and_the_synthetic_decade_draw(app):
    c = app.hl_controls
    for value in [v for _, v in c["pick"].options if v != "p01"]:
        before = c["chart"].spec
        c["pick"].value = value
        assert c["errors"].value == "", value
        assert c["chart"].spec != before
    assert c["pick"].value == "synthetic-10y"
    assert "weekly values" in c["status"].value and "not a real person" in c["status"].value


def test_acwr_toggle_switches_the_ratio(app):
    c = app.hl_controls
    assert _field(c["chart"]) == "acwr_uncoupled"
    for kind in ("coupled", "ewma"):
        c["acwr"].value = kind
        assert _field(c["chart"]) == f"acwr_{kind}"
        assert f"Highest ACWR, {dashboard.ACWR_LABELS[kind]}" in c["summary"].value


def test_acwr_kind_and_unit_are_validated(app):
    from traitlets import TraitError

    c = app.hl_controls
    with pytest.raises(TraitError):
        c["acwr"].value = "rolling"
    h = synthetic_history(1.0)
    m = daily_metrics(h.sessions, h.nights)
    with pytest.raises(ValueError, match="ACWR kind"):
        dashboard.period_summary(m, h.ratings, None, acwr_kind="rolling")
    with pytest.raises(ValueError, match="unit"):
        dashboard.period_summary(m, h.ratings, None, unit="yd")


def test_miles_toggle_converts_distances_in_table_and_tooltips():
    app = dashboard_ui.dashboard_app(athlete="synthetic-1y")
    c = app.hl_controls
    km = _row(c["summary"].value, "Run distance")
    c["unit"].value = "mi"
    mi = _row(c["summary"].value, "Run distance")
    assert km[1] == "km" and mi[1] == "mi"
    assert float(mi[0].replace(",", "")) == pytest.approx(float(km[0].replace(",", "")) / 1.609344, abs=0.1)
    assert "Run distance (mi)" in str(c["chart"].spec)


def _row(html: str, measure: str) -> tuple[str, str]:
    table = pd.read_html(__import__("io").StringIO(html))[0]
    row = table.loc[table["Measure"] == measure].iloc[0]
    return str(row["Value"]), str(row["Unit"])


def test_the_brush_updates_the_summary_table_and_survives_a_redraw(app):
    c = app.hl_controls
    _brush(c["chart"], "2019-12-01", "2019-12-31")
    assert "Selected period" in c["summary"].value
    assert _row(c["summary"].value, "Period") == ("01 Dec 2019 – 31 Dec 2019", "31 days")
    c["acwr"].value = "ewma"  # a new chart: the brush is gone, the table shows everything again
    assert "Whole history" in c["summary"].value
    _brush(c["chart"], "2020-01-01", "2020-01-10")
    assert _row(c["summary"].value, "Period")[1] == "10 days"
    c["chart"]._vl_selections = {"period": {"value": {}, "store": []}}  # double-click clears the brush
    assert "Whole history" in c["summary"].value


def test_a_malformed_selection_from_the_browser_is_reported(app):
    c = app.hl_controls
    c["chart"]._vl_selections = {"period": {"value": {"date": ["yesterday", None]}, "store": []}}
    assert c["errors"].value and c["errors"].layout.display != "none"


@pytest.mark.parametrize(("value", "expected"), [
    (None, None),
    ({}, None),
    ({"date": [1704067200000, 1706659200000]}, ("2024-01-01", "2024-01-31")),
    ({"date": [1706659200000.0, 1704067200000.0]}, ("2024-01-01", "2024-01-31")),
    ({"date": ["2024-01-01T00:00:00.000Z", "2024-01-31T12:00:00.000Z"]}, ("2024-01-01", "2024-01-31")),
])
def test_selected_period(value, expected):
    got = dashboard.selected_period(value)
    assert got == (None if expected is None else tuple(pd.Timestamp(e) for e in expected))


@pytest.mark.parametrize(("value", "error"), [
    ({"day": [1, 2]}, ValueError), ({"date": [1]}, ValueError), ({"date": [True, 2]}, TypeError),
    ({"date": [float("nan"), 2]}, ValueError), ({"date": [{}, 2]}, TypeError),
])
def test_selected_period_rejects_junk(value, error):
    with pytest.raises(error):
        dashboard.selected_period(value)


def test_period_summary_adds_up_the_daily_table():
    h = synthetic_history(1.0, seed=11)
    m = daily_metrics(h.sessions, h.nights)
    lo, hi = pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-29")
    t = dashboard.period_summary(m, h.ratings, (lo, hi)).set_index("measure")["value"]
    part = m[(m["date"] >= lo) & (m["date"] <= hi)]
    assert t["Sessions"] == str(int(part["sessions"].sum()))
    assert t["Total load"] == f"{part['load'].sum():,.0f}"
    assert t["Nights under 6 h"] == str(int((part["sleep_h"] < 6).sum()))
    r = h.ratings[(h.ratings["date"] >= lo) & (h.ratings["date"] <= hi)]
    assert t["Heavy-legs ratings"] == str(len(r))
    empty = dashboard.period_summary(m, h.ratings, (pd.Timestamp("1990-01-01"), pd.Timestamp("1990-02-01")))
    assert "no days" in empty["value"].iloc[0]


def test_period_summary_leaves_out_ratios_after_a_break_and_says_how_many():
    h = sample_history("p01")  # weeks off in December 2019: the uncoupled ratio peaks at 17.50
    m = daily_metrics(h.sessions, h.nights)
    assert m["acwr_uncoupled"].max() == pytest.approx(17.5)
    t = dashboard.period_summary(m, h.ratings, None, acwr_kind="uncoupled").set_index("measure")["value"]
    broken = (m["acwr_meaningful"] == False) & m["acwr_uncoupled"].notna()
    kept = m.loc[m["acwr_meaningful"] == True, "acwr_uncoupled"]
    assert t["Highest ACWR, uncoupled (7 ÷ the 21 days before)"] == f"{kept.max():.2f}"
    assert float(t["Highest ACWR, uncoupled (7 ÷ the 21 days before)"]) < 3
    assert t["ACWR days left out (after a break: not meaningful)"] == str(int(broken.sum())) != "0"
    assert t["Days with ACWR above 1.3"] == str(int((kept > 1.3).sum()))


def test_summary_html_escapes():
    html = dashboard.summary_html(pd.DataFrame([("<b>x</b>", "<img>", "u")], columns=["measure", "value", "unit"]),
                                  caption="<script>")
    assert "<b>" not in html and "<img>" not in html and "<script>" not in html and "&lt;img&gt;" in html


# ---------------------------------------------------------------- uploads


def _received(folder: Path, files: list[tuple[str, bytes]]) -> list[uploads.Received]:
    """Files as they arrive in an upload ticket (``<index>-<sanitised name>``), as the app gets them."""
    out = []
    for i, (name, data) in enumerate(files):
        safe = uploads.safe_filename(name)
        path = folder / f"{i:04d}-{safe}"
        path.write_bytes(data)
        out.append(uploads.Received(i, safe, path, len(data)))
    return out


def test_uploads_are_read_where_they_arrived_and_named_as_uploaded(tmp_path):
    files = _received(tmp_path, [("srpe.csv", pmdata_file("p01", "srpe.csv").read_bytes()),
                                 ("../../legs.csv", RATINGS_CSV)])
    m = dashboard.DashboardModel.create(athlete="p01")
    notes = m.upload(files, tz="Europe/Oslo")
    history = m.history
    assert m.key == dashboard.UPLOADED and history is not None
    assert len(history.sessions) > 10
    assert history.ratings["heavy_legs"].tolist() == [6.0, 3.5]
    assert any("legs.csv: 2 heavy-legs ratings" in n for n in notes)
    with pytest.raises(UserError) as e:
        m.upload(_received(tmp_path, [("notes.csv", b"hello,world")]))
    assert "notes.csv" in str(e.value) and str(tmp_path) not in str(e.value)  # never the private path
    with pytest.raises(UserError, match="no file was uploaded"):
        m.upload([])


def test_uploading_through_the_widget_shows_the_uploaded_athlete(app):
    c = app.hl_controls
    ticket = c["uploader"].ticket
    deliver(c["uploader"], [("srpe.csv", pmdata_file("p02", "srpe.csv").read_bytes()), ("legs.csv", RATINGS_CSV)])
    assert c["errors"].value == ""
    assert c["pick"].value == dashboard.UPLOADED
    assert "Uploaded files" in c["status"].value and "2 heavy-legs ratings" in c["status"].value
    assert "heavy_legs" in str(c["chart"].spec)
    assert not ticket.folder.exists()  # the uploaded files are deleted once read
    assert NOTEBOOKS_DIR not in ticket.folder.parents and PMDATA_DIR not in ticket.folder.parents


@pytest.mark.parametrize(("files", "tz", "message"), [
    ([("legs.csv", b"date,heavy_legs\n2024-01-01,11\n")], "UTC", "not a number from 0 to 10"),
    ([("legs.csv", b"date,heavy_legs\nsoon,4\n")], "UTC", "cannot read the date"),
    ([("srpe.csv", b"x")], "Mars/Olympus", "unknown time zone"),
])
def test_bad_uploads_show_a_message_naming_the_problem(app, files, tz, message):
    c = app.hl_controls
    c["tz"].value = tz
    deliver(c["uploader"], files)
    assert message in c["errors"].value
    assert c["pick"].value == "p01"


def _saved_assessment(as_of: str | None, top: str | None = "Sleep") -> bytes:
    """A saved session as the assessment app downloads it (interfaces.md section 4 result)."""
    import json

    contributors = [{"id": "sleep", "name": top, "probability": 0.4, "evidence": [], "actions": [],
                     "recheck_days": 7}] if top else []
    return json.dumps({"heavylegs": "assessment", "athlete": "A", "saved_at": "2019-12-02T10:00:00+00:00",
                       "answers": {"in_run": "midway"}, "history_summary": {},
                       "result": {"model_version": "x", "as_of": as_of, "contributors": contributors,
                                  "triage": {"level": "none", "flags": []},
                                  "todays_call": {"id": "ease", "text": "ease"}}}).encode()


def test_saved_assessments_become_markers_and_are_counted(tmp_path):
    files = _received(tmp_path, [("srpe.csv", pmdata_file("p01", "srpe.csv").read_bytes()),
                                 ("check-1.json", _saved_assessment("2019-11-20")),
                                 ("check-2.json", _saved_assessment(None, top=None))])
    m = dashboard.DashboardModel.create(athlete="p01")
    notes = m.upload(files)
    history = m.history
    assert history.assessments["date"].tolist() == [pd.Timestamp("2019-11-20"), pd.Timestamp("2019-12-02")]
    assert history.assessments["note"].tolist() == ["Sleep (top contributor)", "no contributor stood out"]
    assert any("saved assessment of 20 Nov 2019" in n for n in notes)
    app = dashboard_ui.dashboard_app(history=history)
    c = app.hl_controls
    assert "2 saved assessments" in c["status"].value
    assert _row(c["summary"].value, "Saved assessments") == ("2", "count")
    _brush(c["chart"], "2019-11-01", "2019-11-25")
    assert _row(c["summary"].value, "Saved assessments") == ("1", "count")
    assert "Sleep (top contributor)" in str(c["chart"].spec)


def test_a_saved_assessment_without_a_date_is_reported(tmp_path):
    p = tmp_path / "a.json"
    p.write_bytes(_saved_assessment("soon").replace(b'"saved_at": "2019-12-02T10:00:00+00:00"', b'"saved_at": ""'))
    with pytest.raises(UserError, match="without a readable date"):
        ratings.read_assessment_json(p)
    other = tmp_path / "b.json"
    other.write_text('{"sleep": []}')
    assert ratings.read_assessment_json(other) is None


def test_ratings_csv_without_a_rating_column_is_not_a_ratings_file(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("date,duration_min\n2024-01-01,30\n")
    assert ratings.read_ratings_csv(p) is None


# ---------------------------------------------------------------- export and errors


@pytest.mark.parametrize(("button", "magic"), [("png", b"\x89PNG"), ("svg", b"<svg")])
def test_export_buttons_offer_an_image_download(app, button, magic):
    c = app.hl_controls
    c[button].click()
    assert c["errors"].value == ""
    html = c["download"].value
    assert 'download="heavylegs-dashboard-' in html and f".{button}" in html
    data = base64.b64decode(html.split(";base64,", 1)[1].split('"', 1)[0])
    assert data.startswith(magic)


def test_download_link_sanitises_the_name():
    html = dashboard.download_link(b"x", "svg", 'a"><script>')
    assert "<script>" not in html and 'download="a___script_.svg"' in html
    with pytest.raises(ValueError, match="format"):
        dashboard.download_link(b"x", "pdf", "a")


def test_a_failing_callback_shows_an_error_instead_of_failing_silently(app, monkeypatch):
    c = app.hl_controls
    monkeypatch.setattr(dashboard, "period_summary", lambda *a, **k: (_ for _ in ()).throw(OSError("disk gone")))
    _brush(c["chart"], "2019-12-01", "2019-12-31")
    assert "disk gone" in c["errors"].value and c["errors"].layout.display != "none"


def test_a_given_history_is_shown_first():
    h = synthetic_history(0.5)
    app = dashboard_ui.dashboard_app(history=h)
    assert app.hl_controls["pick"].value == dashboard.GIVEN
    with pytest.raises(UserError, match="unknown athlete"):
        dashboard_ui.dashboard_app(athlete="p99")
    empty = type(h)(sessions=h.sessions.iloc[:0], nights=h.nights.iloc[:0], ratings=empty_ratings())
    with pytest.raises(UserError, match="no sessions or nights"):
        dashboard_ui.dashboard_app(history=empty)


# ---------------------------------------------------------------- the chart's JavaScript


def test_chart_widget_ships_a_small_loader_not_the_bundle(app):
    chart = app.hl_controls["chart"]
    assert len(chart._esm) < 3000 and "voila/templates/heavylegs/static/" in chart._esm
    name = chart_widget.publish_chart_js()
    assert name is not None and name in chart._esm
    published = [d / name for d in chart_widget.template_static_dirs() if (d / name).is_file()]
    assert published and published[0].read_text(encoding="utf-8") == chart_widget.offline_chart_js()


def test_chart_widget_sends_the_bundle_when_the_static_url_is_missing(app, monkeypatch):
    chart = app.hl_controls["chart"]
    sent: list[dict] = []
    monkeypatch.setattr(chart, "send", lambda content, buffers=None: sent.append(content))
    chart._send_bundle(chart, {"type": "something else"}, [])
    assert sent == []
    chart._send_bundle(chart, {"type": "hl-chart-bundle-request"}, [])
    assert sent[0]["type"] == "hl-chart-bundle" and sent[0]["source"] == chart_widget.offline_chart_js()


def test_offline_chart_speaks_the_model_traits_of_altairs_jupyterchart():
    """``OfflineChart`` copies the synced traits of ``altair.JupyterChart`` (issue 22).

    It does not subclass JupyterChart, so that a kernel showing a cached spec never imports
    Altair or pandas; the bundle it loads is JupyterChart's own JavaScript, which reads these
    traits, some of them private to Altair (``_vl_selections``, ``_params``, ``_js_*``). An
    Altair release that renames, adds or retypes one fails here, naming the version and the trait.
    """
    import altair as alt
    import anywidget

    common = set(anywidget.AnyWidget.class_trait_names(sync=True))
    theirs = {n: t for n, t in alt.JupyterChart.class_traits(sync=True).items() if n not in common}
    ours = {n: t for n, t in chart_widget._offline_chart_class().class_traits(sync=True).items() if n not in common}
    missing, extra = sorted(set(theirs) - set(ours)), sorted(set(ours) - set(theirs))
    assert not missing, f"altair {alt.__version__}: JupyterChart syncs {missing}, which OfflineChart lacks"
    assert not extra, f"altair {alt.__version__}: JupyterChart no longer has {extra}, which OfflineChart syncs"
    for name, trait in theirs.items():
        mine = ours[name]
        assert (type(mine), mine.default_value, mine.allow_none) == (type(trait), trait.default_value,
                                                                     trait.allow_none), (
            f"altair {alt.__version__}: JupyterChart.{name} is {type(trait).__name__}(default "
            f"{trait.default_value!r}, allow_none={trait.allow_none}); OfflineChart.{name} differs")


def test_the_offline_bundle_comes_from_altairs_public_switch():
    """``offline_chart_js`` uses ``JupyterChart.enable_offline()`` and anywidget's ``_esm`` (issue 22)."""
    import re

    import altair as alt

    assert callable(getattr(alt.JupyterChart, "enable_offline", None)), (
        f"altair {alt.__version__} has no JupyterChart.enable_offline(): update chart_widget.offline_chart_js")
    alt.JupyterChart.enable_offline()
    src = getattr(alt.JupyterChart, "_esm", None)
    assert isinstance(src, str) and len(src) > 100_000, (
        f"altair {alt.__version__}: JupyterChart._esm is not the bundled module after enable_offline()")
    assert not re.search(r"""(?:from|import)\s*\(?\s*["']https?://""", src), "the offline bundle imports from a CDN"
    assert src == chart_widget.offline_chart_js()


# ---------------------------------------------------------------- in a browser

MARK_LENGTHS = """() => Array.from({length: 7}, (_, i) => {
  const g = document.querySelector(`.hl-chart svg g.concat_${i}_group`);
  if (!g) return -1;
  let n = 0;
  g.querySelectorAll('.role-mark:not(.period_brush):not(.period_brush_bg) path')
    .forEach((p) => { n += (p.getAttribute('d') || '').length; });
  return n;
})"""


@pytest.fixture(scope="module")
def decade_url(tmp_path_factory):
    """Voila on a folder holding one notebook: the dashboard with the 10-year synthetic history."""
    folder = tmp_path_factory.mktemp("dashboard10y")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "from heavylegs_core.apps.dashboard.view import dashboard_app\ndashboard_app(athlete='synthetic-10y')")]
    nbformat.write(nb, folder / "dashboard_10y.ipynb")
    # where the template's static URL is not served (JupyterLab without Voila's server
    # extension), the chart asks the kernel for its JavaScript: simulate that here
    fallback = nbformat.v4.new_notebook()
    fallback.cells = [nbformat.v4.new_code_cell(
        "from heavylegs_core.views import chart_widget\n"
        "chart_widget.publish_chart_js = lambda: None\n"
        "from heavylegs_core.apps.dashboard.view import dashboard_app\n"
        "dashboard_app(athlete='p01')")]
    nbformat.write(fallback, folder / "no_static_bundle.ipynb")
    port = server.free_port()
    base = f"http://{server.HOST}:{port}"
    with server.running(server.voila_command(port, notebooks=folder, show_tracebacks=True), url=base + "/",
                        log=folder / "voila.log"):
        yield f"{base}/voila/render/dashboard_10y.ipynb"


@pytest.mark.e2e
def test_ten_year_dashboard_draws_every_chart_brushes_and_stays_under_2_mb(guarded_page, context, decade_url):
    page = guarded_page
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    got = {"http": 0, "ws": 0}

    def on_ws(e: dict) -> None:
        data = e["response"].get("payloadData", "")
        got["ws"] += len(base64.b64decode(data)) if e["response"].get("opcode") == 2 else len(data.encode())

    cdp.on("Network.loadingFinished", lambda e: got.__setitem__("http", got["http"] + int(e["encodedDataLength"])))
    cdp.on("Network.webSocketFrameReceived", on_ws)
    page.goto(decade_url)
    expect(page.locator(".hl-app.hl-ready")).to_be_visible(timeout=120_000)
    expect(page.locator(".hl-chart svg g.concat_6_group").first).to_be_attached(timeout=90_000)
    page.wait_for_function(f"({MARK_LENGTHS})().every((n) => n > 300)", timeout=60_000)
    lengths = page.evaluate(MARK_LENGTHS)
    assert all(n > 300 for n in lengths), lengths  # every panel drew data marks, not just reference lines
    page.wait_for_timeout(1500)
    total = got["http"] + got["ws"]
    assert total < 2_000_000, got

    summary = page.locator(".hl-summary caption")
    expect(summary).to_contain_text("Whole history")
    box = page.locator(".hl-chart svg g.concat_0_group .mark-area path").first.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] * 0.5
    page.mouse.move(box["x"] + box["width"] * 0.40, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.55, y, steps=8)
    page.mouse.up()
    expect(summary).to_have_text("Selected period", timeout=30_000)
    expect(page.locator(".hl-summary td").first).not_to_contain_text("2016")  # zoomed into the middle years
    expect(page.locator(".hl-error")).to_be_hidden()


@pytest.mark.e2e
def test_chart_draws_with_the_bundle_sent_by_the_kernel_when_no_static_file_is_served(guarded_page, decade_url):
    page = guarded_page
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(decade_url.replace("dashboard_10y.ipynb", "no_static_bundle.ipynb"))
    expect(page.locator(".hl-app.hl-ready")).to_be_visible(timeout=120_000)
    page.wait_for_function(f"({MARK_LENGTHS})().every((n) => n > 300)", timeout=90_000)
    assert not [u for u in requested if "jupyterchart-" in u]  # the JavaScript came over the widget's comm


@pytest.mark.e2e
def test_dashboard_notebook_serves_a_sample_athlete_and_its_controls_work(guarded_page, voila_url):
    page = guarded_page
    page.goto(f"{voila_url}/voila/render/02_dashboard.ipynb")
    expect(page.locator(".hl-app.hl-dashboard.hl-ready")).to_be_visible(timeout=120_000)
    page.wait_for_function(f"({MARK_LENGTHS})().every((n) => n > 100)", timeout=90_000)
    expect(page.locator(".hl-status")).to_contain_text("PMData p01 (real data)")
    page.get_by_role("button", name="EWMA").click()
    expect(page.locator(".hl-chart svg").get_by_text("EWMA (Williams 2017)", exact=False).first).to_be_attached(
        timeout=60_000)
    page.get_by_role("button", name="miles").click()
    expect(page.locator(".hl-summary")).to_contain_text("mi", timeout=30_000)
    page.get_by_role("button", name="Export SVG").click()
    expect(page.locator("a.hl-download")).to_have_attribute("download", re.compile(r"heavylegs-dashboard-\d+\.svg"),
                                                            timeout=60_000)
    with page.expect_file_chooser() as chooser:
        page.locator(".hl-dashboard-upload .hl-upload-pick").click()
    chooser.value.set_files([
        {"name": "srpe.csv", "mimeType": "text/csv", "buffer": pmdata_file("p03", "srpe.csv").read_bytes()},
        {"name": "legs.csv", "mimeType": "text/csv", "buffer": RATINGS_CSV},
    ])
    expect(page.locator(".hl-status")).to_contain_text("Uploaded files", timeout=60_000)
    expect(page.locator(".hl-status")).to_contain_text("2 heavy-legs ratings")
    expect(page.locator(".hl-error")).to_be_hidden()
    assert page.locator(".jp-OutputArea-output .jp-RenderedText[data-mime-type*='stderr']").count() == 0


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory):
    """JupyterLab (with Voila's server extension, as installed) on a folder with two dashboard notebooks."""
    import sys

    folder = tmp_path_factory.mktemp("lab")
    for name, pre in (("static.ipynb", ""),
                      ("no_static.ipynb", "from heavylegs_core.views import chart_widget\nchart_widget.publish_chart_js = lambda: None\n")):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(pre + "from heavylegs_core.apps.dashboard.view import dashboard_app\n"
                                                    "dashboard_app(athlete='p01')")]
        nbformat.write(nb, folder / name)
    port = server.free_port()
    base = f"http://{server.HOST}:{port}"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", f"--ServerApp.ip={server.HOST}",
           "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={folder}", "--allow-root",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    with server.running(cmd, url=base + "/lab", log=folder / "lab.log"):
        yield base


@pytest.mark.e2e
@pytest.mark.parametrize("notebook", ["static.ipynb", "no_static.ipynb"])
def test_dashboard_draws_offline_in_jupyterlab(guarded_page, lab_url, notebook):
    page = guarded_page
    page.goto(f"{lab_url}/lab/workspaces/{Path(notebook).stem}/tree/{notebook}")  # one workspace per test
    expect(page.locator(".jp-Notebook .jp-Cell").first).to_be_visible(timeout=90_000)
    page.wait_for_timeout(2000)  # the kernel session is attached after the notebook shows
    page.locator(".jp-Cell").first.click()
    page.keyboard.press("Shift+Enter")
    expect(page.locator(".hl-app.hl-ready")).to_be_visible(timeout=120_000)
    page.wait_for_function(f"({MARK_LENGTHS})().every((n) => n > 100)", timeout=90_000)


# ---------------------------------------------------------------- cached first views


def test_a_cached_view_shows_what_the_code_draws_and_interactions_still_work(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = dashboard_ui.dashboard_app(athlete="p01").hl_controls  # draws live and stores the view
    assert list((tmp_path / "heavylegs" / "views").glob("dashboard-p01_uncoupled_km-*.json"))
    cached = dashboard_ui.dashboard_app(athlete="p01").hl_controls
    assert cached["model"].history is None  # nothing loaded yet: the view came from the cache
    for name in ("status", "summary"):
        assert cached[name].value == built[name].value
    assert cached["chart"].spec == built["chart"].spec
    h = sample_history("p01")
    fresh = dashboard_ui.dashboard_view(h)
    assert cached["chart"].spec == fresh["spec"] and cached["summary"].value == fresh["summary"]
    for c in (built, cached):  # the daily table loads when the brush needs it
        _brush(c["chart"], "2019-12-01", "2019-12-31")
    assert cached["summary"].value == built["summary"].value and "Selected period" in cached["summary"].value
    cached["acwr"].value = "ewma"
    assert _field(cached["chart"]) == "acwr_ewma" and cached["errors"].value == ""


def test_with_its_view_cached_the_dashboard_opens_without_pandas_or_altair(tmp_path):
    import os
    import subprocess
    import sys

    code = ("import sys; from heavylegs_core.apps.dashboard.view import dashboard_app; dashboard_app(); "
            "print(sorted(m for m in ('pandas', 'altair', 'numpy') if m in sys.modules))")
    from heavylegs_core.views import chart_widget

    bundle = chart_widget._chart_js_path()  # reuse the bundled chart JavaScript (slow to rebuild)
    (tmp_path / "heavylegs").mkdir()
    (tmp_path / "heavylegs" / bundle.name).write_text(chart_widget.offline_chart_js(), encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "pandas" in first.stdout
    assert again.stdout.strip() == "[]", again.stdout




def test_the_dashboards_default_sleep_need_is_the_profiles():
    from heavylegs_core.domain.profile import AthleteProfile

    assert AthleteProfile().sleep_need_h == dashboard.DEFAULT_SLEEP_NEED_H
