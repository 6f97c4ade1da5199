"""A coach's view of stored athletes: history as evidence, timelines, comparisons and reports.

Pure functions over :class:`~heavylegs_core.io.store.Store` records, shared by the
``heavylegs athletes`` command and the roster app. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from heavylegs_core.domain.profile import AthleteProfile
    from heavylegs_core.io.store import Athlete, SavedAssessment, Store
    from heavylegs_core.knowledge import Knowledge


def athlete_profile(a: Athlete, answers: dict[str, Any] | None = None) -> AthleteProfile:
    """The stored profile, with sex and age filled from ``answers`` where the profile has none."""
    from heavylegs_core.domain.profile import AthleteProfile

    profile = AthleteProfile(**a.profile)
    answers = answers or {}
    fill = {k: answers[k] for k in ("sex", "age") if getattr(profile, k) is None and answers.get(k) is not None}
    return profile.model_copy(update=fill) if fill else profile


def history_table(store: Store, name: str, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """``(daily metrics up to as_of, sessions up to as_of)`` from the stored history, or None without any.

    The daily table runs from the first stored session to ``as_of`` (a day),
    so days without training after the last session count as rest days.
    """
    from heavylegs_core.domain.metrics import daily_metrics

    a = store.athlete(name)
    sessions = store.sessions(name)
    if sessions.empty or sessions["date"].min().date() > as_of:
        return None
    sessions = sessions[sessions["date"].dt.date <= as_of]
    table = daily_metrics(sessions, store.nights(name), profile=athlete_profile(a), as_of=as_of)
    if table.empty:
        return None
    return table, sessions


def history_metrics(store: Store, name: str, as_of: dt.date) -> dict[str, Any] | None:
    """The daily-metrics row of ``as_of`` from the stored history, or None when there is none by then."""
    got = history_table(store, name, as_of)
    if got is None:
        return None
    row = got[0].iloc[-1].to_dict()
    row.pop("date")
    return row


def saved_report_html(store: Store, saved: SavedAssessment, *, emergency_number: str | None = None) -> str:
    """The printable report of a saved assessment, with the history stored up to its as-of date (HTML)."""
    from heavylegs_core.cli.report import render_report

    a = store.athlete(saved.athlete)
    sessions = store.sessions(a.name)
    sessions = sessions[sessions["date"].dt.date <= saved.as_of]
    nights = store.nights(a.name)
    return render_report(saved.answers, sessions if not sessions.empty else None,
                         nights if not nights.empty else None, as_of=saved.as_of, athlete=a.name,
                         profile=athlete_profile(a, saved.answers), emergency_number=emergency_number,
                         where=f"assessment {saved.uid}")


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
    "Comparison",
    "RankChange",
    "TimelineRow",
    "answer_label",
    "athlete_profile",
    "compare",
    "history_metrics",
    "history_table",
    "saved_report_html",
    "timeline",
]
