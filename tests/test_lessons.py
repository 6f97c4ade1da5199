"""Lesson notebooks: stated numbers match the package, widgets work without a kernel."""

from __future__ import annotations

import importlib
import json
import re

import pytest

from heavylegs_core.catalogue import catalogue
from heavylegs_core.lessons import Question, feedback_html, quiz_app, reveal_html
from heavylegs_core.paths import NOTEBOOKS_DIR

# Every computed figure a lesson's Markdown states is written in bold (**...**). This table maps
# each notebook to its lesson module and each bold figure to the FACTS key that computes it.
STATED: dict[str, tuple[str, dict[str, str]]] = {
    "11_lesson_fitness_fatigue.ipynb": ("heavylegs_core.lessons.fitness_fatigue", {
        "0.0235": "k_ctl",
        "0.1331": "k_atl",
        "21 days": "atl_95",
        "126 days": "ctl_95_exp",
        "125 days": "ctl_95_inverse",
        "5 days": "atl_half_life",
        "29 days": "ctl_half_life",
        "38 AU/day": "block_ctl_end",
        "-22 AU/day": "block_tsb_end",
        "8 days": "block_fresh_after",
        "205 AU/day": "real_ctl_peak",
        "March 2020": "real_ctl_peak_month",
    }),
}

BOLD = re.compile(r"\*\*([^*]+)\*\*")


def _notebook(name: str) -> dict:
    return json.loads((NOTEBOOKS_DIR / name).read_text(encoding="utf-8"))


def _markdown(name: str) -> str:
    return "\n".join("".join(c["source"]) for c in _notebook(name)["cells"] if c["cell_type"] == "markdown")


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _find(root, cls, **attrs):
    return [w for w in _walk(root) if isinstance(w, cls) and all(getattr(w, k) == v for k, v in attrs.items())]


# ------------------------------------------------------------------ notebooks and their numbers

@pytest.mark.parametrize("name", sorted(STATED))
def test_every_number_the_text_states_is_computed_by_the_package(name):
    module_name, stated = STATED[name]
    facts = importlib.import_module(module_name).FACTS
    text = _markdown(name)
    for shown, key in stated.items():
        assert facts[key] == shown, f"{name}: text says {shown!r}, package computes {facts[key]!r} ({key})"
        assert f"**{shown}**" in text, f"{name}: {shown!r} is no longer in the text"
    bold_figures = {b for b in BOLD.findall(text) if re.search(r"\d", b)}
    assert bold_figures <= set(stated), f"{name}: bold figures without a check: {bold_figures - set(stated)}"


@pytest.mark.parametrize("name", sorted(STATED))
def test_lesson_notebook_is_a_thin_cleared_lesson_listed_on_the_landing_page(name):
    nb = _notebook(name)
    meta = nb["metadata"]
    assert meta["heavylegs"]["kind"] == "lesson" and meta["heavylegs"]["summary"]
    assert meta["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert all(len("".join(c["source"]).strip().splitlines()) <= 3 for c in code)
    assert "heavylegs_core.lessons" in "".join(code[0]["source"])
    assert name in {e.file for e in catalogue()}
    assert "quiz_app()" in "".join("".join(c["source"]) for c in code)


# ------------------------------------------------------------------ the quiz

def _question() -> Question:
    return Question("Is <b>2</b> > 1?", ("yes <i>", "no"), 0, "Two & more <script>x</script>.")


def test_quiz_gives_feedback_on_check_and_a_reveal():
    app = quiz_app([_question()])
    assert {"hl-app", "hl-ready"} <= set(app._dom_classes)
    import ipywidgets as w

    radio = _find(app, w.RadioButtons)[0]
    check = _find(app, w.Button, description="Check")[0]
    reveal = _find(app, w.Button, description="Reveal answer")[0]
    feedback = next(h for h in _find(app, w.HTML) if h.value == "" and "hl-error" not in h._dom_classes)
    check.click()
    assert "Pick an answer" in feedback.value
    radio.value = 1
    check.click()
    assert "Not quite" in feedback.value and "Two" not in feedback.value
    radio.value = 0
    assert feedback.value == ""  # a new choice clears the old verdict
    check.click()
    assert "Right" in feedback.value and "Two &amp; more" in feedback.value
    reveal.click()
    assert "Answer:" in feedback.value and "yes &lt;i&gt;" in feedback.value


def test_quiz_text_is_escaped():
    q = _question()
    html = "".join(h.value for h in _find(quiz_app([q]), __import__("ipywidgets").HTML))
    assert "<b>2</b>" not in html and "&lt;b&gt;2&lt;/b&gt;" in html
    assert "<script>" not in reveal_html(q) + feedback_html(q, 0)


@pytest.mark.parametrize(("options", "correct", "why"), [
    (("a",), 0, "at least two"), (("a", "a"), 0, "different"), (("a", "b"), 2, "must index")])
def test_a_malformed_question_is_refused(options, correct, why):
    with pytest.raises(ValueError, match=why):
        Question("q", options, correct, "e")


def test_a_failing_quiz_callback_shows_an_error(monkeypatch):
    import ipywidgets as w

    from heavylegs_core import lessons

    app = quiz_app([_question()])
    monkeypatch.setattr(lessons, "feedback_html", lambda q, c: (_ for _ in ()).throw(OSError("broken")))
    _find(app, w.Button, description="Check")[0].click()
    error = next(c for c in app.children if "hl-error" in c._dom_classes)
    assert "broken" in error.value and error.layout.display != "none"


# ------------------------------------------------------------------ lesson 1

def test_lesson1_constant_load_and_half_lives_follow_the_recursion():
    from heavylegs_core.lessons import fitness_fatigue as f
    from heavylegs_core.metrics import fitness_fatigue

    n = f.days_to_share(42)
    ctl = fitness_fatigue([100.0] * n, 42)
    assert ctl[-1] >= 95 > ctl[-2]
    assert f.days_to_share(42, k_mode="inverse") < n  # k = 1/τ is slightly faster
    assert f.half_life(7) == pytest.approx(7 * 0.6931, rel=0.02)


def test_lesson1_block_tsb_is_yesterdays_ctl_minus_atl_and_taper_freshens():
    from heavylegs_core.lessons import fitness_fatigue as f

    sim = f.simulate_block(60, 42, 0.3)
    assert sim["tsb"].iloc[0] == 0
    assert sim["tsb"].iloc[10] == pytest.approx(sim["ctl"].iloc[9] - sim["atl"].iloc[9])
    s = f.block_summary(sim, 42)
    assert s["tsb_end"] < 0 < sim["tsb"].iloc[-1]
    with pytest.raises(ValueError, match="shorter"):
        f.simulate_block(tau_fitness=7, tau_fatigue=7)


def test_lesson1_sliders_redraw_chart_and_summary_and_failures_show_an_error(monkeypatch):
    import ipywidgets as w

    from heavylegs_core.lessons import fitness_fatigue as f

    app = f.block_app()
    assert {"hl-app", "hl-ready"} <= set(app._dom_classes)
    chart = next(c for c in app.children if "hl-chart" in c._dom_classes)
    summary = next(c for c in _find(app, w.HTML) if "hl-lesson-summary" in c.value)
    before_spec, before_text = chart.spec, summary.value
    _find(app, w.IntSlider, description="Block load (AU/day)")[0].value = 100
    assert chart.spec != before_spec and summary.value != before_text
    assert "100 AU/day" in json.dumps(chart.spec)
    # the sliders' ranges keep fatigue shorter than fitness; a failure still becomes a visible message
    fit = _find(app, w.IntSlider, description="Fitness time constant (days)")[0]
    assert fit.min > _find(app, w.IntSlider, description="Fatigue time constant (days)")[0].max
    monkeypatch.setattr(f, "simulate_block", lambda *a, **k: (_ for _ in ()).throw(OSError("no memory")))
    fit.value = 50
    error = next(c for c in app.children if "hl-error" in c._dom_classes)
    assert "no memory" in error.value and error.layout.display != "none"


def test_lesson1_real_athlete_chart_follows_the_dropdown_and_is_attributed():
    import ipywidgets as w

    from heavylegs_core.lessons import fitness_fatigue as f

    app = f.athlete_app()
    assert {"hl-app", "hl-ready"} <= set(app._dom_classes)
    assert "PMData (Thambawita" in "".join(h.value for h in _find(app, w.HTML))
    chart = next(c for c in app.children if "hl-chart" in c._dom_classes)
    pick = _find(app, w.Dropdown)[0]
    pick.value = "p04"
    assert "p04" in json.dumps(chart.spec)
