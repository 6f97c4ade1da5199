"""The landing page: contents, the educational note, a real chart; kernel-free and in a browser."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from heavylegs_core.apps.landing.model import Entry, catalogue, contents_html
from heavylegs_core.apps.landing.view import landing_app
from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import LANDING_NOTEBOOK, NOTEBOOKS_DIR
from heavylegs_core.knowledge import educational_note


def _html(widget) -> str:
    return "".join(getattr(c, "value", "") for c in widget.children if isinstance(getattr(c, "value", None), str))


def test_landing_app_is_marked_ready_and_says_educational():
    app = landing_app()
    assert {"hl-app", "hl-ready"} <= set(app._dom_classes)
    assert educational_note().split(".")[0] in _html(app)


def test_every_app_and_lesson_notebook_is_linked_from_the_landing_page():
    html = contents_html(catalogue())
    for path in NOTEBOOKS_DIR.glob("*.ipynb"):
        if path.name == LANDING_NOTEBOOK:
            continue
        kind = json.loads(path.read_text())["metadata"].get("heavylegs", {}).get("kind")
        assert kind in ("app", "lesson"), f"{path.name} lacks metadata.heavylegs.kind"
        assert f'href="{path.name}"' in html


def test_contents_escapes_titles():
    html = contents_html([Entry("a.ipynb", "<img src=x onerror=alert(1)>", "app", "<b>x</b>")])
    assert "<img" not in html and "&lt;img" in html and "<b>" not in html


def test_changing_the_sample_athlete_redraws_the_chart():
    app = landing_app()
    pick = next(c for c in app.children if getattr(c, "description", "") == "Sample athlete")
    chart = next(c for c in app.children if "hl-chart" in c._dom_classes)
    before = chart.spec
    other = next(p for p in pick.options if p != pick.value)
    pick.value = other
    assert chart.spec != before
    assert other in json.dumps(chart.spec)


def test_a_failing_callback_shows_an_error_instead_of_failing_silently(monkeypatch):
    from heavylegs_core.apps.landing import view as landing

    app = landing.landing_app()
    pick = next(c for c in app.children if getattr(c, "description", "") == "Sample athlete")
    error = next(c for c in app.children if "hl-error" in c._dom_classes)
    monkeypatch.setattr(landing, "sample_spec", lambda p: (_ for _ in ()).throw(OSError("disk gone")))
    pick.value = next(p for p in pick.options if p != pick.value)
    assert "disk gone" in error.value and error.layout.display != "none"


@pytest.mark.e2e
def test_landing_page_is_ready_and_draws_its_chart_offline(guarded_page, voila_url):
    page = guarded_page
    page.goto(f"{voila_url}/voila/render/{LANDING_NOTEBOOK}")
    expect(page.locator(".hl-app.hl-ready")).to_be_visible(timeout=90_000)
    marks = page.locator(".hl-chart svg path[role='graphics-symbol'], .hl-chart svg .mark-rect path")
    expect(marks.first).to_be_attached(timeout=60_000)
    assert marks.count() > 5
    expect(page.get_by_text("not a diagnosis", exact=False).first).to_be_visible()
    assert page.locator(".jp-OutputArea-output .jp-RenderedText[data-mime-type*='stderr']").count() == 0


def test_the_cached_sample_chart_is_the_chart_the_code_draws(tmp_path, monkeypatch):
    from heavylegs_core.apps.landing import view as landing
    from heavylegs_core.views.chart_widget import to_spec

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh = json.loads(json.dumps(to_spec(landing.sample_chart("p02"))))
    assert landing.sample_spec("p02") == fresh  # built and stored
    assert list((tmp_path / "heavylegs" / "views").glob("landing-p02-*.json"))
    monkeypatch.setattr(landing, "sample_chart", lambda p: (_ for _ in ()).throw(AssertionError("rebuilt")))
    assert landing.sample_spec("p02") == fresh  # read back, not rebuilt
    with pytest.raises(UserError, match="unknown sample athlete"):
        landing.sample_spec("p99")


def test_cached_view_is_keyed_by_its_input_files(tmp_path, monkeypatch):
    from heavylegs_core.views.view_cache import cached_view

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    src = tmp_path / "input.csv"
    src.write_text("a\n1\n")
    calls = []

    def build() -> dict:
        calls.append(1)
        return {"rows": src.read_text().count("\n")}

    assert cached_view("t", "x", build, inputs=(src,)) == {"rows": 2}
    assert cached_view("t", "x", build, inputs=(src,)) == {"rows": 2} and len(calls) == 1
    src.write_text("a\n1\n2\n")  # new data: never the old view
    assert cached_view("t", "x", build, inputs=(src,)) == {"rows": 3} and len(calls) == 2
    assert len(list((tmp_path / "cache" / "heavylegs" / "views").glob("t-x-*.json"))) == 1  # the stale one is gone
    with pytest.raises(ValueError, match="cache names"):
        cached_view("t", "../x", build)


def test_with_its_chart_cached_the_landing_page_opens_without_pandas_or_altair(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from heavylegs_core.apps.landing.view import landing_app; landing_app(); "
            "print(sorted(m for m in ('pandas', 'altair', 'numpy') if m in sys.modules))")
    from heavylegs_core.views import chart_widget

    bundle = chart_widget._chart_js_path()  # reuse the bundled chart JavaScript (slow to rebuild)
    (tmp_path / "heavylegs").mkdir()
    (tmp_path / "heavylegs" / bundle.name).write_text(chart_widget.offline_chart_js(), encoding="utf-8")
    env = {**__import__("os").environ, "XDG_CACHE_HOME": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "pandas" in first.stdout  # the first kernel draws the chart and caches it
    assert again.stdout.strip() == "[]", again.stdout
