"""Where things live: the bundled sample data, the notebooks, the user's data.

User data (saved athletes, uploads) never lives under the notebooks folder or
anywhere Voila or Jupyter serves: it goes to a per-user data folder, which the
``HEAVYLEGS_DATA_DIR`` environment variable can override.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_ROOT = PACKAGE_DIR.parent
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
SAMPLE_DATA_DIR = PROJECT_ROOT / "data"
PMDATA_DIR = SAMPLE_DATA_DIR / "pmdata"
LANDING_NOTEBOOK = "00_start.ipynb"
#: Shown wherever the bundled PMData is drawn (CC BY 4.0 requires the credit).
PMDATA_ATTRIBUTION = (
    "Sample data: PMData (Thambawita et al., ACM MMSys 2020, doi:10.1145/3339825.3394926), "
    "CC BY 4.0, participants p01–p04, unmodified."
)


def pmdata_participants() -> list[str]:
    """The PMData participant ids bundled in ``data/pmdata`` (e.g. ``["p01", ...]``)."""
    return sorted(p.name for p in PMDATA_DIR.glob("p[0-9][0-9]") if p.is_dir())


def pmdata_file(participant: str, name: str) -> Path:
    """Path of a bundled PMData file, e.g. ``pmdata_file("p01", "srpe.csv")``.

    ``name`` is ``srpe.csv`` or ``wellness.csv`` (under ``pmsys/``) or
    ``sleep.json`` (under ``fitbit/``).
    """
    if participant not in pmdata_participants():
        raise ValueError(f"unknown PMData participant {participant!r}")
    sub = "fitbit" if name == "sleep.json" else "pmsys"
    return PMDATA_DIR / participant / sub / name


def user_data_dir() -> Path:
    """The folder for the user's own records, created on first use.

    ``$HEAVYLEGS_DATA_DIR`` when set, else ``$XDG_DATA_HOME/heavylegs``, else
    ``~/.local/share/heavylegs``. Never inside the notebooks folder.
    """
    env = os.environ.get("HEAVYLEGS_DATA_DIR")
    if env:
        base = Path(env).expanduser()
    else:
        xdg = os.environ.get("XDG_DATA_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".local" / "share") / "heavylegs"
    base = base.resolve()
    if base == NOTEBOOKS_DIR or NOTEBOOKS_DIR in base.parents:
        raise ValueError(f"user data must not live under the served notebooks folder: {base}")
    base.mkdir(parents=True, exist_ok=True)
    return base


def user_cache_dir() -> Path:
    """The folder for rebuildable caches (chart JavaScript, first views): ``$XDG_CACHE_HOME/heavylegs``.

    Not created here; whoever writes to it creates it and copes with a read-only home.
    """
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "heavylegs"
