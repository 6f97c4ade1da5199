"""The dashboard's option values, importable without pandas or Altair (the apps open faster).

:mod:`heavylegs_core.views.charts` re-exports them; the dashboard app validates the
browser's choices against them before any chart code is loaded.
"""

from __future__ import annotations

from heavylegs_core.domain.units import KM_PER_MILE

ACWR_KINDS: tuple[str, ...] = ("coupled", "uncoupled", "ewma")
ACWR_LABELS: dict[str, str] = {
    "coupled": "coupled (7 ÷ 28 days)",
    "uncoupled": "uncoupled (7 ÷ the 21 days before)",
    "ewma": "EWMA (Williams 2017)",
}
UNITS: tuple[str, ...] = ("km", "mi")

__all__ = ["ACWR_KINDS", "ACWR_LABELS", "KM_PER_MILE", "UNITS"]
