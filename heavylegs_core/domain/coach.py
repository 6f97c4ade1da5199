"""A coach's records of athletes: the record types the store keeps, timelines and comparisons.

:class:`Athlete`, :class:`SavedAssessment`, :class:`DueRecheck` and :class:`RosterRow`
are what :class:`heavylegs_core.io.store.Store` reads and writes; the functions here are
pure, shared by the ``heavylegs athletes`` command and the roster app.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from heavylegs_core.domain.profile import AthleteProfile

if TYPE_CHECKING:
    from heavylegs_core.knowledge import Knowledge


def athlete_profile(a: Athlete, answers: dict[str, Any] | None = None) -> AthleteProfile:
    """The stored profile, with sex and age filled from ``answers`` where the profile has none."""
    profile = AthleteProfile(**a.profile)
    answers = answers or {}
    fill = {k: answers[k] for k in ("sex", "age") if getattr(profile, k) is None and answers.get(k) is not None}
    return profile.model_copy(update=fill) if fill else profile


# ----------------------------------------------------------------- the coach's records
@dataclass(frozen=True, slots=True)
class Athlete:
    """One athlete: ``tz`` is an IANA zone, ``profile`` the AthleteProfile fields as a dict."""

    id: int
    uid: str
    name: str
    tz: str
    profile: dict[str, Any]
    notes: str
    created_at: str


@dataclass(frozen=True, slots=True)
class SavedAssessment:
    """An assessment as stored: answers and result are the JSON documents saved."""

    id: int
    uid: str
    athlete: str
    created_at: str
    as_of: dt.date
    model_version: str
    answers: dict[str, Any]
    result: dict[str, Any]
    triage_level: str
    todays_call: str
    recheck_on: dt.date | None
    previous_uid: str | None
    actions: tuple[tuple[str, str], ...] = ()

    @property
    def top_contributor(self) -> str | None:
        """The id of the most probable contributor, if any."""
        cs = self.result.get("contributors") or []
        return cs[0]["id"] if cs else None


@dataclass(frozen=True, slots=True)
class DueRecheck:
    """A re-check that is due: the athlete's latest assessment asked for it on ``recheck_on``."""

    athlete: str
    assessment_uid: str
    as_of: dt.date
    recheck_on: dt.date
    days_overdue: int
    top_contributor: str | None
    triage_level: str


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One line of a coach's roster: counts, the latest assessment and its re-check."""

    athlete: str
    tz: str
    sessions: int
    nights: int
    assessments: int
    last_session: dt.date | None
    last_assessment: dt.date | None
    triage_level: str | None
    todays_call: str | None
    top_contributor: str | None
    recheck_on: dt.date | None
    recheck_due: bool


# ----------------------------------------------------------------- timeline and comparison
@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One saved assessment as a coach reads it over time.

    ``rating`` is the 0-10 heavy-legs rating (None if not given);
    ``top`` the three most probable contributors as ``(name, out_of_100)``.
    """

    uid: str
    as_of: dt.date
    rating: float | None
    triage_level: str
    todays_call: str
    top: tuple[tuple[str, int], ...]
    actions: tuple[tuple[str, str], ...]
    recheck_on: dt.date | None
    recheck_due: bool
    followup: str | None


def timeline(items: list[SavedAssessment], today: dt.date) -> list[TimelineRow]:
    """An athlete's assessments, oldest first, as :class:`TimelineRow` (``today`` decides what is due).

    Only the latest assessment's re-check can be due: a later assessment answers the earlier ones.
    """
    rows = []
    for i, s in enumerate(items):
        rating = s.answers.get("heavy_legs")
        cs = s.result.get("contributors") or []
        latest = i == len(items) - 1
        response = s.answers.get("response_to_change") if s.previous_uid else None
        rows.append(TimelineRow(
            uid=s.uid, as_of=s.as_of, rating=float(rating) if isinstance(rating, int | float) else None,
            triage_level=s.triage_level, todays_call=s.todays_call,
            top=tuple((c["name"], int(c["out_of_100"])) for c in cs[:3]),
            actions=s.actions, recheck_on=s.recheck_on,
            recheck_due=bool(latest and s.recheck_on and s.recheck_on <= today),
            followup=response if isinstance(response, str) else None))
    return rows


@dataclass(frozen=True, slots=True)
class AnswerChange:
    """A question answered differently in two assessments (labels as the questionnaire words them)."""

    question: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class RankChange:
    """A contributor in two assessments: rank (1 = most probable, None = not listed) and about N in 100."""

    name: str
    rank_before: int | None
    rank_after: int | None
    before: int | None
    after: int | None

    @property
    def change(self) -> int:
        """Points out of 100, after minus before (a missing side counts as 0)."""
        return (self.after or 0) - (self.before or 0)


@dataclass(frozen=True, slots=True)
class Comparison:
    """What changed between two assessments ``a`` (earlier) and ``b`` (later)."""

    a_as_of: dt.date
    b_as_of: dt.date
    triage: tuple[str, str]
    todays_call: tuple[str, str]
    answers: tuple[AnswerChange, ...]
    ranking: tuple[RankChange, ...]


def answer_label(kb: Knowledge, qid: str, value: Any) -> str:
    """An answer as the questionnaire words it: an option's label, a number with its unit, or "—"."""
    from heavylegs_core.knowledge import DONT_KNOW

    if value is None:
        return "—"
    if value == DONT_KNOW:
        return "Don't know"
    try:
        q = kb.question(qid)
    except (KeyError, ValueError):
        return str(value)
    if q.type == "single":
        return next((o.label for o in q.options if o.id == value), str(value))
    unit = f" {q.unit}" if q.unit else ""
    return f"{float(value):g}{unit}" if isinstance(value, int | float) else str(value)


def compare(a: SavedAssessment, b: SavedAssessment, kb: Knowledge) -> Comparison:
    """Answers that differ (in questionnaire order) and every contributor's rank in either assessment.

    The ranking lists the contributors of both, ordered by their rank in ``b``
    then in ``a``.
    """
    order = [q.id for q in kb.questions]
    known = set(order)
    qids = [q for q in order if q in a.answers or q in b.answers]
    qids += sorted((set(a.answers) | set(b.answers)) - known)
    changes = []
    for q in qids:
        va, vb = a.answers.get(q), b.answers.get(q)
        if va != vb:
            text = kb.question(q).text if q in known else q
            changes.append(AnswerChange(text, answer_label(kb, q, va), answer_label(kb, q, vb)))

    def ranks(s: SavedAssessment) -> dict[str, tuple[int, int, str]]:
        return {c["id"]: (i + 1, int(c["out_of_100"]), c["name"])
                for i, c in enumerate(s.result.get("contributors") or [])}

    ra, rb = ranks(a), ranks(b)
    ids = sorted(set(ra) | set(rb), key=lambda c: (rb.get(c, (999,))[0], ra.get(c, (999,))[0]))
    ranking = tuple(RankChange(
        name=(rb.get(c) or ra[c])[2],
        rank_before=ra[c][0] if c in ra else None, rank_after=rb[c][0] if c in rb else None,
        before=ra[c][1] if c in ra else None, after=rb[c][1] if c in rb else None) for c in ids)
    return Comparison(a.as_of, b.as_of, (a.triage_level, b.triage_level), (a.todays_call, b.todays_call),
                      tuple(changes), ranking)


__all__ = [
    "AnswerChange",
    "Athlete",
    "Comparison",
    "DueRecheck",
    "RankChange",
    "RosterRow",
    "SavedAssessment",
    "TimelineRow",
    "answer_label",
    "athlete_profile",
    "compare",
    "timeline",
]
