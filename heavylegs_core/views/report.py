"""A self-contained, printable session report (one HTML file, no external URLs).

The triage message comes first, then today's call, the contributors with their
evidence and actions, and the athlete's answers. All user text is escaped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from heavylegs_core.domain.model import Assessment
from heavylegs_core.knowledge import load_knowledge
from heavylegs_core.knowledge.chart_references import load_chart_references
from heavylegs_core.views.html import esc
from heavylegs_core.views.results_html import RESULTS_CSS, results_html

if TYPE_CHECKING:
    from heavylegs_core.domain.history import History

PRINT_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; max-width: 52em;
       margin: 2em auto; padding: 0 1em; color: #111827; line-height: 1.5; }
h1 { font-size: 1.6em; } table { border-collapse: collapse; } td, th { border: 1px solid #d1d5db; padding: 2px 6px; }
.hl-chart { margin: 1em 0; } .hl-chart svg { max-width: 100%; height: auto; }
.hl-triage-clear { border: 1px solid #d1d5db; padding: 4px 14px; margin: 8px 0; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; }
               .hl-contributor, .hl-chart, .hl-triage, .hl-call { break-inside: avoid; }
               details > summary { list-style: none; } }
"""

#: Shown first in the report when no warning sign fired (the app shows nothing there).
def no_flags_html() -> str:
    """Shown first in the report when no warning sign fired (the app shows nothing there)."""
    return ('<section class="hl-triage-clear"><h2>Warning signs: none reported</h2>'
            f"<p>{esc(load_knowledge().text('no_warning_signs'))}</p></section>")


def session_payload(answers: Mapping[str, Any], result: Assessment, *, athlete: str = "",
                    summary: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Answers, results and context as one JSON-ready document (what the app lets you download)."""
    return {
        "heavylegs": "assessment",
        "athlete": athlete,
        "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "answers": dict(answers),
        "history_summary": dict(summary or {}),
        "result": result.to_dict(),
    }


def report_html(answers: Mapping[str, Any], result: Assessment, *, athlete: str = "",
                summary: Mapping[str, Any] | None = None, question_text: Mapping[str, str] | None = None,
                charts_svg: tuple[str, ...] = ()) -> str:
    """The printable report as one HTML document.

    ``charts_svg`` are SVG documents produced by this package's chart functions
    (vl-convert), embedded inline; ``question_text`` maps question ids to their
    wording for the answers table.
    """
    qtext = question_text or {}
    rows = "".join(
        f"<tr><td>{esc(qtext.get(q, q))}</td><td>{esc(a)}</td></tr>" for q, a in answers.items()
    )
    hist = ""
    if summary:
        hist = "<h2>Training and sleep history</h2><table>" + "".join(
            f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in summary.items()) + "</table>"
    charts = "".join(f'<figure class="hl-chart">{svg}</figure>' for svg in charts_svg)
    title = f"heavylegs session report{' for ' + athlete if athlete else ''}"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{esc(title)}</title><style>{PRINT_CSS}{RESULTS_CSS}</style></head><body>"
        f"<h1>{esc(title)}</h1>"
        f"<p>Model {esc(result.model_version)}; as of {esc(result.as_of or dt.date.today())}.</p>"
        f"{no_flags_html() if result.triage.level == 'none' else ''}"
        f"{_open_details(results_html(result, athlete=athlete))}{hist}{charts}"
        f"<h2>Answers</h2><table>{rows}</table></body></html>"
    )


def _open_details(html: str) -> str:
    """Every ``<details>`` open: a printed report shows the evidence behind each contributor."""
    return re.sub(r"<details(?![^>]*\bopen\b)", "<details open", html)


_SVG_NS_ATTR = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_EXTERNAL_REF = re.compile(r"""(?:href|src)\s*=\s*["'](?!#)""", re.IGNORECASE)


def inline_svg(svg: str) -> str:
    """An SVG document made fit to inline in the report: no namespace URLs, no external references.

    Inline ``<svg>`` in HTML needs no ``xmlns`` (the HTML parser puts it in the
    SVG namespace), so those attributes (``http://www.w3.org/...`` strings) are
    dropped and ``xlink:href`` becomes ``href``. Anything that still points
    outside the document is refused (``ValueError``): the report must work offline.
    """
    out = _SVG_NS_ATTR.sub("", svg, count=0).replace("xlink:href=", "href=")
    out = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", out)
    if _EXTERNAL_REF.search(out) or re.search(r"https?://", out):
        raise ValueError("the chart SVG refers to an external resource")
    return out


def chart_svg(chart: Any) -> str:
    """An Altair chart rendered to inline SVG with vl-convert (no browser, no network)."""
    import vl_convert

    return inline_svg(vl_convert.vegalite_to_svg(chart.to_dict()))


def history_charts(history: History, as_of: dt.date | None = None) -> tuple[str, ...]:
    """Inline SVG charts of ``history`` to ``as_of``: weekly load by sport, form (TSB), and sleep
    when the history has nights (hours against the profile's sleep need)."""
    from heavylegs_core.views.charts import (
        dashboard_data,
        frame_columns,
        inline_csv,
        sleep_chart,
        tsb_chart,
        weekly_load,
        weekly_load_chart,
    )

    table = history.table(as_of)
    width = 640
    svgs = [chart_svg(weekly_load_chart(weekly_load(history.sessions_upto(as_of))).properties(width=width))]
    data = dashboard_data(table, history.sessions_upto(as_of))
    frame = data.frame[frame_columns(data, "uncoupled")]
    svgs.append(chart_svg(tsb_chart(frame, resolution=data.resolution).properties(width=width)))
    if not history.nights.empty and table["sleep_h"].notna().any():
        # the layered sleep chart reads its bars from the top-level data (its rule layers carry their own)
        chart = sleep_chart(None, load_chart_references(), resolution=data.resolution,
                            sleep_need_h=history.profile.sleep_need_h)
        chart.data = inline_csv(frame)
        svgs.append(chart_svg(chart.properties(width=width)))
    return tuple(svgs)


def report_page(answers: Mapping[str, Any], result: Assessment, *, history: History | None = None,
                athlete: str = "", question_text: Mapping[str, str] | None = None,
                unit: str = "km") -> str:
    """The printable report of ``result``, with ``history``'s summary and charts to the result's day.

    The one report of the command line (``heavylegs report``), the assessment app's
    download and a saved assessment (``heavylegs athletes report``, the roster): a saved
    result is shown as saved, never assessed again.
    """
    summary: dict[str, Any] = {}
    charts: tuple[str, ...] = ()
    if history is not None and history.has_training(result.as_of):
        summary = history.summary(result.as_of, unit=unit)
        charts = history_charts(history, result.as_of)
    return report_html(answers, result, athlete=athlete, summary=summary, question_text=question_text,
                       charts_svg=charts)
