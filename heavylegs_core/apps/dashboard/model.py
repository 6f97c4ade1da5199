"""The dashboard's state and numbers, without widgets (the widgets and the chart are :mod:`.view`).

The athlete picker offers the bundled PMData participants, synthetic demo histories and
uploaded files; the summary table of the brushed period is computed here from the daily
metrics table (``heavylegs metrics``), whatever the chart's resolution. Nothing here loads
pandas until a history is needed, so a cached first view opens without it.
"""

from __future__ import annotations

import base64
import dataclasses
import math
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import pmdata_file, pmdata_participants
from heavylegs_core.io.uploads import Received, safe_filename
from heavylegs_core.views.chart_options import (
    ACWR_KINDS,
    ACWR_LABELS,
    KM_PER_MILE,
    UNITS,
)
from heavylegs_core.views.html import esc

if TYPE_CHECKING:  # pandas and pydantic load when a history is needed: a cached first view needs neither
    import pandas as pd

    from heavylegs_core.domain.history import History
    from heavylegs_core.domain.profile import AthleteProfile

#: Synthetic demo histories offered in the picker: option value -> years.
SYNTHETIC: dict[str, float] = {"synthetic-1y": 1.0, "synthetic-10y": 10.0}
UPLOADED = "uploaded"
GIVEN = "given"
EXPORT_FORMATS: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml"}
#: The default profile's sleep need (h): :class:`heavylegs_core.domain.profile.AthleteProfile` (a test checks they agree).
DEFAULT_SLEEP_NEED_H = 8.0


def load_athlete(key: str) -> History:
    """A history the picker offers: a bundled PMData participant or a synthetic demo."""
    from heavylegs_core.domain.synthetic import synthetic_history
    from heavylegs_core.io.history import sample_history

    if key in SYNTHETIC:
        return synthetic_history(SYNTHETIC[key])
    if key in pmdata_participants():
        return sample_history(key)
    raise UserError(f"unknown athlete {key!r}", where="athlete")


def selected_period(value: Mapping[str, Any] | None, field: str = "date") -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The brushed period as two calendar days, from an interval selection value.

    ``value`` is ``JupyterChart.selections.period.value``: ``{field: [a, b]}``
    with ms since 1970 (UTC) or ISO strings; empty means no brush (None).
    Anything else raises ValueError or TypeError (browser input is untrusted).
    """
    import pandas as pd

    if not value:
        return None
    if set(value) != {field}:
        raise ValueError(f"unexpected selection fields {sorted(value)!r}")
    ends = value[field]
    if not isinstance(ends, list | tuple) or len(ends) != 2:
        raise ValueError("a period needs a start and an end")
    days = []
    for v in ends:
        if isinstance(v, bool) or not isinstance(v, int | float | str):
            raise TypeError(f"not a time: {v!r}")
        if isinstance(v, str):
            ts = pd.Timestamp(v)
            ts = ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo else ts
        else:
            if not math.isfinite(v):
                raise ValueError(f"not a time: {v!r}")
            ts = pd.Timestamp(int(v), unit="ms")
        days.append(ts.normalize())
    lo, hi = sorted(days)
    return lo, hi


def _fmt(v: float, spec: str) -> str:
    return "–" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(v, spec)


def period_summary(metrics: pd.DataFrame, ratings: pd.DataFrame, period: tuple[pd.Timestamp, pd.Timestamp] | None,
                   *, unit: str = "km", acwr_kind: str = "uncoupled", sleep_need_h: float = DEFAULT_SLEEP_NEED_H,
                   assessments: pd.DataFrame | None = None) -> pd.DataFrame:
    """The numbers of a period, from the DAILY metrics table (whatever the chart's resolution).

    Returns rows of ``measure``, ``value`` (text) and ``unit``: the period
    (first and last day, days), sessions, total and mean daily load (AU,
    AU/day), run distance (km or mi), fitness CTL and form TSB on the last
    day (AU/day), the highest ACWR of ``acwr_kind`` and the days above the
    published band (both without the days whose ratio is not meaningful,
    ``acwr_meaningful`` false: after a break), how many such days were left
    out, the highest monotony, nights with sleep data, mean sleep
    (h), nights under :data:`heavylegs_core.domain.metrics.SHORT_NIGHT_H` h and under
    the sleep need, heavy-legs ratings (count, mean 0-10) and saved
    assessments (count). ``period`` None means the whole history.
    """
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}: choose one of {', '.join(UNITS)}")
    if acwr_kind not in ACWR_KINDS:
        raise ValueError(f"unknown ACWR kind {acwr_kind!r}: choose one of {', '.join(ACWR_KINDS)}")
    import pandas as pd

    from heavylegs_core.domain.history import empty_assessments
    from heavylegs_core.domain.metrics import SHORT_NIGHT_H
    from heavylegs_core.knowledge.chart_references import load_chart_references

    band = load_chart_references().acwr_band
    m = metrics
    if period is not None:
        m = m.loc[(m["date"] >= period[0]) & (m["date"] <= period[1])]
    r = ratings
    a = empty_assessments() if assessments is None else assessments
    if period is not None:
        r = r.loc[(r["date"] >= period[0]) & (r["date"] <= period[1])]
        a = a.loc[(a["date"] >= period[0]) & (a["date"] <= period[1])]
    rows: list[tuple[str, str, str]] = []
    if m.empty:
        return pd.DataFrame([("Period", "no days with data in the selected period", "")],
                            columns=["measure", "value", "unit"])
    first, last = m["date"].iloc[0], m["date"].iloc[-1]
    per = 1.0 if unit == "km" else 1.0 / KM_PER_MILE
    acwr = m[f"acwr_{acwr_kind}"]
    after_break = ((~m["acwr_meaningful"].astype("boolean")).fillna(False) if "acwr_meaningful" in m.columns
                   else pd.Series(False, index=m.index))
    left_out = int((after_break & acwr.notna()).sum())
    acwr = acwr[~after_break]  # a ratio after a break reflects the break, not the training
    sleep = m["sleep_h"].dropna()
    rows += [
        ("Period", f"{first:%d %b %Y} – {last:%d %b %Y}", f"{len(m)} days"),
        ("Sessions", f"{int(m['sessions'].fillna(0).sum())}", "count"),
        ("Total load", _fmt(m["load"].sum(min_count=1), ",.0f"), "AU"),
        ("Mean daily load", _fmt(m["load"].mean(), ",.1f"), "AU/day"),
        ("Run distance", _fmt(m["run_km"].sum() * per, ",.1f"), unit),
        ("Fitness (CTL) on the last day", _fmt(m["ctl"].iloc[-1], ".1f"), "AU/day"),
        ("Form (TSB) on the last day", _fmt(m["tsb"].iloc[-1], ".1f"), "AU/day"),
        (f"Highest ACWR, {ACWR_LABELS[acwr_kind]}", _fmt(acwr.max(), ".2f"), "ratio"),
        (f"Days with ACWR above {band.high:g}", f"{int((acwr > band.high).sum())}", "days"),
        ("ACWR days left out (after a break: not meaningful)", f"{left_out}", "days"),
        ("Highest 7-day monotony", _fmt(m["monotony"].max(), ".2f"), "ratio"),
        ("Nights with sleep data", f"{len(sleep)}", "nights"),
        ("Mean sleep", _fmt(sleep.mean() if len(sleep) else math.nan, ".2f"), "h"),
        (f"Nights under {SHORT_NIGHT_H:g} h", f"{int((sleep < SHORT_NIGHT_H).sum())}", "nights"),
        (f"Nights under your need ({sleep_need_h:g} h)", f"{int((sleep < sleep_need_h).sum())}", "nights"),
        ("Heavy-legs ratings", f"{len(r)}", "count"),
        ("Mean heavy-legs rating", _fmt(r["heavy_legs"].mean() if len(r) else math.nan, ".1f"), "0–10"),
        ("Saved assessments", f"{len(a)}", "count"),
    ]
    return pd.DataFrame(rows, columns=["measure", "value", "unit"])


def summary_html(summary: pd.DataFrame, *, caption: str) -> str:
    """The summary table as escaped HTML inside an ``hl-results`` element."""
    body = "".join(f"<tr><th scope='row'>{esc(a)}</th><td>{esc(b)}</td><td>{esc(c)}</td></tr>"
                   for a, b, c in summary.itertuples(index=False))
    return (f'<div class="hl-results hl-summary"><table><caption>{esc(caption)}</caption>'
            f"<thead><tr><th>Measure</th><th>Value</th><th>Unit</th></tr></thead><tbody>{body}</tbody></table></div>")


def export_bytes(spec: Mapping[str, Any], fmt: str) -> bytes:
    """The chart as PNG (2× scale, for slides) or SVG bytes, rendered in the kernel by vl-convert."""
    import vl_convert as vlc

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    if fmt == "png":
        return vlc.vegalite_to_png(dict(spec), scale=2)
    return vlc.vegalite_to_svg(dict(spec)).encode("utf-8")


def download_link(data: bytes, fmt: str, stem: str) -> str:
    """An ``<a download>`` link carrying ``data`` as a base64 data URI (the name is sanitised)."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    name = safe_filename(f"{stem}.{fmt}")
    href = f"data:{EXPORT_FORMATS[fmt]};base64,{base64.b64encode(data).decode('ascii')}"
    return (f'<a class="hl-download" download="{esc(name)}" href="{href}">Save {esc(name)} '
            f"({len(data) / 1024:.0f} KB)</a>")


def status_html(history: History, resolution: str, notes: Sequence[str] = ()) -> str:
    """The history line: what it holds and its first and last day (HTML, escaped)."""
    metrics = history.metrics
    first_day, last_day = metrics["date"].iloc[0], metrics["date"].iloc[-1]
    lines = [(f"<b>{esc(history.label)}</b>: {len(history.sessions)} sessions, {len(history.nights)} nights, "
              f"{len(history.ratings)} heavy-legs ratings, {len(history.assessments)} saved assessments, "
              f"{first_day:%d %b %Y} – {last_day:%d %b %Y}.")]
    if resolution == "week":
        lines.append("A long history: the charts show weekly values (the table uses every day).")
    lines += [esc(n) for n in notes]
    return "<div>" + "<br>".join(lines) + "</div>"


def summary_view(history: History, period: tuple[pd.Timestamp, pd.Timestamp] | None, *, unit: str,
                 acwr_kind: str, sleep_need_h: float) -> str:
    """The summary table of ``period`` (None: the whole history) as HTML with its caption."""
    table = period_summary(history.metrics, history.ratings, period, unit=unit, acwr_kind=acwr_kind,
                           sleep_need_h=sleep_need_h, assessments=history.assessments)
    caption = "Selected period" if period else "Whole history (drag across the top chart to pick a period)"
    return summary_html(table, caption=caption)


@dataclass
class DashboardModel:
    """What the dashboard shows: which athlete (``key``), the ACWR kind, the unit, the brushed period.

    ``history`` stays None while a cached first view is shown, until an interaction needs
    it (:meth:`ensure`). ``profile`` is the athlete's when one was given (sleep need, h;
    heart-rate settings), else the default profile.
    """

    key: str
    options: list[tuple[str, str]]
    given_profile: AthleteProfile | None = None
    histories: dict[str, History] = field(default_factory=dict)
    history: History | None = None
    acwr_kind: str = "uncoupled"
    unit: str = "km"
    period: tuple[pd.Timestamp, pd.Timestamp] | None = None

    @classmethod
    def create(cls, *, athlete: str | None = None, history: History | None = None,
               profile: AthleteProfile | None = None) -> DashboardModel:
        """The first view: ``history`` (given), else ``athlete`` (a PMData id or a :data:`SYNTHETIC` key),
        else the first bundled participant."""
        people = pmdata_participants()
        options: list[tuple[str, str]] = [(f"PMData {p} (real data)", p) for p in people]
        options += [(f"Synthetic demo, {y:g} year{'s' if y != 1 else ''} (generated, not a real person)", k)
                    for k, y in SYNTHETIC.items()]
        if history is not None:
            options.insert(0, (history.label or "This athlete", GIVEN))
        first = GIVEN if history is not None else (athlete or (people[0] if people else "synthetic-1y"))
        if first not in {v for _, v in options}:
            raise UserError(f"unknown athlete {first!r}", where="athlete")
        return cls(key=first, options=options, given_profile=profile,
                   histories={GIVEN: history} if history is not None else {})

    @property
    def profile(self) -> AthleteProfile:
        """The profile the metrics use."""
        from heavylegs_core.domain.profile import AthleteProfile

        return self.given_profile or AthleteProfile()

    @property
    def sleep_need_h(self) -> float:
        """The athlete's sleep need (hours per night): the given profile's, else the default 8 h."""
        return float(self.given_profile.sleep_need_h) if self.given_profile is not None else DEFAULT_SLEEP_NEED_H

    def cache_key(self) -> tuple[str, tuple[Path, ...]] | None:
        """The name and input files of a cacheable first view, or None (an own history or profile)."""
        if self.given_profile is not None or self.key in (GIVEN, UPLOADED):
            return None
        inputs = (pmdata_file(self.key, "srpe.csv"), pmdata_file(self.key, "sleep.json")) \
            if self.key in pmdata_participants() else ()
        return f"{self.key}_{self.acwr_kind}_{self.unit}", inputs

    def ensure(self) -> History:
        """The current athlete's history, loaded (and kept) if a cached view left it out."""
        if self.history is None:
            if self.key not in self.histories:
                self.histories[self.key] = load_athlete(self.key)
            h = self.histories[self.key]
            if h.profile != self.profile:
                h = dataclasses.replace(h, profile=self.profile)
            if h.empty:
                raise UserError("this athlete has no sessions or nights to plot", where="athlete")
            self.history = h
        return self.history

    # ----------------------------------------------------------------- what the user changes
    def pick(self, key: str) -> None:
        """Show another athlete (one of :attr:`options`; the uploaded files only once uploaded)."""
        if key == UPLOADED and UPLOADED not in self.histories:
            raise UserError("upload files first", where="athlete")
        if key not in {v for _, v in self.options}:
            raise UserError(f"unknown athlete {key!r}", where="athlete")
        self.key, self.history, self.period = key, None, None
        self.ensure()

    def set_acwr(self, kind: str) -> None:
        """Show another ACWR kind (:data:`ACWR_KINDS`)."""
        if kind not in ACWR_KINDS:
            raise UserError(f"unknown ACWR kind {kind!r}", where="ACWR")
        self.acwr_kind, self.period = kind, None

    def set_unit(self, unit: str) -> None:
        """Show distances in ``km`` or ``mi``."""
        if unit not in UNITS:
            raise UserError(f"unknown unit {unit!r}", where="distance")
        self.unit, self.period = unit, None

    def brush(self, value: Mapping[str, Any] | None) -> str:
        """The chart's brushed period (:func:`selected_period`); returns the summary table (HTML)."""
        self.period = selected_period(value)
        return self.summary()

    def summary(self) -> str:
        """The summary table of the brushed period, or of the whole history (HTML)."""
        return summary_view(self.ensure(), self.period, unit=self.unit, acwr_kind=self.acwr_kind,
                            sleep_need_h=self.sleep_need_h)

    def upload(self, files: Sequence[Received], *, tz: str = "UTC", progress: Any = None) -> list[str]:
        """Show uploaded files (training, sleep, heavy-legs ratings, saved assessments); returns notes.

        Training or sleep records are needed to plot anything; ``tz`` is an IANA zone.
        """
        from heavylegs_core.io.history import load_history

        if not files:
            raise UserError("no file was uploaded", where="upload")
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise UserError(f"unknown time zone {tz!r}: use an IANA name such as Europe/Oslo",
                            where="time zone") from exc
        h = load_history(files, tz=tz, profile=self.profile, label="Uploaded files", extras=True,
                         progress=progress)
        if h.empty:
            raise UserError("the files hold no training sessions or nights of sleep to plot", where="upload")
        self.histories[UPLOADED] = h
        if UPLOADED not in {v for _, v in self.options}:
            self.options = [*self.options, ("Uploaded files", UPLOADED)]
        self.key, self.history, self.period = UPLOADED, h, None
        return [*h.warnings, *(f"skipped {n} rows: {why}" for why, n in h.skipped.items())]

    def export(self, spec: Mapping[str, Any], fmt: str, stem: str) -> str:
        """The chart as a PNG or SVG download link (HTML)."""
        return download_link(export_bytes(spec, fmt), fmt, stem)
