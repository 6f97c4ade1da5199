"""Reference lines and notes for the dashboard charts, as validated data.

``knowledge/chart_references.yaml`` holds what the cause model lacks (the ACWR
band with its source and honesty mark, and the ACWR caveat). Lines the cause
model already has are resolved from its evidence items through
:func:`heavylegs_core.knowledge.load_knowledge`, so a threshold lives in one
place only. :func:`load_chart_references` validates everything and raises
:class:`ChartReferencesError` naming the place of any problem.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from heavylegs_core.knowledge import load_knowledge

FILE = "chart_references.yaml"
Mark = Literal["ok", "std", "judge"]
Op = Literal["lt", "le", "gt", "ge"]


class ChartReferencesError(ValueError):
    """The chart references file is invalid (the message names the place)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(_Model):
    citation: str = Field(min_length=10)


class Band(_Model):
    low: float = Field(gt=0)
    high: float = Field(gt=0)
    label: str = Field(min_length=1)
    source: str
    mark: Mark

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if not self.low < self.high:
            raise ValueError("low must be below high")
        return self


class Caveat(_Model):
    short: str = Field(min_length=20, max_length=400)
    sources: tuple[str, ...] = Field(min_length=1)


class EvidenceLink(_Model):
    evidence: str
    label: str = Field(min_length=1)


class ReferencesFile(_Model):
    version: str
    sources: dict[str, SourceRef]
    acwr_band: Band
    acwr_caveat: Caveat
    from_evidence: dict[Literal["acwr_high", "monotony_high", "sleep_mean_low"], EvidenceLink]


class Line(_Model):
    """A threshold line resolved from the cause model (value in the metric's unit)."""

    metric: str
    op: Op
    value: float
    label: str
    mark: Mark
    source: str


class ChartReferences(_Model):
    """Everything the charts draw or say about thresholds."""

    acwr_band: Band
    acwr_caveat: Caveat
    sources: dict[str, SourceRef]
    acwr_high: Line
    monotony_high: Line
    sleep_mean_low: Line

    marks: dict[str, str] = Field(default_factory=dict)

    def symbol(self, mark: str) -> str:
        """The honesty-mark symbol (✔, ◇, ⚖) of a mark id, from the knowledge base."""
        return self.marks.get(mark, "")

    def citation(self, source: str) -> str:
        """Full citation of a source id (KeyError if unknown)."""
        return self.sources[source].citation


@functools.cache
def load_chart_references() -> ChartReferences:
    """Read and validate ``knowledge/chart_references.yaml`` against the knowledge base."""
    text = resources.files("heavylegs_core.knowledge").joinpath(FILE).read_text(encoding="utf-8")
    kb = load_knowledge()
    refs = parse_chart_references(text, kb.evidence)
    return refs.model_copy(update={"marks": {k: v.symbol for k, v in kb.marks.items()}})


def parse_chart_references(text: str, evidence: tuple[Any, ...]) -> ChartReferences:
    """Validate the YAML ``text``; ``evidence`` are the knowledge base's evidence items."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ChartReferencesError(f"{FILE}: not valid YAML: {exc}") from exc
    try:
        parsed = ReferencesFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ChartReferencesError(f"{FILE}: {place}: {first['msg']}") from exc
    for place, sid in [("acwr_band.source", parsed.acwr_band.source),
                       *((f"acwr_caveat.sources[{i}]", s) for i, s in enumerate(parsed.acwr_caveat.sources))]:
        if sid not in parsed.sources:
            raise ChartReferencesError(f"{FILE}: {place}: unknown source {sid!r}")
    missing = {"acwr_high", "monotony_high", "sleep_mean_low"} - set(parsed.from_evidence)
    if missing:
        raise ChartReferencesError(f"{FILE}: from_evidence: missing {sorted(missing)}")
    items: Mapping[str, Any] = {e.id: e for e in evidence}
    lines: dict[str, Line] = {}
    for key, link in parsed.from_evidence.items():
        item = items.get(link.evidence)
        if item is None:
            raise ChartReferencesError(f"{FILE}: from_evidence.{key}: unknown evidence item {link.evidence!r}")
        comp = item.when.comparator() if item.when.simple and item.when.m else None
        if comp is None or comp[0] not in ("lt", "le", "gt", "ge"):
            raise ChartReferencesError(
                f"{FILE}: from_evidence.{key}: evidence {link.evidence!r} is not a metric compared with a number")
        lines[key] = Line(metric=item.when.m, op=comp[0], value=float(comp[1]), label=link.label,
                          mark=item.mark, source=item.source)
    return ChartReferences(acwr_band=parsed.acwr_band, acwr_caveat=parsed.acwr_caveat, sources=parsed.sources,
                           **lines)
