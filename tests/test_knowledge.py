"""The knowledge base: shipped files validate, broken copies fail naming the place."""

from __future__ import annotations

import math
import re
from importlib import resources

import pytest
import yaml

from heavylegs_core.domain.metrics import METRIC_COLUMNS
from heavylegs_core.knowledge import (
    KNOWLEDGE_FILES,
    REQUIRED_CAUSES,
    KnowledgeError,
    load_knowledge,
    parse_knowledge,
    read_texts,
)

KB = load_knowledge()
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def test_shipped_files_are_package_data_and_load() -> None:
    pkg = resources.files("heavylegs_core.knowledge")
    for name in KNOWLEDGE_FILES:
        assert pkg.joinpath(name).is_file(), name
    assert len(KB.causes) == 18
    assert {c.id for c in KB.causes} == set(REQUIRED_CAUSES)


def test_causes_have_priors_remedies_recheck_and_sources() -> None:
    for c in KB.causes:
        assert 0 < c.prior < 1 and 0 < c.main_share < 1
        assert c.prior_mark in KB.marks
        assert c.actions and c.safety_net and c.recheck_days > 0
        assert c.sources and all(s in KB.sources for s in c.sources)
        # concrete: the actions carry figures, the safety net a time and a next step
        assert any(re.search(r"\d", a) for a in c.actions), c.id
        assert re.search(r"\d", c.safety_net) and re.search(r"(day|week|night|run)", c.safety_net), c.id
    assert math.isclose(sum(c.main_share for c in KB.causes), 1.0)


def test_causes_md_priors_and_sex_factors() -> None:
    assert KB.cause("load_spike").prior == 0.35
    assert KB.cause("under_recovery").prior == 0.30
    assert KB.cause("iron_deficiency").sex_factor == {"female": 1.6, "male": 0.4}
    assert KB.cause("under_fuelling").sex_factor == {"female": 1.6, "male": 0.4}
    assert not KB.cause("sleep").sex_factor


def test_every_evidence_item_is_wired_and_marked() -> None:
    qs = {q.id: q for q in KB.questions}
    for e in KB.evidence:
        assert e.lr > 0 and (e.lr_absent is None or e.lr_absent > 0)
        assert e.mark in {"ok", "std", "judge"} and e.basis and e.source in KB.sources
        for leaf in e.when.leaves():
            if leaf.q is not None:
                assert leaf.q in qs
                for o in leaf.is_ or ():
                    assert o in qs[leaf.q].option_ids()
            else:
                assert leaf.m in METRIC_COLUMNS


def test_every_cause_the_articles_name_is_covered() -> None:
    # article topic -> cause id (the issue's list plus the medical causes they miss)
    topics = {
        "overtraining / load": "load_spike", "too little recovery, moderate sessions": "under_recovery",
        "sleep": "sleep", "glycogen, fuel timing, low carb": "under_fuelling",
        "hydration and electrolytes": "dehydration", "iron": "iron_deficiency",
        "warm-up and stiffness": "warmup_stiffness", "strength training, DOMS": "strength_doms",
        "running form": "running_form", "shoes": "shoes", "weight gain": "weight_gain",
        "circulation": "circulation", "illness": "illness", "life stress": "life_stress",
        "heat": "heat", "pacing": "pacing", "exertional leg pain": "exertional_leg_pain",
        "other medical": "other_medical",
    }
    for topic, cid in topics.items():
        assert KB.evidence_for(cid), topic
    # moderate sessions and low carbohydrate are wired, not just named
    assert any(e.when.q == "moderate_most" for e in KB.evidence_for("under_recovery"))
    assert any(e.when.q == "restriction" for e in KB.evidence_for("under_fuelling"))


def test_stable_interface_ids() -> None:
    assert KB.question("in_run").option_ids() == ("start_then_eases", "midway", "start_to_finish")
    # options may be added after the stable ones (interfaces.md: add, never rename)
    assert KB.question("course").option_ids()[:3] == ("one_run", "several_days", "worsening_weekly")
    assert KB.question("sex").option_ids() == ("female", "male", "other")
    assert KB.question("age").type == "number"
    flags = [q for q in KB.questions if q.section == "red_flags"]
    assert len(flags) >= 20
    for q in flags:
        assert q.tier in {"emergency", "urgent", "gp_soon"}
        assert q.option_ids() == ("yes", "no", "not_sure")
    assert {f.tier for f in flags} == {"emergency", "urgent", "gp_soon"}
    # red flags are always asked, except those that depend on the athlete's sex (periods)
    assert all(q.show_if is None or {leaf.q for leaf in q.show_if.leaves()} == {"sex"} for q in flags)


def test_a_red_flag_can_depend_only_on_the_athlete() -> None:
    def edit(d):
        d["flags"][0]["show_if"] = {"q": "legs", "is": ["one"]}
    _fails(_mutate("red_flags.yaml", edit), "question 'rf_chest_pain' show_if", "only on the athlete's sex or age")


def test_questions_come_in_wizard_steps_red_flags_first() -> None:
    orders = [q.step_order for q in KB.questions]
    assert orders == sorted(orders)
    sections = [q.section for q in KB.questions]
    first_other = sections.index("heavy_legs")
    assert set(sections[:first_other]) == {"red_flags"}
    assert "red_flags" not in sections[first_other:]
    per_step: dict[str, int] = {}
    for q in KB.questions:
        per_step[q.step] = per_step.get(q.step, 0) + 1
    assert max(per_step.values()) <= 12  # short steps
    assert KB.question("response_to_change").option_ids() == ("not_tried", "better", "same", "worse")


def test_emergency_actions_carry_the_number_placeholder() -> None:
    for f in KB.red_flags:
        if f.tier == "emergency":
            assert "{emergency_number}" in f.action or "emergency department" in f.action, f.id


def test_timing_table_matches_the_source_articles() -> None:
    rows = {(r.question, r.option): r for r in KB.timing_table}
    assert set(rows) == {("in_run", "start_then_eases"), ("in_run", "midway"), ("in_run", "start_to_finish"),
                         ("course", "several_days"), ("course", "worsening_weekly")}
    assert rows["course", "worsening_weekly"].top_n == 2


def test_no_diagnostic_wording() -> None:
    names = [c.name.lower() for c in KB.causes] + [c.short.lower() for c in KB.causes]
    texts = [e.text for e in KB.evidence] + [e.text_absent or "" for e in KB.evidence]
    texts += [a for c in KB.causes for a in c.actions] + [f.action for f in KB.red_flags]
    for t in texts:
        low = t.lower()
        for n in names:
            assert f"you have {n}" not in low


# ---------------------------------------------------------------- mutated copies
def _mutate(name: str, edit) -> dict[str, str]:
    texts = read_texts()
    data = yaml.load(texts[name], Loader=_LOADER)
    edit(data)
    texts[name] = yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False)
    return texts


def _fails(texts: dict[str, str], *fragments: str) -> str:
    with pytest.raises(KnowledgeError) as info:
        parse_knowledge(texts)
    msg = str(info.value)
    for f in fragments:
        assert f in msg, msg
    return msg


def test_round_trip_of_shipped_files_is_valid() -> None:
    kb = parse_knowledge(_mutate("causes.yaml", lambda d: None))
    assert len(kb.causes) == 18


def test_bad_id_fails_naming_the_place() -> None:
    def edit(d):
        d["causes"][2]["id"] = "Sleep Debt"
    _fails(_mutate("causes.yaml", edit), "causes.yaml", "causes[2]", "'Sleep Debt'")


def test_unknown_metric_fails_naming_the_place() -> None:
    def edit(d):
        d["items"][0]["when"] = {"m": "spike_ratoi", "gt": 1.1}
    _fails(_mutate("evidence.yaml", edit), "evidence.yaml", "items[0]", "'ls_spike_history'",
           "unknown metric 'spike_ratoi'")


def test_unknown_question_and_option_fail() -> None:
    def edit(d):
        d["items"][5]["when"] = {"q": "recent_increse", "is": ["yes"]}
        d["items"][6]["when"] = {"q": "course", "is": ["many_days"]}
    _fails(_mutate("evidence.yaml", edit), "items[5]", "unknown question 'recent_increse'",
           "items[6]", "has no option 'many_days'")


@pytest.mark.parametrize("lr", [0, -1.5])
def test_lr_not_positive_fails(lr: float) -> None:
    def edit(d):
        d["items"][3]["lr"] = lr
    _fails(_mutate("evidence.yaml", edit), "evidence.yaml", "items[3]", "'ls_acwr'", "lr")


def test_lr_absent_not_positive_fails() -> None:
    def edit(d):
        d["items"][0]["lr_absent"] = 0
    _fails(_mutate("evidence.yaml", edit), "items[0]", "lr_absent")


def test_duplicate_ids_fail() -> None:
    def edit(d):
        d["items"][1]["id"] = d["items"][0]["id"]
    _fails(_mutate("evidence.yaml", edit), "evidence.yaml", "items[1]", "duplicate id")

    def edit_q(d):
        next(q for q in d["questions"] if q["id"] == "course")["id"] = "in_run"
    _fails(_mutate("questions.yaml", edit_q), "questions.yaml", "'in_run'", "duplicate id")

    def edit_c(d):
        d["causes"][1]["id"] = "load_spike"
    _fails(_mutate("causes.yaml", edit_c), "causes[1]", "duplicate id")


@pytest.mark.parametrize("prior", [0, 1, 1.2])
def test_prior_outside_open_interval_fails(prior: float) -> None:
    def edit(d):
        d["causes"][4]["prior"] = prior
    _fails(_mutate("causes.yaml", edit), "causes[4]", "'pacing'", "prior")


def test_cause_without_source_remedy_or_recheck_fails() -> None:
    def edit(d):
        d["causes"][0]["sources"] = []
        d["causes"][1]["actions"] = []
        del d["causes"][2]["recheck_days"]
    _fails(_mutate("causes.yaml", edit), "causes[0] (id 'load_spike').sources",
           "causes[1] (id 'under_recovery').actions", "causes[2] (id 'sleep').recheck_days")


def test_missing_stable_cause_and_unknown_cause_fail() -> None:
    def edit(d):
        d["items"][0]["cause"] = "load_spikes"
    _fails(_mutate("evidence.yaml", edit), "items[0]", "unknown cause 'load_spikes'")

    def edit_c(d):
        d["causes"] = [c for c in d["causes"] if c["id"] != "shoes"]
        d["causes"][0]["main_share"] += 0.015
    _fails(_mutate("causes.yaml", edit_c), "required cause id 'shoes' is missing")


def test_renamed_stable_option_fails() -> None:
    def edit(d):
        next(q for q in d["questions"] if q["id"] == "in_run")["options"][1]["id"] = "middle"
    _fails(_mutate("questions.yaml", edit), "question 'in_run'", "options must start with")


def test_unknown_mark_and_group_fail() -> None:
    def edit(d):
        d["items"][0]["mark"] = "maybe"
    _fails(_mutate("evidence.yaml", edit), "items[0] (id 'ls_spike_history').mark")

    def edit_g(d):
        d["items"][1]["group"] = "load_group"
    _fails(_mutate("evidence.yaml", edit_g), "items[1] (id 'ls_spike_answer')", "unknown group 'load_group'")


def test_show_if_must_depend_on_an_earlier_question() -> None:
    def edit(d):
        sciatica = next(q for q in d["questions"] if q["id"] == "sciatica")
        sciatica["show_if"] = {"q": "hot_run", "is": ["yes"]}
    _fails(_mutate("questions.yaml", edit), "question 'sciatica' show_if", "asked earlier")


# ---------------------------------------------------------------- clinical text out of code (issue 22)
def test_every_note_and_text_the_code_shows_ships_with_the_placeholders_the_code_fills() -> None:
    from heavylegs_core.knowledge import NOTE_FIELDS, TEXT_FIELDS, placeholders

    for items, declared in ((KB.notes, NOTE_FIELDS), (KB.texts, TEXT_FIELDS)):
        assert [n.id for n in items] == list(declared)
        for n in items:
            # every placeholder the code fills is in the shipped text, and nothing else
            assert sorted(placeholders(n.text)) == sorted(declared[n.id]), n.id
            assert n.source is None or n.source in KB.sources, n.id
            assert "you have " not in n.text.lower(), n.id
    assert sorted(placeholders(KB.incomplete_screen.note)) == ["n", "names"]
    for text in (KB.educational_note, KB.reference_class, KB.default_emergency_number):
        assert text and not placeholders(text)
    assert KB.note("one_leg_unanswered", names="rf_dvt, sciatica").endswith("still unanswered: rf_dvt, sciatica.")
    assert KB.text("see_doctor_why", concern="A possible heart problem.") == "Warning sign: A possible heart problem."


def test_the_educational_note_is_knowledge_not_code() -> None:
    import heavylegs_core
    from heavylegs_core.knowledge import educational_note

    assert educational_note() == KB.educational_note
    assert KB.educational_note.startswith("Educational material, not a diagnosis.")
    assert not hasattr(heavylegs_core, "EDUCATIONAL_NOTE")


def test_filling_a_note_needs_exactly_its_declared_fields() -> None:
    with pytest.raises(ValueError, match="one_leg_unanswered"):
        KB.note("one_leg_unanswered")
    with pytest.raises(ValueError, match="sciatica"):
        KB.note("sciatica", names="x")
    with pytest.raises(KeyError, match="no text 'sciatic'"):
        KB.note("sciatic")
    with pytest.raises(KeyError):
        KB.text("one_leg_flag")  # a note, not a text


def _note_edit(section: str, note_id: str, **changes):
    def edit(d):
        next(n for n in d[section] if n["id"] == note_id).update(changes)
    return edit


def test_unknown_placeholder_fails_naming_the_note() -> None:
    _fails(_mutate("notes.yaml", _note_edit("notes", "one_leg_unanswered", text="Still unanswered: {questions}.")),
           "notes.yaml: notes[1] (id 'one_leg_unanswered')", "unknown placeholder {questions}", "fills only {names}")
    _fails(_mutate("notes.yaml", _note_edit("notes", "sciatica", text="See a GP {soon}.")),
           "notes[2] (id 'sciatica')", "unknown placeholder {soon}", "fills no placeholder here")
    _fails(_mutate("notes.yaml", _note_edit("texts", "see_doctor_why", text="Warning sign: {concern.upper}")),
           "texts[0] (id 'see_doctor_why')", "unknown placeholder {concern.upper}")
    _fails(_mutate("notes.yaml", _note_edit("texts", "see_doctor_why", text="Warning sign: {}")),
           "texts[0] (id 'see_doctor_why')", "unknown placeholder {}")

    def edit_ed(d):
        d["educational_note"] = "Not a diagnosis, {name}."
    _fails(_mutate("notes.yaml", edit_ed), "notes.yaml: educational_note", "unknown placeholder {name}")

    def edit_inc(d):
        d["incomplete_screen"]["note"] = "The screen is incomplete ({count} not answered: {names})."
    _fails(_mutate("calls.yaml", edit_inc), "calls.yaml: incomplete_screen.note", "unknown placeholder {count}")


def test_malformed_template_fails() -> None:
    _fails(_mutate("notes.yaml", _note_edit("notes", "one_leg_flag", text="A yes to a safety question {")),
           "notes[0] (id 'one_leg_flag')", "bad template")
    # a literal brace is written doubled
    kb = parse_knowledge(_mutate("notes.yaml", _note_edit("notes", "one_leg_flag", text="Braces {{like this}}.")))
    assert kb.note("one_leg_flag") == "Braces {like this}."


def test_missing_unknown_or_duplicate_note_fails() -> None:
    def drop(d):
        d["notes"] = [n for n in d["notes"] if n["id"] != "body_mass_gained"]
    _fails(_mutate("notes.yaml", drop), "notes.yaml: notes: required id 'body_mass_gained' is missing")

    def add(d):
        d["texts"].append({"id": "drink_more", "text": "Drink more."})
    _fails(_mutate("notes.yaml", add), "(id 'drink_more'): unknown id")

    def dup(d):
        d["notes"].append(dict(d["notes"][0]))
    _fails(_mutate("notes.yaml", dup), "notes[5] (id 'one_leg_flag'): duplicate id")

    _fails(_mutate("notes.yaml", _note_edit("notes", "post_exertional_malaise", source="nice_ng999")),
           "notes[3] (id 'post_exertional_malaise')", "unknown source 'nice_ng999'")

    def no_number(d):
        del d["default_emergency_number"]
    _fails(_mutate("notes.yaml", no_number), "notes.yaml: default_emergency_number")


def test_the_emergency_numbers_are_knowledge_and_checked() -> None:
    kb = load_knowledge()
    assert [e.number for e in kb.emergency_numbers] == ["999", "112", "911", "000"]

    def bad(d):
        d["emergency_numbers"][0]["number"] = "call me"
    _fails(_mutate("notes.yaml", bad), "notes.yaml: emergency_numbers")
