"""Pareto sets and hypervolume over a spec's objectives.

Objectives are compared as *badness* values, lower is better, normalised so that the reference
point is 1 in every objective:

- ``minimize m``: ``m / ref(m)``; ``maximize m`` (accuracies): ``(1 - m) / 1``;
- ``ref(m)``: 1 for ratios (errors); for resources the budget when the spec sets one, else the
  part's capacity; for latencies and intervals the budget, else the metric table's reference
  (100,000 ns or cycles, :data:`specc.metrics.METRICS`).

The hypervolume is the share of the unit box ``[0, 1]^k`` that the set dominates (1 would be a
perfect, free design); designs beyond the reference point in any objective add nothing. It is
exact (recursive slicing), fine for the few objectives and hundreds of points a spec has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from specc.ir import model as ir
from specc.metrics import METRICS

__all__ = ["badness", "dominates", "hypervolume", "pareto_indices", "reference"]


def reference(spec: ir.Spec, metric: str) -> float:
    """The reference (worst acceptable) value of a minimised metric."""
    budget = next(
        (c.value for c in spec.constraints if c.metric == metric and c.op in ("<=", "<")), None
    )
    m = METRICS[metric]
    if m.kind == "ratio":
        return 1.0
    if m.kind == "resource":
        cap = float(spec.target.capacity(metric) or 1)
        return max(min(budget, cap) if budget is not None else cap, 1.0)
    assert m.reference is not None, metric
    return budget or m.reference


def badness(spec: ir.Spec, metrics: Mapping[str, float]) -> list[float]:
    """The normalised, lower-is-better value of every objective of the spec."""
    out = []
    for obj in spec.objectives:
        value = float(metrics[obj.metric])
        if obj.sense == "maximize":
            out.append(1.0 - value if METRICS[obj.metric].kind == "ratio" else -value)
        else:
            out.append(value / reference(spec, obj.metric))
    return out


def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    return all(x <= y for x, y in zip(a, b, strict=True)) and any(
        x < y for x, y in zip(a, b, strict=True)
    )


def pareto_indices(points: Sequence[Sequence[float]]) -> list[int]:
    """Indices of the non-dominated points (duplicates: the first one is kept)."""
    keep: list[int] = []
    for i, p in enumerate(points):
        if any(dominates(points[j], p) for j in range(len(points)) if j != i):
            continue
        if any(list(points[j]) == list(p) for j in keep):
            continue
        keep.append(i)
    return keep


def hypervolume(points: Sequence[Sequence[float]]) -> float:
    """Volume of ``[0, 1]^k`` dominated by ``points`` (minimisation, reference point 1)."""
    inside = [tuple(max(x, 0.0) for x in p) for p in points if all(x < 1.0 for x in p)]
    if not inside:
        return 0.0
    return _hv(inside)


def _hv(points: list[tuple[float, ...]]) -> float:
    if len(points[0]) == 1:
        return 1.0 - min(p[0] for p in points)
    ordered = sorted(points, key=lambda p: p[-1])
    volume = 0.0
    for i, p in enumerate(ordered):
        top = ordered[i + 1][-1] if i + 1 < len(ordered) else 1.0
        if top > p[-1]:
            volume += (top - p[-1]) * _hv([q[:-1] for q in ordered[: i + 1]])
    return volume
