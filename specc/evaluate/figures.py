"""The hardware figures of a design or a layer: one value for the estimator, the synthesis
reader and the metrics they become.

Light module (standard library only): the a-priori check imports it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["HardwareFigures", "LayerEstimate"]


@dataclass(frozen=True)
class HardwareFigures:
    """Latency, initiation interval and resources, as HLS reports them (or specc estimates)."""

    latency_cycles: int
    ii: int
    dsp: int
    lut: int
    ff: int
    bram: float  # BRAM_18K blocks (HLS reports halves for 9K halves of a block)

    def values(self, clock_ns: float) -> dict[str, float]:
        """Metric name -> value, with the latency in ns at ``clock_ns``."""
        return {
            "latency_cycles": float(self.latency_cycles),
            "ii": float(self.ii),
            "latency_ns": self.latency_cycles * clock_ns,
            "dsp": float(self.dsp),
            "lut": float(self.lut),
            "ff": float(self.ff),
            "bram": float(self.bram),
        }


@dataclass(frozen=True)
class LayerEstimate(HardwareFigures):
    """One row of the per-layer breakdown: a layer's name and its figures."""

    name: str = ""

    def row(self) -> dict[str, Any]:
        """The row as written to metrics.json (name first)."""
        return {"name": self.name, **{k: v for k, v in asdict(self).items() if k != "name"}}
