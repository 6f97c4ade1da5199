"""The athlete profile: personal parameters the metrics and the model need.

Every field is optional and validated; a missing parameter never crashes a
calculation, it only makes it fall back (e.g. no heart-rate data for TRIMP
means the session load falls back to duration).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Sex = Literal["female", "male", "other"]


class AthleteProfile(BaseModel):
    """Personal parameters, with units.

    - ``sex``: used for the Banister TRIMP weighting and the sex-specific priors;
    - ``max_hr`` and ``rest_hr``: heart rate in beats per minute;
    - ``sleep_need_h``: the athlete's own sleep need in hours per night (default 8 h,
      the athlete consensus of Walsh et al. 2021 advises individualising it);
    - ``age``: years.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    sex: Sex | None = None
    age: int | None = Field(default=None, ge=10, le=100)
    max_hr: float | None = Field(default=None, ge=100, le=230)
    rest_hr: float | None = Field(default=None, ge=25, le=120)
    sleep_need_h: float = Field(default=8.0, ge=4, le=12)

    @model_validator(mode="after")
    def _rest_below_max(self) -> AthleteProfile:
        if self.max_hr is not None and self.rest_hr is not None and self.rest_hr >= self.max_hr:
            raise ValueError("rest_hr must be lower than max_hr")
        return self

    @property
    def can_trimp(self) -> bool:
        """True when Banister TRIMP can be computed (sex male/female, both heart rates)."""
        return self.sex in ("female", "male") and self.max_hr is not None and self.rest_hr is not None

    @classmethod
    def from_answers(cls, answers: Mapping[str, Any]) -> AthleteProfile:
        """The profile the questionnaire gives: ``sex`` and ``age`` (years) where answered and valid.

        An answer outside the profile's range (age under 10 or over 100), "don't know"
        or any other value leaves that field empty, never an error.
        """
        sex = answers.get("sex")
        age = answers.get("age")
        valid_age = isinstance(age, int | float) and not isinstance(age, bool) and 10 <= age <= 100
        return cls(sex=sex if sex in ("female", "male", "other") else None,
                   age=int(age) if valid_age else None)
