"""A self-contained, printable session report (one HTML file, no external URLs).

The triage message comes first, then today's call, the contributors with their
evidence and actions, and the athlete's answers. All user text is escaped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from heavylegs_core.domain.model import Assessment
from heavylegs_core.views.html import esc
from heavylegs_core.views.results_html import RESULTS_CSS, results_html

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
NO_FLAGS_HTML = (
    '<section class="hl-triage-clear"><h2>Warning signs: none reported</h2>'
    "<p>None of the warning-sign questions was answered yes or not sure. If that changes, "
    "or you are worried, see a doctor before anything else.</p></section>"
)


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
        f"{NO_FLAGS_HTML if result.triage.level == 'none' else ''}"
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
