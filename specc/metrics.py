"""The one table of metrics: what each number specc measures is, and how every stage treats it.

The spec's checks (which metrics exist, which units a budget may use), the search (how an
objective is normalised, what a failed trial is told), the records (column order) and the
reports (labels, number format) all read :data:`METRICS`; no code decides anything from a
metric's name. Light module: no third-party imports, so ``specc check`` may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "METRICS",
    "METRIC_ORDER",
    "MetricDef",
    "Provenance",
    "format_value",
    "metric",
    "provenance_kind",
]

Kind = Literal["ratio", "time", "cycles", "resource", "clock"]
Provenance = Literal["keras", "csim", "synth", "estimate"]


@dataclass(frozen=True)
class MetricDef:
    """One metric.

    Args:
        name: as written in a spec and in every record.
        kind: ``ratio`` (an accuracy or error in [0, 1]), ``time`` (ns), ``cycles``,
            ``resource`` (a count of a part's resource; its capacity is in the part table),
            ``clock`` (the achieved clock period, reported by synthesis only).
        direction: ``min`` or ``max``: which way is better.
        unit: shown after values (empty for counts and ratios).
        label: how reports name it.
        description: one line for the language reference and ``specc schema``.
        reference: the normalisation of a minimised metric when the spec sets no budget
            (see :mod:`specc.search.pareto`); None for resources (the part's capacity) and
            ratios (1 by nature).
        selectable: whether a spec may name it as an objective or a budget.
    """

    name: str
    kind: Kind
    direction: Literal["min", "max"]
    unit: str
    label: str
    description: str
    reference: float | None = None
    selectable: bool = True

    @property
    def hardware(self) -> bool:
        """A latency, interval or resource figure (estimated or synthesised)."""
        return self.kind in ("time", "cycles", "resource")

    @property
    def worst(self) -> float:
        """The worst value it can take (a failed trial's accuracy is 0, its error 1)."""
        if self.kind == "ratio":
            return 0.0 if self.direction == "max" else 1.0
        return float("inf")

    @property
    def percent_of(self) -> str | None:
        """What ``NN%`` means in a budget on it: a share of the part, a fraction, or nothing."""
        if self.kind == "resource":
            return "part"
        if self.kind == "ratio":
            return "fraction"
        return None


_TABLE = (
    MetricDef(
        "float_accuracy", "ratio", "max", "", "float accuracy",
        "accuracy of the Keras model on the test split (under quantisation-aware training, "
        "the quantised model, which the C simulation reproduces)",
    ),
    MetricDef(
        "float_error", "ratio", "min", "", "float error",
        "1 - accuracy of the Keras model on the test split (quantised under QAT)",
    ),
    MetricDef(
        "fixed_accuracy", "ratio", "max", "", "fixed-point accuracy",
        "accuracy of the bit-accurate C simulation",
    ),
    MetricDef(
        "fixed_error", "ratio", "min", "", "fixed-point error",
        "1 - accuracy of the bit-accurate C simulation",
    ),
    MetricDef(
        "latency_ns", "time", "min", "ns", "latency (ns)",
        "worst-case latency in ns (cycles x clock period)", reference=100_000.0,
    ),
    MetricDef(
        "latency_cycles", "cycles", "min", "cycles", "latency (cycles)",
        "worst-case latency in clock cycles", reference=100_000.0,
    ),
    MetricDef(
        "ii", "cycles", "min", "cycles", "II (cycles)",
        "initiation interval in clock cycles", reference=100_000.0,
    ),
    MetricDef("dsp", "resource", "min", "", "DSP", "DSP slices"),
    MetricDef("lut", "resource", "min", "", "LUT", "look-up tables"),
    MetricDef("ff", "resource", "min", "", "FF", "flip-flops"),
    MetricDef("bram", "resource", "min", "", "BRAM 18K", "18 Kb block RAMs (BRAM_18K)"),
    MetricDef(
        "clock_ns", "clock", "min", "ns", "clock (ns)",
        "clock period HLS estimates it meets (synthesis only)", selectable=False,
    ),
)  # fmt: skip

#: Every metric, in the order records and reports list them.
METRICS: dict[str, MetricDef] = {m.name: m for m in _TABLE}
METRIC_ORDER: tuple[str, ...] = tuple(METRICS)


def metric(name: str) -> MetricDef:
    """The definition of a metric (KeyError for an unknown name)."""
    return METRICS[name]


def format_value(name: str, value: float) -> str:
    """A metric's value as reports print it: ratios to 4 decimals, counts with separators."""
    if METRICS[name].kind == "ratio":
        return f"{value:.4f}"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def provenance_kind(provenance: str) -> str:
    """``keras``, ``csim``, ``synth`` or ``estimate``: how a number was obtained (the part of
    ``synth:vivado_hls 2019.2`` or ``estimate:specc-0.1.0`` before the colon)."""
    return provenance.split(":", 1)[0]
