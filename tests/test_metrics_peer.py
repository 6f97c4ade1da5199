"""Side-by-side check against an independent implementation: PyPI ``acwr`` 0.1.1 (MIT).

On every bundled PMData participant the project's coupled, uncoupled and EWMA
ACWR, monotony and strain must match ``acwr`` to a relative 1e-9 wherever both
are defined (science.md section 10, item 2). The peer's daily load is built
here straight from the raw ``srpe.csv`` with pandas, not through the importer.
``acwr`` is a test-only dependency: it is imported nowhere else.
"""

from __future__ import annotations

import acwr
import numpy as np
import pandas as pd
import pytest

from heavylegs_core.base.paths import pmdata_file, pmdata_participants
from heavylegs_core.domain.metrics import daily_metrics
from heavylegs_core.io.importers import load_sources

PARTICIPANTS = pmdata_participants()


def peer_daily_load(pid: str, tz: str) -> pd.Series:
    """sRPE per local calendar day of the session start (end time minus duration), zero-filled."""
    raw = pd.read_csv(pmdata_file(pid, "srpe.csv"))
    end = pd.to_datetime(raw["end_date_time"], utc=True)
    start = (end - pd.to_timedelta(raw["duration_min"], unit="min")).dt.tz_convert(tz)
    acts = pd.DataFrame({
        "date": start.dt.tz_localize(None).dt.normalize(),
        "load": acwr.srpe_load(raw["duration_min"].astype(float), raw["perceived_exertion"].astype(float)),
    })
    return acwr.daily_load(acts)


def relative_gap(ours: np.ndarray, peer: np.ndarray) -> np.ndarray:
    return np.abs(ours - peer) / np.maximum(np.abs(peer), 1e-300)


def test_every_bundled_participant_is_checked() -> None:
    assert PARTICIPANTS == ["p01", "p02", "p03", "p04"]


@pytest.mark.parametrize("tz", ["UTC", "Europe/Oslo"])
@pytest.mark.parametrize("pid", PARTICIPANTS)
def test_matches_acwr_package(pid: str, tz: str) -> None:
    sessions = load_sources([pmdata_file(pid, "srpe.csv")], tz=tz).sessions
    table = daily_metrics(sessions).set_index("date")
    peer_load = peer_daily_load(pid, tz)

    # same calendar and the same daily load, computed independently
    assert table.index[0] == peer_load.index[0]
    assert table.index[-1] == peer_load.index[-1]
    np.testing.assert_allclose(table["load"].to_numpy(), peer_load.to_numpy(), rtol=1e-12)

    peer = {
        "acwr_coupled": acwr.acwr(peer_load, method="rac"),
        "acwr_uncoupled": acwr.acwr(peer_load, method="rau"),
        "acwr_ewma": acwr.acwr(peer_load, method="ewma"),
        "monotony": acwr.monotony(peer_load, ddof=1),
        "strain": acwr.strain(peer_load, ddof=1),
    }
    compared = 0
    for name, series in peer.items():
        theirs = series.to_numpy(dtype="float64")
        ours = table[name].to_numpy(dtype="float64")
        both = np.isfinite(ours) & np.isfinite(theirs)
        assert relative_gap(ours[both], theirs[both]).max(initial=0.0) <= 1e-9, name
        # where the peer has a number we have one too; where we are empty the peer has
        # inf or NaN (a zero denominator, which the table leaves empty)
        assert not (np.isfinite(theirs) & ~np.isfinite(ours)).any(), name
        assert not (np.isfinite(ours) & ~np.isfinite(theirs)).any(), name
        compared += int(both.sum())
    if len(table) >= 28:
        assert compared > 0


def test_the_comparison_is_not_vacuous() -> None:
    """Most participant-days with a full chronic window are compared (p03 has only two sessions)."""
    total = 0
    for pid in PARTICIPANTS:
        table = daily_metrics(load_sources([pmdata_file(pid, "srpe.csv")]).sessions)
        total += int(table["acwr_coupled"].notna().sum())
    assert total > 150
