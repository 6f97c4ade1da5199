"""The cause model: worked example, timing table, red-flag gate, properties."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heavylegs_core.base.errors import UserError
from heavylegs_core.domain.model import (
    LEVEL_RANK,
    Engine,
    assess,
    engine,
    is_shown,
    points,
    strength_label,
)
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.knowledge import (
    Condition,
    EvidenceItem,
    educational_note,
    load_knowledge,
)

KB = load_knowledge()
FLAG_QUESTIONS = [q for q in KB.questions if q.section == "red_flags"]
#: Every warning sign answered "no" (rf_missed_periods only applies to women and "other").
NO_FLAGS: dict[str, str] = {q.id: "no" for q in FLAG_QUESTIONS if q.show_if is None}
OTHER_QUESTIONS = [q for q in KB.questions if q.section != "red_flags"]
AS_OF = dt.date(2026, 11, 22)

# causes.md section 7, the 34-year-old woman
WORKED_ANSWERS: dict[str, Any] = {
    "in_run": "start_to_finish", "course": "worsening_weekly", "sex": "female", "age": 34,
    "heavy_periods": "yes", "diet": "vegetarian", "illness_recent": "none_28d", "hot_run": "no",
}
WORKED_METRICS = {"spike_ratio": 18 / 14, "days_since_rest": 9, "sleep_7d_mean": 6.4}


def probs(a) -> dict[str, float]:
    return {c.id: c.probability for c in a.contributors}


# ---------------------------------------------------------------- worked example
def _engine_with_raw_priors() -> Engine:
    """The engine on causes.md's priors as written (no ranking shrink): the evidence base's own arithmetic."""
    return Engine(KB.model_copy(update={"caps": KB.caps.model_copy(update={"prior_shrink": 1.0})}))


def test_worked_example_reproduces_causes_md_arithmetic() -> None:
    a = _engine_with_raw_priors().assess(WORKED_ANSWERS, WORKED_METRICS, as_of=AS_OF)
    assert a.ranking()[:5] == ["under_recovery", "iron_deficiency", "sleep", "load_spike", "under_fuelling"]
    p = {c.id: c.out_of_100 for c in a.contributors}
    # causes.md: 77, 64, 60, 52, 48, 10, 6, 6. load_spike is 49 here because the
    # 'worsening week to week' course also applies its calibration LR 0.9 (causes.md section 5).
    expected = {"under_recovery": 77, "iron_deficiency": 64, "sleep": 60, "load_spike": 52,
                "under_fuelling": 48, "other_medical": 10, "illness": 6, "heat": 6}
    for cid, pct in expected.items():
        assert abs(p[cid] - pct) <= 3, (cid, p[cid], pct)
    ur = a.contributor("under_recovery")
    assert [(e.id, e.points) for e in ur.evidence] == [
        ("ur_rest_history", pytest.approx(3.0103)), ("ur_start_to_finish", pytest.approx(3.0103)),
        ("ur_worsening", pytest.approx(3.0103))]
    assert a.contributor("iron_deficiency").prior == pytest.approx(0.192)
    assert a.contributor("heat").evidence[0].direction == "against"
    assert a.todays_call.id == "rest"
    assert a.triage.level == "none"


def test_worked_example_with_the_ranking_priors() -> None:
    """The shipped engine pulls each prior half-way to the median in log-odds (causes.yaml caps)."""
    a = assess(WORKED_ANSWERS, WORKED_METRICS, as_of=AS_OF)
    assert a.ranking()[:3] == ["under_recovery", "iron_deficiency", "sleep"]
    raw = {c.id: c.prior for c in KB.causes}
    median = statistics.median(math.log(p / (1 - p)) for p in raw.values())
    for c in a.contributors:
        given = raw[c.id] * (1.6 if c.id in ("iron_deficiency", "under_fuelling") else 1.0)
        expect = 1 / (1 + math.exp(-(median + 0.5 * (math.log(given / (1 - given)) - median))))
        assert c.prior == pytest.approx(expect), c.id
    # the spread of the priors shrinks: 3-35 % becomes about 6-23 % (mixed sex)
    bare = {c.id: c.prior for c in assess({}).contributors}
    assert 0.055 < min(bare.values()) < max(bare.values()) < 0.24


def test_worked_example_from_answers_alone_matches_history() -> None:
    answers = {**WORKED_ANSWERS, "longest_run_jump": "yes_10_30", "days_since_rest": 9, "sleep_hours": 6.4}
    p1 = probs(assess(WORKED_ANSWERS, WORKED_METRICS))
    p2 = probs(assess(answers))
    assert p1 == pytest.approx(p2)
    # both together do not stack: correlated items are grouped
    p3 = probs(assess(answers, WORKED_METRICS))
    assert p3 == pytest.approx(p1)


# ---------------------------------------------------------------- timing table
@pytest.mark.parametrize("row", KB.timing_table, ids=lambda r: r.id)
def test_each_timing_row_alone_ranks_its_cause_first(row) -> None:
    a = assess({row.question: row.option})
    top = a.ranking()[: row.top_n]
    assert set(top) <= set(row.most_likely), (top, row.most_likely)
    assert a.triage.level == "none"


def test_timing_rows_lead_with_their_cause_for_every_sex() -> None:
    # the sex-specific priors move iron and fuelling, so only the leader is fixed
    for sex in ("female", "male", "other"):
        for row in KB.timing_table:
            a = assess({row.question: row.option, "sex": sex})
            assert a.ranking()[0] in row.most_likely, (sex, row.id, a.ranking()[:3])
    other = assess({"course": "worsening_weekly", "sex": "other"}).ranking()[:2]
    assert set(other) == {"under_recovery", "under_fuelling"}


# ---------------------------------------------------------------- red-flag gate
@pytest.mark.parametrize("q", FLAG_QUESTIONS, ids=lambda q: q.id)
@pytest.mark.parametrize("answer", ["yes", "not_sure"])
def test_every_red_flag_alone_triggers_its_tier(q, answer: str) -> None:
    a = assess({q.id: answer}, emergency_number="112")
    assert a.triage.level == q.tier
    assert [f.id for f in a.triage.flags] == [q.id]
    assert a.todays_call.id == "see_doctor"
    assert a.triage.acknowledge_required
    assert "{emergency_number}" not in a.triage.flags[0].action
    if q.tier == "emergency" and "{emergency_number}" in KB.red_flags[[f.id for f in KB.red_flags].index(q.id)].action:
        assert "112" in a.triage.flags[0].action


@pytest.mark.parametrize("q", FLAG_QUESTIONS, ids=lambda q: q.id)
def test_red_flag_answered_no_triggers_nothing(q) -> None:
    a = assess({q.id: "no"})
    assert a.triage.level == "none" and not a.triage.flags


def test_red_flag_wins_over_reassuring_evidence() -> None:
    calm = {"in_run": "start_then_eases", "course": "one_run", "recent_increase": "no",
            "illness_recent": "none_28d", "rf_dvt": "yes"}
    a = assess(calm, {"spike_ratio": 0.9, "days_since_rest": 1, "sleep_7d_mean": 8.5})
    assert a.triage.level == "urgent" and a.todays_call.id == "see_doctor"


def test_derived_flags_persistence_and_worsening() -> None:
    assert assess({"response_to_change": "same", "change_days": 14}).triage.level == "gp_soon"
    assert assess({"response_to_change": "worse", "change_days": 21}).triage.flags[0].id == "persistent_after_change"
    assert assess({"response_to_change": "same", "change_days": 10}).triage.level == "none"
    assert assess({"response_to_change": "better", "change_days": 30}).triage.level == "none"
    assert assess({"duration": "over_3_weeks"}).triage.flags[0].id == "persistent_heaviness"
    a = assess({"course": "worsening_weekly", "duration": "2_3_weeks"})
    assert [f.id for f in a.triage.flags] == ["worsening_for_weeks"]
    assert a.todays_call.id == "see_doctor"
    assert assess({"course": "worsening_weekly", "duration": "1_2_weeks"}).triage.level == "none"


def test_highest_tier_wins_and_flags_are_ordered() -> None:
    a = assess({"rf_snoring": "yes", "rf_chest_pain": "yes", "rf_dvt": "not_sure"})
    assert a.triage.level == "emergency"
    assert [f.tier for f in a.triage.flags] == ["emergency", "urgent", "gp_soon"]


# ---------------------------------------------------------------- reasoning rules
def test_unknown_answers_move_nothing() -> None:
    base = assess({})
    for c in base.contributors:
        assert c.probability == pytest.approx(c.prior)  # the ranking prior, untouched
        assert not c.evidence
    same = assess({"in_run": "dont_know", "ferritin": None, "rf_dvt": "dont_know"})
    assert probs(same) == probs(base)
    assert same.triage.level == "none"
    assert probs(assess({}, {"spike_ratio": float("nan"), "sleep_7d_mean": None})) == probs(base)


def test_sex_adjusts_only_iron_and_fuelling_priors() -> None:
    raw = _engine_with_raw_priors()
    f, m, o = (probs(raw.assess({"sex": s})) for s in ("female", "male", "other"))
    assert f["iron_deficiency"] == pytest.approx(0.192) and m["iron_deficiency"] == pytest.approx(0.048)
    assert f["under_fuelling"] == pytest.approx(0.32) and m["under_fuelling"] == pytest.approx(0.08)
    assert o["iron_deficiency"] == pytest.approx(0.12)
    assert f["sleep"] == m["sleep"] == o["sleep"] == pytest.approx(0.25)
    # the profile supplies sex when the answers do not
    assert probs(raw.assess({}, profile=AthleteProfile(sex="female"))) == pytest.approx(f)
    shipped = {s: probs(assess({"sex": s})) for s in ("female", "male")}
    assert shipped["female"]["iron_deficiency"] > shipped["male"]["iron_deficiency"]
    assert shipped["female"]["sleep"] == shipped["male"]["sleep"]


def test_correlated_load_evidence_counts_once() -> None:
    a = _engine_with_raw_priors().assess({"recent_increase": "yes", "longest_run_jump": "yes_over_30"},
               {"spike_ratio": 1.5, "weekly_change": 1.6, "acwr_uncoupled": 1.8,
                "hard_sessions_7d": 4, "hard_sessions_28d_weekly_mean": 1.5})
    ls = a.contributor("load_spike")
    assert len(ls.evidence) == 1 and ls.evidence[0].points == pytest.approx(points(2.0))
    assert {e.id for e in ls.not_counted} == {"ls_spike_answer", "ls_self_report", "ls_weekly_jump",
                                              "ls_acwr", "ls_hard_sessions"} - {ls.evidence[0].id}
    assert ls.probability == pytest.approx(0.35 * 2 / (0.35 * 2 + 0.65))


def test_for_and_against_in_one_group_both_count() -> None:
    ls = _engine_with_raw_priors().assess({"recent_increase": "no"}, {"spike_ratio": 1.25}).contributor("load_spike")
    assert sorted(e.direction for e in ls.evidence) == ["against", "for"]
    assert ls.probability == pytest.approx(0.35)


def test_positive_points_are_capped() -> None:
    a = _engine_with_raw_priors().assess({"rest_heaviness": "evenings_standing", "rf_veins": "yes",
                                          "vein_risks": "four_plus"})
    cv = a.contributor("circulation")
    raw = sum(e.points for e in cv.evidence)
    assert raw > 15 and cv.capped and cv.points_total == pytest.approx(15.0)
    odds = 0.03 / 0.97 * 10 ** 1.5
    assert cv.probability == pytest.approx(odds / (1 + odds))
    assert a.triage.level == "gp_soon"  # the vein signs are also a GP flag


def test_even_week_reads_as_very_monotonous() -> None:
    even = assess({}, {"monotony": float("nan"), "days_since_rest": 9, "load": 300})
    ids = [e.id for e in even.contributor("under_recovery").evidence]
    assert "ur_monotony" in ids
    rested = assess({}, {"monotony": float("nan"), "days_since_rest": 2})
    assert "ur_monotony" not in [e.id for e in rested.contributor("under_recovery").evidence]
    low = assess({}, {"monotony": 1.2, "days_since_rest": 2})
    assert [e.direction for e in low.contributor("under_recovery").evidence if e.id == "ur_monotony"] == ["against"]


def test_a_streak_without_a_rest_day_on_record_uses_the_lower_bound() -> None:
    streak = {"days_since_rest": None, "days_since_rest_at_least": 28, "monotony": float("nan")}
    ur = assess({}, streak).contributor("under_recovery")
    texts = {e.id: e.text for e in ur.evidence}
    assert texts["ur_rest_none_on_record"] == "No rest day in at least 28 days: none in your training history."
    assert "ur_monotony" in texts  # an even week with no rest day reads as very monotonous
    short = assess({}, {"days_since_rest_at_least": 4}).contributor("under_recovery")
    assert not short.evidence  # no absent side: a short history without rest shows no rest day either
    # the bound and a known count are one group: the strongest counts, not both
    both = assess({"days_since_rest": 9}, {"days_since_rest_at_least": 28}).contributor("under_recovery")
    rest = [e for e in both.evidence if e.group == "rest_days"]
    assert len(rest) == 1 and rest[0].points == pytest.approx(points(2.0))


def test_ratios_after_a_break_are_dropped_before_any_evidence() -> None:
    after_break = {"acwr_uncoupled": 17.5, "acwr_coupled": 3.4, "acwr_ewma": 1.9, "acwr_meaningful": False}
    m = Engine.prepare_metrics(after_break)
    assert not any(k.startswith("acwr") for k in m)
    fired = {e.id for c in assess({}, after_break).contributors for e in (*c.evidence, *c.not_counted)}
    assert "ls_acwr" not in fired
    kept = Engine.prepare_metrics({**after_break, "acwr_meaningful": True})
    assert kept["acwr_uncoupled"] == 17.5
    assert "ls_acwr" in {e.id for e in assess({}, {**after_break, "acwr_meaningful": True})
                         .contributor("load_spike").evidence}
    # an empty flag (no ratio) or the text of a CSV cell is read the same way
    assert "acwr_uncoupled" in Engine.prepare_metrics({**after_break, "acwr_meaningful": None})
    assert "acwr_uncoupled" not in Engine.prepare_metrics({**after_break, "acwr_meaningful": "False"})


def test_metric_compared_with_personal_reference() -> None:
    above = assess({}, {"strain": 5000, "strain_p90_56d": 4000}).contributor("under_recovery")
    below = assess({}, {"strain": 3000, "strain_p90_56d": 4000}).contributor("under_recovery")
    assert [e.id for e in above.evidence] == ["ur_strain"] and not below.evidence


def test_one_leg_heavier_never_goes_straight_to_asymmetry() -> None:
    alone = assess({"legs": "one"})
    assert not alone.contributor("running_form").evidence
    assert any("safety questions" in n for n in alone.notes)
    screened = {**NO_FLAGS, "legs": "one", "rf_dvt": "no", "rf_numbness": "no", "rf_cold_leg": "no",
                "rf_night_pain": "no", "rf_exertional_pattern": "no", "sciatica": "no"}
    ok = assess(screened)
    assert [e.id for e in ok.contributor("running_form").evidence] == ["rf_one_leg_screened"]
    assert not ok.notes
    clot = assess({**screened, "rf_dvt": "yes"})
    assert not clot.contributor("running_form").evidence
    assert clot.triage.level == "urgent" and clot.todays_call.id == "see_doctor"
    nerve = assess({**screened, "sciatica": "yes"})
    assert not nerve.contributor("running_form").evidence
    assert any("trapped nerve" in n for n in nerve.notes)


@pytest.mark.parametrize(("answers", "metrics", "call"), [
    ({"in_run": "start_then_eases"}, None, "continue"),
    ({"in_run": "midway"}, None, "ease"),
    ({"in_run": "start_to_finish"}, None, "shorten"),
    ({"course": "several_days"}, None, "skip_intensity"),
    ({"course": "several_days", "days_since_rest": 8}, None, "rest"),
    ({"course": "several_days"}, {"days_since_rest": 10}, "rest"),
    ({"course": "several_days"}, {"days_since_rest_at_least": 28}, "rest"),
    ({"course": "several_days"}, {"days_since_rest_at_least": 5}, "skip_intensity"),
    ({"course": "worsening_weekly"}, None, "rest"),
    ({"course": "one_run"}, None, "continue"),
    ({"in_run": "start_then_eases"}, {"spike_ratio": 1.6}, "skip_intensity"),
    ({"illness_recent": "now_above_neck", "in_run": "start_then_eases"}, None, "ease"),
    ({"in_run": "start_then_eases", "rf_fainting": "not_sure"}, None, "see_doctor"),
    ({}, None, "ease"),
])
def test_todays_call(answers, metrics, call) -> None:
    a = assess({**NO_FLAGS, **answers}, metrics)
    assert a.todays_call.id == call
    assert a.todays_call.text and a.todays_call.why


# ---------------------------------------------------------------- validation and output
@pytest.mark.parametrize(("answers", "fragment"), [
    ({"in_runn": "midway"}, "unknown question id 'in_runn'"),
    ({"in_run": "middle"}, "question 'in_run': invalid answer 'middle'"),
    ({"rf_dvt": "maybe"}, "question 'rf_dvt': invalid answer 'maybe'"),
    ({"age": 7}, "question 'age': 7 is out of range"),
    ({"age": "34"}, "question 'age': answer '34' is not a number"),
    ({"sleep_hours": True}, "question 'sleep_hours': answer True is not a number"),
    ({"course": 3}, "question 'course': invalid answer 3"),
])
def test_invalid_answers_raise_user_error_naming_them(answers, fragment) -> None:
    with pytest.raises(UserError) as info:
        assess(answers, where="a.json")
    assert fragment in str(info.value)
    assert info.value.lines()[0].startswith("heavylegs: error: a.json: ")


def test_all_problems_reported_together() -> None:
    with pytest.raises(UserError) as info:
        assess({"x": 1, "in_run": "no", "age": 500})
    assert len(info.value.problems) == 3


def test_serialises_to_the_interface_json() -> None:
    d = assess(WORKED_ANSWERS, WORKED_METRICS, as_of=AS_OF).to_dict()
    assert {"model_version", "as_of", "triage", "contributors", "todays_call"} <= set(d)
    assert d["as_of"] == "2026-11-22" and d["educational_note"] == educational_note()
    assert set(d["triage"]) >= {"level", "flags"}
    assert d["todays_call"]["id"] in {"continue", "ease", "shorten", "skip_intensity", "rest", "see_doctor"}
    ps = [c["probability"] for c in d["contributors"]]
    assert ps == sorted(ps, reverse=True) and len(ps) == 18
    for c in d["contributors"]:
        assert {"id", "name", "probability", "evidence", "actions", "recheck_days", "out_of_100"} <= set(c)
        assert 0 < c["probability"] < 1 and c["out_of_100"] == round(c["probability"] * 100)
        assert c["actions"][-1] == KB.cause(c["id"]).safety_net
        for e in c["evidence"]:
            assert {"id", "text", "points"} <= set(e)
            assert e["points"] == round(10 * math.log10(e["lr"]) * e["counted"], 1)
            assert "{" not in e["text"]
    assert d["model_version"].endswith(KB.version)


def test_deterministic() -> None:
    a = assess(WORKED_ANSWERS, WORKED_METRICS, as_of=AS_OF).to_dict()
    b = assess(dict(reversed(list(WORKED_ANSWERS.items()))), dict(WORKED_METRICS), as_of=AS_OF).to_dict()
    assert a == b


def test_strength_labels() -> None:
    assert [strength_label(x) for x in (1.3, 2.0, 5.0, 12.0, 0.5, 0.1)] == [
        "marginal", "small", "moderate", "large", "small", "moderate"]


# ---------------------------------------------------------------- properties
def _value(q, data) -> Any:
    if q.type == "single":
        return data.draw(st.sampled_from([*q.option_ids(), "dont_know"]))
    return data.draw(st.integers(int(q.min), int(q.max)))


@st.composite
def answer_sets(draw, pool=OTHER_QUESTIONS, flags=True) -> dict[str, Any]:
    qs = draw(st.lists(st.sampled_from(pool), unique_by=lambda q: q.id, max_size=25))
    answers = {q.id: draw(st.sampled_from([*q.option_ids(), "dont_know"])) if q.type == "single"
               else draw(st.integers(int(q.min), int(q.max))) for q in qs}
    if flags:
        fq = draw(st.lists(st.sampled_from(FLAG_QUESTIONS), unique_by=lambda q: q.id, max_size=4))
        answers.update({q.id: draw(st.sampled_from(["no", "no", "yes", "not_sure"])) for q in fq})
    return answers


METRIC_KEYS = ["spike_ratio", "weekly_change", "acwr_uncoupled", "days_since_rest", "monotony", "strain",
               "strain_p90_56d", "hard_sessions_7d", "hard_sessions_28d_weekly_mean", "sleep_7d_mean",
               "short_nights_3d", "moderate_share"]
metric_rows = st.dictionaries(st.sampled_from(METRIC_KEYS),
                              st.one_of(st.floats(0, 12), st.just(float("nan"))), max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer_sets(), metric_rows, st.sampled_from(FLAG_QUESTIONS), st.sampled_from(["yes", "not_sure"]))
def test_adding_a_red_flag_never_lowers_triage(answers, metrics, flag, ans) -> None:
    before = assess(answers, metrics)
    after = assess({**answers, flag.id: ans}, metrics)
    assert LEVEL_RANK[after.triage.level] >= LEVEL_RANK[before.triage.level]
    assert LEVEL_RANK[after.triage.level] >= LEVEL_RANK[flag.tier]
    assert after.todays_call.id == "see_doctor"


def _against_cases() -> list[tuple[EvidenceItem, bool]]:
    """(item, present?) pairs whose firing is evidence against the item's cause."""
    out = []
    for e in KB.evidence:
        if e.lr < 1:
            out.append((e, True))
        if e.lr_absent is not None and e.lr_absent < 1:
            out.append((e, False))
    return out


AGAINST = _against_cases()


def _trigger(cond: Condition, present: bool) -> tuple[dict[str, Any], dict[str, float]]:
    """Answers and metrics that make a condition present (or explicitly absent)."""
    if cond.all is not None:
        ans: dict[str, Any] = {}
        met: dict[str, float] = {}
        for part in cond.all:
            a, m = _trigger(part, True)
            ans.update(a)
            met.update(m)
        return ans, met
    if cond.is_ is not None:
        q = KB.question(cond.q)
        opts = [o for o in q.option_ids() if (o in cond.is_) == present]
        return {cond.q: opts[0]}, {}
    op, thr = cond.comparator()
    if op.endswith("_ref"):
        raise AssertionError("reference comparisons carry no LR below 1")
    lo_side = (op in ("lt", "le")) == present
    if cond.q is not None:
        q = KB.question(cond.q)
        value = (q.min if lo_side else q.max) if q.min <= thr <= q.max else thr
        return {cond.q: value}, {}
    return {}, {cond.m: (thr - 0.5 if lo_side else thr + 0.5)}


def _names(cond: Condition) -> set[str]:
    return {leaf.q or leaf.m for leaf in cond.leaves()}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer_sets(), metric_rows, st.sampled_from(AGAINST))
def test_adding_evidence_against_a_cause_never_raises_it(answers, metrics, case) -> None:
    item, present = case
    touched = _names(item.when) | {"monotony"}
    base_a = {k: v for k, v in answers.items() if k not in touched}
    base_m = {k: v for k, v in metrics.items() if k not in touched}
    add_a, add_m = _trigger(item.when, present)
    before = assess(base_a, base_m).contributor(item.cause)
    after = assess({**base_a, **add_a}, {**base_m, **add_m}).contributor(item.cause)
    assert after.probability <= before.probability + 1e-12
    fired = {e.id for e in after.evidence} | {e.id for e in after.not_counted}
    assert item.id in fired


def test_engine_is_cached() -> None:
    assert engine() is engine()


def test_question_and_metric_with_the_same_name_fire_once_each() -> None:
    ur = assess({"days_since_rest": 9}, {"days_since_rest": 9}).contributor("under_recovery")
    assert [e.id for e in ur.evidence] == ["ur_rest_history"]
    assert [e.id for e in ur.not_counted] == ["ur_rest_answer"]


def test_follow_up_questions_are_shown_only_when_relevant() -> None:
    sciatica, periods = KB.question("sciatica"), KB.question("heavy_periods")
    assert not is_shown(sciatica, {}) and not is_shown(sciatica, {"legs": "both"})
    assert is_shown(sciatica, {"legs": "one"})
    assert is_shown(periods, {"sex": "female"}) and not is_shown(periods, {"sex": "male"})
    assert not is_shown(periods, {"sex": "dont_know"})
    # warning signs depend on nothing but the athlete's sex (periods): everyone else sees all of them
    assert all(is_shown(q, {"sex": "female"}) for q in FLAG_QUESTIONS)
    assert [q.id for q in FLAG_QUESTIONS if not is_shown(q, {"sex": "male"})] == ["rf_missed_periods"]
    assert all(is_shown(q, {}) for q in FLAG_QUESTIONS if q.id != "rf_missed_periods")


def test_first_plus_half_group_mode() -> None:
    import yaml

    from heavylegs_core.domain.model import Engine
    from heavylegs_core.knowledge import parse_knowledge, read_texts

    texts = read_texts()
    data = yaml.safe_load(texts["causes.yaml"])
    data["groups"]["load_construct"]["mode"] = "first_plus_half"
    texts["causes.yaml"] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    eng = Engine(parse_knowledge(texts))
    ls = eng.assess({"recent_increase": "yes"}, {"spike_ratio": 1.4, "weekly_change": 1.5}).contributor("load_spike")
    pts = sorted((e.points for e in ls.evidence), reverse=True)
    assert pts == pytest.approx([points(2.0), points(2.0) / 2, points(1.6) / 2])
    assert not ls.not_counted


# ---------------------------------------------------------------- an incomplete warning-sign screen (issue 20)
@pytest.mark.parametrize("blank", [None, "dont_know", "missing"])
def test_an_unanswered_warning_sign_never_reads_as_no(blank) -> None:
    answers: dict[str, Any] = {**NO_FLAGS, "in_run": "start_then_eases", "course": "one_run"}
    if blank == "missing":
        del answers["rf_chest_pain"]
    else:
        answers["rf_chest_pain"] = blank
    a = assess(answers)
    assert a.triage.level == "none" and a.triage.unanswered == ("rf_chest_pain",)
    assert not a.triage.screen_complete and a.to_dict()["triage"]["screen_complete"] is False
    assert a.todays_call.id not in ("continue", "ease", "shorten", "skip_intensity")
    assert any("screen is incomplete" in n and "heart" in n for n in a.notes)
    complete = assess({**answers, "rf_chest_pain": "no"})
    assert complete.triage.screen_complete and complete.todays_call.id == "continue"
    assert not any("screen is incomplete" in n for n in complete.notes)


def test_an_answers_file_without_warning_signs_says_so() -> None:
    a = assess({"in_run": "start_then_eases", "sex": "male"})
    assert len(a.triage.unanswered) == len(NO_FLAGS)  # periods are not asked of men
    assert a.todays_call.id == "rest" and "warning-sign" in a.todays_call.text


def test_warning_signs_offer_no_dont_know_option() -> None:
    assert all(not q.dont_know for q in FLAG_QUESTIONS)
    assert all(q.dont_know for q in OTHER_QUESTIONS)


@pytest.mark.parametrize(("flag", "tier"), [
    ("rf_stroke", "emergency"), ("rf_black_stools", "urgent"), ("rf_post_viral_heart", "urgent"),
    ("rf_fever", "urgent"), ("rf_weight_loss", "gp_soon"),
])
def test_new_warning_signs_have_their_tier(flag, tier) -> None:
    a = assess({**NO_FLAGS, flag: "yes", "in_run": "start_then_eases"})
    assert a.triage.level == tier and a.todays_call.id == "see_doctor"


def test_same_day_actions_say_today() -> None:
    for f in KB.red_flags:
        if f.tier == "urgent":
            assert "today" in f.action and "tomorrow" not in f.action, f.id


def test_long_heaviness_needs_a_gp_only_when_nothing_explains_it() -> None:
    warm_up = assess({**NO_FLAGS, "duration": "over_3_weeks", "in_run": "start_then_eases", "cold_start": "yes"})
    assert warm_up.triage.level == "none" and warm_up.todays_call.id == "continue"
    loaded = assess({**NO_FLAGS, "duration": "over_3_weeks", "recent_increase": "yes", "days_since_rest": 12})
    assert loaded.triage.level == "none"
    unexplained = assess({**NO_FLAGS, "duration": "over_3_weeks", "recent_increase": "no", "sleep_hours": 8})
    assert unexplained.triage.level == "gp_soon"
    assert [f.id for f in unexplained.triage.flags] == ["persistent_heaviness"]
    # the explanation can only withhold this derived flag: an answered warning sign still counts
    both = assess({**NO_FLAGS, "duration": "over_3_weeks", "in_run": "start_then_eases", "rf_veins": "yes"})
    assert both.triage.level == "gp_soon"


@pytest.mark.parametrize(("answers", "flag"), [
    ({"illness_recent": "over_28d_not_recovered"}, "not_recovered_after_illness"),
    ({"rest_heaviness": "all_the_time", "duration": "2_3_weeks"}, "heavy_in_daily_life"),
])
def test_new_derived_flags(answers, flag) -> None:
    a = assess({**NO_FLAGS, **answers})
    assert flag in [f.id for f in a.triage.flags] and a.triage.level == "gp_soon"


def test_strong_specific_evidence_can_lead() -> None:
    """A cause with its own strong evidence leads, however low its prior (issue 20)."""
    cecs = assess({**NO_FLAGS, "rf_exertional_pattern": "yes", "course": "several_days", "sex": "male",
                   "age": 24, "recent_increase": "no"})
    assert cecs.ranking()[0] == "exertional_leg_pain"
    shoes = assess({**NO_FLAGS, "new_shoes": "yes", "in_run": "start_to_finish", "course": "every_run_unchanged",
                    "recent_increase": "no", "after_rest": "no"})
    assert "shoes" in shoes.ranking()[:3]
    gain = assess({**NO_FLAGS, "weight_change_kg": 6, "course": "every_run_unchanged", "recent_increase": "no"})
    assert "weight_gain" in gain.ranking()[:3]


def test_a_cause_whose_hallmarks_are_denied_falls() -> None:
    base = {**NO_FLAGS, "sex": "female", "sleep_hours": 6}
    fuel_ok = assess({**base, "fuel_before": "yes", "long_run_carbs": "yes", "restriction": "no"})
    assert fuel_ok.contributor("under_fuelling").probability < assess(base).contributor("under_fuelling").probability
    assert "under_fuelling" not in fuel_ok.ranking()[:3]


# ---------------------------------------------------------------- clinical text from the knowledge base (issue 22)
def _marked_engine() -> Engine:
    """An engine whose notes and texts are markers that show each id and every field the code fills."""
    import yaml

    from heavylegs_core import knowledge

    texts = knowledge.read_texts()
    data = yaml.safe_load(texts["notes.yaml"])
    for section, declared in (("notes", knowledge.NOTE_FIELDS), ("texts", knowledge.TEXT_FIELDS)):
        for n in data[section]:
            n["text"] = "<" + n["id"] + "".join(f"|{{{f}}}" for f in declared[n["id"]]) + ">"
    for key in ("educational_note", "reference_class", "default_emergency_number"):
        data[key] = f"<{key}>"
    texts["notes.yaml"] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return Engine(knowledge.parse_knowledge(texts))


def test_the_engine_takes_every_note_and_text_from_the_knowledge_base() -> None:
    eng = _marked_engine()
    r = eng.assess({**NO_FLAGS, "legs": "one", "rf_dvt": "yes", "sciatica": "yes", "rf_pem": "not_sure",
                    "body_mass_loss": "gained"})
    assert r.notes == ("<one_leg_flag>", "<sciatica>", "<post_exertional_malaise>", "<body_mass_gained>")
    assert r.todays_call.why == f"<see_doctor_why|{r.triage.flags[0].concern}>"
    assert r.educational_note == "<educational_note>" and r.reference_class == "<reference_class>"
    dvt = next(f for f in r.triage.flags if f.id == "rf_dvt")
    assert "<default_emergency_number>" in dvt.action
    assert "112" in eng.assess({**NO_FLAGS, "rf_dvt": "yes"}, emergency_number="112").triage.flags[0].action
    # the one-leg screen left open: the note names what is unanswered
    unscreened = eng.assess({**NO_FLAGS, "legs": "one"})
    assert unscreened.notes == ("<one_leg_unanswered|sciatica>",)
    # an even week: monotony is undefined and reads as very high
    even = eng.assess({}, {"monotony": math.nan, "days_since_rest": 9.0})
    texts = [e.text for e in even.contributor("under_recovery").evidence]
    assert "<monotony_unbounded>" in texts


def test_the_shipped_notes_read_as_before() -> None:
    r = assess({**NO_FLAGS, "legs": "one", "body_mass_loss": "gained"})
    assert r.notes == (
        ("One leg heavier: an imbalance is only considered once the safety questions (clot, nerve, artery, bone) "
         "are answered; still unanswered: sciatica."),
        ("You were heavier after a run: that means drinking more than you lost, which can be dangerous (low "
         "blood sodium). Drink to thirst instead."),
    )
    assert r.reference_class == "out of 100 recreational runners with answers like these"
    from heavylegs_core.domain.model import DEFAULT_EMERGENCY_NUMBER

    assert KB.default_emergency_number == DEFAULT_EMERGENCY_NUMBER
    assert DEFAULT_EMERGENCY_NUMBER.startswith("your local emergency number (999 or 112")
