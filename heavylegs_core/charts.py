"""Chart builders: small functions that take tidy frames and return Altair charts.

Domain maths stays in pandas (tested), display-only transforms stay in
Vega-Lite. Every chart uses the registered ``heavylegs`` theme; thresholds come
from the knowledge base or the profile, never from chart code.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from heavylegs_core import theme  # registers and enables the theme

__all__ = ["weekly_load", "weekly_load_chart"]


def weekly_load(sessions: pd.DataFrame) -> pd.DataFrame:
    """Training load summed per ISO week (Monday start) and sport.

    Input: canonical sessions with ``date`` and ``load`` (arbitrary units).
    Output columns: ``week`` (Monday, datetime), ``sport``, ``load`` (AU),
    ``sessions`` (count), ``minutes`` (sum of ``duration_min``).
    """
    if sessions.empty:
        return pd.DataFrame(columns=["week", "sport", "load", "sessions", "minutes"])
    df = sessions.assign(week=sessions["date"] - pd.to_timedelta(sessions["date"].dt.day_of_week, unit="D"))
    return (
        df.groupby(["week", "sport"], as_index=False)
        .agg(load=("load", "sum"), sessions=("load", "size"), minutes=("duration_min", "sum"))
        .sort_values(["week", "sport"], kind="stable")
        .reset_index(drop=True)
    )


def weekly_load_chart(weekly: pd.DataFrame, *, title: str = "Weekly training load") -> alt.Chart:
    """Stacked bars of weekly load (AU) coloured by sport, with tooltips.

    ``weekly`` is the output of :func:`weekly_load`.
    """
    return (
        alt.Chart(weekly, title=alt.Title(title, subtitle="Session RPE × minutes, summed per week"))
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="Week starting", axis=alt.Axis(format="%d %b")),
            y=alt.Y("sum(load):Q", title="Load (AU)"),
            color=alt.Color("sport:N", title="Sport", scale=theme.sport_scale()),
            tooltip=[
                alt.Tooltip("week:T", title="Week of", format="%d %b %Y"),
                alt.Tooltip("sport:N", title="Sport"),
                alt.Tooltip("load:Q", title="Load (AU)", format=",.0f"),
                alt.Tooltip("sessions:Q", title="Sessions"),
                alt.Tooltip("minutes:Q", title="Minutes", format=",.0f"),
            ],
        )
        .properties(width="container")
    )
