"""A hostile-and-awkward corpus of training and sleep histories, generated into a folder by code.

Real exports are awkward in a few recurring ways: files that are empty or hold
nothing to import, gaps of months, a history of one day, a decade of daily
training, the same export given twice or in two formats, offsets that change
while the athlete travels, and nights that span a daylight-saving change. Each
:class:`Case` writes its files into a folder and says what a correct workbook
must make of them (:class:`Truth`). Every value is made up.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests import import_fixtures as fx

GPX_HEAD = '<?xml version="1.0"?>\n<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">'
CANONICAL_HEADER = ("kind,start,date,sport,duration_min,distance_km,rpe,avg_hr,max_hr,load,load_source,name,"
                    "source,sleep_h,quality\n")
ASLEEP = "HKCategoryValueSleepAnalysisAsleepCore"


@dataclass(frozen=True)
class Truth:
    """What the commands must make of a case.

    ``usable``: the history can be assessed (else every command must refuse it
    with ``heavylegs: error:`` lines naming ``error_mentions``); ``sessions`` and
    ``nights``: how many distinct ones ``import`` must find (None: not checked);
    ``dates``: session dates (ISO) that must appear; ``sleep``: ``{wake-up date:
    hours}`` the import must give; ``streak``: the ``days_since_rest_at_least``
    of the last day (None: not checked).
    """

    usable: bool = True
    sessions: int | None = None
    nights: int | None = None
    dates: tuple[str, ...] = ()
    sleep: dict[str, float] = field(default_factory=dict)
    streak: int | None = None
    error_mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inputs:
    """The files of a case: ``training`` and ``sleep`` paths and the athlete's ``tz``."""

    training: list[Path]
    sleep: list[Path] = field(default_factory=list)
    tz: str = "UTC"


@dataclass(frozen=True)
class Case:
    """``make(folder)`` writes the files and returns the :class:`Inputs`; ``truth`` is what must come out."""

    name: str
    make: Callable[[Path], Inputs]
    truth: Truth


CASES: list[Case] = []


def case(name: str, truth: Truth) -> Callable[[Callable[[Path], Inputs]], Callable[[Path], Inputs]]:
    def wrap(make: Callable[[Path], Inputs]) -> Callable[[Path], Inputs]:
        CASES.append(Case(name, make, truth))
        return make
    return wrap


# ------------------------------------------------------------------ writers

def daily_csv(path: Path, first: dt.date, days: int, *, every: int = 1, minutes: float = 45.0,
              rpe: float = 5.0, km: float | None = 8.0, skip: range | None = None) -> Path:
    """A generic training CSV: a run every ``every`` days for ``days`` days from ``first`` (minutes, km, CR-10).

    Days in ``skip`` (offsets from ``first``) have no session.
    """
    head = "date,sport,duration_min,rpe" + (",distance_km" if km is not None else "") + "\n"
    tail = f",{km:g}" if km is not None else ""
    lines = [f"{first + dt.timedelta(days=i)},run,{minutes:g},{rpe:g}{tail}\n"
             for i in range(0, days, every) if skip is None or i not in skip]
    path.write_text(head + "".join(lines), encoding="utf-8")
    return path


def starts_csv(path: Path, starts: list[str], minutes: float = 40.0, rpe: float = 4.0) -> Path:
    """A generic training CSV whose ``start`` column holds the given ISO times (with or without offsets)."""
    rows = "".join(f"{s},run,{minutes:g},{rpe:g},7\n" for s in starts)
    path.write_text("start,sport,duration_min,rpe,distance_km\n" + rows, encoding="utf-8")
    return path


def apple_sleep(path: Path, nights: list[tuple[dt.datetime, dt.datetime]], zone: str) -> Path:
    """An Apple Health ``export.xml`` with one asleep record per night (aware start and end times).

    Each record carries the UTC offset in force at its own start and end, as
    iOS writes them, so a night across a daylight-saving change has two offsets.
    """
    records = []
    for start, end in nights:
        records.append(fx.apple_record("HKCategoryTypeIdentifierSleepAnalysis",
                                       start.strftime("%Y-%m-%d %H:%M:%S %z"),
                                       end.strftime("%Y-%m-%d %H:%M:%S %z"), ASLEEP, tzname=zone))
    path.write_text(fx.apple_export(records), encoding="utf-8")
    return path


def local(zone: str, *args: int, fold: int = 0) -> dt.datetime:
    """An aware local time in ``zone`` (``fold=1``: the second of an ambiguous hour)."""
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone), fold=fold)


def elapsed_h(start: dt.datetime, end: dt.datetime) -> float:
    """True elapsed hours between two aware times (not wall-clock hours)."""
    return (end.astimezone(dt.UTC) - start.astimezone(dt.UTC)).total_seconds() / 3600.0


# ------------------------------------------------------------------ nothing to use

@case("zero-length file", Truth(usable=False, error_mentions=("empty.csv", "empty")))
def _(d: Path) -> Inputs:
    (d / "empty.csv").write_bytes(b"")
    return Inputs([d / "empty.csv"])


@case("GPX whose track has no points", Truth(usable=False, error_mentions=("nopoints.gpx",)))
def _(d: Path) -> Inputs:
    p = d / "nopoints.gpx"
    p.write_text(GPX_HEAD + "<trk><name>x</name><trkseg></trkseg></trk></gpx>", encoding="utf-8")
    return Inputs([p])


@case("canonical CSV with the header only", Truth(usable=False, error_mentions=("header_only.csv",)))
def _(d: Path) -> Inputs:
    p = d / "header_only.csv"
    p.write_text(CANONICAL_HEADER, encoding="utf-8")
    return Inputs([p])


@case("Garmin sleep export without nights, with a training CSV without rows",
      Truth(usable=False, error_mentions=("rows.csv",)))
def _(d: Path) -> Inputs:
    (d / "sleep").mkdir()
    night = d / "sleep" / "2026-01-01_2026-04-01_123_sleepData.json"
    night.write_text("[]", encoding="utf-8")
    rows = d / "rows.csv"
    rows.write_text("date,sport,duration_min,rpe\n", encoding="utf-8")
    return Inputs([rows], [night])


@case("every row without a duration", Truth(usable=False, error_mentions=("no_duration.csv",)))
def _(d: Path) -> Inputs:
    p = d / "no_duration.csv"
    p.write_text("date,sport,duration_min,distance_km\n2026-03-01,run,,5\n2026-03-02,run,,6\n", encoding="utf-8")
    return Inputs([p])


# ------------------------------------------------------------------ odd shapes

@case("a single day", Truth(sessions=1, dates=("2026-05-04",), streak=1))
def _(d: Path) -> Inputs:
    return Inputs([daily_csv(d / "one.csv", dt.date(2026, 5, 4), 1)])


@case("a 28-day streak without a rest day", Truth(sessions=28, streak=28))
def _(d: Path) -> Inputs:
    return Inputs([daily_csv(d / "streak.csv", dt.date(2026, 11, 1), 28, km=None)])


@case("gaps of months", Truth(sessions=48 + 42))
def _(d: Path) -> Inputs:
    # 8 weeks of training with a rest day a week (48 runs), five months without anything, then
    # 6 weeks back every day (42 runs)
    a = daily_csv(d / "spring.csv", dt.date(2025, 1, 6), 56, every=1, skip=range(3, 56, 7))
    b = daily_csv(d / "autumn.csv", dt.date(2025, 8, 4), 42)
    text = a.read_text(encoding="utf-8") + "".join(b.read_text(encoding="utf-8").splitlines(True)[1:])
    b.unlink()
    a.write_text(text, encoding="utf-8")
    return Inputs([a])


@case("10 years of daily training", Truth(sessions=3653, streak=3653))
def _(d: Path) -> Inputs:
    return Inputs([daily_csv(d / "decade.csv", dt.date(2016, 1, 1), 3653, minutes=50.0, rpe=4.0)])


# ------------------------------------------------------------------ the same sessions twice

@case("the same file twice", Truth(sessions=14))
def _(d: Path) -> Inputs:
    p = daily_csv(d / "runs.csv", dt.date(2026, 2, 1), 14)
    return Inputs([p, p])


@case("the same export twice under two names", Truth(sessions=14))
def _(d: Path) -> Inputs:
    p = daily_csv(d / "runs.csv", dt.date(2026, 2, 1), 14)
    copy = d / "runs (1).csv"
    shutil.copyfile(p, copy)
    return Inputs([p, copy])


@case("the same runs as GPX, TCX and CSV", Truth(sessions=3, dates=("2026-04-01", "2026-04-03", "2026-04-05")))
def _(d: Path) -> Inputs:
    paths: list[Path] = []
    rows = ["start,sport,duration_min,distance_km"]
    for i, day in enumerate((1, 3, 5)):
        start = dt.datetime(2026, 4, day, 6, 30)
        gpx = d / f"run{i}.gpx"
        gpx.write_text(fx.gpx_text(start, 45, 9.0), encoding="utf-8")
        tcx = d / f"run{i}.tcx"
        tcx.write_text(fx.tcx_text(start, 45, 9.0).lstrip(), encoding="utf-8")
        paths += [gpx, tcx]
        rows.append(f"{start:%Y-%m-%dT%H:%M:%S}Z,run,45,9")
    csv = d / "log.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return Inputs([*paths, csv])


# ------------------------------------------------------------------ time zones

@case("offsets that change while travelling (--tz Europe/Oslo)",
      Truth(sessions=4, dates=("2026-03-01", "2026-03-04", "2026-03-06", "2026-03-10")))
def _(d: Path) -> Inputs:
    starts = ["2026-03-01T07:00:00+01:00",   # Oslo
              "2026-03-03T21:30:00-05:00",   # a New York evening: 03:30 on the 4th in Oslo
              "2026-03-07T06:00:00+09:00",   # a Tokyo morning: 22:00 on the 6th in Oslo
              "2026-03-10T12:00:00+00:00"]   # London
    p = starts_csv(d / "travel.csv", starts)
    return Inputs([p], tz="Europe/Oslo")


@case("naive local times on the spring-forward and fall-back days (--tz America/New_York)",
      Truth(sessions=4, dates=("2026-03-08", "2026-11-01")))
def _(d: Path) -> Inputs:
    starts = ["2026-03-07 02:30:00", "2026-03-08 02:30:00",  # 02:30 does not exist on 8 March in New York
              "2026-11-01 01:30:00", "2026-11-02 01:30:00"]  # 01:30 happens twice on 1 November
    return Inputs([starts_csv(d / "dst_runs.csv", starts)], tz="America/New_York")


def _dst_nights(zone: str, spring: dt.date, autumn: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    nights = []
    for day in (spring, autumn):
        before = day - dt.timedelta(days=1)
        nights.append((local(zone, before.year, before.month, before.day, 23, 0),
                       local(zone, day.year, day.month, day.day, 7, 0)))
    return nights


OSLO_NIGHTS = _dst_nights("Europe/Oslo", dt.date(2026, 3, 29), dt.date(2026, 10, 25))
NEW_YORK_NIGHTS = _dst_nights("America/New_York", dt.date(2026, 3, 8), dt.date(2026, 11, 1))


@case("sleep across the DST changes in Europe/Oslo",
      Truth(nights=2, sleep={"2026-03-29": elapsed_h(*OSLO_NIGHTS[0]), "2026-10-25": elapsed_h(*OSLO_NIGHTS[1])}))
def _(d: Path) -> Inputs:
    runs = daily_csv(d / "runs.csv", dt.date(2026, 3, 20), 230, every=2)
    return Inputs([runs], [apple_sleep(d / "export.xml", OSLO_NIGHTS, "Europe/Oslo")], tz="Europe/Oslo")


@case("sleep across the DST changes in America/New_York",
      Truth(nights=2, sleep={"2026-03-08": elapsed_h(*NEW_YORK_NIGHTS[0]),
                             "2026-11-01": elapsed_h(*NEW_YORK_NIGHTS[1])}))
def _(d: Path) -> Inputs:
    runs = daily_csv(d / "runs.csv", dt.date(2026, 3, 1), 250, every=3)
    return Inputs([runs], [apple_sleep(d / "export.xml", NEW_YORK_NIGHTS, "America/New_York")],
                  tz="America/New_York")


@case("Whoop sleep with a naive wake time inside the spring-forward gap",
      Truth(nights=2, sleep={"2026-03-29": 7.5, "2026-03-30": 7.0}))
def _(d: Path) -> Inputs:
    head = ("Cycle start time,Cycle end time,Cycle timezone,Sleep onset,Wake onset,Sleep performance %,"
            "Asleep duration (min),In bed duration (min),Nap\n")
    rows = ("2026-03-28 20:00:00,2026-03-29 20:00:00,,2026-03-28 19:00:00,2026-03-29 02:30:00,80,450,480,false\n"
            "2026-03-29 20:00:00,2026-03-30 20:00:00,,2026-03-29 23:00:00,2026-03-30 06:30:00,75,420,450,false\n")
    sleeps = d / "sleeps.csv"
    sleeps.write_text(head + rows, encoding="utf-8")
    runs = daily_csv(d / "runs.csv", dt.date(2026, 3, 20), 12)
    return Inputs([runs], [sleeps], tz="Europe/Oslo")
