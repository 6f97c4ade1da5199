"""The one Altair theme of the workbook: sizes, fonts and colours live here.

Chart functions never set colours or sizes one by one; they use the named
palettes below (fixed domains, so a sport keeps its colour on every chart) and
the registered ``heavylegs`` theme.
"""

from __future__ import annotations

import altair as alt

SPORT_COLOURS: dict[str, str] = {
    "run": "#1b6ca8",
    "ride": "#e07b39",
    "swim": "#3aa6a0",
    "walk": "#8c8c8c",
    "strength": "#8e5ea2",
    "other": "#c9b458",
}
ACCENT = "#1b6ca8"
WARN = "#c0392b"
MUTED = "#6b7280"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def sport_scale() -> alt.Scale:
    """Colour scale for ``sport`` with a fixed domain (interfaces.md section 2 sports)."""
    return alt.Scale(domain=list(SPORT_COLOURS), range=list(SPORT_COLOURS.values()))


@alt.theme.register("heavylegs", enable=True)
def heavylegs_theme() -> alt.theme.ThemeConfig:
    """Readable on a phone and on a projector: large type, light grid, no chart border."""
    return {
        "config": {
            "font": FONT,
            "view": {"continuousWidth": 560, "continuousHeight": 220, "stroke": None},
            "axis": {"labelFontSize": 13, "titleFontSize": 13, "gridColor": "#e5e7eb",
                     "titleFontWeight": "normal", "labelColor": "#374151", "titleColor": "#374151"},
            "legend": {"labelFontSize": 13, "titleFontSize": 13, "orient": "bottom"},
            "title": {"fontSize": 16, "anchor": "start", "fontWeight": "bold", "color": "#111827",
                      "subtitleFontSize": 13, "subtitleColor": MUTED},
            "bar": {"color": ACCENT},
            "line": {"color": ACCENT, "strokeWidth": 2},
            "range": {"category": list(SPORT_COLOURS.values())},
        }
    }
