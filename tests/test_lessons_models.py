"""The lessons' models without widgets: no ipywidgets on import, and the numbers their apps show."""

from __future__ import annotations

import ast
import datetime as dt
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

import heavylegs_core

LESSONS = ("fitness_fatigue", "acwr", "monotony", "sleep", "cause_model")
MODELS = ("heavylegs_core.apps.lessons.common", "heavylegs_core.apps.lessons.quiz.model",
          *(f"heavylegs_core.apps.lessons.{name}.model" for name in LESSONS))
LESSONS_DIR = Path(heavylegs_core.__file__).parent / "apps" / "lessons"


def test_every_lesson_model_imports_without_ipywidgets():
    # a fresh interpreter: this one has ipywidgets already (conftest). Each model in turn, so
    # that the first one to pull ipywidgets in (directly, through altair or a view) is named.
    script = (
        "import importlib, json, sys\n"
        f"for name in {list(MODELS)!r}:\n"
        "    importlib.import_module(name)\n"
        "    bad = sorted(m for m in ('ipywidgets', 'altair') if m in sys.modules)\n"
        "    if bad:\n"
        "        print(json.dumps([name, bad]))\n"
        "        sys.exit(1)\n"
        "print(json.dumps('ok'))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and json.loads(out.stdout.splitlines()[-1]) == "ok", out.stdout + out.stderr


@pytest.mark.parametrize("package", ["", "quiz", *LESSONS])
def test_lesson_packages_are_a_docstring_only(package):
    tree = ast.parse((LESSONS_DIR / package / "__init__.py").read_text(encoding="utf-8"))
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr)
    assert isinstance(tree.body[0].value, ast.Constant) and isinstance(tree.body[0].value.value, str)


@pytest.mark.parametrize("name", LESSONS)
def test_each_lesson_is_a_model_and_a_view_and_the_view_holds_the_apps(name):
    model_src = (LESSONS_DIR / name / "model.py").read_text(encoding="utf-8")
    view_src = (LESSONS_DIR / name / "view.py").read_text(encoding="utf-8")
    assert "ipywidgets" not in model_src and "altair" not in model_src
    assert "def quiz_app" in view_src and "def quiz_app" not in model_src
    assert "_app(" not in model_src
    assert "FACTS: dict[str, str] = _facts()" in model_src and "QUESTIONS" in model_src


# ------------------------------------------------------------------ shared pieces

def test_quiz_model_checks_and_reveals_and_refuses_an_empty_quiz():
    from heavylegs_core.apps.lessons.quiz.model import Question, QuizModel

    quiz = QuizModel([Question("Is <b>2</b> > 1?", ("yes", "no"), 0, "Two & more.")])
    assert isinstance(quiz.questions, tuple)
    assert "Pick an answer" in quiz.check(1, None)
    assert "Not quite" in quiz.check(1, 1) and "Two" not in quiz.check(1, 1)
    assert "Right." in quiz.check(1, 0) and "Two &amp; more." in quiz.check(1, 0)
    assert "<strong>Answer:</strong> yes. Two &amp; more." in quiz.reveal(1)
    with pytest.raises(ValueError, match="questions 1 to 1"):
        quiz.check(2, 0)
    with pytest.raises(ValueError, match="at least one question"):
        QuizModel([])


def test_common_sessions_from_loads_skips_rest_days_and_the_note_is_escaped():
    from heavylegs_core.apps.lessons.common import START, note_html, sessions_from_loads

    s = sessions_from_loads([10.0, 0.0, 30.0], distance_km=[5.0, 0.0, 8.0])
    assert list(s["load"]) == [10.0, 30.0] and list(s["distance_km"]) == [5.0, 8.0]
    assert [d.date() for d in s["date"]] == [START, START + dt.timedelta(days=2)]
    assert set(s["sport"]) == {"run"}
    assert "&lt;b&gt;" in note_html("<b>") and 'class="hl-note"' in note_html()


# ------------------------------------------------------------------ lesson 1

def test_block_model_simulates_the_sliders_block():
    from heavylegs_core.apps.lessons.fitness_fatigue import model as f

    r = f.BlockModel().result()  # the slider defaults: 42 and 7 days, 6 weeks at 60 AU/day, then 30 %
    expected = f.simulate_block(60, 42, 0.3)
    assert r.sim.equals(expected)
    assert r.title == "A training block and what follows"
    assert r.subtitle == "42 days at 60 AU/day, then 30 % of it"
    s = f.block_summary(expected, 42)
    assert f"<strong>{s['ctl_end']:.1f} AU/day</strong>" in r.summary_html
    assert f"{s['ctl_end']:.0f} AU/day" == f.FACTS["block_ctl_end"]
    assert f"on day {s['fresh_after']} after the block" in r.summary_html
    # the recursions are linear in the load: twice the load, twice the fitness
    double = f.BlockModel(load=120).result()
    assert double.sim["ctl"].iloc[41] == pytest.approx(2 * r.sim["ctl"].iloc[41])
    short = f.BlockModel(tau_fitness=30, tau_fatigue=5, weeks=2, after_percent=100).result()
    assert len(short.sim) == 14 + f.AFTER_DAYS and short.subtitle == "14 days at 60 AU/day, then 100 % of it"
    assert "form stays negative" in short.summary_html  # no taper: form never recovers
    with pytest.raises(ValueError, match="shorter"):
        f.BlockModel(tau_fitness=7, tau_fatigue=7).result()


# ------------------------------------------------------------------ lesson 2

def test_spike_model_gives_the_ratio_its_band_and_that_days_acwr():
    from heavylegs_core.apps.lessons.acwr import model as a

    r = a.SpikeModel(12, 16).result()
    assert r.spike_ratio == pytest.approx(16 / 12)
    assert f"{r.spike_ratio:.2f}" == a.FACTS["spike_example"] == "1.33"
    assert f"{r.acwr_uncoupled:.2f}" == a.FACTS["spike_example_acwr"]
    assert r.band.label == "30–100 % longer" and r.band.hazard_ratio == pytest.approx(1.52)
    assert "<strong>1.33</strong>" in r.summary_html and "1.52 (95 % CI 1.16–2.00)" in r.summary_html
    assert a.SpikeModel() == a.SpikeModel(12, 16)  # the sliders' start
    far = a.SpikeModel(12, 30).result()
    assert far.spike_ratio == pytest.approx(2.5) and far.band.hazard_ratio == pytest.approx(2.28)
    near = a.SpikeModel(12, 10).result()
    assert near.band.hazard_ratio is None and "reference group" in near.summary_html
    with pytest.raises(ValueError, match="positive"):
        a.SpikeModel(12, -1).result()


def test_coupling_model_correlates_acute_with_both_chronic_loads():
    from heavylegs_core.apps.lessons.acwr import model as a

    r = a.CouplingModel().result()
    assert len(r.sim) == 1000
    assert f"{r.correlations['coupled']:.2f}" == a.FACTS["r_coupled"]
    assert f"{r.correlations['uncoupled']:.2f}" == a.FACTS["r_uncoupled"]
    assert f"<strong>{a.FACTS['r_coupled']}</strong> coupled" in r.summary_html
    other = a.CouplingModel(7).result()
    assert other.correlations != r.correlations and 0.4 < other.correlations["coupled"] < 0.6


def test_ratio_points_and_the_caveat_without_widgets():
    from heavylegs_core.apps.lessons.acwr import model as a

    points = a.ratio_points(a.scenario_metrics(a.SCENARIOS[0]))
    assert set(points["ratio"]) == set(a.RATIO_COLUMNS.values())
    assert points["after_break"].isna().all()
    assert a.caveat_html().startswith('<p class="hl-caveat"><small>')


# ------------------------------------------------------------------ lesson 3

def test_week_model_presets_and_an_edited_week():
    from heavylegs_core.apps.lessons.monotony import model as m

    foster = m.WeekModel.preset("Foster-style example").result()
    assert foster.title == "Foster-style example" and foster.loads == m.WEEKS["Foster-style example"]
    assert foster.numbers["monotony"] == pytest.approx(1.3207, abs=1e-4)  # science.md 3.4
    assert foster.numbers["strain"] == pytest.approx(462.24, abs=0.01)
    assert f"<strong>{m.FACTS['foster_monotony']}</strong>" in foster.summary_html
    moderate = m.WeekModel.preset("moderate most days").result()
    assert m.FACTS["mod_monotony"] in moderate.summary_html and "Above 2" in moderate.summary_html
    even = m.WeekModel([300] * 7).result()
    assert even.title == "Your week" and math.isinf(even.numbers["monotony"]) and "very high" in even.summary_html
    rest = m.WeekModel([0] * 7).result()
    assert "A week without training has no monotony." in rest.summary_html
    with pytest.raises(ValueError, match="unknown week"):
        m.WeekModel.preset("made up")
    with pytest.raises(ValueError, match="7 daily loads"):
        m.WeekModel([100, 100]).result()


def test_intensity_shares_follow_the_rpe_classes():
    from heavylegs_core.apps.lessons.monotony import model as m

    sessions, metrics = m.athlete_history("p02")
    rpe = sessions["rpe"].dropna()
    shares = m.intensity_shares("p02")
    assert shares["hard"] == pytest.approx(float((rpe >= m.HARD_MIN_RPE).mean()))
    assert sum(shares.values()) == pytest.approx(1.0)
    assert len(metrics) >= len(sessions["date"].dt.normalize().unique())
    with pytest.raises(ValueError, match="unknown participant"):
        m.athlete_history("p99")


# ------------------------------------------------------------------ lesson 4

def test_sleep_week_model_measures_the_nights_against_the_need():
    from heavylegs_core.apps.lessons.sleep import model as s

    r = s.SleepWeekModel().result()  # the example week and an 8 h need
    assert r.hours == s.EXAMPLE_WEEK and r.need_h == 8.0
    assert f"{r.numbers['debt_h']:.1f} h" == s.FACTS["week_debt_8"]
    assert f"<strong>{s.FACTS['week_debt_8']}</strong> over the week" in r.summary_html
    seven = s.SleepWeekModel(s.EXAMPLE_WEEK, 7.0).result()
    assert f"<strong>{s.FACTS['week_debt_7']}</strong>" in seven.summary_html
    short = s.SleepWeekModel((8, 8, 8, 8, 5, 5, 5), 8.0).result()
    assert short.numbers["short_nights"] == 3 and "<strong>3</strong> of the last 3" in short.summary_html
    with pytest.raises(ValueError, match="7 nights"):
        s.SleepWeekModel((8, 8), 8.0).result()


def test_sleep_athlete_model_summarises_a_participants_nights():
    from heavylegs_core.apps.lessons.sleep import model as s

    r = s.SleepAthleteModel().result()
    assert r.participant == "p04" and r.summary == s.sleep_summary("p04", 8.0)
    assert f"{r.summary['mean_h']:.1f} h" == s.FACTS["real_mean"]
    assert f"{r.summary['nights']:.0f} nights" in r.summary_html
    six = s.SleepAthleteModel("p04", 6.0).result()
    assert "under 6 h" in six.summary_html and six.summary["under_need"] < r.summary["under_need"]
    assert list(r.metrics.columns) == ["date", "sleep_h", "sleep_7d_mean", "sleep_debt_7d", "short_nights_3d"]
    with pytest.raises(ValueError, match="unknown PMData participant"):
        s.SleepAthleteModel("p99").result()


# ------------------------------------------------------------------ lesson 5

def test_case_model_follows_a_cause_and_a_red_flag_closes_the_gate():
    from heavylegs_core.apps.lessons.cause_model import model as c

    r = c.CaseModel().result()  # the lesson's case, following a load spike
    assert r.assessment.contributor(c.FOCUS).out_of_100 == int(c.FACTS["focus_out_of_100"].split()[0])
    assert f"<strong>{c.FACTS['focus_out_of_100']}</strong>" in r.html and "not counted again" in r.html
    unanswered = c.CaseModel({**c.CASE, "longest_run_jump": None}).result()
    assert f"<strong>{c.FACTS['focus_out_of_100']}</strong>" in unanswered.html
    assert "not counted again" not in unanswered.html
    gated = c.CaseModel({**c.CASE, "rf_chest_pain": "yes"}).result()
    assert "hl-gate" in gated.html and "Top five" not in gated.html
    assert gated.assessment.triage.level == c.FACTS["gate_level"]
    sleep = c.CaseModel(c.CASE, "sleep").result()
    assert "shorter than 6 h" in sleep.html
    assert c.CaseModel().answers == c.CASE and c.CaseModel().answers is not c.CASE


def test_case_questions_and_causes_come_from_the_knowledge_base():
    from heavylegs_core.apps.lessons.cause_model import model as c
    from heavylegs_core.knowledge import load_knowledge

    kb = load_knowledge()
    assert len(c.cause_options()) == len(kb.causes) and (kb.cause(c.FOCUS).name, c.FOCUS) in c.cause_options()
    for qid in c.CASE_QUESTIONS:
        options = c.answer_options(qid)
        assert options[0] == (c.NOT_ANSWERED, None) and c.CASE[qid] in [v for _, v in options]
        assert c.question_html(qid).startswith("<p><strong>")
