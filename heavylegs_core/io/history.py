"""Where a :class:`~heavylegs_core.domain.history.History` comes from: files, uploads, the
bundled sample (here) and the athlete store (:meth:`~heavylegs_core.io.store.Store.history`). ONE function
per origin, and one of them,
:func:`load_history`, for every file anyone gives (command line or upload).

- :func:`load_history`: training and sleep files, folders and zips
  (:func:`heavylegs_core.io.importers.load_sources`), plus, from uploads, heavy-legs
  ratings (CSV) and saved assessments (JSON) for the dashboard's markers;
- :func:`sample_history`: a bundled PMData participant (session RPE and Fitbit sleep);
- :meth:`heavylegs_core.io.store.Store.history`: an athlete's records in the store, with the stored profile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heavylegs_core.base.errors import UserError
from heavylegs_core.base.paths import pmdata_file, pmdata_participants
from heavylegs_core.domain.history import History, empty_assessments, empty_ratings
from heavylegs_core.domain.profile import AthleteProfile
from heavylegs_core.domain.records import empty_nights, empty_sessions
from heavylegs_core.io.uploads import Received, shown_where

if TYPE_CHECKING:
    from heavylegs_core.io.importers import Progress

#: The bundled PMData files a sample athlete is made of: session RPE log and Fitbit sleep.
SAMPLE_FILES: tuple[str, ...] = ("srpe.csv", "sleep.json")


def load_history(sources: Iterable[str | Path | Received], *, tz: str = "UTC",
                 profile: AthleteProfile | None = None, label: str = "",
                 progress: Progress | None = None, extras: bool = False) -> History:
    """Import ``sources`` (paths, or uploaded :class:`~heavylegs_core.io.uploads.Received` files).

    Problems name an uploaded file by the name it was uploaded as, never by the
    private path it was written to. With ``extras`` (the dashboard's uploads), a JSON
    saved assessment and a CSV of heavy-legs ratings are picked out before the
    importers see the files. The history may be empty: each caller says what it
    needs (:func:`heavylegs_core.cli._common.load_history`, the apps).
    """
    import pandas as pd

    from heavylegs_core.io.importers import load_sources

    items = list(sources)
    names = {str(s.path): s.name for s in items if isinstance(s, Received)}
    paths: list[str | Path] = []
    ratings: list[pd.DataFrame] = []
    assessments: list[pd.DataFrame] = []
    notes: list[str] = []
    for s in items:
        if extras and isinstance(s, Received):
            picked = _pick_out(s)
            if picked is not None:
                kind, table, note, rest = picked
                (assessments if kind == "assessment" else ratings).append(table)
                notes.append(note)
                if not rest:
                    continue
        paths.append(s.path if isinstance(s, Received) else s)
    skipped: dict[str, int] = {}
    warnings: list[str] = []
    if not paths:
        sessions, nights = empty_sessions(), empty_nights()
    else:
        try:
            res = load_sources(paths, tz, profile, progress=progress)
        except UserError as exc:
            if not names:
                raise
            raise UserError([type(p)(p.message, shown_where(p.where, names), p.row)
                             for p in exc.problems]) from None
        sessions, nights, skipped, warnings = res.sessions, res.nights, dict(res.skipped), list(res.warnings)
        if names:  # records name an uploaded file as uploaded, not by its file in the upload's folder
            sessions, nights = _as_uploaded(sessions, names), _as_uploaded(nights, names)
    return History(sessions=sessions, nights=nights,
                   ratings=pd.concat(ratings, ignore_index=True) if ratings else empty_ratings(),
                   assessments=pd.concat(assessments, ignore_index=True) if assessments else empty_assessments(),
                   label=label or ", ".join(_shown_name(s) for s in items),
                   profile=profile or AthleteProfile(), skipped=skipped, warnings=(*notes, *warnings))


def _as_uploaded(table: Any, names: Mapping[str, str]) -> Any:
    """``table`` with each ``source`` naming an uploaded file by its uploaded name (merged sources: "a + b")."""
    by_file = {Path(path).name: name for path, name in names.items()}
    if table.empty or not by_file:
        return table
    out = table.copy()
    out["source"] = out["source"].map(
        lambda s: " + ".join(by_file.get(part, part) for part in s.split(" + ")) if isinstance(s, str) else s
    ).astype(table["source"].dtype)
    return out


def _shown_name(s: str | Path | Received) -> str:
    return s.name if isinstance(s, Received) else Path(s).name


def _pick_out(f: Received) -> tuple[str, Any, str, bool] | None:
    """A saved assessment or a ratings table in an uploaded file: (kind, table, note, also training?)."""
    import pandas as pd

    from heavylegs_core.io.importers.ratings import (
        read_assessment_json,
        read_ratings_csv,
    )

    suffix = f.path.suffix.lower()
    if suffix == ".json":
        saved = read_assessment_json(f.path, display_name=f.name)
        if saved is not None:
            return "assessment", saved, f"{f.name}: a saved assessment of {saved['date'].iloc[0]:%d %b %Y}", False
    if suffix == ".csv":
        found = read_ratings_csv(f.path, display_name=f.name)
        if found is not None:
            more = len(pd.read_csv(f.path, nrows=0, encoding="utf-8-sig").columns) > 3  # ratings beside training
            return "ratings", found, f"{f.name}: {len(found)} heavy-legs ratings", more
    return None


def sample_history(participant: str) -> History:
    """A bundled PMData participant (real data, CC BY 4.0): :data:`SAMPLE_FILES`, times in UTC."""
    if participant not in pmdata_participants():
        raise UserError(f"unknown sample athlete {participant!r}", where="sample")
    return load_history([pmdata_file(participant, n) for n in SAMPLE_FILES], label=f"PMData {participant} (real data)")
