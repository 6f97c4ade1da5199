"""The landing page's contents and state, without widgets (the widgets and the chart are :mod:`.view`).

The workbook's table of contents is read from the notebooks themselves.

Each notebook declares its place in its metadata (``heavylegs.kind`` = "app" or
"lesson", ``heavylegs.summary``); its title is its first Markdown heading. The
landing page lists what is there, so a link can never point at a notebook that
does not exist.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import (
    LANDING_NOTEBOOK,
    NOTEBOOKS_DIR,
    pmdata_participants,
)
from heavylegs_core.views.html import esc


@dataclass(frozen=True)
class Entry:
    """One notebook: file name, title, kind ("app" or "lesson") and a one-line summary."""

    file: str
    title: str
    kind: str
    summary: str


def _title(nb: dict) -> str:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", [])).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def catalogue(folder: Path = NOTEBOOKS_DIR) -> list[Entry]:
    """Every app and lesson notebook in ``folder`` except the landing page, in file order."""
    entries = []
    for path in sorted(folder.glob("*.ipynb")):
        if path.name == LANDING_NOTEBOOK:
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        meta = nb.get("metadata", {}).get("heavylegs", {})
        kind = meta.get("kind")
        if kind not in ("app", "lesson"):
            continue
        entries.append(Entry(path.name, _title(nb) or path.stem, kind, meta.get("summary", "")))
    return entries


def contents_html(entries: list[Entry]) -> str:
    """The list of apps and lessons as HTML, with relative links that work in Voila and JupyterLab."""
    parts = []
    for kind, heading in (("app", "Apps"), ("lesson", "Lessons")):
        items = [e for e in entries if e.kind == kind]
        if not items:
            continue
        rows = "".join(
            f'<li><a href="{esc(e.file)}">{esc(e.title)}</a>'
            + (f" — {esc(e.summary)}" if e.summary else "") + "</li>"
            for e in items
        )
        parts.append(f"<h3>{heading}</h3><ul>{rows}</ul>")
    if not parts:
        parts.append("<p>No apps or lessons are installed yet.</p>")
    return '<nav class="hl-contents" aria-label="Workbook contents">' + "".join(parts) + "</nav>"


@dataclass
class LandingModel:
    """The sample athlete whose weekly load the page shows (a bundled PMData participant)."""

    participant: str

    @classmethod
    def create(cls) -> LandingModel:
        """The second bundled participant (the first when there is only one)."""
        people = pmdata_participants()
        return cls(people[1] if len(people) > 1 else people[0])

    @property
    def participants(self) -> list[str]:
        """The bundled PMData participants to choose from."""
        return pmdata_participants()

    def pick(self, participant: str) -> str:
        """Show another bundled participant; anything else is an error."""
        if participant not in pmdata_participants():
            raise UserError(f"unknown sample athlete {participant!r}", where="athlete")
        self.participant = participant
        return participant

    def intro_html(self, note: str) -> str:
        """The contents and the educational ``note`` (HTML, escaped)."""
        return (contents_html(catalogue()) + f'<p class="hl-note" role="note"><strong>{esc(note)}</strong></p>'
                + "<h3>A real training history</h3>")
