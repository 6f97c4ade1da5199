"""The cause model on the project's clinical vignettes (issue 20): safe on every emergency, no flag outweighed.

The vignettes (data/vignettes/) were written from the evidence base before the engine ran on them;
their stories, gold labels and answers are never edited to make the engine pass. The benchmark
(benchmarks/bench_vignettes.py) prints every figure; this test keeps the two that must never move.
"""

from __future__ import annotations

from typing import Any

import pytest

from heavylegs_core.domain.evaluation import (
    evaluate,
    flag_tiers,
    format_report,
    vignette_set,
)
from heavylegs_core.domain.model import engine
from heavylegs_core.knowledge import load_knowledge

KB = load_knowledge()
TIERS = flag_tiers(KB)
SETS = ("dev", "heldout")


def _shipped(answers: dict[str, Any], metrics: dict[str, float]) -> dict[str, Any]:
    return engine().assess(answers, metrics or None).to_dict()


@pytest.mark.parametrize("name", SETS)
def test_no_emergency_missed_and_no_red_flag_outweighed(name) -> None:
    vignettes = vignette_set(name)
    report = evaluate(vignettes, _shipped, TIERS)
    f = report.figures
    detail = format_report(name, report, detail=True)
    assert f["crashes"] == 0, detail
    assert f["n_emergency"] >= 10 and f["emergencies_missed"] == 0, detail
    assert f["red_flags_outweighed"] == 0, detail
    assert f["safe"] == 1.0, detail  # no story under-triaged


@pytest.mark.parametrize("name", SETS)
def test_vignettes_cover_the_urgencies_both_sexes_and_ages(name) -> None:
    vignettes = vignette_set(name)
    assert {v.gold.urgency for v in vignettes} == {"emergency", "urgent", "gp_soon", "none"}
    assert {"female", "male"} <= {v.sex for v in vignettes}
    ages = [v.age for v in vignettes]
    assert min(ages) <= 20 and max(ages) >= 65
    causes = {c for v in vignettes for c in v.gold.causes}
    assert causes <= {c.id for c in KB.causes}
    for v in vignettes:  # every answer is one the questionnaire accepts
        engine().validate_answers({"sex": v.sex, "age": v.age, **v.answers}, where=v.id)


def test_dev_set_has_at_least_sixty_stories() -> None:
    assert len(vignette_set("dev")) >= 60


def test_the_scoring_catches_an_unsafe_engine() -> None:
    """An engine that never escalates misses every emergency and outweighs every flag."""
    vignettes = vignette_set("dev")

    def never_escalates(answers: dict[str, Any], metrics: dict[str, float]) -> dict[str, Any]:
        doc = _shipped(answers, metrics)
        doc["triage"] = {"level": "none", "flags": []}
        doc["todays_call"] = {"id": "continue", "text": "run"}
        return doc
    f = evaluate(vignettes, never_escalates, TIERS).figures
    assert f["emergencies_missed"] == f["n_emergency"] > 0
    assert f["red_flags_outweighed"] > 0 and f["safe"] < 1.0 and f["over_triage"] == 0


def test_cause_accuracy_counts_only_non_emergencies_with_gold_causes() -> None:
    vignettes = vignette_set("dev")

    def reversed_ranking(answers: dict[str, Any], metrics: dict[str, float]) -> dict[str, Any]:
        doc = _shipped(answers, metrics)
        doc["contributors"] = doc["contributors"][::-1]
        return doc
    good = evaluate(vignettes, _shipped, TIERS).figures
    bad = evaluate(vignettes, reversed_ranking, TIERS).figures
    assert good["n_scored_causes"] == sum(1 for v in vignettes if v.gold.urgency != "emergency" and v.gold.causes)
    assert bad["top3"] < good["top3"] and bad["top1"] < good["top1"]


def test_a_crash_is_reported_not_raised() -> None:
    v = vignette_set("dev")[:2]

    def broken(answers: dict[str, Any], metrics: dict[str, float]) -> dict[str, Any]:
        raise ValueError("boom")
    report = evaluate(v, broken, TIERS)
    assert report.figures["crashes"] == 2 and "boom" in format_report("x", report, detail=True)
