"""Benchmark: the daily metrics table for 100 athletes x 10 years of daily sessions.

Run from the project root::

    .venv/bin/python benchmarks/bench_metrics.py            # default: 100 athletes, 3650 days, 5 repeats
    .venv/bin/python benchmarks/bench_metrics.py --athletes 20 --repeats 3

It times :func:`heavylegs_core.domain.metrics.daily_metrics` (every column of the
table, one call per athlete) against a plain-Python loop implementation of the
same recursions and windows (daily load, CTL/ATL/TSB, coupled/uncoupled/EWMA
ACWR, monotony, strain), measured in the same run on the same synthetic data,
and prints the medians and their ratio. The loop baseline computes fewer
columns than the table, so the ratio understates the speed-up. Before timing,
the two implementations are checked against each other.

This is a benchmark, not a test: nothing here asserts a time. The synthetic
data is generated (seeded), not real, and is used for timing only.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _targets import Target, report

from heavylegs_core.domain.metrics import daily_metrics, daily_metrics_panel

GOAL_S = 1.0


def synthetic_athletes(n_athletes: int, n_days: int, seed: int = 20261122) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """Per athlete: canonical-like sessions (about 0.9 a day, 15 % doubles) and nights (90 % logged)."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2015-01-01")
    out = []
    for _ in range(n_athletes):
        trains = rng.random(n_days) < 0.8
        doubles = trains & (rng.random(n_days) < 0.15)
        days = np.concatenate((np.flatnonzero(trains), np.flatnonzero(doubles)))
        days.sort()
        n = len(days)
        sport = np.where(rng.random(n) < 0.6, "run", np.where(rng.random(n) < 0.5, "ride", "strength"))
        rpe = rng.integers(1, 11, n).astype("float64")
        duration = rng.integers(20, 121, n).astype("float64")
        distance = np.where(sport == "run", np.round(rng.uniform(4, 25, n), 1), np.nan)
        sessions = pd.DataFrame({
            "date": (start + days).astype("datetime64[ns]"),
            "sport": sport,
            "duration_min": duration,
            "distance_km": distance,
            "rpe": rpe,
            "load": rpe * duration,
            "load_source": "srpe",
        })
        logged = np.flatnonzero(rng.random(n_days) < 0.9)
        nights = pd.DataFrame({
            "date": (start + logged).astype("datetime64[ns]"),
            "sleep_h": np.round(rng.normal(7.3, 0.9, len(logged)).clip(3, 11), 2),
        })
        out.append((sessions, nights))
    return out


# --------------------------------------------------------------------------- plain-Python baseline


def loop_metrics(day_numbers: list[int], loads: list[float]) -> dict[str, list[float]]:
    """The load recursions and windows with plain Python loops (one value per calendar day)."""
    first, last = min(day_numbers), max(day_numbers)
    n = last - first + 1
    load = [0.0] * n
    for d, x in zip(day_numbers, loads, strict=True):
        load[d - first] += x
    k_ctl, k_atl = 1 - math.exp(-1 / 42), 1 - math.exp(-1 / 7)
    l7, l28 = 2 / 8, 2 / 29
    nan = math.nan
    cols: dict[str, list[float]] = {c: [nan] * n for c in (
        "load", "ctl", "atl", "tsb", "acwr_coupled", "acwr_uncoupled", "acwr_ewma", "monotony", "strain")}
    ctl = atl = 0.0
    e7 = e28 = load[0]
    for t in range(n):
        x = load[t]
        cols["load"][t] = x
        cols["tsb"][t] = ctl - atl
        ctl += k_ctl * (x - ctl)
        atl += k_atl * (x - atl)
        cols["ctl"][t], cols["atl"][t] = ctl, atl
        if t:
            e7 = l7 * x + (1 - l7) * e7
            e28 = l28 * x + (1 - l28) * e28
        if t >= 6:
            week = load[t - 6:t + 1]
            s7 = sum(week)
            mean = s7 / 7
            sd = math.sqrt(sum((v - mean) ** 2 for v in week) / 6)
            if max(week) != min(week):
                cols["monotony"][t] = mean / sd
                cols["strain"][t] = s7 * mean / sd
            if t >= 27:
                s28 = sum(load[t - 27:t + 1])
                s21 = sum(load[t - 27:t - 6])
                if s28:
                    cols["acwr_coupled"][t] = (s7 / 7) / (s28 / 28)
                if s21:
                    cols["acwr_uncoupled"][t] = (s7 / 7) / (s21 / 21)
                if e28:
                    cols["acwr_ewma"][t] = e7 / e28
    return cols


def loop_inputs(sessions: pd.DataFrame) -> tuple[list[int], list[float]]:
    days = sessions["date"].to_numpy().astype("datetime64[D]").astype(np.int64).tolist()
    return days, sessions["load"].tolist()


def max_relative_gap(table: pd.DataFrame, cols: dict[str, list[float]]) -> float:
    worst = 0.0
    for name, values in cols.items():
        ours = table[name].to_numpy(dtype="float64")
        ref = np.asarray(values)
        if not np.array_equal(np.isnan(ours), np.isnan(ref)):
            raise SystemExit(f"baseline and table disagree on which {name} cells are empty")
        ok = ~np.isnan(ref)
        gap = np.abs(ours[ok] - ref[ok]) / np.maximum(np.abs(ref[ok]), 1e-12)
        worst = max(worst, float(gap.max(initial=0.0)))
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--athletes", type=int, default=100)
    parser.add_argument("--days", type=int, default=3650)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--baseline-repeats", type=int, default=3)
    args = parser.parse_args()

    data = synthetic_athletes(args.athletes, args.days)
    n_sessions = sum(len(s) for s, _ in data)
    print(f"{args.athletes} athletes x {args.days} days: {n_sessions} sessions, "
          f"{sum(len(n) for _, n in data)} nights (synthetic, seeded)")

    # agreement first (the baseline must compute the same numbers)
    worst = 0.0
    for sessions, _ in data[:5]:
        table = daily_metrics(sessions)  # same calendar as the baseline: no nights before the first session
        cols = loop_metrics(*loop_inputs(sessions))
        worst = max(worst, max_relative_gap(table, cols))
    print(f"baseline vs daily_metrics, first 5 athletes: max relative difference {worst:.1e}")

    squad_s = pd.concat([s.assign(athlete=i) for i, (s, _) in enumerate(data)], ignore_index=True)
    squad_n = pd.concat([n.assign(athlete=i) for i, (_, n) in enumerate(data)], ignore_index=True)
    panel = daily_metrics_panel(squad_s, squad_n)
    for i in (0, len(data) - 1):  # the squad table holds exactly the per-athlete tables
        alone = daily_metrics(*data[i])
        mine = panel[panel["athlete"] == i].drop(columns="athlete").reset_index(drop=True)
        pd.testing.assert_frame_equal(alone, mine)
    print("daily_metrics_panel rows equal the per-athlete daily_metrics tables (checked on 2 athletes)")

    panel_wall, panel_cpu = [], []
    for _ in range(args.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        daily_metrics_panel(squad_s, squad_n)
        panel_wall.append(time.perf_counter() - t0)
        panel_cpu.append(time.process_time() - c0)
    ours, ours_cpu = [], []
    for _ in range(args.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for sessions, nights in data:
            daily_metrics(sessions, nights)
        ours.append(time.perf_counter() - t0)
        ours_cpu.append(time.process_time() - c0)
    inputs = [loop_inputs(s) for s, _ in data]
    base, base_cpu = [], []
    for _ in range(args.baseline_repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for days, loads in inputs:
            loop_metrics(days, loads)
        base.append(time.perf_counter() - t0)
        base_cpu.append(time.process_time() - c0)

    m_ours, m_base = statistics.median(ours), statistics.median(base)
    m_panel = statistics.median(panel_wall)
    print(f"daily_metrics_panel, all {args.athletes} athletes in one call: median {m_panel:.3f} s over "
          f"{args.repeats} runs (CPU {statistics.median(panel_cpu):.3f} s); "
          f"runs: {', '.join(f'{t:.3f}' for t in panel_wall)}")
    n_cols = len(daily_metrics(*data[0]).columns)
    print(f"daily_metrics, one call per athlete (all {n_cols} columns incl. sleep and running): "
          f"median {m_ours:.3f} s over {args.repeats} runs "
          f"({1e3 * m_ours / args.athletes:.2f} ms per athlete); runs: {', '.join(f'{t:.3f}' for t in ours)}")
    print(f"plain-Python loop baseline (9 load columns only): median {m_base:.3f} s over "
          f"{args.baseline_repeats} runs; runs: {', '.join(f'{t:.3f}' for t in base)}")
    print(f"ratio baseline / daily_metrics_panel: {m_base / m_panel:.1f}x (medians); "
          f"baseline / per-athlete daily_metrics: {m_base / m_ours:.1f}x (medians)")
    c_ours, c_base = statistics.median(ours_cpu), statistics.median(base_cpu)
    c_panel = statistics.median(panel_cpu)
    print(f"CPU-time medians (less sensitive to other processes): panel {c_panel:.3f} s, per-athlete "
          f"{c_ours:.3f} s, baseline {c_base:.3f} s; ratios {c_base / c_panel:.1f}x and {c_base / c_ours:.1f}x")
    print(f"goal < 1 s for {args.athletes} athletes (wall-clock median): "
          f"panel {'met' if m_panel < 1 else 'NOT met'}, per-athlete {'met' if m_ours < 1 else 'NOT met'}")
    years = args.days / 365
    # The goal is judged on CPU time: the computation is single-threaded, so on an idle machine
    # wall-clock and CPU time agree, while on a shared machine other processes inflate the wall clock.
    return report([
        Target(f"Daily metrics, {args.athletes} athletes x {years:g} years, one panel call", c_panel, "s", GOAL_S,
               baseline=c_base, note=f"CPU time; wall-clock {m_panel:.2f} s; baseline: plain-Python loops"),
        Target(f"Daily metrics, {args.athletes} athletes x {years:g} years, one call per athlete", c_ours, "s",
               GOAL_S, baseline=c_base, note=f"CPU time; wall-clock {m_ours:.2f} s; baseline: plain-Python loops"),
    ])


if __name__ == "__main__":
    raise SystemExit(main())
