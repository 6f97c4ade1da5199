"""The cause model: red-flag triage, ranked contributors, actions, today's call.

:func:`assess` turns an athlete's answers (``{question_id: answer}``, the ids of
``heavylegs questions``) and, optionally, the daily-metrics row of the as-of day
(a plain mapping of the columns of interfaces.md section 3) into an
:class:`Assessment` that serialises to the JSON of interfaces.md section 4.

The reasoning, all driven by the knowledge base (:mod:`heavylegs_core.knowledge`):

1. **Red-flag gate first.** Every red-flag question answered ``yes`` or
   ``not_sure`` sets the triage level (``emergency`` > ``urgent`` > ``gp_soon``),
   as do the derived rules (no better after 2-3 weeks of a change, heavy for
   more than 3 weeks, worsening for weeks). A triggered flag always makes
   today's call ``see_doctor``; nothing else in the answers can lower it.
2. **Independent posteriors per cause** (multi-label): prior odds times the
   likelihood ratios of the evidence that applies, in points = 10·log10(LR).
   Unknown answers and missing metrics move nothing. Within a group of
   correlated items only the strongest item for and the strongest against
   count (or the first plus half of the rest, per the group's mode). Positive
   points per cause are capped (+15 by default). Women's and men's priors for
   iron and under-fuelling are scaled as causes.md gives.
3. **Actions with a safety net** and a re-check time per contributor.
4. **Today's call** from the ordered rules of ``calls.yaml``.
5. **Notes** under the result (``notes.yaml``): the engine decides which apply
   and fills in their placeholders; every clinical sentence, the educational
   note and the default emergency number live in the knowledge base.

Deterministic: the same inputs give the same output. Wording: contributors and
evidence "points towards / away from"; never "you have X".
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from heavylegs_core import __version__
from heavylegs_core.base.errors import Problem, UserError
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.knowledge import (
    DONT_KNOW,
    HISTORY_METRICS,
    Condition,
    EvidenceItem,
    Knowledge,
    Question,
    load_knowledge,
)

LEVELS: tuple[str, ...] = ("none", "gp_soon", "urgent", "emergency")
LEVEL_RANK: dict[str, int] = {lv: i for i, lv in enumerate(LEVELS)}


def __getattr__(name: str) -> Any:
    """``DEFAULT_EMERGENCY_NUMBER``: what fills ``{emergency_number}`` when the caller gives no number.

    Read from the knowledge base (``notes.yaml``, ``default_emergency_number``) when first asked for,
    so that importing this module loads no knowledge.
    """
    if name == "DEFAULT_EMERGENCY_NUMBER":
        return load_knowledge().default_emergency_number
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: The one-leg safety screen of causes.md section 6 (asked before any asymmetry).
ONE_LEG_SCREEN: tuple[str, ...] = (
    "rf_dvt", "rf_numbness", "rf_cold_leg", "rf_night_pain", "rf_exertional_pattern", "sciatica",
)

Answers = Mapping[str, Any]
Metrics = Mapping[str, Any]

PRESENT, ABSENT, UNKNOWN = 1, -1, 0
_METRIC_NAMES = frozenset(HISTORY_METRICS)
_ACWR_METRICS = ("acwr_coupled", "acwr_uncoupled", "acwr_ewma")


# ----------------------------------------------------------------- results
class EvidenceUse(NamedTuple):
    """One evidence item as applied to a contributor.

    ``points`` is what the item added (10·log10 LR, times its counted
    fraction); ``direction`` is ``for`` or ``against``; ``label`` is the
    strength band of the LR (Jaeschke: marginal, small, moderate, large).
    """

    id: str
    text: str
    points: float
    lr: float
    direction: str
    label: str
    group: str | None
    counted: float
    mark: str
    source: str
    order: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (interfaces.md section 4 plus extras)."""
        return {
            "id": self.id, "text": self.text, "points": round(self.points, 1),
            "lr": round(self.lr, 3), "direction": self.direction, "label": self.label,
            "group": self.group, "counted": self.counted, "mark": self.mark, "source": self.source,
        }


class Contributor(NamedTuple):
    """One cause with its posterior probability (0-1), evidence and actions."""

    id: str
    name: str
    short: str
    probability: float
    prior: float
    points_total: float
    capped: bool
    evidence: tuple[EvidenceUse, ...]
    not_counted: tuple[EvidenceUse, ...]
    actions: tuple[str, ...]
    recheck_days: int
    resolution: str
    prior_mark: str
    sources: tuple[str, ...]
    prior_given: float = 0.0  # the evidence base's prior (sex-adjusted) before the ranking shrink

    @property
    def out_of_100(self) -> int:
        """The probability as a whole number out of 100 runners."""
        return round(self.probability * 100)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (interfaces.md section 4 plus extras)."""
        return {
            "id": self.id, "name": self.name, "short": self.short,
            "probability": round(self.probability, 4), "out_of_100": self.out_of_100,
            "prior": round(self.prior, 4), "points_total": round(self.points_total, 1),
            "capped": self.capped,
            "evidence": [e.to_dict() for e in self.evidence],
            "not_counted": [e.to_dict() for e in self.not_counted],
            "actions": list(self.actions), "recheck_days": self.recheck_days,
            "resolution": self.resolution, "prior_mark": self.prior_mark, "sources": list(self.sources),
            "prior_given": round(self.prior_given, 4),
        }


class Flag(NamedTuple):
    """A triggered red flag: the action first, then the concern."""

    id: str
    tier: str
    action: str
    concern: str
    source: str
    answer: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "tier": self.tier, "action": self.action,
                "concern": self.concern, "source": self.source, "answer": self.answer}


@dataclass(frozen=True, slots=True)
class Triage:
    """The red-flag outcome; ``acknowledge_required`` when any flag fired.

    ``unanswered`` lists the warning-sign questions that apply to this athlete
    but were left blank or answered "don't know": such a screen is incomplete,
    and an unanswered warning sign never reads as a "no".
    """

    level: str
    flags: tuple[Flag, ...]
    unanswered: tuple[str, ...] = ()

    @property
    def acknowledge_required(self) -> bool:
        """True when the user must see and acknowledge the advice before any ranking."""
        return self.level != "none"

    @property
    def screen_complete(self) -> bool:
        """True when every warning-sign question that applies was answered."""
        return not self.unanswered

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"level": self.level, "flags": [f.to_dict() for f in self.flags],
                "acknowledge_required": self.acknowledge_required,
                "screen_complete": self.screen_complete, "unanswered": list(self.unanswered)}


@dataclass(frozen=True, slots=True)
class TodaysCall:
    """Today's training call: one of continue, ease, shorten, skip_intensity, rest, see_doctor."""

    id: str
    text: str
    why: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "text": self.text, "why": self.why}


@dataclass(frozen=True, slots=True)
class Assessment:
    """The full result; :meth:`to_dict` gives the JSON of interfaces.md section 4."""

    model_version: str
    as_of: dt.date | None
    triage: Triage
    contributors: tuple[Contributor, ...]
    todays_call: TodaysCall
    notes: tuple[str, ...] = ()
    educational_note: str = field(default_factory=lambda: load_knowledge().educational_note)
    honesty_statement: str = ""
    answered: int = 0
    history_used: bool = False
    reference_class: str = field(default_factory=lambda: load_knowledge().reference_class)

    def contributor(self, cid: str) -> Contributor:
        """The contributor with this cause id."""
        return next(c for c in self.contributors if c.id == cid)

    def ranking(self) -> list[str]:
        """Cause ids, most probable first."""
        return [c.id for c in self.contributors]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (interfaces.md section 4 plus extras)."""
        return {
            "model_version": self.model_version,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "educational_note": self.educational_note,
            "triage": self.triage.to_dict(),
            "contributors": [c.to_dict() for c in self.contributors],
            "todays_call": self.todays_call.to_dict(),
            "notes": list(self.notes),
            "honesty_statement": self.honesty_statement,
            "reference_class": self.reference_class,
            "answered": self.answered,
            "history_used": self.history_used,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Assessment:
        """The assessment a :meth:`to_dict` document describes, exactly as it was saved.

        A saved result is authoritative: nothing is assessed again, so a report made
        from it later says what the coach saw that day (probabilities as saved, to 4
        decimals). A document that is not such a result raises ``KeyError`` or ``TypeError``.
        """
        def use(e: Mapping[str, Any]) -> EvidenceUse:
            return EvidenceUse(**{f: e[f] for f in EvidenceUse._fields if f != "order"})

        def contributor(c: Mapping[str, Any]) -> Contributor:
            fields = {f: c[f] for f in Contributor._fields if f in c}
            fields.update(evidence=tuple(map(use, c["evidence"])), not_counted=tuple(map(use, c["not_counted"])),
                          actions=tuple(c["actions"]), sources=tuple(c["sources"]))
            return Contributor(**fields)

        t = d["triage"]
        triage = Triage(level=t["level"], flags=tuple(Flag(**f) for f in t["flags"]),
                        unanswered=tuple(t.get("unanswered", ())))
        return cls(model_version=d["model_version"],
                   as_of=dt.date.fromisoformat(d["as_of"]) if d.get("as_of") else None,
                   triage=triage, contributors=tuple(map(contributor, d["contributors"])),
                   todays_call=TodaysCall(**d["todays_call"]), notes=tuple(d.get("notes", ())),
                   educational_note=d["educational_note"], honesty_statement=d.get("honesty_statement", ""),
                   answered=int(d.get("answered", 0)), history_used=bool(d.get("history_used", False)),
                   reference_class=d["reference_class"])


# ----------------------------------------------------------------- helpers
def points(lr: float) -> float:
    """Evidence points of a likelihood ratio: 10·log10(LR) (decibans)."""
    return 10.0 * math.log10(lr)


def strength_label(lr: float) -> str:
    """Jaeschke's band for an LR (red-flags.md 5.4): marginal, small, moderate or large."""
    x = lr if lr >= 1 else 1.0 / lr
    if x > 10:
        return "large"
    if x >= 5:
        return "moderate"
    if x >= 2:
        return "small"
    return "marginal"


def model_version(kb: Knowledge | None = None) -> str:
    """The model version: package version plus the knowledge-base digest."""
    kb = kb or load_knowledge()
    return f"{__version__}+kb.{kb.version}"


def _num(v: Any) -> float | None:
    """A finite or infinite float from a metric value; None for missing/NaN."""
    if v is None or isinstance(v, bool | str):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _known_false(v: Any) -> bool:
    """True for a known "no" flag: False (also numpy's), 0, or the text "false"; never for an empty value."""
    if v is None:
        return False
    if isinstance(v, str):
        return v.strip().lower() in ("false", "0", "no")
    try:
        return not bool(v)
    except TypeError:  # pandas.NA
        return False


_CMP: dict[str, Callable[[float, float], bool]] = {
    "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
}

# A compiled condition: (answers, metrics) -> (state, value)
Test = Callable[[Mapping[str, Any], Mapping[str, float]], tuple[int, float | None]]


def _compile(cond: Condition) -> Test:
    if cond.all is not None:
        parts = [_compile(c) for c in cond.all]

        def all_(a: Mapping[str, Any], m: Mapping[str, float]) -> tuple[int, float | None]:
            for t in parts:
                if t(a, m)[0] != PRESENT:
                    return UNKNOWN, None
            return PRESENT, None
        return all_
    if cond.any is not None:
        parts = [_compile(c) for c in cond.any]

        def any_(a: Mapping[str, Any], m: Mapping[str, float]) -> tuple[int, float | None]:
            for t in parts:
                s, v = t(a, m)
                if s == PRESENT:
                    return PRESENT, v
            return UNKNOWN, None
        return any_
    if cond.is_ is not None:
        qid, opts = cond.q, frozenset(cond.is_)

        def is_(a: Mapping[str, Any], m: Mapping[str, float]) -> tuple[int, float | None]:
            v = a.get(qid)
            if v is None:
                return UNKNOWN, None
            return (PRESENT if v in opts else ABSENT), None
        return is_
    op, thr = cond.comparator()  # type: ignore[misc]
    if cond.q is not None:
        qid, f, t = cond.q, _CMP[op], float(thr)

        def qnum(a: Mapping[str, Any], m: Mapping[str, float]) -> tuple[int, float | None]:
            v = a.get(qid)
            if v is None:
                return UNKNOWN, None
            return (PRESENT if f(v, t) else ABSENT), v
        return qnum
    mid = cond.m
    if op.endswith("_ref"):
        ref, f, plus = str(thr), _CMP[op[:-4]], cond.plus

        def mref(a: Mapping[str, Any], m: Mapping[str, float]) -> tuple[int, float | None]:
            v, r = m.get(mid), m.get(ref)
            if v is None or r is None or math.isinf(r):
                return UNKNOWN, None
            return (PRESENT if f(v, r + plus) else ABSENT), v
        return mref
    f2, t2 = _CMP[op], float(thr)

    def mnum(a: Mapping[str, Any], m: Mapping[str, float]) -> tuple[int, float | None]:
        v = m.get(mid)
        if v is None:
            return UNKNOWN, None
        return (PRESENT if f2(v, t2) else ABSENT), v
    return mnum


class _Side(NamedTuple):
    """What an item contributes when present (or explicitly absent)."""

    lr: float
    pts: float
    text: str
    templated: bool
    direction: str
    label: str


class _Item(NamedTuple):
    idx: int
    id: str
    test: Test
    present: _Side
    absent: _Side | None
    group: str | None
    mark: str
    source: str
    use_present: EvidenceUse | None  # prebuilt when the text has no {value}
    use_absent: EvidenceUse | None


def _side(lr: float, text: str) -> _Side:
    pts = points(lr)
    return _Side(lr, pts, text, "{" in text, "for" if pts > 0 else "against", strength_label(lr))


def _compile_item(idx: int, e: EvidenceItem) -> _Item:
    present = _side(e.lr, e.text)
    absent = _side(e.lr_absent, e.text_absent or "") if e.lr_absent is not None else None

    def prebuilt(side: _Side | None) -> EvidenceUse | None:
        if side is None or side.templated:
            return None
        return EvidenceUse(e.id, side.text, side.pts, side.lr, side.direction, side.label, e.group, 1.0,
                           e.mark, e.source, idx)
    return _Item(idx, e.id, _compile(e.when), present, absent, e.group, e.mark, e.source,
                 prebuilt(present), prebuilt(absent))


def _trigger_key(cond: Condition) -> tuple[str, str] | None:
    """("q" or "m", id) of the answer or metric an item cannot fire without (None: always evaluate)."""
    if cond.all is not None:
        return _trigger_key(cond.all[0])
    if cond.any is not None:
        return None
    return ("q", cond.q) if cond.q is not None else ("m", cond.m)  # type: ignore[return-value]


class _Cause(NamedTuple):
    spec: Any
    prior: float
    prior_by_sex: dict[str, float]
    items: tuple[_Item, ...]
    actions: tuple[str, ...]


class Engine:
    """A compiled knowledge base: build once, call :meth:`assess` many times."""

    def __init__(self, kb: Knowledge):
        self.kb = kb
        self.version = model_version(kb)
        self.questions = {q.id: q for q in kb.questions}
        self.options = {q.id: frozenset(q.option_ids()) for q in kb.questions if q.type == "single"}
        self.flag_questions = [(f, f.id) for f in kb.red_flags if f.question]
        self.flag_rules = [(f, _compile(f.when)) for f in kb.red_flags if f.when is not None]
        self.flag_shown = [(q.id, None if q.show_if is None else _compile(q.show_if))
                           for q in kb.questions if q.section == "red_flags"]
        self.explained_points = kb.caps.explained_points
        self.explanation_excludes = frozenset(kb.caps.explanation_excludes)
        self.everyday = frozenset(c.id for c in kb.causes if c.everyday)
        self.incomplete = kb.incomplete_screen
        self.unbounded = kb.text("monotony_unbounded")
        self.flag_concern = {f.id: f.concern for f in kb.red_flags if f.question}
        self.group_mode = {g: spec.mode for g, spec in kb.groups.items()}
        self.cap = kb.caps.positive_points_per_cause
        self.max_prior = kb.caps.max_prior
        shrink, self.unshrink = _prior_shrink(kb)
        self.causes = [
            _Cause(c, shrink(c.prior), {sex: shrink(min(c.prior * f, self.max_prior))
                                        for sex, f in c.sex_factor.items()},
                   tuple(_compile_item(i, e) for i, e in enumerate(kb.evidence) if e.cause == c.id),
                   (*c.actions, c.safety_net))
            for c in kb.causes
        ]
        # items indexed by the answer or metric that drives them: only those are evaluated
        # Items indexed by the answer or metric that drives them; only those are evaluated.
        # An option answer is a table lookup: (question, option) -> items that fire, with
        # their side (present or absent), or None when a compound condition must be tested.
        # (A question id may equal a metric name, e.g. days_since_rest: separate indexes.)
        self.option_table: dict[str, dict[str, list[tuple[int, _Item, EvidenceUse | None]]]] = {
            q.id: {o: [] for o in q.option_ids()} for q in kb.questions if q.type == "single"
        }
        self.index_q: dict[str, list[tuple[int, _Item]]] = {}
        self.index_m: dict[str, list[tuple[int, _Item]]] = {}
        self.always: list[tuple[int, _Item]] = []
        for ci, cs in enumerate(self.causes):
            for it in cs.items:
                cond = kb.evidence[it.idx].when
                key = _trigger_key(cond)
                if key is None:
                    self.always.append((ci, it))
                elif key[0] == "m":
                    self.index_m.setdefault(key[1], []).append((ci, it))
                elif key[1] not in self.option_table:
                    self.index_q.setdefault(key[1], []).append((ci, it))
                elif cond.simple:
                    for o, entries in self.option_table[key[1]].items():
                        use = it.use_present if o in (cond.is_ or ()) else it.use_absent
                        if use is not None:
                            entries.append((ci, it, use))
                else:
                    first = cond.all[0] if cond.all else cond
                    for o in first.is_ or ():
                        self.option_table[key[1]][o].append((ci, it, None))
        # a cause without any evidence keeps its (sex-adjusted) prior: built once
        self.priors = {
            sex: [cs.prior_by_sex.get(sex, cs.prior) if sex else cs.prior for cs in self.causes]
            for sex in (None, "female", "male", "other")
        }
        self.bare = {
            sex: tuple(self._contributor(cs, cs.prior_by_sex.get(sex, cs.prior) if sex else cs.prior, [], [])
                       for cs in self.causes)
            for sex in (None, "female", "male", "other")
        }
        self.validators = {
            q.id: (q.type == "single", frozenset(q.option_ids()), q.min, q.max) for q in kb.questions
        }
        self.call_rules = [(r, _compile(r.when)) for r in kb.call_rules]
        self.calls = {c.id: c.text for c in kb.calls}

    # ------------------------------------------------------------- inputs
    def validate_answers(self, answers: Answers, where: str | None = None) -> dict[str, Any]:
        """Check every answer against the questionnaire; return the known ones.

        ``None`` and ``"dont_know"`` mean unknown and are dropped. An unknown
        question id, an option that does not exist or a number out of range
        raises :class:`UserError` naming each one.
        """
        if not isinstance(answers, Mapping):
            raise UserError("answers must be a JSON object {question_id: answer}", where=where)
        problems: list[Problem] = []
        known: dict[str, Any] = {}
        validators = self.validators
        for qid, value in answers.items():
            spec = validators.get(qid)
            if spec is None:
                problems.append(Problem(
                    f"unknown question id {qid!r}: see 'heavylegs questions' for the valid ids", where))
                continue
            if value is None or value == DONT_KNOW:
                continue
            single, options, lo, hi = spec
            if single:
                if value.__class__ is str and value in options:
                    known[qid] = value
                    continue
                q = self.questions[qid]
                valid = ", ".join([*q.option_ids(), DONT_KNOW])
                problems.append(Problem(f"question {qid!r}: invalid answer {value!r}; use one of: {valid}", where))
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                unit = self.questions[qid].unit or "value"
                problems.append(Problem(
                    f"question {qid!r}: answer {value!r} is not a number ({unit} "
                    f"from {lo:g} to {hi:g}, or null / {DONT_KNOW!r})", where))
                continue
            if not lo <= value <= hi:
                unit = self.questions[qid].unit
                problems.append(Problem(
                    f"question {qid!r}: {value:g} is out of range ({lo:g} to {hi:g}"
                    f"{' ' + unit if unit else ''})", where))
                continue
            known[qid] = float(value)
        if problems:
            raise UserError(problems)
        return known

    @staticmethod
    def prepare_metrics(metrics: Metrics | None) -> dict[str, float]:
        """Keep the known history metrics as floats (missing/NaN dropped).

        An even week of training has an undefined monotony (SD = 0, so the
        metrics table leaves it empty). causes.md says to treat it as very
        high, so when ``monotony`` is given but empty and the history shows 7
        or more days without a rest day (load on every day of the week, all
        equal), monotony is read as infinite. While no rest day is on record,
        ``days_since_rest_at_least`` (a lower bound) stands in for
        ``days_since_rest`` there.

        When ``acwr_meaningful`` is false (the 28-day chronic window holds a
        break of 10 or more days without load), the three ``acwr_*`` values
        are dropped: such a ratio reflects the break, not the training, so no
        evidence item may fire on it.
        """
        if not metrics:
            return {}
        out: dict[str, float] = {}
        names = _METRIC_NAMES
        for k, v in metrics.items():
            if k not in names:
                continue
            if v.__class__ is float or v.__class__ is int:
                if not math.isnan(v):
                    out[k] = float(v)
                continue
            f = _num(v)
            if f is not None:
                out[k] = f
        if _known_false(metrics.get("acwr_meaningful")):
            for k in _ACWR_METRICS:
                out.pop(k, None)
        if "monotony" in metrics and "monotony" not in out:
            dsr = out.get("days_since_rest", out.get("days_since_rest_at_least"))
            if dsr is not None and dsr >= 7:
                out["monotony"] = math.inf
        return out

    # ------------------------------------------------------------- scoring
    def _evidence(self, a: Mapping[str, Any], m: Mapping[str, float]) -> list[list[EvidenceUse] | None]:
        """The evidence that fires, per cause (None where nothing fires)."""
        hits: list[list[EvidenceUse] | None] = [None] * len(self.causes)
        table, iq, im, fire = self.option_table, self.index_q, self.index_m, self._fire
        for qid, v in a.items():
            options = table.get(qid)
            if options is not None:
                for ci, it, use in options.get(v, ()):
                    if use is None:
                        if it.test(a, m)[0] != PRESENT:
                            continue
                        use = it.use_present
                    bucket = hits[ci]
                    if bucket is None:
                        hits[ci] = [use]  # type: ignore[list-item]
                    else:
                        bucket.append(use)  # type: ignore[arg-type]
                continue
            for ci, it in iq.get(qid, ()):
                fire(hits, ci, it, a, m)
        for key in m:
            for ci, it in im.get(key, ()):
                fire(hits, ci, it, a, m)
        for ci, it in self.always:
            fire(hits, ci, it, a, m)
        return hits

    def _fire(self, hits: list[list[EvidenceUse] | None], ci: int, it: _Item, a: Mapping[str, Any],
              m: Mapping[str, float]) -> None:
        state, value = it.test(a, m)
        if state == PRESENT:
            side, use = it.present, it.use_present
        elif state == ABSENT and it.absent is not None:
            side, use = it.absent, it.use_absent
        else:
            return
        if use is None:
            use = EvidenceUse(it.id, _fill(side.text, value, self.unbounded), side.pts, side.lr, side.direction,
                              side.label, it.group, 1.0, it.mark, it.source, it.idx)
        bucket = hits[ci]
        if bucket is None:
            hits[ci] = [use]
        else:
            bucket.append(use)

    def _score(self, cs: _Cause, prior: float, fired: list[EvidenceUse]) -> Contributor:
        used = fired
        skipped: list[EvidenceUse] = []
        for u in fired:
            if u.group is not None:
                used, skipped = self._grouped(fired)
                break
        return self._contributor(cs, prior, used, skipped)

    def _grouped(self, fired: list[EvidenceUse]) -> tuple[list[EvidenceUse], list[EvidenceUse]]:
        """Within each group keep the strongest item for and against (or first + half)."""
        used: list[EvidenceUse] = []
        skipped: list[EvidenceUse] = []
        grouped: dict[str, list[EvidenceUse]] = {}
        for use in fired:
            if use.group is None:
                used.append(use)
            else:
                grouped.setdefault(use.group, []).append(use)
        for g, entries in grouped.items():
            if len(entries) == 1:
                used.append(entries[0])
                continue
            half = self.group_mode[g] == "first_plus_half"
            for sign in (1.0, -1.0):
                side_entries = [u for u in entries if u.points * sign > 0]
                if not side_entries:
                    continue
                side_entries.sort(key=_strength)
                used.append(side_entries[0])
                for u in side_entries[1:]:
                    if half:
                        used.append(u._replace(points=u.points * 0.5, counted=0.5))
                    else:
                        skipped.append(u._replace(points=0.0, counted=0.0))
        return used, skipped

    def _contributor(self, cs: _Cause, prior: float, used: list[EvidenceUse],
                     skipped: list[EvidenceUse]) -> Contributor:
        pos = neg = 0.0
        for u in used:
            p = u.points
            if p > 0:
                pos += p
            else:
                neg += p
        capped = pos > self.cap
        total = (self.cap if capped else pos) + neg
        prob = 1.0 / (1.0 + (1.0 - prior) / prior * 10.0 ** (-total / 10.0))
        if len(used) > 1:
            used.sort(key=_order)
        if len(skipped) > 1:
            skipped.sort(key=_order)
        c = cs.spec
        return Contributor(
            c.id, c.name, c.short, prob, prior, total, capped, tuple(used), tuple(skipped),
            cs.actions, c.recheck_days, c.resolution, c.prior_mark, c.sources, self.unshrink(prior),
        )

    def unanswered_flags(self, a: Mapping[str, Any]) -> tuple[str, ...]:
        """The warning-sign questions that apply (``show_if``) but have no yes/no/not-sure answer."""
        return tuple(qid for qid, shown in self.flag_shown
                     if qid not in a and (shown is None or shown(a, {})[0] == PRESENT))

    def explained(self, contributors: Sequence[Contributor]) -> bool:
        """True when the answers hold a clear everyday explanation and no medical pointer.

        Explained: an everyday cause has at least ``caps.explained_points`` net
        evidence points from sources other than ``caps.explanation_excludes``
        (the timing-table heuristics), and no medical cause (``everyday: false``)
        has as many.
        """
        t, skip = self.explained_points, self.explanation_excludes

        def concrete(c: Contributor) -> float:
            return sum(e.points for e in c.evidence if e.source not in skip)
        everyday = any(c.id in self.everyday and concrete(c) >= t for c in contributors)
        medical = any(c.id not in self.everyday and concrete(c) >= t for c in contributors)
        return everyday and not medical

    def triage(self, a: Mapping[str, Any], emergency_number: str | None = None,
               contributors: Sequence[Contributor] | None = None) -> Triage:
        """The red-flag gate (validated answers in, :class:`Triage` out).

        ``emergency_number`` fills ``{emergency_number}`` in the flag actions (None: the
        knowledge base's ``default_emergency_number``).

        A derived rule marked ``unexplained`` fires only when the ``contributors``
        hold no everyday explanation; without them it fires on its condition
        alone (the cautious side). The contributors can only add flags, never
        remove or lower one.
        """
        if emergency_number is None:
            emergency_number = self.kb.default_emergency_number
        flags: list[Flag] = []
        explained = contributors is not None and self.explained(contributors)
        for f, qid in self.flag_questions:
            ans = a.get(qid)
            if ans == "yes" or ans == "not_sure":
                flags.append(Flag(f.id, f.tier, f.action.replace("{emergency_number}", emergency_number),
                                  f.concern, f.source, ans))
        for f, test in self.flag_rules:
            if f.unexplained and explained:
                continue
            if test(a, {})[0] == PRESENT:
                flags.append(Flag(f.id, f.tier, f.action.replace("{emergency_number}", emergency_number),
                                  f.concern, f.source, None))
        level = "none"
        for f in flags:
            if LEVEL_RANK[f.tier] > LEVEL_RANK[level]:
                level = f.tier
        flags.sort(key=lambda f: -LEVEL_RANK[f.tier])
        return Triage(level, tuple(flags), self.unanswered_flags(a))

    def todays_call(self, a: Mapping[str, Any], m: Mapping[str, float], triage: Triage) -> TodaysCall:
        """Today's call: see_doctor whenever a flag fired, else the first matching rule."""
        if triage.level != "none":
            return TodaysCall("see_doctor", self.calls["see_doctor"],
                              self.kb.text("see_doctor_why", concern=triage.flags[0].concern))
        if not triage.screen_complete:
            inc = self.incomplete
            return TodaysCall(inc.call, inc.text, inc.why)
        for rule, test in self.call_rules:
            if test(a, m)[0] == PRESENT:
                return TodaysCall(rule.call, self.calls[rule.call], rule.why)
        d = self.kb.default_call
        return TodaysCall(d.call, self.calls[d.call], d.why)

    def assess(
        self,
        answers: Answers,
        metrics: Metrics | None = None,
        *,
        profile: AthleteProfile | None = None,
        as_of: dt.date | None = None,
        emergency_number: str | None = None,
        where: str | None = None,
    ) -> Assessment:
        """See :func:`assess`."""
        a = self.validate_answers(answers, where)
        n_answered = len(a)
        if profile is not None:
            if "sex" not in a and profile.sex is not None:
                a["sex"] = profile.sex
            if "age" not in a and profile.age is not None:
                a["age"] = float(profile.age)
        m = self.prepare_metrics(metrics)
        sex = a.get("sex")
        hits = self._evidence(a, m)
        key = sex if sex in self.bare else None
        bare, priors, score = self.bare[key], self.priors[key], self._score
        contributors = [
            bare[ci] if fired is None else score(self.causes[ci], priors[ci], fired)
            for ci, fired in enumerate(hits)
        ]
        contributors.sort(key=_rank)
        tri = self.triage(a, emergency_number, contributors)
        return Assessment(
            model_version=self.version, as_of=as_of, triage=tri,
            contributors=tuple(contributors), todays_call=self.todays_call(a, m, tri),
            notes=tuple(self._notes(a, tri)), educational_note=self.kb.educational_note,
            honesty_statement=self.kb.honesty_statement, reference_class=self.kb.reference_class,
            answered=n_answered, history_used=bool(m),
        )

    def _notes(self, a: Mapping[str, Any], tri: Triage) -> list[str]:
        """The notes under the result: which apply is decided here, their words are ``notes.yaml``'s."""
        note = self.kb.note
        notes: list[str] = []
        if not tri.screen_complete:
            names = "; ".join(self.flag_concern[q].rstrip(".") for q in tri.unanswered[:3])
            more = f"; and {len(tri.unanswered) - 3} more" if len(tri.unanswered) > 3 else ""
            notes.append(self.incomplete.note.format(n=len(tri.unanswered), names=names + more))
        if a.get("legs") == "one":
            missing = [q for q in ONE_LEG_SCREEN if q not in a]
            if any(a.get(q) in ("yes", "not_sure") for q in ONE_LEG_SCREEN):
                notes.append(note("one_leg_flag"))
            elif missing:
                notes.append(note("one_leg_unanswered", names=", ".join(missing)))
        if a.get("sciatica") == "yes":
            notes.append(note("sciatica"))
        if a.get("rf_pem") in ("yes", "not_sure"):
            notes.append(note("post_exertional_malaise"))
        if a.get("body_mass_loss") == "gained":
            notes.append(note("body_mass_gained"))
        return notes


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _prior_shrink(kb: Knowledge) -> tuple[Callable[[float], float], Callable[[float], float]]:
    """The ranking prior of a causes.md prior (its log-odds pulled towards the median cause), and back.

    ``caps.prior_shrink`` = k keeps k of each prior's distance from the median
    prior in log-odds (k = 1 uses the causes.md priors as they are). The
    priors are judgement with no study behind them, and their spread (3-35 %)
    is wider than the evidence the questions can give the common causes, so
    unshrunk they let a common cause with no evidence outrank a rare cause with
    strong, specific evidence (causes.yaml, caps).
    """
    k = kb.caps.prior_shrink
    centre = statistics.median(_logit(c.prior) for c in kb.causes)

    def scaled(factor: float) -> Callable[[float], float]:
        return lambda p: 1.0 / (1.0 + math.exp(-(centre + factor * (_logit(p) - centre))))
    return scaled(k), scaled(1.0 / k)


def _fill(text: str, value: float | None, unbounded: str) -> str:
    """An evidence text with its ``{value}``; ``unbounded`` for an infinite value (an even week's monotony)."""
    if value is None or "{" not in text:
        return text
    if math.isinf(value):
        return unbounded
    return text.format(value=value)


def _rank(c: Contributor) -> tuple[float, str]:
    return (-c.probability, c.id)


def _strength(u: EvidenceUse) -> tuple[float, int]:
    return (-abs(u.points), u.order)


def _order(u: EvidenceUse) -> tuple[float, str]:
    return (-u.points, u.id)


def is_shown(question: Question, answers: Answers) -> bool:
    """Whether the wizard should ask ``question`` given the answers so far.

    True without a ``show_if``; otherwise True only when its condition holds
    (e.g. ``sciatica`` once ``legs`` is ``one``). Red flags are always shown.
    """
    if question.show_if is None:
        return True
    known = {k: v for k, v in answers.items() if v is not None and v != DONT_KNOW}
    return _compile(question.show_if)(known, {})[0] == PRESENT


_ENGINE: Engine | None = None


def engine() -> Engine:
    """The engine for the shipped knowledge base (built once)."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = Engine(load_knowledge())
    return _ENGINE


def assess(
    answers: Answers,
    metrics: Metrics | None = None,
    *,
    profile: AthleteProfile | None = None,
    as_of: dt.date | None = None,
    emergency_number: str | None = None,
    where: str | None = None,
) -> Assessment:
    """Assess one athlete: triage, ranked contributors, actions and today's call.

    - ``answers``: ``{question_id: answer}``; options are ids, numbers are
      plain numbers (units in each question); ``None`` / ``"dont_know"`` or a
      missing answer means unknown and moves nothing.
    - ``metrics``: the daily-metrics row of the as-of day as a plain mapping
      (column -> value, NaN or None for empty); optional.
    - ``profile``: supplies ``sex`` and ``age`` when the answers do not.
    - ``as_of``: the date the assessment refers to (reported, not computed).
    - ``emergency_number``: replaces ``{emergency_number}`` in flag actions (None: the
      knowledge base's ``default_emergency_number``).
    - ``where``: the answers' file name, used in error messages.

    Raises :class:`UserError` for an unknown question id or an invalid answer.
    """
    return engine().assess(answers, metrics, profile=profile, as_of=as_of,
                           emergency_number=emergency_number, where=where)
