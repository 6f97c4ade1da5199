"""Vendor activity names mapped to the canonical sports (knowledge as validated data).

Keys are comparison keys (lower case, letters and digits only, see
:func:`heavylegs_core.io.importers._base.key`); values are one of
:data:`heavylegs_core.domain.records.SPORTS`. Names not listed become ``other``:
the session is kept (its duration still counts towards load) and its name
is preserved. ``TRANSITION`` names mark multisport transitions, which are
skipped and counted.
"""

from __future__ import annotations

from heavylegs_core.domain.records import SPORTS
from heavylegs_core.io.importers._base import key

_RUN = (
    "run", "running", "trailrun", "trailrunning", "treadmillrunning", "treadmill", "virtualrun",
    "indoorrunning", "streetrunning", "trackrunning", "ultrarun", "9", "hkworkoutactivitytyperunning",
    "løb", "lob", "bieganie", "laufen", "course", "courseàpied", "correr", "carrera", "hardlopen",
    "löpning", "lopning", "juoksu", "corsa", "running2", "jogging",
)
_RIDE = (
    "ride", "cycling", "biking", "bike", "virtualride", "ebikeride", "mountainbikeride", "gravelride",
    "roadbiking", "mountainbiking", "gravelcycling", "indoorcycling", "virtualcycling", "velomobile",
    "handcycle", "1", "hkworkoutactivitytypecycling", "cykling", "kolarstwo", "radfahren", "fietsen",
    "cyclisme", "ciclismo", "spinning", "ebiking",
)
_SWIM = (
    "swim", "swimming", "lapswimming", "openwaterswimming", "poolswim", "hkworkoutactivitytypeswimming",
    "svømning", "svomning", "pływanie", "plywanie", "schwimmen", "zwemmen", "natation", "natación",
)
_WALK = (
    "walk", "walking", "hike", "hiking", "casualwalking", "speedwalking", "hkworkoutactivitytypewalking",
    "hkworkoutactivitytypehiking", "gang", "vandring", "chód", "chod", "spacer", "wandern", "gehen",
    "wandelen", "marche", "caminar", "senderismo",
)
_STRENGTH = (
    "strength", "strengthtraining", "weighttraining", "weights", "gym", "crossfit", "hiit",
    "hkworkoutactivitytypetraditionalstrengthtraining", "hkworkoutactivitytypefunctionalstrengthtraining",
    "styrketræning", "styrketraening", "treningsiłowy", "treningsilowy", "krafttraining", "krachttraining",
)
#: Multisport transition segments: skipped, counted.
TRANSITION = frozenset({"transition", "t1", "t2"})

SPORT_NAMES: dict[str, str] = {
    **dict.fromkeys(_RUN, "run"), **dict.fromkeys(_RIDE, "ride"), **dict.fromkeys(_SWIM, "swim"),
    **dict.fromkeys(_WALK, "walk"), **dict.fromkeys(_STRENGTH, "strength"),
}


def _validate() -> None:
    for name, sport in SPORT_NAMES.items():
        if sport not in SPORTS or key(name) != name:
            raise ValueError(f"bad sport table entry {name!r} -> {sport!r}")


_validate()


def sport_of(*names: object) -> str:
    """The canonical sport of the first name that is known, else ``other``.

    >>> sport_of("Run"), sport_of("lap_swimming"), sport_of("Yoga")
    ('run', 'swim', 'other')
    """
    for name in names:
        if name is None:
            continue
        k = key(str(name))
        if k in SPORT_NAMES:
            return SPORT_NAMES[k]
    return "other"


def is_transition(name: object) -> bool:
    """True for a multisport transition segment."""
    return name is not None and key(str(name)) in TRANSITION
