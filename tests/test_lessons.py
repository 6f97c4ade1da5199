"""Lesson notebooks: stated numbers match the package, widgets work without a kernel."""

from __future__ import annotations

import importlib
import json
import re

import pytest

from heavylegs_core.apps.landing.model import catalogue
from heavylegs_core.apps.lessons.quiz.model import Question, feedback_html, reveal_html
from heavylegs_core.apps.lessons.quiz.view import quiz_app
from heavylegs_core.base.paths import NOTEBOOKS_DIR

# Every computed figure a lesson's Markdown states is written in bold (**...**). This table maps
# each notebook to its lesson's model module and each bold figure to the FACTS key that computes it.
STATED: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "11_lesson_fitness_fatigue.ipynb": ("heavylegs_core.apps.lessons.fitness_fatigue.model", (
        ("0.0235", "k_ctl"),
        ("0.1331", "k_atl"),
        ("21 days", "atl_95"),
        ("126 days", "ctl_95_exp"),
        ("125 days", "ctl_95_inverse"),
        ("5 days", "atl_half_life"),
        ("29 days", "ctl_half_life"),
        ("38 AU/day", "block_ctl_end"),
        ("-22 AU/day", "block_tsb_end"),
        ("8 days", "block_fresh_after"),
        ("205 AU/day", "real_ctl_peak"),
        ("March 2020", "real_ctl_peak_month"),
    )),
    "12_lesson_acwr.ipynb": ("heavylegs_core.apps.lessons.acwr.model", (
        ("1.60", "vec_coupled"),
        ("2.00", "vec_uncoupled"),
        ("1.34", "vec_ewma"),
        ("3.00", "back_uncoupled_max"),
        ("2.00", "back_coupled_max"),
        ("0.48", "r_coupled"),
        ("-0.03", "r_uncoupled"),
        ("3.94", "ceiling_coupled"),
        ("210", "ceiling_uncoupled"),
        ("1.64", "spike_hr_1"),
        ("1.52", "spike_hr_2"),
        ("2.28", "spike_hr_3"),
        ("1.33", "spike_example"),
        ("1.06", "spike_example_acwr"),
    )),
    "13_lesson_monotony_strain.ipynb": ("heavylegs_core.apps.lessons.monotony.model", (
        ("1.32", "foster_monotony"),
        ("462 AU", "foster_strain"),
        ("1400 AU", "week_total"),
        ("1.03", "he_monotony"),
        ("1446 AU", "he_strain"),
        ("4.90", "mod_monotony"),
        ("6859 AU", "mod_strain"),
        ("5", "moderate_rpe"),
        ("7", "hard_rpe"),
        ("38 %", "p02_moderate"),
        ("15 %", "p02_hard"),
    )),
    "14_lesson_sleep.ipynb": ("heavylegs_core.apps.lessons.sleep.model", (
        ("7.1 h", "week_mean"),
        ("7.5 h", "week_debt_8"),
        ("3.0 h", "week_debt_7"),
        ("514 nights", "pooled_nights"),
        ("74 %", "pooled_under_7"),
        ("92 %", "pooled_under_8"),
        ("7.0 h", "real_mean"),
        ("1.6 h", "real_sd"),
    )),
    "15_lesson_cause_model.ipynb": ("heavylegs_core.apps.lessons.cause_model.model", (
        ("18 causes", "n_causes"),
        ("35 in 100", "focus_prior_given"),
        ("3 in 100", "rare_prior_given"),
        ("0.5", "shrink"),
        ("21 in 100", "focus_prior"),
        ("6 in 100", "rare_prior"),
        ("+3.0", "points_lr2"),
        ("+7.0", "points_lr5"),
        ("-3.0", "points_lr05"),
        ("15 points", "cap_points"),
        ("31.6", "cap_lr"),
        ("+4.8", "focus_points"),
        ("45 in 100", "focus_out_of_100"),
        ("62 in 100", "focus_ungrouped"),
        ("emergency", "gate_level"),
    )),
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
    for shown, key in stated:
        assert facts[key] == shown, f"{name}: text says {shown!r}, package computes {facts[key]!r} ({key})"
        assert f"**{shown}**" in text, f"{name}: {shown!r} is no longer in the text"
    bold_figures = {b for b in BOLD.findall(text) if re.search(r"\d", b)}
    checked = {shown for shown, _ in stated}
    assert bold_figures <= checked, f"{name}: bold figures without a check: {bold_figures - checked}"


@pytest.mark.parametrize("name", sorted(STATED))
def test_lesson_notebook_is_a_thin_cleared_lesson_listed_on_the_landing_page(name):
    nb = _notebook(name)
    meta = nb["metadata"]
    assert meta["heavylegs"]["kind"] == "lesson" and meta["heavylegs"]["summary"]
    assert meta["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert all(len("".join(c["source"]).strip().splitlines()) <= 3 for c in code)
    assert "heavylegs_core.apps.lessons" in "".join(code[0]["source"])
    assert name in {e.file for e in catalogue()}
    assert "quiz_app()" in "".join("".join(c["source"]) for c in code)


def test_every_lesson_notebook_has_its_numbers_checked_and_two_to_four_questions():
    lessons = {p.name for p in NOTEBOOKS_DIR.glob("1[1-9]_lesson_*.ipynb")}
    assert lessons == set(STATED), "every lesson notebook needs a row in STATED"
    for module_name, _ in STATED.values():
        questions = importlib.import_module(module_name).QUESTIONS
        assert 2 <= len(questions) <= 4
        assert all(q.explanation for q in questions)


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

    from heavylegs_core.apps.lessons.quiz import model as quiz_model

    app = quiz_app([_question()])
    monkeypatch.setattr(quiz_model, "feedback_html", lambda q, c: (_ for _ in ()).throw(OSError("broken")))
    _find(app, w.Button, description="Check")[0].click()
    error = next(c for c in app.children if "hl-error" in c._dom_classes)
    assert "broken" in error.value and error.layout.display != "none"


# ------------------------------------------------------------------ lesson 1

def test_lesson1_constant_load_and_half_lives_follow_the_recursion():
    from heavylegs_core.apps.lessons.fitness_fatigue import model as f
    from heavylegs_core.domain.metrics import fitness_fatigue

    n = f.days_to_share(42)
    ctl = fitness_fatigue([100.0] * n, 42)
    assert ctl[-1] >= 95 > ctl[-2]
    assert f.days_to_share(42, k_mode="inverse") < n  # k = 1/τ is slightly faster
    assert f.half_life(7) == pytest.approx(7 * 0.6931, rel=0.02)


def test_lesson1_block_tsb_is_yesterdays_ctl_minus_atl_and_taper_freshens():
    from heavylegs_core.apps.lessons.fitness_fatigue import model as f

    sim = f.simulate_block(60, 42, 0.3)
    assert sim["tsb"].iloc[0] == 0
    assert sim["tsb"].iloc[10] == pytest.approx(sim["ctl"].iloc[9] - sim["atl"].iloc[9])
    s = f.block_summary(sim, 42)
    assert s["tsb_end"] < 0 < sim["tsb"].iloc[-1]
    with pytest.raises(ValueError, match="shorter"):
        f.simulate_block(tau_fitness=7, tau_fatigue=7)


def test_lesson1_sliders_redraw_chart_and_summary_and_failures_show_an_error(monkeypatch):
    import ipywidgets as w

    from heavylegs_core.apps.lessons.fitness_fatigue import model as f
    from heavylegs_core.apps.lessons.fitness_fatigue import view

    app = view.block_app()
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

    from heavylegs_core.apps.lessons.fitness_fatigue import view as f

    app = f.athlete_app()
    assert {"hl-app", "hl-ready"} <= set(app._dom_classes)
    assert "PMData (Thambawita" in "".join(h.value for h in _find(app, w.HTML))
    chart = next(c for c in app.children if "hl-chart" in c._dom_classes)
    pick = _find(app, w.Dropdown)[0]
    pick.value = "p04"
    assert "p04" in json.dumps(chart.spec)


# ------------------------------------------------------------------ lesson 2

def test_lesson2_ratios_follow_the_published_test_vector_and_the_coupling_identity():
    from heavylegs_core.apps.lessons.acwr import model as a
    from heavylegs_core.domain.metrics import daily_metrics

    m = daily_metrics(a.sessions_from_loads([50.0] * 28 + [100.0] * 7)).iloc[-1]
    assert (m["acwr_coupled"], m["acwr_uncoupled"]) == pytest.approx((1.6, 2.0))  # science.md 2.5
    assert m["acwr_ewma"] == pytest.approx(1.3394, abs=1e-4)
    rau = float(a.FACTS["ceiling_uncoupled"])
    rac = float(a.FACTS["ceiling_coupled"])
    assert rac == pytest.approx(4 * rau / (rau + 3), abs=0.01)
    assert rac < 4


def test_lesson2_ratios_after_two_weeks_off_are_hollow_points_not_the_line():
    import vl_convert as vlc

    from heavylegs_core.apps.lessons.acwr import model as a
    from heavylegs_core.apps.lessons.acwr import view

    m = a.scenario_metrics(a.SCENARIOS[1])
    points = a.ratio_points(m)
    after = points[points["after_break"].notna()]
    assert after["value"].isna().all() and points.loc[points["value"].notna(), "after_break"].isna().all()
    # the lesson's 3.00 (uncoupled) and 2.00 (coupled) are ratios after the break: shown, but apart
    assert after["after_break"].max() == pytest.approx(float(a.FACTS["back_uncoupled_max"]))
    broken_days = set(m.loc[m["acwr_meaningful"] == False, "date"])
    assert set(after["date"]) == broken_days and len(broken_days) > 10
    spec = view.ratios_chart(m, a.SCENARIOS[1]).to_dict()
    svg = vlc.vegalite_to_svg(spec)
    # drawn for real: one hollow point per ratio after the break, and the three lines
    assert svg.count('aria-roledescription="point"') == len(after)
    assert len(re.findall(r'<g class="mark-line role-mark[^"]*"[^>]*><path[^>]*d="M[^"]*L', svg)) >= 3
    assert "after a break: not meaningful" in svg
    steady = a.ratio_points(a.scenario_metrics(a.SCENARIOS[0]))
    assert steady["after_break"].isna().all()  # no break, no grey points


def test_lesson2_coupling_simulation_shows_spurious_correlation_only_when_coupled():
    from heavylegs_core.apps.lessons.acwr import model as a

    for seed in (1, 2, 3):
        r = a.coupling_correlations(a.coupling_simulation(1000, seed=seed))
        assert 0.4 < r["coupled"] < 0.6 and abs(r["uncoupled"]) < 0.1
    with pytest.raises(ValueError, match="at least 3"):
        a.coupling_simulation(2)


@pytest.mark.parametrize(("ratio", "label"), [
    (1.0, "reference"), (1.1, "reference"), (1.2, "10–30"), (1.33, "30–100"), (2.0, "30–100"), (2.5, "twice")])
def test_lesson2_spike_bands_follow_frandsen(ratio, label):
    from heavylegs_core.apps.lessons.acwr import model as a

    assert label in a.spike_band(ratio).label


def test_lesson2_apps_react_to_their_controls():
    import ipywidgets as w

    from heavylegs_core.apps.lessons.acwr import view as a

    app = a.ratios_app()
    assert {"hl-app", "hl-ready"} <= set(app._dom_classes)
    chart = next(c for c in app.children if "hl-chart" in c._dom_classes)
    before = chart.spec
    _find(app, w.Dropdown)[0].value = a.SCENARIOS[2]
    assert chart.spec != before and "p02" in json.dumps(chart.spec)
    assert "PMData (Thambawita" in "".join(h.value for h in _find(app, w.HTML))

    app = a.coupling_app()
    summary = next(c for c in _find(app, w.HTML) if "hl-lesson-summary" in c.value)
    before = summary.value
    _find(app, w.IntSlider)[0].value = 7
    assert summary.value != before and "coupled" in summary.value

    app = a.spike_app()
    out = next(c for c in _find(app, w.HTML) if "hl-lesson-summary" in c.value)
    assert "1.33" in out.value and "1.52" in out.value
    _find(app, w.FloatSlider, description="Today's run (km)")[0].value = 30
    assert "2.50" in out.value and "2.28" in out.value
    _find(app, w.FloatSlider, description="Today's run (km)")[0].value = 10
    assert "reference group" in out.value


def test_lesson2_unknown_scenario_is_refused_and_shown():
    import ipywidgets as w

    from heavylegs_core.apps.lessons.acwr import model as a
    from heavylegs_core.apps.lessons.acwr import view

    with pytest.raises(ValueError, match="unknown scenario"):
        a.scenario_metrics("made up")
    with pytest.raises(ValueError, match="positive"):
        a.spike_result(0, 5)
    app = view.spike_app()
    _find(app, w.FloatSlider, description="Today's run (km)")[0].min = -1
    _find(app, w.FloatSlider, description="Today's run (km)")[0].value = -1
    error = next(c for c in app.children if "hl-error" in c._dom_classes)
    assert "positive" in error.value and error.layout.display != "none"


# ------------------------------------------------------------------ lesson 5

def _case_pickers(app):
    import ipywidgets as w

    return [d for d in _find(app, w.Dropdown) if d.description == "Answer"]


def _case_out(app):
    import ipywidgets as w

    return next(h for h in _find(app, w.HTML) if "hl-case-result" in h._dom_classes)


def test_lesson5_probability_is_prior_odds_times_the_evidence():
    from heavylegs_core.apps.lessons.cause_model import model as c
    from heavylegs_core.domain.model import assess

    spike = assess(dict(c.CASE.items())).contributor("load_spike")
    assert c.probability(spike.prior, spike.points_total) == pytest.approx(spike.probability, abs=1e-6)
    assert spike.not_counted, "the case must show a grouped item"
    assert c.ungrouped_probability(spike) > spike.probability


def test_lesson5_each_answer_moves_the_panel_and_a_red_flag_closes_the_gate():
    from heavylegs_core.apps.lessons.cause_model import model as c
    from heavylegs_core.apps.lessons.cause_model import view

    app = view.case_app()
    assert {"hl-app", "hl-ready"} <= set(app._dom_classes)
    pickers = dict(zip(c.CASE_QUESTIONS, _case_pickers(app), strict=True))
    out = _case_out(app)
    shown = c.FACTS["focus_out_of_100"]
    assert f"<strong>{shown}</strong>" in out.value and "not counted again" in out.value
    pickers["longest_run_jump"].value = None  # the self-report now counts instead: same total
    assert f"<strong>{shown}</strong>" in out.value and "not counted again" not in out.value
    pickers["recent_increase"].value = "no"
    assert f"<strong>{shown}</strong>" not in out.value and "▼" in out.value
    pickers["rf_chest_pain"].value = "yes"
    assert "hl-gate" in out.value and "Top five" not in out.value
    pickers["rf_chest_pain"].value = "no"
    assert "Top five" in out.value


def test_lesson5_follow_another_cause_and_failures_are_shown(monkeypatch):
    import ipywidgets as w

    from heavylegs_core.apps.lessons.cause_model import model as c
    from heavylegs_core.apps.lessons.cause_model import view

    app = view.case_app()
    follow = next(d for d in _find(app, w.Dropdown) if d.description == "Follow the cause")
    follow.value = "sleep"
    assert "shorter than 6 h" in _case_out(app).value
    monkeypatch.setattr(c, "assess", lambda a: (_ for _ in ()).throw(OSError("kb unreadable")))
    follow.value = "iron_deficiency"
    error = next(x for x in app.children if "hl-error" in x._dom_classes)
    assert "kb unreadable" in error.value and error.layout.display != "none"


def test_lesson5_case_texts_are_escaped():
    from heavylegs_core.apps.lessons.cause_model import model as c
    from heavylegs_core.domain.model import assess

    contributor = assess(c.CASE).contributor("load_spike")
    evil = contributor._replace(name="<script>x</script>", evidence=tuple(
        u._replace(text="<img src=x>") for u in contributor.evidence))
    html = c.because_html(evil)
    assert "<script>" not in html and "<img" not in html and "&lt;img src=x&gt;" in html


# ------------------------------------------------------------------ lesson 3

@pytest.mark.parametrize(("week", "monotony", "strain"), [
    ((0, 80, 40, 0, 90, 60, 80), 1.3207, 462.24),   # science.md 3.4 test vectors (ddof = 1)
    ((0, 60, 0, 60, 0, 60, 0), 0.8018, None),
    ((0, 0, 140, 0, 0, 140, 0), None, 163.95),
])
def test_lesson3_week_numbers_match_the_published_vectors(week, monotony, strain):
    from heavylegs_core.apps.lessons.monotony import model as m

    n = m.week_numbers(week)
    assert n["week_load"] == pytest.approx(sum(week))
    if monotony is not None:
        assert n["monotony"] == pytest.approx(monotony, abs=1e-4)
    if strain is not None:
        assert n["strain"] == pytest.approx(strain, abs=0.01)


def test_lesson3_even_week_is_very_monotonous_and_bad_weeks_are_refused():
    import math

    from heavylegs_core.apps.lessons.monotony import model as m

    assert math.isinf(m.week_numbers((200,) * 7)["monotony"])
    assert math.isnan(m.week_numbers((0,) * 7)["monotony"])
    with pytest.raises(ValueError, match="7 daily loads"):
        m.week_numbers((1, 2, 3))


def test_lesson3_day_sliders_and_presets_update_the_numbers():
    import ipywidgets as w

    from heavylegs_core.apps.lessons.monotony import model as m
    from heavylegs_core.apps.lessons.monotony import view

    app = view.week_app()
    assert {"hl-app", "hl-ready"} <= set(app._dom_classes)
    summary = next(h for h in _find(app, w.HTML) if "hl-lesson-summary" in h.value)
    assert m.FACTS["he_monotony"] in summary.value
    _find(app, w.Dropdown)[0].value = "moderate most days"
    assert m.FACTS["mod_monotony"] in summary.value and "Above 2" in summary.value
    assert [s.value for s in _find(app, w.IntSlider)] == list(m.WEEKS["moderate most days"])
    for s in _find(app, w.IntSlider):
        s.value = 300
    assert "very high" in summary.value


def test_lesson3_real_athlete_chart_follows_the_dropdown():
    import ipywidgets as w

    from heavylegs_core.apps.lessons.monotony import model as m
    from heavylegs_core.apps.lessons.monotony import view

    app = view.athlete_app()
    chart = next(c for c in app.children if "hl-chart" in c._dom_classes)
    _find(app, w.Dropdown)[0].value = "p04"
    assert "p04" in json.dumps(chart.spec)
    assert "PMData (Thambawita" in "".join(h.value for h in _find(app, w.HTML))
    shares = m.intensity_shares("p02")
    assert sum(shares.values()) == pytest.approx(1.0)


# ------------------------------------------------------------------ lesson 4

def test_lesson4_debt_is_the_sum_of_nightly_shortfalls_against_the_need():
    from heavylegs_core.apps.lessons.sleep import model as s

    week = (7.5, 6.0, 5.5, 7.0, 8.0, 6.5, 9.0)
    for need in (7.0, 8.0, 9.0):
        n = s.week_numbers(week, need)
        assert n["debt_h"] == pytest.approx(sum(max(0.0, need - h) for h in week))
        assert n["mean_h"] == pytest.approx(sum(week) / 7)
    assert s.week_numbers((8, 8, 8, 8, 5, 5, 5))["short_nights"] == 3
    assert s.week_numbers((9,) * 7)["debt_h"] == 0
    with pytest.raises(ValueError, match="7 nights"):
        s.week_numbers((8, 8))


def test_lesson4_week_app_follows_nights_and_need():
    import ipywidgets as w

    from heavylegs_core.apps.lessons.sleep import model as s
    from heavylegs_core.apps.lessons.sleep import view

    app = view.week_app()
    assert {"hl-app", "hl-ready"} <= set(app._dom_classes)
    summary = next(h for h in _find(app, w.HTML) if "hl-lesson-summary" in h.value)
    assert s.FACTS["week_debt_8"] in summary.value
    _find(app, w.FloatSlider, description="Sleep need (h)")[0].value = 7.0
    assert s.FACTS["week_debt_7"] in summary.value
    _find(app, w.FloatSlider, description="Sun (h)")[0].value = 4.0
    assert "<strong>1</strong> of the last 3" in summary.value  # Fri 8, Sat 6.5, Sun 4 h


def test_lesson4_real_athlete_app_follows_dropdown_and_need_and_is_attributed():
    import ipywidgets as w

    from heavylegs_core.apps.lessons.sleep import model as s
    from heavylegs_core.apps.lessons.sleep import view

    app = view.athlete_app()
    chart = next(c for c in app.children if "hl-chart" in c._dom_classes)
    summary = next(h for h in _find(app, w.HTML) if "hl-lesson-summary" in h.value)
    before = summary.value
    _find(app, w.FloatSlider, description="Sleep need (h)")[0].value = 6.0
    assert summary.value != before and "under 6 h" in summary.value
    _find(app, w.Dropdown)[0].value = "p01"
    assert "p01" in json.dumps(chart.spec)
    assert "PMData (Thambawita" in "".join(h.value for h in _find(app, w.HTML))
    assert s.sleep_summary("p04")["nights"] == len(s.fitbit_nights("p04"))
