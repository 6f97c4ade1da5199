"""The workbook's table of contents, read from the notebooks themselves.

Each notebook declares its place in its metadata (``heavylegs.kind`` = "app" or
"lesson", ``heavylegs.summary``); its title is its first Markdown heading. The
landing page lists what is there, so a link can never point at a notebook that
does not exist.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from heavylegs_core.base.paths import LANDING_NOTEBOOK, NOTEBOOKS_DIR


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
