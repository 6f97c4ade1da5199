"""HTML for an assessment's results, shared by the app and the printable report.

Pure functions from an :class:`~heavylegs_core.domain.model.Assessment` to escaped HTML:
the triage banner comes first, then today's call, then each contributor as
"about N in 100" with a grouped icon array, a "because…" panel (evidence for and
against, with points) and its actions with a re-check date. Every piece of text
that could come from a user or a file is escaped here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from heavylegs_core.domain.model import Assessment, Contributor, EvidenceUse, Triage
from heavylegs_core.knowledge import educational_note, load_knowledge
from heavylegs_core.views.html import esc

TIER_TITLES = {
    "emergency": "Emergency: act now",
    "urgent": "Urgent: get seen today",
    "gp_soon": "See a GP soon",
}
#: How many contributors the results show in full (the rest are listed by name).
SHOWN = 6


def icon_array(n: int, *, label: str) -> str:
    """A grouped icon array, 5 rows of 20, with the first ``n`` of 100 icons filled (red-flags.md 5.3).

    Filled icons are ``<b>``, empty ones ``<i>`` (drawn as dots by :data:`RESULTS_CSS`): the
    shortest markup, since the results are sent to the page again after every answer and
    show several arrays. The array is one image to assistive technology, named by ``label``.
    """
    n = max(0, min(100, int(n)))
    return f'<span class="hl-icons" role="img" aria-label="{esc(label)}">{"<b></b>" * n}{"<i></i>" * (100 - n)}</span>'


def triage_html(triage: Triage) -> str:
    """The red-flag banner: the action first, then the concern. Empty when no flag fired."""
    if triage.level == "none":
        return ""
    items = "".join(
        f'<li><strong>{esc(f.action)}</strong><br><span class="hl-concern">Why: {esc(f.concern)}</span></li>'
        for f in triage.flags
    )
    return (
        f'<section class="hl-triage hl-triage-{esc(triage.level)}" role="alert">'
        f"<h2>{esc(TIER_TITLES.get(triage.level, triage.level))}</h2><ul>{items}</ul>"
        "<p>This comes before anything else below: no training change outweighs it.</p></section>"
    )


def _evidence_rows(items: Iterable[EvidenceUse]) -> str:
    rows = []
    for e in items:
        arrow = "▲" if e.points > 0 else "▼"
        width = min(100, abs(e.points) * 6)
        rows.append(
            f'<li class="hl-ev hl-ev-{esc(e.direction)}"><span class="hl-arrow">{arrow}</span> '
            f"{esc(e.text)} <strong>({e.points:+.1f})</strong>"
            f'<span class="hl-evbar" style="width:{width:.0f}px"></span></li>'
        )
    return "".join(rows)


def contributor_html(c: Contributor, as_of: dt.date | None) -> str:
    """One contributor: about N in 100, icon array, because… panel, actions, re-check date."""
    n = c.out_of_100
    recheck = f"in {c.recheck_days} days"
    if as_of is not None:
        recheck += f" (around {(as_of + dt.timedelta(days=c.recheck_days)):%a %d %b})"
    pro = [e for e in c.evidence if e.points > 0]
    con = [e for e in c.evidence if e.points <= 0]
    because = ""
    if pro:
        because += f"<p>Points towards it:</p><ul>{_evidence_rows(pro)}</ul>"
    if con:
        because += f"<p>Points away from it:</p><ul>{_evidence_rows(con)}</ul>"
    if not because:
        because = "<p>No answer or history moved this one: it shows its starting estimate.</p>"
    start = round(c.prior * 100)
    given = round(c.prior_given * 100) if c.prior_given else start
    because = (f'<p class="hl-start">Starting estimate before any answer: {start} in 100'
               + (f" (the evidence base says {given} in 100; every cause's starting estimate is pulled towards "
                  "the others', so that strong, specific evidence can lead)" if given != start else "")
               + ". A judgement, not a measurement.</p>" + because)
    if c.capped:
        because += "<p><em>Capped: many small signs cannot push one contributor past a set limit.</em></p>"
    actions = "".join(f"<li>{esc(a)}</li>" for a in c.actions)
    return (
        f'<article class="hl-contributor" data-cause="{esc(c.id)}">'
        f"<h3>{esc(c.name)}</h3>"
        f'<p class="hl-odds"><strong>About {n} in 100</strong> runners with answers like these have this as a '
        f"contributor (starting estimate {round(c.prior * 100)} in 100).</p>"
        f"{icon_array(n, label=f'about {n} in 100')}"
        f'<details class="hl-because"><summary>Because…</summary>{because}</details>'
        f'<div class="hl-actions"><p>What to try:</p><ul>{actions}</ul>'
        f"<p>{esc(load_knowledge().text('recheck_advice', when=recheck))}</p></div></article>"
    )


def screen_html(triage: Triage) -> str:
    """The banner for an incomplete warning-sign screen (empty when every warning sign was answered)."""
    if triage.screen_complete or triage.level != "none":
        return ""
    return ('<section class="hl-screen-incomplete" role="alert">'
            f"<h2>Warning-sign screen incomplete: {len(triage.unanswered)} not answered</h2>"
            "<p>An unanswered warning sign is not a 'no'. Go back and answer every warning-sign question "
            "(choose 'Not sure' if you are unsure). Until then heavylegs gives no call to train today.</p></section>")


def results_html(result: Assessment, *, athlete: str = "") -> str:
    """The whole results view: triage first, today's call, contributors, the caveat."""
    who = f"<p>Results for <strong>{esc(athlete)}</strong></p>" if athlete.strip() else ""
    call = result.todays_call
    shown = result.contributors[:SHOWN]
    rest = result.contributors[SHOWN:]
    more = ""
    if rest:
        names = ", ".join(f"{esc(c.name)} ({c.out_of_100} in 100)" for c in rest)
        more = f'<p class="hl-more">Less likely here: {names}.</p>'
    notes = "".join(f"<li>{esc(n)}</li>" for n in result.notes)
    notes_html = f'<ul class="hl-notes">{notes}</ul>' if notes else ""
    return (
        f"{triage_html(result.triage)}{screen_html(result.triage)}{who}"
        f'<section class="hl-call hl-call-{esc(call.id)}"><h2>Today: {esc(call.text)}</h2>'
        f"<p>{esc(call.why)}</p></section>{notes_html}"
        f"<h2>Likely contributors</h2>"
        + "".join(contributor_html(c, result.as_of) for c in shown)
        + more
        + f'<p class="hl-caveat"><strong>{esc(educational_note())}</strong> '
        f"{esc(load_knowledge().text('numbers_caveat', honesty=result.honesty_statement))}</p>"
    )


RESULTS_CSS = """
.hl-triage { border: 3px solid #c0392b; background: #fdecea; padding: 8px 14px; margin: 8px 0; }
.hl-triage h2 { color: #7f1d1d; margin: 4px 0; }
.hl-screen-incomplete { border: 3px solid #b45309; background: #fff7e6; padding: 8px 14px; margin: 8px 0; }
.hl-screen-incomplete h2 { color: #7c2d12; margin: 4px 0; }
.hl-call { border-left: 5px solid #1b6ca8; background: #eef5fb; padding: 6px 12px; margin: 8px 0; }
.hl-call-see_doctor { border-left-color: #c0392b; background: #fdecea; }
.hl-contributor { border-top: 1px solid #e5e7eb; padding: 8px 0; }
.hl-contributor h3 { margin: 4px 0; }
.hl-icons { display: inline-grid; grid-template-columns: repeat(20, 9px); gap: 2px; margin: 4px 0; }
.hl-icons b, .hl-icons i { width: 9px; height: 9px; border-radius: 50%; display: inline-block; }
.hl-icons b { background: #1b6ca8; }
.hl-icons i { background: #d1d5db; }
.hl-ev { list-style: none; }
.hl-ev-for .hl-arrow { color: #b45309; }
.hl-ev-against .hl-arrow { color: #1b6ca8; }
.hl-evbar { display: inline-block; height: 6px; margin-left: 6px; background: #9ca3af; vertical-align: middle; }
.hl-caveat { color: #374151; border-top: 1px solid #e5e7eb; padding-top: 8px; }
details.hl-because summary { cursor: pointer; font-weight: bold; }
@media print { details.hl-because { display: block; } details.hl-because > * { display: block; } }
"""
