"""The apps' models, driven without a single widget: what each screen knows and decides.

Each app is a model and a view (docs/architecture.md); the views are tested in their own
files and in the browser. Here the state and the rules are checked on their own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from heavylegs_core.apps.assessment.model import MAX_NAME, AssessmentModel, parse_number
from heavylegs_core.apps.dashboard.model import GIVEN, UPLOADED, DashboardModel
from heavylegs_core.apps.landing.model import LandingModel
from heavylegs_core.apps.roster.model import RosterModel
from heavylegs_core.base.errors import UserError
from heavylegs_core.domain.synthetic import synthetic_history
from heavylegs_core.io.history import sample_history
from heavylegs_core.knowledge import load_knowledge

KB = load_knowledge()
NO_FLAGS = {q.id: "no" for q in KB.questions if q.section == "red_flags"}


# ----------------------------------------------------------------- assessment
def test_the_steps_put_the_warning_signs_before_everything_but_the_athlete() -> None:
    m = AssessmentModel.create(today=dt.date(2026, 3, 1))
    kinds = [s.kind for s in m.steps]
    assert kinds[0] == "athlete" and kinds[-2:] == ["history", "keep"]
    assert all(s.safety for s in m.steps[1:m.last_red_flag_step + 1])
    assert not any(s.safety for s in m.steps[m.last_red_flag_step + 1:])


def test_a_warning_sign_opens_the_gate_and_acknowledging_goes_on() -> None:
    m = AssessmentModel.create(today=dt.date(2026, 3, 1))
    m.set_answers({**NO_FLAGS, "rf_chest_pain": "not_sure"})
    last = m.last_red_flag_step
    move = m.move(last, +1)
    assert move.gate and move.target is None  # the last warning-sign step: stay, show the advice
    assert m.gate_open and m.result is not None and m.result.triage.level != "none"
    assert m.acknowledge() == last + 1 and not m.gate_open
    m.set_answers(NO_FLAGS)
    assert m.move(last, +1) == (last + 1, False)
    assert not m.acknowledged  # a clear screen forgets the acknowledgement


def test_a_hidden_question_does_not_count() -> None:
    m = AssessmentModel.create(today=dt.date(2026, 3, 1))
    shown = m.set_answers({"legs": "both", "sciatica": "yes"})
    assert shown["sciatica"] is False and "sciatica" not in m.answers
    shown = m.set_answers({"legs": "one", "sciatica": "yes"})
    assert shown["sciatica"] is True and m.answers["sciatica"] == "yes"


def test_browser_values_are_validated() -> None:
    m = AssessmentModel.create()
    m.country = "Atlantis (123)"
    with pytest.raises(UserError, match="choose a country"):
        m.emergency_number()
    with pytest.raises(UserError, match="cut to"):
        m.set_name("x" * (MAX_NAME + 5))
    assert m.name == "x" * MAX_NAME
    age = KB.question("age")
    with pytest.raises(UserError, match="outside"):
        parse_number("400", age)
    assert parse_number(" 34 ", age) == 34 and parse_number("", age) is None
    with pytest.raises(UserError, match="not a saved heavylegs session"):
        m.read_saved(b"\xff\x00", "x.json")


def test_the_history_day_decides_the_evidence() -> None:
    m = AssessmentModel.create(today=dt.date(2020, 4, 30))
    m.use_history(sample_history("p02"))
    metrics, day = m.evidence
    assert day == sample_history("p02").evidence().day and metrics
    m.history_day = dt.date(2020, 4, 30)  # a coach's records: the days since the last session are rest
    assert m.evidence[1] == dt.date(2020, 4, 30)
    result = m.assess()
    assert result.history_used and result.as_of == dt.date(2020, 4, 30)
    assert "Days since a rest day" in m.history_html()
    assert "<svg" in m.report()


# ----------------------------------------------------------------- dashboard
def test_the_dashboard_offers_the_samples_and_validates_choices() -> None:
    m = DashboardModel.create(athlete="p01")
    assert m.key == "p01" and m.history is None  # nothing loaded until needed
    assert m.cache_key() is not None
    for bad, call in (("p99", m.pick), ("fast", m.set_acwr), ("furlong", m.set_unit)):
        with pytest.raises(UserError):
            call(bad)
    with pytest.raises(UserError, match="upload files first"):
        m.pick(UPLOADED)
    with pytest.raises(UserError, match="no file was uploaded"):
        m.upload([])
    m.set_acwr("coupled")
    assert m.acwr_kind == "coupled"
    summary = m.brush({"date": ["2019-12-01", "2019-12-31"]})
    assert "Selected period" in summary and m.period is not None


def test_a_given_history_is_not_cached_and_comes_first() -> None:
    h = synthetic_history(0.5)
    m = DashboardModel.create(history=h)
    assert m.key == GIVEN and m.cache_key() is None and m.ensure() is h


# ----------------------------------------------------------------- roster and landing
def test_the_roster_validates_a_new_athlete_and_opens_an_assessment(tmp_path: Path) -> None:
    m = RosterModel.open(tmp_path / "a.sqlite3", today=dt.date(2020, 3, 1))
    for kwargs, message in (({"name": " "}, "type the athlete's name"), ({"name": "A", "age_text": "7"}, "outside"),
                            ({"name": "A", "sex": "robot"}, "choose female")):
        with pytest.raises(UserError, match=message):
            m.add_athlete(**{"sex": None, "age_text": "", "tz": "UTC", **kwargs})
    assert m.add_athlete("Ann", sex="female", age_text="34", tz="") == "Ann"
    _, _, names = m.roster()
    with pytest.raises(UserError, match="choose an athlete"):
        m.pick("Bob", names)
    m.pick("Ann", names)
    m.add_history(sample_history("p01"))
    started = m.start_assessment()
    assert started.prefill == {"sex": "female", "age": 34}
    assert started.history is not None and started.model.history_day == dt.date(2020, 3, 1)
    with pytest.raises(UserError, match="better, the same or worse"):
        m.start_assessment(required=True)


def test_the_landing_page_shows_a_bundled_participant() -> None:
    m = LandingModel.create()
    assert m.participant in m.participants
    with pytest.raises(UserError, match="unknown sample athlete"):
        m.pick("p99")
    assert 'class="hl-contents"' in m.intro_html("Educational.")
