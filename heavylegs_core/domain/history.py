"""ONE athlete history: records, daily metrics, summary and the evidence the model reads.

Every screen and command that uses a training history goes through :class:`History`:
the assessment app, the dashboard, the roster, ``heavylegs assess``, ``report`` and
``athletes``, the printable report and the coach's records. They differ only in where
the records come from (:mod:`heavylegs_core.io.history` builds a History from files,
uploads, the bundled sample or the athlete store); what is computed from them is
computed here, once:

- :meth:`History.table`: the daily metrics (:func:`heavylegs_core.domain.metrics.daily_metrics`)
  from the first session to a day;
- :meth:`History.evidence`: that table's last row, the history evidence of an assessment;
- :meth:`History.summary`: the key figures (:func:`heavylegs_core.domain.history_summary.history_summary`).

Pure: no files, no widgets. Tables are computed on first use and kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from heavylegs_core.base.errors import UserError
from heavylegs_core.domain.history_summary import history_summary
from heavylegs_core.domain.profile import AthleteProfile

if TYPE_CHECKING:
    import pandas as pd


_EMPTY: dict[str, pd.DataFrame] = {}


def _template(name: str, dtypes: dict[str, str]) -> pd.DataFrame:
    """A fresh empty table with these columns and dtypes: built once, then copied (copy-on-write)."""
    import pandas as pd

    if name not in _EMPTY:
        _EMPTY[name] = pd.DataFrame({c: pd.Series(dtype=d) for c, d in dtypes.items()})
    return _EMPTY[name].copy(deep=False)


def empty_ratings() -> pd.DataFrame:
    """An empty ratings table (``date``, ``heavy_legs`` 0-10, ``source``)."""
    return _template("ratings", {"date": "datetime64[ns]", "heavy_legs": "float64", "source": "object"})


def empty_assessments() -> pd.DataFrame:
    """An empty table of saved assessments (``date``, ``note``: the top contributor)."""
    return _template("assessments", {"date": "datetime64[ns]", "note": "object"})


class Evidence(NamedTuple):
    """The history evidence of one day: the daily-metrics row (without ``date``) and that day."""

    row: dict[str, Any]
    day: dt.date


@dataclass(frozen=True, eq=False)
class History:
    """One athlete's records and everything computed from them.

    ``sessions`` and ``nights`` are canonical tables (:mod:`heavylegs_core.domain.records`);
    ``ratings`` has ``date`` (day), ``heavy_legs`` (0-10, higher = heavier) and ``source``;
    ``assessments`` has ``date`` and ``note`` (days with a saved assessment and its top
    contributor). ``profile`` gives the sleep need (h) and heart-rate settings the metrics
    use; ``skipped`` counts rows the importers left out on purpose (reason -> rows) and
    ``warnings`` are their one-line notes.
    """

    sessions: pd.DataFrame
    nights: pd.DataFrame
    ratings: pd.DataFrame = field(default_factory=empty_ratings)
    label: str = ""
    assessments: pd.DataFrame = field(default_factory=empty_assessments)
    profile: AthleteProfile = field(default_factory=AthleteProfile)
    skipped: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    _tables: dict[dt.date | None, pd.DataFrame] = field(default_factory=dict, init=False, repr=False)

    @property
    def empty(self) -> bool:
        """True when there is neither a session nor a night."""
        return self.sessions.empty and self.nights.empty

    def first_day(self) -> dt.date | None:
        """The day of the first session, or None without sessions."""
        return None if self.sessions.empty else self.sessions["date"].min().date()

    def sessions_upto(self, as_of: dt.date | None) -> pd.DataFrame:
        """The sessions on or before ``as_of`` (all of them for None)."""
        if as_of is None:
            return self.sessions
        return self.sessions[self.sessions["date"].dt.date <= as_of]

    def table(self, as_of: dt.date | None = None) -> pd.DataFrame:
        """The daily metrics from the first session to ``as_of`` (None: to the last day with data).

        Days without training after the last session up to ``as_of`` count as rest days.
        Computed once per ``as_of`` and kept.
        """
        if as_of not in self._tables:
            from heavylegs_core.domain.metrics import daily_metrics

            self._tables[as_of] = daily_metrics(self.sessions_upto(as_of), self.nights, profile=self.profile,
                                                as_of=as_of)
        return self._tables[as_of]

    @property
    def metrics(self) -> pd.DataFrame:
        """The daily metrics of the whole history (:meth:`table` without a day)."""
        return self.table(None)

    def has_training(self, as_of: dt.date | None = None) -> bool:
        """True when some session falls on or before ``as_of``."""
        if self.sessions_upto(as_of).empty:
            return False
        table = self.table(as_of)
        return not (table.empty or table["load"].isna().all())

    def evidence(self, as_of: dt.date | None = None) -> Evidence:
        """The daily-metrics row of ``as_of`` (default: the last day with data) as assessment evidence.

        A history without training on or before that day is a :class:`UserError` naming
        the first session (``where="--as-of"``); use :meth:`has_training` to ask first.
        """
        if not self.has_training(as_of):
            first = self.first_day()
            text = (f"no training data on or before {as_of}: the first session is on {first}" if first
                    else "no training sessions in this history")
            raise UserError(text, where="--as-of")
        row = self.table(as_of).iloc[-1].to_dict()
        day = row.pop("date").date()
        return Evidence(row, day)

    def summary(self, as_of: dt.date | None = None, *, unit: str = "km") -> dict[str, str]:
        """The key figures of the history to ``as_of`` (label -> text; ``unit`` ``km`` or ``mi``)."""
        return history_summary(self.table(as_of), self.label, unit=unit)  # type: ignore[arg-type]


__all__ = ["Evidence", "History", "empty_assessments", "empty_ratings"]
