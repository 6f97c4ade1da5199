"""``heavylegs athletes``: a coach's athlete records (issue #8).

Subcommands: ``list``, ``add``, ``edit``, ``remove``, ``show``,
``import-history``, ``import-assessment`` (the app's download), ``assess`` (run and save an assessment; ``--followup``
prefills a re-check from the last one), ``due`` (re-checks due), ``export`` and
``import`` (portable files), ``report`` (the HTML report of a saved assessment). The database lives in the user data folder
(``$HEAVYLEGS_DATA_DIR`` overrides it); ``--db FILE`` points at another one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heavylegs_core.base.errors import Problem, UserError
from heavylegs_core.cli._common import (
    add_format,
    iso_date,
    print_json,
    timezone,
    write_output,
)
from heavylegs_core.cli.assess import read_answers, render_text
from heavylegs_core.cli.import_cmd import nothing_imported

if TYPE_CHECKING:
    import datetime as dt

    from heavylegs_core.domain.coach import Athlete, SavedAssessment
    from heavylegs_core.io.store import Store

NAME = "athletes"
HELP = "athlete records for coaches: add athletes, import history, save assessments, re-checks due, export/import"


def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--db", type=Path, metavar="FILE",
                   help="the athlete database (default: athletes.sqlite3 in the user data folder, "
                        "$HEAVYLEGS_DATA_DIR)")
    return p


def _profile_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tz", type=timezone, metavar="ZONE", help="the athlete's IANA time zone (default UTC)")
    p.add_argument("--sex", choices=("female", "male", "other"))
    p.add_argument("--age", type=int, metavar="YEARS")
    p.add_argument("--max-hr", type=float, metavar="BPM", help="maximum heart rate (beats per minute)")
    p.add_argument("--rest-hr", type=float, metavar="BPM", help="resting heart rate (beats per minute)")
    p.add_argument("--sleep-need", type=float, metavar="HOURS", help="own sleep need in hours (default 8)")
    p.add_argument("--notes", metavar="TEXT", help="free-text notes")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``athletes`` subcommands."""
    common = _common()
    sub = parser.add_subparsers(dest="athletes_command", metavar="ACTION", parser_class=type(parser))
    sub.required = True

    def cmd(name: str, help_: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_, description=help_, parents=[common])

    p = cmd("list", "list the athletes with their record counts and next re-check")
    add_format(p)
    p = cmd("add", "add an athlete")
    p.add_argument("name", metavar="NAME")
    _profile_options(p)
    p = cmd("edit", "change an athlete's time zone, profile or notes, or rename them")
    p.add_argument("name", metavar="NAME")
    _profile_options(p)
    p.add_argument("--rename", metavar="NEW_NAME")
    p = cmd("remove", "delete an athlete and all their records")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--yes", action="store_true", help="confirm the deletion")
    p = cmd("show", "an athlete's profile, history span and assessments")
    p.add_argument("name", metavar="NAME")
    add_format(p)
    p = cmd("import-history", "import training and sleep files into an athlete's history (duplicates skipped)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("sources", nargs="+", metavar="SRC", help="anything 'heavylegs import' reads")
    add_format(p)
    p = cmd("assess", "run an assessment from an answers file and the stored history, and save it")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--answers", type=Path, metavar="FILE.json",
                   help="the answers {question_id: answer} (with --followup: answers that override the prefill)")
    p.add_argument("--followup", choices=("better", "same", "worse"),
                   help="a re-check: prefill from the last assessment and say how the legs are since then")
    p.add_argument("--as-of", type=iso_date, metavar="DATE", help="the day assessed (default today)")
    p.add_argument("--choose", action="append", default=[], metavar="CAUSE:N",
                   help="record that action N (1-based) of contributor CAUSE was chosen (repeatable)")
    p.add_argument("--emergency-number", metavar="NUMBER", help="the emergency number for warning-sign advice")
    add_format(p)
    p = cmd("import-assessment", "save an assessment downloaded from the assessment app (its JSON file)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("file", type=Path, metavar="FILE.json")
    p = cmd("due", "re-checks due: each athlete's latest assessment whose re-check date has come")
    p.add_argument("--on", type=iso_date, metavar="DATE", help="the day to check (default today)")
    p.add_argument("--within", type=int, default=0, metavar="DAYS", help="also list re-checks due within DAYS")
    add_format(p)
    p = cmd("report", "write the printable HTML report of a saved assessment with the stored history")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.html", help="the report file (written atomically)")
    p.add_argument("--assessment", metavar="UID", help="which saved assessment (default: the latest)")
    p.add_argument("--emergency-number", metavar="NUMBER",
                   help="kept for older scripts and not used: a saved assessment is shown as it was saved")
    p = cmd("export", "export athletes to one portable file (.json, or .json.gz compressed)")
    p.add_argument("out", type=Path, metavar="FILE")
    p.add_argument("--athlete", action="append", default=[], metavar="NAME",
                   help="export only this athlete (repeatable; default all)")
    p = cmd("import", "import a portable file (validated first; all of it or nothing)")
    p.add_argument("file", type=Path, metavar="FILE")
    add_format(p)


def open_for(args: argparse.Namespace) -> Store:
    """The store named by ``--db`` or the default one."""
    from heavylegs_core.io.store import open_store

    return open_store(args.db)


def _profile_fields(args: argparse.Namespace) -> dict[str, Any]:
    pairs = {"sex": args.sex, "age": args.age, "max_hr": args.max_hr, "rest_hr": args.rest_hr,
             "sleep_need_h": args.sleep_need}
    return {k: v for k, v in pairs.items() if v is not None}


def _out(args: argparse.Namespace, doc: Any, text: str) -> None:
    if getattr(args, "format", "text") == "json":
        print_json(doc)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _today() -> dt.date:
    import datetime as dt

    return dt.datetime.now(dt.UTC).date()


def _athlete_doc(a: Athlete) -> dict[str, Any]:
    return {"name": a.name, "uid": a.uid, "tz": a.tz, "profile": a.profile, "notes": a.notes,
            "created_at": a.created_at}


def _saved_doc(s: SavedAssessment) -> dict[str, Any]:
    return {"uid": s.uid, "as_of": s.as_of, "created_at": s.created_at, "model_version": s.model_version,
            "triage_level": s.triage_level, "todays_call": s.todays_call, "top_contributor": s.top_contributor,
            "recheck_on": s.recheck_on, "previous_uid": s.previous_uid,
            "actions": [{"cause_id": c, "action": t} for c, t in s.actions]}


# ----------------------------------------------------------------- subcommands
def _list(store: Store, args: argparse.Namespace) -> None:
    import dataclasses

    on = _today()
    rows = [dataclasses.asdict(r) for r in store.roster(on)]
    lines = [f"{r['athlete']}: {r['sessions']} sessions, {r['nights']} nights, {r['assessments']} assessments"
             + (f"; last {r['last_assessment']} (top {r['top_contributor'] or '-'}, today {r['todays_call']}), "
                f"re-check {r['recheck_on'] or '-'}{' DUE' if r['recheck_due'] else ''}"
                if r["last_assessment"] else "")
             for r in rows] or ["No athletes yet: add one with 'heavylegs athletes add NAME'."]
    _out(args, rows, "\n".join(lines))


def _add(store: Store, args: argparse.Namespace) -> None:
    a = store.add_athlete(args.name, tz=args.tz or "UTC", profile=_profile_fields(args), notes=args.notes or "")
    sys.stdout.write(f"Added {a.name} ({a.tz}).\n")


def _edit(store: Store, args: argparse.Namespace) -> None:
    a = store.athlete(args.name)
    fields = _profile_fields(args)
    if not fields and args.tz is None and args.notes is None and args.rename is None:
        raise UserError("nothing to change: give --tz, a profile option, --notes or --rename", where="edit")
    profile = {**a.profile, **fields} if fields else None
    b = store.update_athlete(args.name, tz=args.tz, profile=profile, notes=args.notes, new_name=args.rename)
    sys.stdout.write(f"Updated {b.name}.\n")


def _remove(store: Store, args: argparse.Namespace) -> None:
    store.athlete(args.name)
    if not args.yes:
        raise UserError("this deletes the athlete and all their records: add --yes to confirm "
                        "(export them first with 'heavylegs athletes export')", where="remove")
    store.remove_athlete(args.name)
    sys.stdout.write(f"Removed {args.name}.\n")


def _show(store: Store, args: argparse.Namespace) -> None:
    a = store.athlete(args.name)
    rows_s, rows_n = store.session_rows(a.name), store.night_rows(a.name)
    items = store.assessments(a.name)
    doc = {**_athlete_doc(a), "sessions": len(rows_s), "nights": len(rows_n),
           "first_session": rows_s[0]["date"] if rows_s else None,
           "last_session": max(r["date"] for r in rows_s) if rows_s else None,
           "assessments": [_saved_doc(s) for s in items]}
    prof = ", ".join(f"{k} {v}" for k, v in a.profile.items() if v is not None)
    lines = [f"{a.name} ({a.tz}); profile: {prof or 'none'}"]
    if a.notes:
        lines.append(f"Notes: {a.notes}")
    lines.append(f"History: {len(rows_s)} sessions"
                 + (f" from {doc['first_session']} to {doc['last_session']}" if rows_s else "")
                 + f", {len(rows_n)} nights")
    lines.append(f"Assessments ({len(items)}):")
    for s in items:
        lines.append(f"  {s.as_of}  triage {s.triage_level}, today {s.todays_call}, top {s.top_contributor or '-'}"
                     f", re-check {s.recheck_on or '-'}  [{s.uid}]")
        lines += [f"      chosen for {c}: {t}" for c, t in s.actions]
    _out(args, doc, "\n".join(lines))


def _import_history(store: Store, args: argparse.Namespace) -> None:
    from heavylegs_core.domain.profile import AthleteProfile
    from heavylegs_core.io.history import load_history

    a = store.athlete(args.name)
    result = load_history(args.sources, tz=a.tz, profile=AthleteProfile(**a.profile))
    if result.sessions.empty and result.nights.empty:  # a mistake (the wrong file), as in 'heavylegs import'
        raise nothing_imported(args.sources, result.skipped)
    for note in result.warnings:
        sys.stderr.write(f"heavylegs: warning: {note}\n")
    got = store.add_history(a.name, result.sessions, result.nights)
    doc = {"athlete": a.name, "sessions_added": got.sessions_added, "sessions_duplicate": got.sessions_duplicate,
           "nights_added": got.nights_added, "nights_duplicate": got.nights_duplicate,
           "skipped": dict(result.skipped)}
    _out(args, doc, f"{a.name}: added {got.sessions_added} sessions ({got.sessions_duplicate} already stored) "
                    f"and {got.nights_added} nights ({got.nights_duplicate} already stored).")


def _parse_choices(values: list[str], result: dict[str, Any]) -> list[tuple[str, str]]:
    by_id = {c["id"]: c for c in result["contributors"]}
    out, problems = [], []
    for v in values:
        cause, _, num = v.partition(":")
        c = by_id.get(cause)
        if c is None or not num.isdigit() or not 1 <= int(num) <= len(c["actions"]):
            problems.append(Problem(f"{v!r} is not CAUSE:N with a contributor id of this assessment and N from "
                                    f"1 to the number of its actions", "--choose"))
            continue
        out.append((cause, c["actions"][int(num) - 1]))
    if problems:
        raise UserError(problems)
    return out


def _assess(store: Store, args: argparse.Namespace) -> None:
    from heavylegs_core.domain.model import DEFAULT_EMERGENCY_NUMBER, assess, engine

    a = store.athlete(args.name)
    as_of = args.as_of or _today()
    given = read_answers(args.answers) if args.answers else {}
    if not args.answers and not args.followup:
        raise UserError("give --answers FILE.json, or --followup better|same|worse for a re-check", where="assess")
    eng = engine()
    where = str(args.answers) if args.answers else "--followup"
    eng.validate_answers(given, where=where)
    previous = None
    answers = given
    if args.followup:
        prefill, previous = store.followup_answers(a.name, args.followup, as_of)
        answers = {**prefill, **given}
        flag_ids = {q.id for q in eng.kb.questions if q.section == "red_flags"}
        if not flag_ids & given.keys():
            sys.stderr.write("heavylegs: warning: no warning-sign answers given: they are not carried over from "
                             "the last assessment, so ask them again (--answers)\n")
    history = store.history(a.name, answers=answers)
    metrics = history.evidence(as_of).row if history.has_training(as_of) else None
    result = assess(answers, metrics, profile=history.profile, as_of=as_of,
                    emergency_number=args.emergency_number or DEFAULT_EMERGENCY_NUMBER, where=where)
    chosen = _parse_choices(args.choose, result.to_dict())
    saved = store.save_assessment(a.name, answers, result, previous_uid=previous.uid if previous else None,
                                  actions=chosen)
    text = render_text(result) + (f"\nSaved for {a.name} [{saved.uid}]; re-check on {saved.recheck_on or '-'}.\n")
    _out(args, {"athlete": a.name, "saved": _saved_doc(saved), "assessment": result.to_dict()}, text)


def _report(store: Store, args: argparse.Namespace) -> None:
    from heavylegs_core.domain.model import Assessment, engine
    from heavylegs_core.views.report import report_page

    a = store.athlete(args.name)
    if args.assessment:
        saved = store.assessment(args.assessment)
        if saved.athlete != a.name:
            raise UserError(f"assessment {args.assessment} belongs to {saved.athlete!r}", where="--assessment")
    else:
        saved = store.last_assessment(a.name)
        if saved is None:
            raise UserError(f"{a.name!r} has no saved assessment: run 'heavylegs athletes assess' first",
                            where="athlete")
    if saved.model_version != engine().version:
        sys.stderr.write(f"heavylegs: warning: this assessment was saved with model {saved.model_version} "
                         f"(today's is {engine().version}); the report shows it as it was saved\n")
    if args.emergency_number:
        sys.stderr.write("heavylegs: warning: --emergency-number is not used: the report shows the assessment "
                         "as it was saved, with the number its advice named then\n")
    html = report_page(saved.answers, Assessment.from_dict(saved.result),
                       history=store.history(a.name, answers=saved.answers, label="stored history"),
                       athlete=a.name, question_text={q.id: q.text for q in engine().kb.questions})
    write_output(args.out, html)
    sys.stdout.write(f"Report of {a.name}'s assessment of {saved.as_of} written to {args.out}.\n")


def _import_assessment(store: Store, args: argparse.Namespace) -> None:
    from heavylegs_core.io.portable import read_app_assessment

    a = store.athlete(args.name)
    try:
        data = args.file.read_bytes()
    except FileNotFoundError:
        raise UserError("file not found", where=str(args.file)) from None
    answers, result, saved_at = read_app_assessment(data, str(args.file))
    saved = store.save_assessment(a.name, answers, result, created_at=saved_at)
    sys.stdout.write(f"Saved {a.name}'s assessment of {saved.as_of} [{saved.uid}]; "
                     f"re-check on {saved.recheck_on or '-'}.\n")


def _due(store: Store, args: argparse.Namespace) -> None:
    if args.within < 0:
        raise UserError("--within is a number of days, 0 or more", where="--within")
    on = args.on or _today()
    items = store.due(on, within_days=args.within)
    rows = [{"athlete": d.athlete, "recheck_on": d.recheck_on, "days_overdue": d.days_overdue,
             "as_of": d.as_of, "assessment_uid": d.assessment_uid, "top_contributor": d.top_contributor,
             "triage_level": d.triage_level} for d in items]
    lines = [f"{d.athlete}: re-check {'due' if d.days_overdue >= 0 else 'coming'} {d.recheck_on}"
             f" ({abs(d.days_overdue)} days {'overdue' if d.days_overdue > 0 else 'ahead' if d.days_overdue < 0 else 'today'})"
             f"; last assessed {d.as_of}, top contributor {d.top_contributor or '-'}"
             + (f", warning signs {d.triage_level}" if d.triage_level != "none" else "")
             + f". Run: heavylegs athletes assess {_quote(d.athlete)} --followup better|same|worse --answers FILE.json"
             for d in items] or [f"No re-checks due by {on}."]
    _out(args, rows, "\n".join(lines))


def _quote(name: str) -> str:
    import shlex

    return shlex.quote(name)


def _export(store: Store, args: argparse.Namespace) -> None:
    from heavylegs_core.io.portable import export_file

    doc = export_file(store, args.out, args.athlete or None)
    n = len(doc["athletes"])
    sys.stdout.write(f"Exported {n} athlete{'s' if n != 1 else ''} to {args.out}.\n")


def _import(store: Store, args: argparse.Namespace) -> None:
    from heavylegs_core.io.portable import import_file

    added = import_file(store, args.file)
    _out(args, added, "Imported: " + ", ".join(f"{v} {k}" for k, v in added.items()) + ".")


_ACTIONS = {"list": _list, "add": _add, "edit": _edit, "remove": _remove, "show": _show,
            "import-history": _import_history, "assess": _assess, "due": _due, "report": _report,
            "import-assessment": _import_assessment, "export": _export,
            "import": _import}


def run(args: argparse.Namespace) -> int:
    """Run one ``athletes`` subcommand; exit 0, or 2 on a user error."""
    with open_for(args) as store:
        _ACTIONS[args.athletes_command](store, args)
    return 0
