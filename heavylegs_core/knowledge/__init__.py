"""The cause model's knowledge base: validated data, not code.

Causes, evidence items, questions, red flags, today's-call rules, the
timing-pattern table and the clinical sentences that go with a result (the
educational note, the notes under a result) live in the YAML files of this
package (``causes.yaml``, ``questions.yaml``, ``red_flags.yaml``,
``evidence.yaml``, ``calls.yaml``, ``notes.yaml``). :func:`load_knowledge`
reads them with :mod:`importlib.resources`, validates every field with
pydantic and then checks the cross-references: stable ids, priors in (0, 1),
every likelihood ratio > 0, every evidence item wired to a question option or
a history metric that exists, every cause with actions, a re-check time and at
least one source, every note and text the code shows present, with only the
placeholders the code fills (:data:`NOTE_FIELDS`, :data:`TEXT_FIELDS`). Any
problem raises :class:`KnowledgeError` whose message names the file and the
place (e.g. ``evidence.yaml: items[12] (id 'sl_mean_answer'): when: unknown
question 'sleep_hrs'``).

Every figure keeps its honesty mark from ``causes.md``: ``ok`` (✔ checked),
``std`` (◇ standard figure, not re-read) or ``judge`` (⚖ expert judgement).
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import string
from collections.abc import Mapping
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from heavylegs_core.base.metric_names import FLAG_METRICS, METRIC_COLUMNS

KNOWLEDGE_FILES: tuple[str, ...] = (
    "causes.yaml",
    "questions.yaml",
    "red_flags.yaml",
    "evidence.yaml",
    "calls.yaml",
    "notes.yaml",
)

#: The notes the engine may add under a result (``notes.yaml``, ``notes``), each with the
#: ``str.format`` fields the engine fills in. The loader requires every one of these ids,
#: rejects any other id, and rejects a placeholder that is not listed for its note.
NOTE_FIELDS: dict[str, tuple[str, ...]] = {
    "one_leg_flag": (),
    "one_leg_unanswered": ("names",),
    "sciatica": (),
    "post_exertional_malaise": (),
    "body_mass_gained": (),
}

#: The other sentences the code shows (``notes.yaml``, ``texts``) and the fields it fills in:
#: today's-call reason when a warning sign fired, the evidence text of an undefined (even-week)
#: monotony, and the line under the warning signs in the text view of ``heavylegs assess``.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "see_doctor_why": ("concern",),
    "monotony_unbounded": (),
    "flags_first": (),
    "no_warning_signs": (),
    "recheck_advice": ("when",),
    "numbers_caveat": ("honesty",),
    "comparison_caveat": (),
}

#: The fields the engine fills in ``calls.yaml``'s ``incomplete_screen.note``.
INCOMPLETE_NOTE_FIELDS: tuple[str, ...] = ("n", "names")

#: The history metrics the evidence may read: the numeric columns of the daily
#: metrics table (interfaces.md section 3 and :data:`heavylegs_core.domain.metrics.METRIC_COLUMNS`);
#: yes/no columns such as ``acwr_meaningful`` are read by the engine itself, not by thresholds.
HISTORY_METRICS: tuple[str, ...] = tuple(c for c in METRIC_COLUMNS if c != "date" and c not in FLAG_METRICS)

#: The cause ids interfaces.md section 4 makes stable.
REQUIRED_CAUSES: tuple[str, ...] = (
    "load_spike", "under_recovery", "sleep", "under_fuelling", "pacing", "dehydration",
    "heat", "iron_deficiency", "strength_doms", "warmup_stiffness", "illness",
    "life_stress", "shoes", "running_form", "weight_gain", "circulation",
    "exertional_leg_pain", "other_medical",
)

#: Stable question ids and their options (interfaces.md section 4).
REQUIRED_QUESTIONS: dict[str, tuple[str, ...]] = {
    "in_run": ("start_then_eases", "midway", "start_to_finish"),
    "course": ("one_run", "several_days", "worsening_weekly"),
    "sex": ("female", "male", "other"),
    "age": (),
}

#: Asked first, on the athlete step, so any question may depend on them (``show_if``).
ATHLETE_QUESTIONS: tuple[str, ...] = ("sex", "age")

CALL_IDS: tuple[str, ...] = ("continue", "ease", "shorten", "skip_intensity", "rest", "see_doctor")
TIERS: tuple[str, ...] = ("emergency", "urgent", "gp_soon")
RED_FLAG_OPTIONS: tuple[tuple[str, str], ...] = (
    ("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure (counts as yes)"),
)
DONT_KNOW = "dont_know"

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_OPTION_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_COMPARATORS = ("lt", "le", "gt", "ge")

Mark = Literal["ok", "std", "judge"]


class KnowledgeError(ValueError):
    """The knowledge files are invalid; ``problems`` names each place at fault."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("invalid knowledge base:\n" + "\n".join(self.problems))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ----------------------------------------------------------------- conditions
class Condition(_Model):
    """When an evidence item, flag rule or call rule applies.

    One of: ``{q: question, is: [options]}``; ``{q|m: id, lt|le|gt|ge: number}``;
    ``{m: metric, lt_ref|le_ref|gt_ref|ge_ref: other_metric, plus: number}``;
    ``{all: [...]}``; ``{any: [...]}``. ``q`` is a question id, ``m`` a history metric.
    """

    q: str | None = None
    m: str | None = None
    is_: tuple[str, ...] | None = Field(default=None, alias="is")
    lt: float | None = None
    le: float | None = None
    gt: float | None = None
    ge: float | None = None
    lt_ref: str | None = None
    le_ref: str | None = None
    gt_ref: str | None = None
    ge_ref: str | None = None
    plus: float = 0.0
    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Condition:
        kinds = [k for k in ("q", "m", "all", "any") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a condition needs exactly one of q, m, all, any")
        if self.all is not None or self.any is not None:
            parts = self.all if self.all is not None else self.any
            if not parts:
                raise ValueError("all/any needs at least one condition")
            if self.comparator() is not None or self.is_ is not None:
                raise ValueError("all/any cannot carry a comparison")
            return self
        tests = [c for c in (*_COMPARATORS, *(f"{c}_ref" for c in _COMPARATORS)) if getattr(self, c) is not None]
        tests += ["is"] if self.is_ is not None else []
        if len(tests) != 1:
            raise ValueError("a q/m condition needs exactly one of is, lt, le, gt, ge (or *_ref)")
        if self.is_ is not None and self.m is not None:
            raise ValueError("a metric condition compares numbers: use lt, le, gt or ge")
        if tests[0].endswith("_ref") and self.m is None:
            raise ValueError("*_ref comparisons are for metrics (m) only")
        if self.is_ is not None and not self.is_:
            raise ValueError("'is' needs at least one option")
        for name in _COMPARATORS:
            v = getattr(self, name)
            if v is not None and not math.isfinite(v):
                raise ValueError(f"{name} must be a finite number")
        return self

    @property
    def simple(self) -> bool:
        """True for a single question or metric test (not all/any)."""
        return self.all is None and self.any is None

    def comparator(self) -> tuple[str, float | str] | None:
        """The (operator, threshold or reference metric) of a numeric test."""
        for name in _COMPARATORS:
            if getattr(self, name) is not None:
                return name, getattr(self, name)
            if getattr(self, f"{name}_ref") is not None:
                return f"{name}_ref", getattr(self, f"{name}_ref")
        return None

    def leaves(self) -> list[Condition]:
        """Every simple condition inside this one."""
        if self.simple:
            return [self]
        parts = self.all if self.all is not None else self.any
        return [leaf for part in parts or () for leaf in part.leaves()]


# ----------------------------------------------------------------- files
class Source(_Model):
    mark: Mark
    text: str = Field(min_length=1)


class MarkInfo(_Model):
    symbol: str
    meaning: str


class Caps(_Model):
    positive_points_per_cause: float = Field(gt=0)
    max_prior: float = Field(gt=0, lt=1)
    #: a derived flag marked ``unexplained`` fires only when no everyday cause reaches this many points
    explained_points: float = Field(default=3.0, gt=0)
    #: evidence sources that do not count towards an explanation (e.g. the timing-table heuristics)
    explanation_excludes: tuple[str, ...] = ()
    #: the share of each prior's log-odds distance from the median prior that the ranking keeps (1 = as given)
    prior_shrink: float = Field(default=1.0, gt=0, le=1)


class Group(_Model):
    mode: Literal["strongest", "first_plus_half"]
    text: str


class Cause(_Model):
    """One cause: priors (P(contributes) and main share), remedy and re-check window."""

    id: str
    name: str = Field(min_length=1)
    short: str = Field(min_length=1)
    everyday: bool = Field(default=True, description="a training or lifestyle cause that can explain the heaviness")
    main_share: float = Field(gt=0, lt=1)
    prior: float = Field(gt=0, lt=1, description="P(this cause contributes), multi-label prior")
    prior_mark: Mark
    prior_basis: str = Field(min_length=1)
    sex_factor: dict[Literal["female", "male"], float] = Field(default_factory=dict)
    sex_factor_mark: Mark | None = None
    sex_factor_basis: str | None = None
    resolution: str = Field(min_length=1)
    recheck_days: int = Field(gt=0, le=365)
    actions: tuple[str, ...] = Field(min_length=1)
    safety_net: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _factors(self) -> Cause:
        for sex, f in self.sex_factor.items():
            if not f > 0:
                raise ValueError(f"sex_factor for {sex} must be > 0")
        if self.sex_factor and (self.sex_factor_mark is None or not self.sex_factor_basis):
            raise ValueError("a sex_factor needs sex_factor_mark and sex_factor_basis")
        return self


class CausesFile(_Model):
    honesty_statement: str = Field(min_length=1)
    marks: dict[Mark, MarkInfo]
    caps: Caps
    groups: dict[str, Group]
    causes: tuple[Cause, ...]
    sources: dict[str, Source]


class Option(_Model):
    id: str
    label: str = Field(min_length=1)


class Step(_Model):
    id: str
    order: int
    section: Literal["red_flags", "heavy_legs", "context"]
    title: str


class QuestionSpec(_Model):
    id: str
    step: str
    type: Literal["single", "number"]
    text: str = Field(min_length=1)
    help: str = ""
    options: tuple[Option, ...] | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    show_if: Condition | None = None

    @model_validator(mode="after")
    def _shape(self) -> QuestionSpec:
        if self.type == "single":
            if not self.options:
                raise ValueError("a single-choice question needs options")
            if self.min is not None or self.max is not None:
                raise ValueError("min/max are for number questions")
        else:
            if self.options:
                raise ValueError("a number question has no options")
            if self.min is None or self.max is None or self.min >= self.max:
                raise ValueError("a number question needs min < max")
        return self


class QuestionsFile(_Model):
    steps: tuple[Step, ...]
    questions: tuple[QuestionSpec, ...]


class Tier(_Model):
    id: Literal["emergency", "urgent", "gp_soon"]
    rank: int
    title: str


class FlagSpec(_Model):
    id: str
    tier: Literal["emergency", "urgent", "gp_soon"]
    step: str
    text: str = Field(min_length=1)
    help: str = ""
    concern: str = Field(min_length=1)
    action: str = Field(min_length=1)
    source: str
    show_if: Condition | None = None


class FlagRule(_Model):
    id: str
    tier: Literal["emergency", "urgent", "gp_soon"]
    when: Condition
    unexplained: bool = False
    concern: str = Field(min_length=1)
    action: str = Field(min_length=1)
    source: str


class RedFlagsFile(_Model):
    tiers: tuple[Tier, ...]
    flags: tuple[FlagSpec, ...]
    rules: tuple[FlagRule, ...]


class EvidenceItem(_Model):
    """One piece of evidence for or against a cause.

    ``lr`` multiplies the cause's odds when the item is present, ``lr_absent``
    (optional) when it is explicitly absent; points = 10·log10(LR).
    """

    id: str
    cause: str
    when: Condition
    lr: float = Field(gt=0)
    lr_absent: float | None = Field(default=None, gt=0)
    group: str | None = None
    mark: Mark
    source: str
    basis: str = Field(min_length=1)
    text: str = Field(min_length=1)
    text_absent: str | None = None

    @model_validator(mode="after")
    def _absent(self) -> EvidenceItem:
        if self.lr == 1.0:
            raise ValueError("lr = 1 moves nothing: remove the item")
        if self.lr_absent is not None:
            if not self.when.simple:
                raise ValueError("lr_absent needs a single question or metric condition (not all/any)")
            if not self.text_absent:
                raise ValueError("lr_absent needs text_absent")
        return self

    @property
    def points(self) -> float:
        """10·log10(lr): evidence points when present."""
        return 10.0 * math.log10(self.lr)


class EvidenceFile(_Model):
    items: tuple[EvidenceItem, ...]


class Call(_Model):
    id: Literal["continue", "ease", "shorten", "skip_intensity", "rest", "see_doctor"]
    label: str = Field(min_length=1, max_length=40)  # a few words for tables and timelines
    text: str = Field(min_length=1)


class CallRule(_Model):
    call: str
    when: Condition
    why: str = Field(min_length=1)


class DefaultCall(_Model):
    call: str
    why: str


class TimingRow(_Model):
    id: str
    question: str
    option: str
    when: str
    most_likely: tuple[str, ...] = Field(min_length=1)
    top_n: int = Field(ge=1)
    meaning: str


class IncompleteScreen(_Model):
    """Today's call, and the note, when warning-sign questions are left unanswered."""

    call: str
    text: str = Field(min_length=1)
    why: str = Field(min_length=1)
    note: str = Field(min_length=1)


class CallsFile(_Model):
    calls: tuple[Call, ...]
    incomplete_screen: IncompleteScreen
    rules: tuple[CallRule, ...]
    default: DefaultCall
    timing_table: tuple[TimingRow, ...]


class Note(_Model):
    """One sentence the code shows by id; ``{field}`` placeholders are filled in by the code."""

    id: str
    text: str = Field(min_length=1)
    source: str | None = None  # an id of causes.yaml's sources: what the wording relies on


class EmergencyNumber(_Model):
    """A country group as the assessment offers it (``label``) and the number to call there."""

    label: str = Field(min_length=1)
    number: str = Field(pattern=r"^[0-9]{3}$")


class NotesFile(_Model):
    educational_note: str = Field(min_length=1)
    reference_class: str = Field(min_length=1)
    emergency_numbers: tuple[EmergencyNumber, ...] = Field(min_length=1)
    default_emergency_number: str = Field(min_length=1)
    notes: tuple[Note, ...]
    texts: tuple[Note, ...]


# ----------------------------------------------------------------- public objects
class Question(_Model):
    """A question as the wizard shows it (red-flag items included)."""

    id: str
    step: str
    step_title: str
    step_order: int
    section: Literal["red_flags", "heavy_legs", "context"]
    type: Literal["single", "number"]
    text: str
    help: str = ""
    options: tuple[Option, ...] = ()
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    tier: Literal["emergency", "urgent", "gp_soon"] | None = None
    show_if: Condition | None = None
    dont_know: bool = True

    def option_ids(self) -> tuple[str, ...]:
        """The valid option ids (without 'dont_know')."""
        return tuple(o.id for o in self.options)


class RedFlag(_Model):
    """A red flag: asked as a question (``question=True``) or derived by a rule."""

    id: str
    tier: Literal["emergency", "urgent", "gp_soon"]
    concern: str
    action: str
    source: str
    question: bool
    when: Condition | None = None
    unexplained: bool = False


class Knowledge(_Model):
    """The validated knowledge base (what :func:`load_knowledge` returns)."""

    version: str
    honesty_statement: str
    marks: dict[str, MarkInfo]
    caps: Caps
    groups: dict[str, Group]
    causes: tuple[Cause, ...]
    sources: dict[str, Source]
    steps: tuple[Step, ...]
    questions: tuple[Question, ...]
    tiers: tuple[Tier, ...]
    red_flags: tuple[RedFlag, ...]
    evidence: tuple[EvidenceItem, ...]
    calls: tuple[Call, ...]
    call_rules: tuple[CallRule, ...]
    default_call: DefaultCall
    timing_table: tuple[TimingRow, ...]
    incomplete_screen: IncompleteScreen
    educational_note: str
    reference_class: str
    emergency_numbers: tuple[EmergencyNumber, ...]
    default_emergency_number: str
    notes: tuple[Note, ...]
    texts: tuple[Note, ...]

    def question(self, qid: str) -> Question:
        """The question with this id (KeyError if unknown)."""
        return _index(self.questions)[qid]

    def cause(self, cid: str) -> Cause:
        """The cause with this id (KeyError if unknown)."""
        return _index(self.causes)[cid]

    def evidence_for(self, cid: str) -> tuple[EvidenceItem, ...]:
        """The evidence items of one cause, in file order."""
        return tuple(e for e in self.evidence if e.cause == cid)

    def call(self, call_id: str) -> Call:
        """Today's-call entry with this id."""
        return next(c for c in self.calls if c.id == call_id)

    def note(self, note_id: str, **fields: Any) -> str:
        """The note with this id (:data:`NOTE_FIELDS`), its placeholders filled from ``fields``."""
        return _filled(self.notes, NOTE_FIELDS, "notes", note_id, fields)

    def text(self, text_id: str, **fields: Any) -> str:
        """The text with this id (:data:`TEXT_FIELDS`), its placeholders filled from ``fields``."""
        return _filled(self.texts, TEXT_FIELDS, "texts", text_id, fields)


def _index(items: tuple[Any, ...]) -> dict[str, Any]:
    return {it.id: it for it in items}


def _filled(items: tuple[Note, ...], declared: Mapping[str, tuple[str, ...]], section: str, text_id: str,
            fields: Mapping[str, Any]) -> str:
    """A note's text with its fields filled; the fields must be exactly those declared for it."""
    if text_id not in declared:
        raise KeyError(f"notes.yaml {section}: no text {text_id!r} is declared")
    if set(fields) != set(declared[text_id]):
        raise ValueError(f"notes.yaml {section}: {text_id!r} fills {sorted(declared[text_id])}, "
                         f"not {sorted(fields)}")
    text = next(n.text for n in items if n.id == text_id)
    return text.format(**fields) if fields or "{" in text else text


def placeholders(text: str) -> list[str]:
    """The ``str.format`` field names of ``text``, in order (``{{`` and ``}}`` are literal braces).

    Raises ``ValueError`` for a malformed template (an unmatched brace).
    """
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def educational_note() -> str:
    """The educational note shown with every result, report and page ("not a diagnosis")."""
    return load_knowledge().educational_note


# ----------------------------------------------------------------- loading
def read_texts() -> dict[str, str]:
    """The shipped knowledge files as text, keyed by file name."""
    pkg = resources.files(__name__)
    return {name: pkg.joinpath(name).read_text(encoding="utf-8") for name in KNOWLEDGE_FILES}


@functools.cache
def load_knowledge() -> Knowledge:
    """Load and validate the shipped knowledge base (cached; raises KnowledgeError)."""
    return parse_knowledge(read_texts())


def parse_knowledge(texts: Mapping[str, str]) -> Knowledge:
    """Validate knowledge files given as ``{file name: YAML text}``.

    Used by :func:`load_knowledge` and by tests on mutated copies. Raises
    :class:`KnowledgeError` listing every problem with its file and place.
    """
    problems: list[str] = []
    raw: dict[str, Any] = {}
    for name in KNOWLEDGE_FILES:
        if name not in texts:
            problems.append(f"{name}: file missing")
            continue
        try:
            data = yaml.load(texts[name], Loader=_LOADER)
        except yaml.YAMLError as exc:
            problems.append(f"{name}: not valid YAML: {exc}")
            continue
        if not isinstance(data, dict):
            problems.append(f"{name}: must be a mapping at the top level")
            continue
        raw[name] = {k: v for k, v in data.items() if not str(k).startswith("x-")}
    if problems:
        raise KnowledgeError(problems)

    models = {
        "causes.yaml": CausesFile, "questions.yaml": QuestionsFile,
        "red_flags.yaml": RedFlagsFile, "evidence.yaml": EvidenceFile, "calls.yaml": CallsFile,
        "notes.yaml": NotesFile,
    }
    parsed: dict[str, Any] = {}
    for name, model in models.items():
        try:
            parsed[name] = model.model_validate(raw[name])
        except ValidationError as exc:
            problems.extend(_pydantic_problems(name, raw[name], exc))
    if problems:
        raise KnowledgeError(problems)

    kb = _assemble(parsed, texts)
    problems.extend(_cross_check(kb))
    if problems:
        raise KnowledgeError(problems)
    return kb


def _pydantic_problems(name: str, raw: Any, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        out.append(f"{name}: {_place(raw, err['loc'])}: {err['msg']}")
    return out


def _place(raw: Any, loc: tuple[Any, ...]) -> str:
    """Render a pydantic location, naming list entries by their id."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int):
            label = f"[{key}]"
            if isinstance(node, list) and 0 <= key < len(node):
                node = node[key]
                if isinstance(node, dict) and "id" in node:
                    label += f" (id {node['id']!r})"
            else:
                node = None
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def _assemble(parsed: dict[str, Any], texts: Mapping[str, str]) -> Knowledge:
    cf: CausesFile = parsed["causes.yaml"]
    qf: QuestionsFile = parsed["questions.yaml"]
    rf: RedFlagsFile = parsed["red_flags.yaml"]
    ef: EvidenceFile = parsed["evidence.yaml"]
    kf: CallsFile = parsed["calls.yaml"]
    nf: NotesFile = parsed["notes.yaml"]
    steps = {s.id: s for s in qf.steps}
    unknown_step = Step(id="?", order=999, section="context", title="?")
    questions: list[Question] = []
    for f in rf.flags:
        st = steps.get(f.step, unknown_step)
        questions.append(Question(
            id=f.id, step=f.step, step_title=st.title, step_order=st.order, section="red_flags",
            type="single", text=f.text, help=f.help or f.concern,
            options=tuple(Option(id=i, label=lab) for i, lab in RED_FLAG_OPTIONS),
            tier=f.tier, show_if=f.show_if, dont_know=False,
        ))
    for q in qf.questions:
        st = steps.get(q.step, unknown_step)
        questions.append(Question(
            id=q.id, step=q.step, step_title=st.title, step_order=st.order, section=st.section,
            type=q.type, text=q.text, help=q.help, options=q.options or (), min=q.min, max=q.max,
            unit=q.unit, show_if=q.show_if,
        ))
    questions.sort(key=lambda q: q.step_order)  # stable: file order within a step
    flags = [RedFlag(id=f.id, tier=f.tier, concern=f.concern, action=f.action, source=f.source,
                     question=True) for f in rf.flags]
    flags += [RedFlag(id=r.id, tier=r.tier, concern=r.concern, action=r.action, source=r.source,
                      question=False, when=r.when, unexplained=r.unexplained) for r in rf.rules]
    digest = hashlib.sha256()
    for name in KNOWLEDGE_FILES:
        digest.update(texts[name].encode("utf-8"))
    return Knowledge(
        version=digest.hexdigest()[:10],
        honesty_statement=cf.honesty_statement, marks=dict(cf.marks), caps=cf.caps,
        groups=dict(cf.groups), causes=cf.causes, sources=dict(cf.sources),
        steps=tuple(sorted(qf.steps, key=lambda s: s.order)), questions=tuple(questions),
        tiers=rf.tiers, red_flags=tuple(flags), evidence=ef.items, calls=kf.calls,
        call_rules=kf.rules, default_call=kf.default, timing_table=kf.timing_table,
        incomplete_screen=kf.incomplete_screen, educational_note=nf.educational_note,
        reference_class=nf.reference_class, emergency_numbers=nf.emergency_numbers,
        default_emergency_number=nf.default_emergency_number,
        notes=nf.notes, texts=nf.texts,
    )


def _cross_check(kb: Knowledge) -> list[str]:
    p: list[str] = []
    qs = {q.id: q for q in kb.questions}
    causes = {c.id: c for c in kb.causes}

    def check_template(where: str, text: str, allowed: tuple[str, ...]) -> None:
        p.extend(f"{where}: {problem}" for problem in _template_problems(text, allowed))

    def dup(file: str, what: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for i, x in enumerate(ids):
            if x in seen:
                p.append(f"{file}: {what}[{i}] (id {x!r}): duplicate id")
            seen.add(x)

    def bad_id(file: str, what: str, i: int, x: str, pattern: re.Pattern[str] = _ID) -> None:
        if not pattern.match(x):
            p.append(f"{file}: {what}[{i}] (id {x!r}): ids are lower-case letters, digits and _ "
                     "and start with a letter")

    # ids
    dup("causes.yaml", "causes", [c.id for c in kb.causes])
    for i, c in enumerate(kb.causes):
        bad_id("causes.yaml", "causes", i, c.id)
    n_flags = sum(1 for f in kb.red_flags if f.question)
    flag_qs = [q.id for q in kb.questions if q.section == "red_flags"]
    other_qs = [q.id for q in kb.questions if q.section != "red_flags"]
    dup("red_flags.yaml", "flags", flag_qs)
    dup("questions.yaml", "questions", other_qs)
    for x in sorted(set(flag_qs) & set(other_qs)):
        p.append(f"questions.yaml: question id {x!r}: duplicate id (also a red flag in red_flags.yaml)")
    for i, x in enumerate(flag_qs):
        bad_id("red_flags.yaml", "flags", i, x)
    for i, x in enumerate(other_qs):
        bad_id("questions.yaml", "questions", i, x)
    rules = [f.id for f in kb.red_flags if not f.question]
    dup("red_flags.yaml", "rules", rules)
    for i, x in enumerate(rules):
        bad_id("red_flags.yaml", "rules", i, x)
        if x in qs:
            p.append(f"red_flags.yaml: rules[{i}] (id {x!r}): duplicate id (also a question)")
    ev_ids = [e.id for e in kb.evidence]
    dup("evidence.yaml", "items", ev_ids)
    for i, x in enumerate(ev_ids):
        bad_id("evidence.yaml", "items", i, x)
    for q in kb.questions:
        dup(f"{'red_flags' if q.section == 'red_flags' else 'questions'}.yaml",
            f"question {q.id!r} options", [o.id for o in q.options])
        for i, o in enumerate(q.options):
            if not _OPTION_ID.match(o.id) or o.id == DONT_KNOW:
                p.append(f"questions.yaml: question {q.id!r} options[{i}] (id {o.id!r}): invalid option id "
                         f"(lower-case letters, digits and _; {DONT_KNOW!r} is reserved)")
    dup("questions.yaml", "steps", [s.id for s in kb.steps])
    for q in kb.questions:
        if q.step not in {s.id for s in kb.steps}:
            file = "red_flags.yaml" if q.section == "red_flags" else "questions.yaml"
            p.append(f"{file}: question {q.id!r}: unknown step {q.step!r}")
    if n_flags == 0:
        p.append("red_flags.yaml: flags: at least one red flag is required")

    # stable ids of the interfaces
    for cid in REQUIRED_CAUSES:
        if cid not in causes:
            p.append(f"causes.yaml: causes: required cause id {cid!r} is missing")
    for qid, opts in REQUIRED_QUESTIONS.items():
        if qid not in qs:
            p.append(f"questions.yaml: questions: required question id {qid!r} is missing")
        elif opts and qs[qid].option_ids()[:len(opts)] != opts:
            # stable ids: options may be added after them, never renamed or reordered
            p.append(f"questions.yaml: question {qid!r}: options must start with {list(opts)}")
    if "age" in qs and qs["age"].type != "number":
        p.append("questions.yaml: question 'age': must be a number question")
    if sorted(t.id for t in kb.tiers) != sorted(TIERS):
        p.append(f"red_flags.yaml: tiers: must be exactly {list(TIERS)}")

    # causes
    share = sum(c.main_share for c in kb.causes)
    if abs(share - 1.0) > 1e-6:
        p.append(f"causes.yaml: causes: main shares must sum to 1 (they sum to {share:.4f})")
    for i, c in enumerate(kb.causes):
        where = f"causes.yaml: causes[{i}] (id {c.id!r})"
        for s in c.sources:
            if s not in kb.sources:
                p.append(f"{where}: unknown source {s!r}")
        for sex, f in c.sex_factor.items():
            if not 0 < c.prior * f <= kb.caps.max_prior:
                p.append(f"{where}: prior x sex_factor for {sex} must stay in (0, {kb.caps.max_prior}]")
        if not kb.evidence_for(c.id):
            p.append(f"{where}: no evidence item points to this cause")

    # conditions
    def check_cond(where: str, cond: Condition) -> None:
        for leaf in cond.leaves():
            if leaf.q is not None:
                q = qs.get(leaf.q)
                if q is None:
                    p.append(f"{where}: when: unknown question {leaf.q!r}")
                    continue
                if leaf.is_ is not None:
                    if q.type != "single":
                        p.append(f"{where}: when: question {leaf.q!r} is a number question: use lt/le/gt/ge")
                    for o in leaf.is_:
                        if o not in q.option_ids():
                            p.append(f"{where}: when: question {leaf.q!r} has no option {o!r}")
                elif q.type != "number":
                    p.append(f"{where}: when: question {leaf.q!r} is single-choice: use 'is'")
            else:
                assert leaf.m is not None
                if leaf.m not in HISTORY_METRICS:
                    p.append(f"{where}: when: unknown metric {leaf.m!r}")
                cmp = leaf.comparator()
                if cmp and cmp[0].endswith("_ref") and cmp[1] not in HISTORY_METRICS:
                    p.append(f"{where}: when: unknown metric {cmp[1]!r}")

    for i, e in enumerate(kb.evidence):
        where = f"evidence.yaml: items[{i}] (id {e.id!r})"
        if e.cause not in causes:
            p.append(f"{where}: unknown cause {e.cause!r}")
        if e.group is not None and e.group not in kb.groups:
            p.append(f"{where}: unknown group {e.group!r}")
        if e.source not in kb.sources:
            p.append(f"{where}: unknown source {e.source!r}")
        check_cond(where, e.when)
        numeric = e.when.simple and (e.when.m is not None or e.when.is_ is None)
        for field in ("text", "text_absent"):
            t = getattr(e, field)
            if t and "{" in t:
                if not numeric:
                    p.append(f"{where}: {field}: '{{value}}' is only available for numeric conditions")
                    continue
                try:
                    t.format(value=1.0)
                except (KeyError, ValueError, IndexError) as exc:
                    p.append(f"{where}: {field}: bad template ({exc})")
        if e.when.simple and e.when.is_ is not None and e.lr_absent is not None:
            q = qs.get(e.when.q or "")
            if q is not None and set(q.option_ids()) <= set(e.when.is_):
                p.append(f"{where}: lr_absent can never apply: every option is 'present'")
    for f in kb.red_flags:
        if f.source not in kb.sources:
            p.append(f"red_flags.yaml: flag {f.id!r}: unknown source {f.source!r}")
        if f.when is not None:
            check_cond(f"red_flags.yaml: rule {f.id!r}", f.when)
    for q in kb.questions:
        if (q.section == "red_flags" and q.show_if is not None
                and {leaf.q for leaf in q.show_if.leaves()} - set(ATHLETE_QUESTIONS)):
            p.append(f"red_flags.yaml: question {q.id!r} show_if: a warning sign may depend only on the "
                     "athlete's sex or age (it is always asked otherwise)")
        if q.show_if is not None:
            check_cond(f"questions.yaml: question {q.id!r} show_if", q.show_if)
            for leaf in q.show_if.leaves():
                dep = qs.get(leaf.q or "")
                # the athlete's sex and age are asked before everything else (the apps' first step)
                if leaf.m is not None or (dep is not None and dep.step_order > q.step_order
                                          and dep.id not in ATHLETE_QUESTIONS):
                    p.append(f"questions.yaml: question {q.id!r} show_if: it may only depend on a question "
                             "asked earlier or in the same step")

    # calls
    if sorted(c.id for c in kb.calls) != sorted(CALL_IDS):
        p.append(f"calls.yaml: calls: must define exactly {list(CALL_IDS)}")
    for i, r in enumerate(kb.call_rules):
        if r.call not in CALL_IDS or r.call == "see_doctor":
            p.append(f"calls.yaml: rules[{i}]: call {r.call!r} is not a rule call "
                     "(see_doctor comes only from the red-flag gate)")
        check_cond(f"calls.yaml: rules[{i}]", r.when)
    if kb.default_call.call not in CALL_IDS or kb.default_call.call == "see_doctor":
        p.append(f"calls.yaml: default: call {kb.default_call.call!r} is not a rule call")
    if kb.incomplete_screen.call != "rest":
        p.append(f"calls.yaml: incomplete_screen: call {kb.incomplete_screen.call!r}: an incomplete warning-sign "
                 "screen cannot give a call to train today (use rest)")
    for i, row in enumerate(kb.timing_table):
        where = f"calls.yaml: timing_table[{i}] (id {row.id!r})"
        q = qs.get(row.question)
        if q is None or row.option not in q.option_ids():
            p.append(f"{where}: unknown question option {row.question}={row.option}")
        for cid in row.most_likely:
            if cid not in causes:
                p.append(f"{where}: unknown cause {cid!r}")
        if row.top_n > len(row.most_likely):
            p.append(f"{where}: top_n is larger than the number of most likely causes")
    check_template("calls.yaml: incomplete_screen.note", kb.incomplete_screen.note, INCOMPLETE_NOTE_FIELDS)

    # notes and texts
    for field in ("educational_note", "reference_class", "default_emergency_number"):
        check_template(f"notes.yaml: {field}", getattr(kb, field), ())
    for section, items, declared in (("notes", kb.notes, NOTE_FIELDS), ("texts", kb.texts, TEXT_FIELDS)):
        ids = [n.id for n in items]
        dup("notes.yaml", section, ids)
        for i, n in enumerate(items):
            where = f"notes.yaml: {section}[{i}] (id {n.id!r})"
            if n.id not in declared:
                p.append(f"{where}: unknown id (the code shows only {', '.join(declared)})")
                continue
            check_template(where, n.text, declared[n.id])
            if n.source is not None and n.source not in kb.sources:
                p.append(f"{where}: unknown source {n.source!r}")
        for x in declared:
            if x not in ids:
                p.append(f"notes.yaml: {section}: required id {x!r} is missing (the code shows it)")
    return p


def _template_problems(text: str, allowed: tuple[str, ...]) -> list[str]:
    """What is wrong with a ``str.format`` template whose code fills only ``allowed``."""
    try:
        names = placeholders(text)
    except ValueError as exc:
        return [f"bad template ({exc}; write a literal brace as {{{{ or }}}})"]
    out = []
    for name in names:
        if name not in allowed:
            fills = f"fills only {{{'}, {'.join(allowed)}}}" if allowed else "fills no placeholder here"
            out.append(f"unknown placeholder {{{name}}} (the code {fills})")
    if not out:
        try:
            text.format(**{name: 1 if name == "n" else "x" for name in allowed})  # n is a count
        except (KeyError, ValueError, IndexError, AttributeError, TypeError) as exc:
            out.append(f"bad template ({exc})")
    return out
