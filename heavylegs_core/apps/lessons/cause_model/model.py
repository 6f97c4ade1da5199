"""Lesson 5's numbers: how the cause model reasons.

:class:`CaseModel` is a case the student edits answer by answer and the cause they follow;
:meth:`CaseModel.result` assesses it and lists every contribution to that cause in evidence
points. Every number comes from :mod:`heavylegs_core.domain.model` and the knowledge base;
``FACTS`` holds the numbers the lesson's text states (causes.md sections 1 and 4.1,
red-flags.md section 5). No widgets: the app is in
:mod:`heavylegs_core.apps.lessons.cause_model.view`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from heavylegs_core.apps.lessons.quiz.model import Question
from heavylegs_core.domain.model import Assessment, Contributor, assess, points
from heavylegs_core.knowledge import load_knowledge
from heavylegs_core.views.html import esc

#: The questions the student can edit, in the order shown (a red flag first: the gate).
CASE_QUESTIONS: tuple[str, ...] = (
    "rf_chest_pain", "sex", "in_run", "course", "recent_increase", "longest_run_jump", "short_nights",
)
#: The lesson's starting case (answers as the wizard stores them).
CASE: dict[str, Any] = {
    "rf_chest_pain": "no", "sex": "female", "in_run": "start_to_finish", "course": "several_days",
    "recent_increase": "yes", "longest_run_jump": "yes_10_30", "short_nights": 2,
}
FOCUS = "load_spike"  # the cause the lesson follows
RARE = "exertional_leg_pain"  # a rare cause with strong, specific evidence
NOT_ANSWERED = "(not answered)"


def odds(p: float) -> float:
    """Odds of a probability (0 < p < 1)."""
    return p / (1.0 - p)


def probability(prior: float, total_points: float) -> float:
    """Probability after adding ``total_points`` evidence points (decibans) to the prior's odds."""
    o = odds(prior) * 10.0 ** (total_points / 10.0)
    return o / (1.0 + o)


def ungrouped_probability(c: Contributor) -> float:
    """What the probability would be if the correlated items the model leaves out were counted too.

    A teaching counterfactual: it adds each not-counted item's full points (10·log10 LR).
    """
    return probability(c.prior, c.points_total + sum(points(u.lr) for u in c.not_counted))


def answer_options(qid: str) -> list[tuple[str, Any]]:
    """Dropdown options for a case question: not answered, then the knowledge base's options."""
    q = load_knowledge().question(qid)
    if q.type == "single":
        return [(NOT_ANSWERED, None), *[(o.label, o.id) for o in q.options]]
    lo, hi = int(q.min or 0), int(q.max if q.max is not None else 10)
    return [(NOT_ANSWERED, None), *[(str(v), v) for v in range(lo, hi + 1)]]


def question_html(qid: str) -> str:
    """A case question's text (from the knowledge base), as the label above its answer."""
    return f"<p><strong>{esc(load_knowledge().question(qid).text)}</strong></p>"


def cause_options() -> list[tuple[str, str]]:
    """Every cause of the knowledge base as a dropdown option (name, id)."""
    return [(c.name, c.id) for c in load_knowledge().causes]


def _signed(x: float) -> str:
    return f"{x:+.1f}".replace("-", "−")


def because_html(c: Contributor) -> str:
    """The 'because…' panel of one contributor: prior, each item's points (bars), grouped items, result."""
    rows = [f"<tr><td>Starting point: prior {round(c.prior * 100)} in 100</td><td></td><td></td></tr>"]
    for u in c.evidence:
        width = min(100, round(abs(u.points) * 8))
        colour = "#1b6ca8" if u.points >= 0 else "#c0392b"
        arrow = "▲" if u.points >= 0 else "▼"
        rows.append(
            f"<tr><td>{arrow} {esc(u.text)}</td><td style='text-align:right'>{_signed(u.points)}</td>"
            f"<td><div style='background:{colour};height:0.8em;width:{width}px' aria-hidden='true'></div></td></tr>")
    for u in c.not_counted:
        rows.append(f"<tr class='hl-not-counted'><td><s>{esc(u.text)}</s> (same group as a stronger item: "
                    f"not counted again)</td><td style='text-align:right'>0.0</td><td></td></tr>")
    cap = " (capped)" if c.capped else ""
    rows.append(f"<tr><td><strong>Total</strong>{cap}</td><td style='text-align:right'>"
                f"<strong>{_signed(c.points_total)}</strong></td><td></td></tr>")
    return (f"<h4>{esc(c.name)}</h4><table class='hl-because'><thead><tr><th>Evidence</th><th>points</th>"
            f"<th></th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<p><strong>{c.out_of_100} in 100</strong> runners with answers like these would have this as a "
            f"contributor (from {round(c.prior * 100)} in 100 before any answer).</p>")


def result_html(result: Assessment, focus: str) -> str:
    """The gate, or the focused cause's panel and the top five."""
    if result.triage.acknowledge_required:
        flags = "".join(f"<li>{esc(f.action)}</li>" for f in result.triage.flags)
        return ('<div class="hl-gate" role="alert"><h4>Warning sign: the ranking is not shown</h4>'
                f"<ul>{flags}</ul><p>A warning sign is a gate, not one more piece of evidence: the app shows "
                "this advice first and ranks contributors only after the user has acknowledged it.</p></div>")
    top = "".join(f"<li>{esc(c.name)}: {c.out_of_100} in 100</li>" for c in result.contributors[:5])
    return (because_html(result.contributor(focus)) + f"<h4>Top five contributors</h4><ol>{top}</ol>"
            f"<p><small>{esc(result.honesty_statement)}</small></p>")


def case_result(answers: Mapping[str, Any]) -> Assessment:
    """Assess the case (unanswered questions left out)."""
    return assess({k: v for k, v in answers.items() if v is not None})


@dataclass(frozen=True)
class CaseResult:
    """The assessed case and what the app shows: the gate, or the followed cause's panel and the top five."""

    assessment: Assessment
    html: str


@dataclass(frozen=True)
class CaseModel:
    """The lesson's case: answers by question id (None = not answered) and the cause followed."""

    answers: Mapping[str, Any] = field(default_factory=lambda: dict(CASE))
    focus: str = FOCUS

    def result(self) -> CaseResult:
        """Assess the case (:func:`case_result`) and show the followed cause (:func:`result_html`)."""
        assessment = case_result(self.answers)
        return CaseResult(assessment, result_html(assessment, self.focus))


def _facts() -> dict[str, str]:
    kb = load_knowledge()
    c = case_result(CASE).contributor(FOCUS)
    gated = case_result({**CASE, "rf_chest_pain": "yes"})
    return {
        "points_lr2": _signed(points(2.0)).replace("−", "-"),
        "points_lr5": _signed(points(5.0)).replace("−", "-"),
        "points_lr05": _signed(points(0.5)).replace("−", "-"),
        "cap_points": f"{kb.caps.positive_points_per_cause:.0f} points",
        "cap_lr": f"{10 ** (kb.caps.positive_points_per_cause / 10):.1f}",
        "n_causes": f"{len(kb.causes)} causes",
        "focus_prior_given": f"{round(kb.cause(FOCUS).prior * 100)} in 100",
        "focus_prior": f"{round(c.prior * 100)} in 100",
        "rare_prior_given": f"{round(kb.cause(RARE).prior * 100)} in 100",
        "rare_prior": f"{round(case_result({}).contributor(RARE).prior * 100)} in 100",
        "shrink": f"{kb.caps.prior_shrink:.1f}",
        "focus_points": _signed(c.points_total).replace("−", "-"),
        "focus_out_of_100": f"{c.out_of_100} in 100",
        "focus_ungrouped": f"{round(ungrouped_probability(c) * 100)} in 100",
        "gate_level": gated.triage.level,
    }


FACTS: dict[str, str] = _facts()
"""Every number lesson 5 states, formatted as the text prints it."""

QUESTIONS: tuple[Question, ...] = (
    Question(
        "An item has a likelihood ratio of 2. How many evidence points does it add?",
        ("+2", "+3", "+20"),
        1,
        f"Points are 10·log10(LR): an LR of 2 gives {FACTS['points_lr2']}, an LR of 0.5 gives "
        f"{FACTS['points_lr05']}.",
    ),
    Question(
        "A runner reports a longer run and also that training went up recently. Both point to a load spike. "
        "Why does the model count only one of them?",
        ("Because the second answer is less reliable",
         "Because they measure the same thing, so multiplying both would count one fact twice",
         "Because a cause may only have one piece of evidence"),
        1,
        "Correlated items sit in one group, and only the strongest item of a group counts: otherwise repeating "
        "the same information in different words would inflate the probability.",
    ),
    Question(
        "A runner leaves the chest-pain question blank. What does the model do?",
        ("Treats it as a no", "Says the warning-sign screen is incomplete and gives no call to train today",
         "Treats it as a yes and calls the emergency number"),
        1,
        "An unanswered warning sign is never read as a no: the result says the screen is incomplete, and "
        "today's call stays 'do not train' until every warning sign is answered.",
    ),
    Question(
        "Which numbers in the cause model come from studies of heavy legs in runners?",
        ("The priors", "The likelihood ratios", "None of them: they are judgements anchored to related evidence"),
        2,
        "No study has measured the causes of heavy legs in recreational runners; every prior and likelihood "
        "ratio is a judgement, anchored where possible to neighbouring evidence.",
    ),
)
