"""What a trial leaves behind: metrics with provenance, status, timings. Written as metrics.json."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from specc.evaluate.figures import HardwareFigures, LayerEstimate

__all__ = ["Failure", "Metric", "TrialResult", "hardware_metrics"]


class Metric(BaseModel):
    """One number and where it came from: ``keras`` (float model), ``csim`` (bit-accurate C
    simulation), ``synth:<tool> <version>`` or ``estimate:specc-<version>``."""

    model_config = ConfigDict(frozen=True)
    value: float
    provenance: str


def hardware_metrics(
    figures: HardwareFigures, clock_ns: float, provenance: str
) -> dict[str, Metric]:
    """The metrics of a design's hardware figures, each with the figures' provenance."""
    return {
        name: Metric(value=value, provenance=provenance)
        for name, value in figures.values(clock_ns).items()
    }


class Failure(BaseModel):
    model_config = ConfigDict(frozen=True)
    category: str
    message: str


class TrialResult(BaseModel):
    """The record of one trial (``out/<design>/trials/<key>/metrics.json``)."""

    key: str
    status: Literal["ok", "failed"]
    point: dict[str, bool | int | float | str]
    metrics: dict[str, Metric] = Field(default_factory=dict)
    layers: list[LayerEstimate] = Field(
        default_factory=list, description="per-layer hardware breakdown (from the estimator)"
    )
    failure: Failure | None = None
    warnings: list[str] = Field(
        default_factory=list, description="chance accuracy, a loss that did not fall"
    )
    compression: dict[str, Any] = Field(
        default_factory=dict,
        description="what the compression tasks left: sparsity, hidden widths, weight bits",
    )
    timings: dict[str, float] = Field(default_factory=dict, description="seconds per phase")
    reused: list[str] = Field(
        default_factory=list,
        description="what came from a cache: data, model, simulator (compiled), csim (result)",
    )
    versions: dict[str, str] = Field(default_factory=dict)
    cached: bool = Field(False, description="true when this run read it from the cache")
