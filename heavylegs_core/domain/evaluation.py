"""Clinical vignette evaluation of the cause model, scored as symptom-checker studies score.

A vignette is a runner's story with a gold urgency and the causes a clinician
would accept as the main contributor, written from the evidence base before the
engine was run on it (``data/vignettes/*.yaml``). :func:`evaluate` answers each
one through an ``assess`` function and scores the results:

- **triage exact**: the triage level equals the gold urgency;
- **safe**: the level is the gold urgency or more cautious (Gilbert 2020's
  definition of safe advice);
- **emergencies missed**: gold ``emergency`` given any lower level;
- **over / under-triage**: more / less urgent than the gold;
- **top-1 / top-3**: among the stories with gold causes and a gold urgency
  below ``emergency``, the first (any of the first three) contributors is an
  acceptable cause;
- **red flag outweighed**: a warning sign answered yes or not sure whose tier
  the triage level does not reach, or whose today's call is not ``see_doctor``
  (must never happen).

Pure functions: nothing here reads the clock or writes a file.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from heavylegs_core.domain.model import LEVEL_RANK
from heavylegs_core.knowledge import Knowledge, load_knowledge

#: The bundled vignette sets, by name (``dev`` is used for development, ``heldout`` only to measure).
VIGNETTE_DIR = Path(__file__).resolve().parents[2] / "data" / "vignettes"

#: Published figures to print beside ours (red-flags.md section 5.1).
PUBLISHED: tuple[tuple[str, str], ...] = (
    ("Semigran 2015 (BMJ), 23 symptom checkers", ("triage appropriate 57 % (emergencies 80 %, "
                                                  "self-care 33 %); correct diagnosis first 34 %, in the top 20 58 %")),
    ("Gilbert 2020 (BMJ Open), vignettes", "right condition in the top 3: GPs 82.1 %, Ada 70.5 %"),
)

#: The targets of issue 20, on vignettes the project has never seen.
TARGETS: dict[str, float] = {"safe": 0.97, "triage_exact": 0.90, "top3": 0.85, "top1": 0.60}


class Gold(BaseModel):
    """What a careful clinician decided before the engine ran."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    urgency: str = Field(pattern="^(emergency|urgent|gp_soon|none)$")
    causes: tuple[str, ...] = ()
    rationale: str = Field(min_length=1)


class Vignette(BaseModel):
    """One story: who, what happened, the gold answer and the runner's answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1)
    sex: str
    age: int = Field(ge=10, le=100)
    story: str = Field(min_length=1)
    gold: Gold
    answers: dict[str, Any]
    metrics: dict[str, float] = Field(default_factory=dict)


def load_vignettes(path: Path | str) -> list[Vignette]:
    """Read and validate one vignette file (a YAML list); ids must be unique."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    if not isinstance(raw, list):
        raise TypeError(f"{path}: a vignette file is a YAML list")
    out = [Vignette.model_validate(v) for v in raw]
    ids = [v.id for v in out]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ValueError(f"{path}: duplicate vignette ids {dup}")
    return out


def vignette_set(name: str) -> list[Vignette]:
    """A bundled set by name: ``dev`` or ``heldout``."""
    return load_vignettes(VIGNETTE_DIR / f"{name}.yaml")


@dataclass(frozen=True)
class Outcome:
    """What the engine said about one vignette."""

    id: str
    gold: str
    level: str
    ranking: tuple[str, ...]
    acceptable: tuple[str, ...]
    call: str
    outweighed: tuple[str, ...] = ()
    error: str | None = None

    @property
    def exact(self) -> bool:
        return self.error is None and self.level == self.gold

    @property
    def safe(self) -> bool:
        return self.error is None and LEVEL_RANK[self.level] >= LEVEL_RANK[self.gold]

    @property
    def scored_causes(self) -> bool:
        """Cause accuracy counts for stories below emergency that name acceptable causes."""
        return self.gold != "emergency" and bool(self.acceptable)

    @property
    def top1(self) -> bool:
        return bool(self.ranking) and self.ranking[0] in self.acceptable

    @property
    def top3(self) -> bool:
        return any(c in self.acceptable for c in self.ranking[:3])


@dataclass(frozen=True)
class Report:
    """The scores of one vignette set (fractions in 0-1, counts as ints)."""

    outcomes: tuple[Outcome, ...]
    figures: dict[str, float] = field(default_factory=dict)

    def failures(self, kind: str) -> list[Outcome]:
        """The outcomes that miss ``kind``: ``exact``, ``safe``, ``top1``, ``top3`` or ``outweighed``."""
        if kind == "outweighed":
            return [o for o in self.outcomes if o.outweighed]
        pool = [o for o in self.outcomes if o.scored_causes] if kind in ("top1", "top3") else self.outcomes
        return [o for o in pool if not getattr(o, kind)]


def _outweighed(answers: Mapping[str, Any], tiers: Mapping[str, str], level: str, call: str) -> tuple[str, ...]:
    out = []
    for qid, tier in tiers.items():
        if answers.get(qid) in ("yes", "not_sure") and (LEVEL_RANK[level] < LEVEL_RANK[tier] or call != "see_doctor"):
            out.append(qid)
    return tuple(out)


def flag_tiers(kb: Knowledge | None = None) -> dict[str, str]:
    """Warning-sign question id -> its tier (``emergency``, ``urgent`` or ``gp_soon``)."""
    kb = kb or load_knowledge()
    return {q.id: q.tier for q in kb.questions if q.section == "red_flags" and q.tier}


def evaluate(vignettes: Iterable[Vignette], assess: Callable[[dict[str, Any], dict[str, float]], Mapping[str, Any]],
             flag_tiers: Mapping[str, str]) -> Report:
    """Answer every vignette through ``assess(answers, metrics)`` (the JSON of interfaces.md section 4).

    ``flag_tiers`` maps each warning-sign question id to its tier. An
    exception counts as a crash: unsafe, inexact and wrong on causes.
    """
    outcomes: list[Outcome] = []
    for v in vignettes:
        answers = {"sex": v.sex, "age": v.age, **v.answers}
        try:
            doc = assess(answers, dict(v.metrics))
        except Exception as exc:  # noqa: BLE001 - a crash is a finding, reported with the others
            outcomes.append(Outcome(v.id, v.gold.urgency, "none", (), v.gold.causes, "", (),
                                    f"{type(exc).__name__}: {exc}"))
            continue
        level = doc["triage"]["level"]
        call = doc["todays_call"]["id"]
        ranking = tuple(c["id"] for c in doc["contributors"])
        outcomes.append(Outcome(v.id, v.gold.urgency, level, ranking, v.gold.causes, call,
                                _outweighed(answers, flag_tiers, level, call)))
    return Report(tuple(outcomes), figures(outcomes))


def figures(outcomes: Sequence[Outcome]) -> dict[str, float]:
    """The headline figures of a set of outcomes."""
    n = len(outcomes)
    scored = [o for o in outcomes if o.scored_causes]
    emerg = [o for o in outcomes if o.gold == "emergency"]

    def share(xs: Sequence[Outcome], pred: Callable[[Outcome], bool]) -> float:
        return sum(1 for x in xs if pred(x)) / len(xs) if xs else float("nan")
    return {
        "n": n, "n_emergency": len(emerg), "n_scored_causes": len(scored),
        "triage_exact": share(outcomes, lambda o: o.exact),
        "safe": share(outcomes, lambda o: o.safe),
        "emergencies_missed": sum(1 for o in emerg if o.level != "emergency"),
        "over_triage": share(outcomes, lambda o: o.error is None and LEVEL_RANK[o.level] > LEVEL_RANK[o.gold]),
        "under_triage": share(outcomes, lambda o: not o.safe),
        "top1": share(scored, lambda o: o.top1),
        "top3": share(scored, lambda o: o.top3),
        "red_flags_outweighed": sum(1 for o in outcomes if o.outweighed),
        "crashes": sum(1 for o in outcomes if o.error),
    }


def format_report(name: str, report: Report, *, detail: bool = False) -> str:
    """A plain-text table of the figures (and, with ``detail``, every miss)."""
    f = report.figures
    def pct(x: float) -> str:
        return "n/a" if math.isnan(x) else f"{100 * x:.0f} %"
    lines = [
        (f"vignette set {name!r}: {f['n']:.0f} stories ({f['n_emergency']:.0f} emergencies, "
         f"{f['n_scored_causes']:.0f} scored on causes)"),
        f"  triage exact        {pct(f['triage_exact']):>6}   (target >= {TARGETS['triage_exact']:.0%})",
        f"  safe                {pct(f['safe']):>6}   (target >= {TARGETS['safe']:.0%})",
        f"  emergencies missed  {f['emergencies_missed']:>6.0f}   (target 0)",
        f"  over-triage         {pct(f['over_triage']):>6}",
        f"  under-triage        {pct(f['under_triage']):>6}",
        f"  top-1 cause         {pct(f['top1']):>6}   (target >= {TARGETS['top1']:.0%})",
        f"  top-3 cause         {pct(f['top3']):>6}   (target >= {TARGETS['top3']:.0%})",
        f"  red flags outweighed{f['red_flags_outweighed']:>6.0f}   (must be 0)",
        f"  crashes             {f['crashes']:>6.0f}",
    ]
    if detail:
        for kind in ("safe", "exact", "top3", "top1", "outweighed"):
            for o in report.failures(kind):
                lines.append(f"  miss {kind:<10} {o.id}: gold {o.gold}, got {o.level}; top 3 {list(o.ranking[:3])}; "
                             f"acceptable {list(o.acceptable)}{'; ' + o.error if o.error else ''}")
    return "\n".join(lines)

