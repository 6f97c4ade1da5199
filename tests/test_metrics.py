"""The daily metrics table (interfaces.md section 3) against hand-computable cases and science.md vectors."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import heavylegs_core.domain.metrics as metrics_module
from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import pmdata_file
from heavylegs_core.domain.metrics import (
    COUNT_COLUMNS,
    METRIC_COLUMNS,
    METRIC_UNITS,
    daily_metrics,
    daily_metrics_panel,
    decay_constant,
    ewma_load,
    fitness_fatigue,
)
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.domain.records import banister_trimp
from heavylegs_core.io.importers import load_sources

START = pd.Timestamp("2024-01-01")
CONTRACT_COLUMNS = (
    "date", "load", "ctl", "atl", "tsb", "acwr_coupled", "acwr_uncoupled", "acwr_ewma", "monotony",
    "strain", "run_km", "spike_ratio", "weekly_change", "days_since_rest", "sleep_h", "sleep_7d_mean",
    "easy_share", "moderate_share", "hard_share", "hard_sessions_7d", "hard_sessions_28d_weekly_mean",
    "short_nights_3d", "strain_p90_56d", "sleep_need_h",
)


def day(i: int) -> pd.Timestamp:
    return START + pd.Timedelta(days=i)


def sessions_from_loads(loads: list[float], sport: str = "other") -> pd.DataFrame:
    """One session per day with a positive load, plus one on day 0 so the load history starts there."""
    rows = [{"date": day(i), "load": float(x), "sport": sport}
            for i, x in enumerate(loads) if x > 0 or i == 0]
    return pd.DataFrame(rows)


def runs(distances: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame([{"date": day(i), "load": 60.0, "sport": "run", "distance_km": km}
                         for i, km in sorted(distances.items())])


def nights_from(hours: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame([{"date": day(i), "sleep_h": h} for i, h in sorted(hours.items())])


def col(table: pd.DataFrame, name: str) -> np.ndarray:
    return table[name].to_numpy(dtype="float64", na_value=np.nan)


# ----------------------------------------------------------------------------- schema


def test_columns_units_and_docstring_cover_every_column() -> None:
    table = daily_metrics(sessions_from_loads([100, 50, 0, 80]))
    assert tuple(table.columns) == METRIC_COLUMNS
    assert set(CONTRACT_COLUMNS) <= set(METRIC_COLUMNS)
    assert set(METRIC_UNITS) == set(METRIC_COLUMNS)
    for name in METRIC_COLUMNS:
        assert f"``{name}``" in metrics_module.__doc__, name
    assert table["date"].dtype == "datetime64[ns]"
    for name in COUNT_COLUMNS:
        assert str(table[name].dtype) == "Int64"


def test_empty_input_gives_an_empty_table_with_the_columns() -> None:
    table = daily_metrics(pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "load": []}))
    assert table.empty
    assert tuple(table.columns) == METRIC_COLUMNS


# ----------------------------------------------------------------------------- PMC (science.md 1.5)

PMC_LOADS = [100, 50, 0, 80, 0, 0, 120, 60, 0, 90]
# day: (GC CTL, GC ATL, same-day CTL-ATL, GC SB lag 1, TP CTL, TP ATL, TP TSB yesterday)
PMC_TABLE = {
    0: (2.3528, 13.3122, -10.9594, 0.0, 2.3810, 14.2857, 0.0),
    1: (3.4739, 18.1962, -14.7223, -10.9594, 3.5147, 19.3878, -11.9048),
    2: (3.3922, 15.7739, -12.3817, -14.7223, 3.4311, 16.6181, -15.8730),
    3: (5.1946, 24.3238, -19.1292, -12.3817, 5.2541, 25.6726, -13.1870),
    6: (7.6599, 31.8201, -24.1602, -13.3257, 7.7448, 33.3099, -13.8546),
    9: (10.5954, 38.7121, -28.1167, -22.1539, 10.7089, 40.1310, -23.0445),
}


def test_constants_match_science_md() -> None:
    assert decay_constant(42) == pytest.approx(0.0235283133, abs=1e-10)
    assert decay_constant(7) == pytest.approx(0.1331221002, abs=1e-10)
    assert decay_constant(42, "inverse") == pytest.approx(0.0238095238, abs=1e-10)
    assert decay_constant(7, "inverse") == pytest.approx(0.1428571429, abs=1e-10)


def test_unknown_k_mode_is_an_error_not_a_fallback() -> None:
    with pytest.raises(ValueError, match="k_mode"):
        decay_constant(42, "Exp")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tau_days"):
        decay_constant(0.5)


def test_pmc_reference_table_both_conventions() -> None:
    gc_ctl, gc_atl = fitness_fatigue(PMC_LOADS, 42), fitness_fatigue(PMC_LOADS, 7)
    tp_ctl = fitness_fatigue(PMC_LOADS, 42, k_mode="inverse")
    tp_atl = fitness_fatigue(PMC_LOADS, 7, k_mode="inverse")
    for d, (ctl, atl, same, lag, tctl, tatl, ttsb) in PMC_TABLE.items():
        assert gc_ctl[d] == pytest.approx(ctl, abs=5e-5)
        assert gc_atl[d] == pytest.approx(atl, abs=5e-5)
        assert gc_ctl[d] - gc_atl[d] == pytest.approx(same, abs=5e-5)
        prev = (gc_ctl[d - 1] - gc_atl[d - 1]) if d else 0.0
        assert prev == pytest.approx(lag, abs=5e-5)
        assert tp_ctl[d] == pytest.approx(tctl, abs=5e-5)
        assert tp_atl[d] == pytest.approx(tatl, abs=5e-5)
        tp_prev = (tp_ctl[d - 1] - tp_atl[d - 1]) if d else 0.0
        assert tp_prev == pytest.approx(ttsb, abs=5e-5)


def test_daily_table_reproduces_the_pmc_table_with_lagged_tsb() -> None:
    table = daily_metrics(sessions_from_loads(PMC_LOADS))
    assert col(table, "load").tolist() == PMC_LOADS
    for d, (ctl, atl, _same, lag, *_tp) in PMC_TABLE.items():
        assert table["ctl"].iloc[d] == pytest.approx(ctl, abs=5e-5)
        assert table["atl"].iloc[d] == pytest.approx(atl, abs=5e-5)
        assert table["tsb"].iloc[d] == pytest.approx(lag, abs=5e-5)


def test_ctl_converges_to_a_constant_load_and_decays_by_e() -> None:
    load = 80.0
    ctl = fitness_fatigue(np.full(400, load), 42)
    lam = math.exp(-1 / 42)
    t = np.arange(400)
    np.testing.assert_allclose(ctl, load * (1 - lam ** (t + 1)), rtol=1e-12)
    assert ctl[124] < 0.95 * load <= ctl[126]  # about 126 days to 95 % (science.md 1.5)
    decayed = fitness_fatigue(np.zeros(42), 42, seed=ctl[-1])
    assert decayed[-1] == pytest.approx(ctl[-1] * math.exp(-1), rel=1e-12)


def test_seeded_start() -> None:
    ctl = fitness_fatigue([0.0, 0.0], 42, seed=50.0)
    assert ctl[0] == pytest.approx(50 * math.exp(-1 / 42))


# ----------------------------------------------------------------------------- ACWR (science.md 2.5)


def test_constant_load_gives_acwr_one_and_empty_monotony() -> None:
    table = daily_metrics(sessions_from_loads([50.0] * 60))
    for name in ("acwr_coupled", "acwr_uncoupled", "acwr_ewma"):
        values = col(table, name)
        assert np.isnan(values[:27]).all(), name  # empty until 28 days of load history
        np.testing.assert_allclose(values[27:], 1.0, rtol=1e-12)
    # zero SD: an even week has no monotony (and so no strain), never inf
    assert np.isnan(col(table, "monotony")).all()
    assert np.isnan(col(table, "strain")).all()


def test_acwr_step_vector() -> None:
    table = daily_metrics(sessions_from_loads([50.0] * 28 + [100.0] * 7))
    last = table.iloc[-1]
    assert last["acwr_coupled"] == pytest.approx(1.6, abs=1e-12)
    assert last["acwr_uncoupled"] == pytest.approx(2.0, abs=1e-12)
    assert last["acwr_ewma"] == pytest.approx(1.3394, abs=5e-5)
    assert last["acute_load"] == pytest.approx(100.0)
    assert last["chronic_load"] == pytest.approx(62.5)
    loads = [50.0] * 28 + [100.0] * 7
    assert ewma_load(loads, 7)[-1] == pytest.approx(93.3258, abs=5e-5)
    assert ewma_load(loads, 28)[-1] == pytest.approx(69.6799, abs=5e-5)


def test_acute_ewma_of_a_single_spike() -> None:
    acute = ewma_load([0.0] * 10 + [100.0] + [0.0] * 10, 7)
    assert acute[10] == pytest.approx(25.0)
    assert acute[11] == pytest.approx(18.75)


def test_ceiling_and_zero_denominator() -> None:
    # a zero-load session on day 0 starts the history; 28 empty days then a week of 10s
    table = daily_metrics(sessions_from_loads([0.0] * 28 + [10.0] * 7))
    last = table.iloc[-1]
    assert last["acwr_coupled"] == pytest.approx(4.0)  # the ceiling of the coupled ratio
    assert math.isnan(last["acwr_uncoupled"])  # chronic 0: empty, not inf
    assert not np.isinf(table.select_dtypes("number").to_numpy(dtype="float64", na_value=np.nan)).any()


# ----------------------------------------------------------------------------- monotony and strain (3.4)


@pytest.mark.parametrize(
    ("week", "monotony", "strain"),
    [
        ([0, 80, 40, 0, 90, 60, 80], 1.3207, 462.24),
        ([0, 60, 0, 60, 0, 60, 0], 0.8018, None),
        ([0, 0, 140, 0, 0, 140, 0], None, 163.95),
        ([10, 0, 20, 10, 0, 30, 10], 1.069, None),
    ],
)
def test_monotony_and_strain_vectors(week: list[float], monotony: float | None, strain: float | None) -> None:
    table = daily_metrics(sessions_from_loads(week), as_of=day(6).date())
    assert len(table) == 7
    assert np.isnan(col(table, "monotony")[:6]).all()
    if monotony is not None:
        assert table["monotony"].iloc[6] == pytest.approx(monotony, abs=5e-4)
    if strain is not None:
        assert table["strain"].iloc[6] == pytest.approx(strain, abs=5e-3)


def test_strain_baseline_is_the_90th_percentile_of_the_previous_56_days() -> None:
    rng = np.random.default_rng(7)
    loads = rng.choice([0.0, 0.0, 300.0, 450.0, 600.0, 900.0], size=120).tolist()
    table = daily_metrics(sessions_from_loads(loads))
    strain = col(table, "strain")
    p90 = col(table, "strain_p90_56d")
    for t in range(len(loads)):
        past = strain[max(t - 56, 0):t]
        past = past[~np.isnan(past)]
        if len(past) >= 28:
            assert p90[t] == pytest.approx(np.percentile(past, 90), rel=1e-12)
        else:
            assert math.isnan(p90[t])
    assert np.isfinite(p90).sum() > 50


# ----------------------------------------------------------------------------- load history and calendar


def test_sleep_before_the_first_session_leaves_load_unknown() -> None:
    s = pd.DataFrame({"date": [day(3), day(5)], "load": [100.0, 200.0]})
    n = nights_from({0: 7.0, 1: 8.0, 4: 6.0})
    table = daily_metrics(s, n)
    assert table["date"].iloc[0] == day(0)
    assert table["date"].iloc[-1] == day(5)
    training = [c for c in METRIC_COLUMNS if not c.startswith(("date", "sleep", "short_nights"))]
    assert table.loc[:2, training].isna().all().all()
    assert col(table, "load").tolist()[3:] == [100.0, 0.0, 200.0]
    np.testing.assert_array_equal(col(table, "sleep_h"), [7.0, 8.0, np.nan, np.nan, 6.0, np.nan])
    assert table["tsb"].iloc[3] == 0.0  # CTL = ATL = 0 the day before the first session


def test_as_of_extends_with_rest_days_and_truncates() -> None:
    s = sessions_from_loads([100.0, 50.0, 80.0])
    longer = daily_metrics(s, as_of=dt.date(2024, 1, 10))
    assert len(longer) == 10
    assert col(longer, "load").tolist() == [100.0, 50.0, 80.0] + [0.0] * 7
    shorter = daily_metrics(s, as_of=dt.date(2024, 1, 2))
    assert col(shorter, "load").tolist() == [100.0, 50.0]
    assert daily_metrics(s, as_of=dt.date(2023, 12, 1)).empty


def test_several_sessions_a_day_are_summed_and_counted() -> None:
    s = pd.DataFrame({"date": [day(0), day(0), day(2)], "load": [100.0, 40.0, 10.0]})
    table = daily_metrics(s)
    assert col(table, "load").tolist() == [140.0, 0.0, 10.0]
    assert table["sessions"].tolist() == [2, 0, 1]


def test_days_since_rest() -> None:
    # sessions on days 0-2, rest on 3, sessions on 4-6, rest 7, session 8
    s = sessions_from_loads([50, 50, 50, 0, 50, 50, 50, 0, 50])
    table = daily_metrics(s)
    got = [None if pd.isna(v) else int(v) for v in table["days_since_rest"]]
    assert got == [None, None, None, 0, 1, 2, 3, 0, 1]
    bound = [None if pd.isna(v) else int(v) for v in table["days_since_rest_at_least"]]
    assert bound == [1, 2, 3, None, None, None, None, None, None]  # only while no rest day is on record


def test_a_streak_without_a_rest_day_has_a_lower_bound_not_a_gap() -> None:
    nights = nights_from({0: 7.0, 1: 7.5})  # sleep two days before the first session: not load history
    s = pd.DataFrame({"date": [day(i) for i in range(2, 30)], "load": 225.0})
    table = daily_metrics(s, nights)
    assert table["days_since_rest"].isna().all()
    bound = table["days_since_rest_at_least"]
    assert bound.isna().tolist()[:2] == [True, True]  # no load history yet: nothing known
    assert bound.iloc[2:].tolist() == list(range(1, 29))  # a 28-day streak gives 28
    assert str(bound.dtype) == "Int64"


def break_flags(loads: list[float]) -> list[bool | None]:
    table = daily_metrics(sessions_from_loads(loads))
    return [None if pd.isna(v) else bool(v) for v in table["acwr_meaningful"]]


def test_acwr_meaningful_marks_a_chronic_window_that_holds_a_break_of_10_days() -> None:
    base = [60.0] * 40
    ten = base + [0.0] * 10 + [60.0] * 40
    flags = break_flags(ten)
    assert flags[:27] == [None] * 27  # no ratio before 28 days of load history
    assert all(flags[27:49])  # before the break ends: at most 9 days of it in the window
    # the break is days 40-49; windows ending on days 49 (its last day) to 67 hold all 10 of its days
    assert flags[49:68] == [False] * 19
    assert all(flags[68:])
    nine = base + [0.0] * 9 + [60.0] * 40
    assert all(f is True for f in break_flags(nine)[27:])  # 9 days without load are not a break


def test_acwr_meaningful_counts_the_break_inside_the_window_and_keeps_the_ratios() -> None:
    loads = [0.0] * 30 + [50.0] * 30  # the load history starts on day 0 with a session of load 0
    s = sessions_from_loads(loads)
    table = daily_metrics(s)
    flags = table["acwr_meaningful"]
    assert str(flags.dtype) == "boolean"
    # day t's window is t-27..t; it holds 10+ of the 30 empty days up to t = 29 + 18
    assert not flags.iloc[27:48].any() and flags.iloc[48:].all()
    # the ratio itself stays as computed: day 40 is 50 AU/day over (4 x 50 AU) / 21 days, after a break
    assert table["acwr_uncoupled"].iloc[40] == pytest.approx(50.0 / (200.0 / 21.0))
    assert not flags.iloc[40]


def test_acwr_meaningful_is_empty_only_where_every_ratio_is_empty() -> None:
    table = daily_metrics(sessions_from_loads([1.0] + [0.0] * 40), as_of=dt.date(2024, 2, 10))
    ratios = table[["acwr_coupled", "acwr_uncoupled", "acwr_ewma"]].isna().all(axis=1)
    assert (table["acwr_meaningful"].isna() == ratios).all()
    assert (table["acwr_meaningful"].dropna() == False).all()


# ----------------------------------------------------------------------------- running


def test_single_run_spike() -> None:
    dist = {0: 10.0, 3: 10.0, 6: 10.0, 9: 10.0, 12: 10.0, 15: 10.0, 20: 15.0, 23: 10.0}
    table = daily_metrics(runs(dist), as_of=dt.date(2024, 1, 31))
    spike = col(table, "spike_ratio")
    assert math.isnan(spike[0])  # the first run has nothing to compare with
    assert spike[3] == pytest.approx(1.0)
    assert spike[19] == pytest.approx(1.0)
    np.testing.assert_allclose(spike[20:27], 1.5)  # the 15 km run stays visible for 7 days
    assert spike[27] == pytest.approx(10 / 15)  # the run on day 23 against the 15 km one
    assert math.isnan(spike[30])  # no run in the last 7 days


def test_spike_ignores_runs_older_than_30_days() -> None:
    table = daily_metrics(runs({0: 30.0, 31: 10.0, 40: 12.0}))
    spike = col(table, "spike_ratio")
    assert math.isnan(spike[31])  # the 30 km run is 31 days before
    assert spike[40] == pytest.approx(1.2)


def test_run_km_and_weekly_change() -> None:
    s = pd.concat([runs({0: 5.0, 2: 5.0, 4: 10.0, 8: 6.0, 10: 6.0, 12: 6.0, 13: 12.0}),
                   pd.DataFrame({"date": [day(1)], "load": [30.0], "sport": ["ride"], "distance_km": [40.0]})])
    table = daily_metrics(s)
    km = col(table, "run_km")
    assert km[:5].tolist() == [5.0, 0.0, 5.0, 0.0, 10.0]  # the ride is not running
    change = col(table, "weekly_change")
    assert np.isnan(change[:13]).all()
    assert change[13] == pytest.approx(30.0 / 20.0)


def test_a_run_without_distance_makes_km_unknown() -> None:
    s = runs({0: 5.0, 1: float("nan"), 2: 6.0})
    table = daily_metrics(s)
    assert math.isnan(table["run_km"].iloc[1])
    assert table["spike_ratio"].iloc[2] == pytest.approx(6.0 / 5.0)


# ----------------------------------------------------------------------------- intensity distribution


def test_easy_moderate_hard_shares_and_counts() -> None:
    rpe = {0: 3, 1: 5, 2: 7, 3: 8, 5: 6, 20: 4, 29: 9}
    s = pd.DataFrame([{"date": day(i), "load": 10.0 * r, "rpe": float(r)} for i, r in rpe.items()]
                     + [{"date": day(6), "load": 30.0, "rpe": float("nan")}])
    table = daily_metrics(s, as_of=day(30).date())
    assert table["easy_share"].iloc[5] == pytest.approx(1 / 5)
    assert table["moderate_share"].iloc[5] == pytest.approx(2 / 5)
    assert table["hard_share"].iloc[5] == pytest.approx(2 / 5)
    assert table["hard_sessions_7d"].iloc[6] == 2
    assert pd.isna(table["hard_sessions_7d"].iloc[5])  # a 7-day window needs 7 days of history
    assert table["hard_sessions_7d"].iloc[29] == 1
    assert table["hard_sessions_28d_weekly_mean"].iloc[27] == pytest.approx(2 / 4)
    assert table["hard_sessions_28d_weekly_mean"].iloc[29] == pytest.approx(3 / 4)  # days 2, 3 and 29
    assert table["hard_sessions_28d_weekly_mean"].iloc[30] == pytest.approx(2 / 4)  # day 2 has left
    # days 14-19: no RPE known in the last 14 days (only the day-6 session without RPE, then nothing)
    assert math.isnan(table["easy_share"].iloc[19])
    assert table["easy_share"].iloc[20] == 1.0


# ----------------------------------------------------------------------------- sleep


def test_sleep_mean_debt_and_short_nights() -> None:
    s = sessions_from_loads([50.0])
    n = nights_from({0: 8.0, 1: 5.0, 3: 5.5, 4: 7.0, 12: 4.0})
    table = daily_metrics(s, n, profile=AthleteProfile(sleep_need_h=9))
    assert table["sleep_7d_mean"].iloc[4] == pytest.approx((8 + 5 + 5.5 + 7) / 4)
    assert table["sleep_debt_7d"].iloc[4] == pytest.approx(1 + 4 + 3.5 + 2)
    assert table["short_nights_3d"].iloc[4] == 2  # nights 1, 3, 4: two under 6 h
    assert table["short_nights_3d"].iloc[1] == 1
    assert table["short_nights_3d"].iloc[9] == 1  # only nights 3 and 4 are within 7 days
    assert pd.isna(table["short_nights_3d"].iloc[11])  # no night in the last 7 days
    assert math.isnan(table["sleep_7d_mean"].iloc[11])
    assert (col(table, "sleep_need_h") == 9.0).all()


def test_two_records_of_one_night_do_not_add_up() -> None:
    n = nights_from({0: 7.0}).pipe(lambda d: pd.concat([d, d.assign(sleep_h=6.5)]))
    table = daily_metrics(sessions_from_loads([50.0]), n)
    assert table["sleep_h"].iloc[0] == 7.0


# ----------------------------------------------------------------------------- loads and profile


def test_missing_loads_follow_the_load_sources_and_the_profile() -> None:
    s = pd.DataFrame({
        "date": [day(0), day(1), day(2)],
        "duration_min": [30.0, 30.0, 40.0],
        "rpe": [6.0, np.nan, np.nan],
        "avg_hr": [np.nan, 130.0, np.nan],
    })
    full = AthleteProfile(sex="female", max_hr=200, rest_hr=40)
    table = daily_metrics(s, profile=full)
    assert table["load"].iloc[0] == 180.0  # sRPE
    assert table["load"].iloc[1] == pytest.approx(37.13, abs=0.01)  # female Banister TRIMP
    assert table["load"].iloc[1] == pytest.approx(banister_trimp(30, 130, full))
    assert table["load"].iloc[2] == 40.0  # duration
    # without heart-rate parameters the TRIMP session degrades to its duration, never a crash
    degraded = daily_metrics(s, profile=AthleteProfile(sex="female"))
    assert degraded["load"].iloc[1] == 30.0


def test_negative_load_is_a_user_error_naming_the_file() -> None:
    s = pd.DataFrame({"date": [day(0)], "load": [-5.0], "source": ["log.csv"]})
    with pytest.raises(UserError, match="negative load") as info:
        daily_metrics(s)
    assert info.value.problems[0].where == "log.csv"


# ----------------------------------------------------------------------------- PMData p02 (science.md 9.2)


def test_pmdata_p02_reference_row_utc_dates() -> None:
    result = load_sources([pmdata_file("p02", "srpe.csv")], tz="UTC")
    table = daily_metrics(result.sessions, as_of=dt.date(2020, 3, 28))
    assert table["date"].iloc[0] == pd.Timestamp("2019-11-03")
    assert len(table) == 147
    assert table["load"].sum() == 30670
    last = table.iloc[-1]
    assert table["load"].iloc[-7:].sum() == 1720
    assert last["acwr_coupled"] == pytest.approx(1.2509, abs=5e-5)
    assert last["acwr_uncoupled"] == pytest.approx(1.3651, abs=5e-5)
    assert last["acwr_ewma"] == pytest.approx(1.0359, abs=5e-5)
    assert last["monotony"] == pytest.approx(0.9946, abs=5e-5)
    assert last["strain"] == pytest.approx(1710.8, abs=0.05)
    assert last["ctl"] == pytest.approx(194.405, abs=5e-4)
    assert last["atl"] == pytest.approx(212.198, abs=5e-4)
    assert last["ctl"] - last["atl"] == pytest.approx(-17.793, abs=5e-4)
    assert table["tsb"].iloc[-1] == pytest.approx(table["ctl"].iloc[-2] - table["atl"].iloc[-2])


# ----------------------------------------------------------------------------- properties

zero_inflated = st.lists(
    st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=2000.0)),  # realistic AU
    min_size=1, max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(zero_inflated)
def test_acwr_identity_and_ceiling(loads: list[float]) -> None:
    table = daily_metrics(sessions_from_loads(loads))
    c = col(table, "acwr_coupled")
    u = col(table, "acwr_uncoupled")
    assert np.all(c[np.isfinite(c)] <= 4.0 + 1e-12)
    both = np.isfinite(c) & np.isfinite(u)
    np.testing.assert_allclose(u[both], 3 * c[both] / (4 - c[both]), rtol=1e-9, atol=1e-12)
    # the uncoupled ratio is empty exactly where the 21 older days carry no load
    only_c = np.isfinite(c) & ~np.isfinite(u)
    np.testing.assert_allclose(c[only_c], 4.0, rtol=1e-12)
    for name in ("acwr_coupled", "acwr_uncoupled", "acwr_ewma"):
        assert np.isnan(col(table, name)[:27]).all()


@settings(max_examples=150, deadline=None)
@given(zero_inflated)
def test_ctl_atl_stay_between_zero_and_the_largest_load(loads: list[float]) -> None:
    table = daily_metrics(sessions_from_loads(loads))
    load = col(table, "load")
    running_max = np.maximum.accumulate(load)
    for name in ("ctl", "atl"):
        x = col(table, name)
        assert np.all(x >= 0)
        assert np.all(x <= running_max * (1 + 1e-12))
    ctl, atl, tsb = col(table, "ctl"), col(table, "atl"), col(table, "tsb")
    np.testing.assert_allclose(tsb[1:], (ctl - atl)[:-1], rtol=1e-12, atol=1e-9)
    mono = col(table, "monotony")
    for t in range(6, len(load)):
        week = load[t - 6:t + 1]
        assert np.isnan(mono[t]) == (week.max() == week.min())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=1.0, max_value=500.0), min_size=1, max_size=80))
def test_ewma_components_stay_within_the_loads(loads: list[float]) -> None:
    for span in (7, 28):
        e = ewma_load(loads, span)
        assert np.all(e >= min(loads) * (1 - 1e-12))
        assert np.all(e <= max(loads) * (1 + 1e-12))


# ----------------------------------------------------------------------------- a squad in one call


def pmdata_squad(tz: str = "UTC") -> tuple[pd.DataFrame, pd.DataFrame, dict[str, tuple[pd.DataFrame, pd.DataFrame]]]:
    alone = {}
    for pid in ("p01", "p02", "p03", "p04"):
        res = load_sources([pmdata_file(pid, "srpe.csv"), pmdata_file(pid, "wellness.csv")], tz=tz)
        alone[pid] = (res.sessions, res.nights)
    sessions = pd.concat([s.assign(athlete=pid) for pid, (s, _) in alone.items()], ignore_index=True)
    nights = pd.concat([n.assign(athlete=pid) for pid, (_, n) in alone.items()], ignore_index=True)
    return sessions, nights, alone


@pytest.mark.parametrize("as_of", [None, dt.date(2020, 2, 1)])
def test_panel_rows_equal_the_single_athlete_tables(as_of: dt.date | None) -> None:
    sessions, nights, alone = pmdata_squad()
    needs = {"p02": AthleteProfile(sleep_need_h=9), "p04": AthleteProfile(sleep_need_h=7)}
    panel = daily_metrics_panel(sessions, nights, profiles=needs, as_of=as_of)
    assert tuple(panel.columns) == ("athlete", *METRIC_COLUMNS)
    assert list(dict.fromkeys(panel["athlete"])) == ["p01", "p02", "p03", "p04"]
    for pid, (s, n) in alone.items():
        one = daily_metrics(s, n, profile=needs.get(pid), as_of=as_of)
        mine = panel[panel["athlete"] == pid].drop(columns="athlete").reset_index(drop=True)
        pd.testing.assert_frame_equal(one, mine)


def test_panel_needs_an_athlete_for_every_row() -> None:
    s = sessions_from_loads([50.0, 60.0]).assign(athlete=["a", None])
    with pytest.raises(ValueError, match="athlete"):
        daily_metrics_panel(s)
    with pytest.raises(ValueError, match="'runner'"):
        daily_metrics_panel(s, by="runner")
