"""What every lesson's model shares: the simulated histories' start date, run sessions from a
daily series, the educational note and the PMData attribution. No widgets (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from heavylegs_core.base.paths import PMDATA_ATTRIBUTION
from heavylegs_core.views.html import esc

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["PMDATA_ATTRIBUTION", "START", "note_html", "sessions_from_loads"]

START = dt.date(2026, 1, 5)  # a Monday; the lessons' simulated histories start here


def note_html(*extra: str) -> str:
    """The educational note (and any attribution lines) as small print."""
    from heavylegs_core.knowledge import educational_note

    lines = "".join(f"<br>{esc(x)}" for x in extra)
    return f'<p class="hl-note" role="note"><small>{esc(educational_note())}{lines}</small></p>'


def sessions_from_loads(loads: Sequence[float] | np.ndarray, start: dt.date = START,
                        distance_km: Sequence[float] | np.ndarray | None = None) -> pd.DataFrame:
    """Canonical run sessions from a daily series (AU per day; 0 = rest day, no session).

    ``distance_km`` (km per day, optional) gives each day's run distance.
    """
    import numpy as np
    import pandas as pd

    loads = np.asarray(loads, dtype="float64")
    days = np.flatnonzero(loads > 0)
    out = pd.DataFrame({"date": pd.to_datetime([start + dt.timedelta(days=int(d)) for d in days]),
                        "sport": "run", "load": loads[days]})
    if distance_km is not None:
        out["distance_km"] = np.asarray(distance_km, dtype="float64")[days]
    return out
