"""Budgets in the search: how much of a space fits them by the estimate, why a search does
not start when nothing does, and the penalty told for a point that breaks them."""

from __future__ import annotations

from specc.evaluate.precheck import precheck
from specc.evaluate.results import Metric
from specc.ir import model as ir
from specc.metrics import METRICS
from specc.search.pareto import badness
from specc.search.records import OPS, PART_RESOURCES, over_part, violations
from specc.search.space import configspace, to_point

__all__ = ["PROBE_SAMPLES", "excess", "feasible_share", "no_fit_note", "penalty"]

PENALTY_CAP = 4.0
PROBE_SAMPLES = 1000  # random configurations estimated before a search (about 2 ms each)


def feasible_share(
    spec: ir.Spec, n: int = PROBE_SAMPLES, seed: int = 0, first: bool = False
) -> tuple[int, dict[str, float]]:
    """How many of ``n`` random configurations pass the a-priori estimate, and the smallest
    estimate of each budgeted metric over them. No training: milliseconds per configuration.
    With ``first``, stop at the first configuration that passes."""
    ok, least = 0, dict[str, float]()
    for config in configspace(spec, seed).sample_configuration(n):
        metrics = precheck(spec, to_point(config))
        if not violations(spec, metrics):
            ok += 1
            if first:
                break
        for name in {c.metric for c in spec.constraints} | set(PART_RESOURCES):
            if name in metrics:
                least[name] = min(least.get(name, float("inf")), metrics[name].value)
    return ok, least


def no_fit_note(spec: ir.Spec, least: dict[str, float]) -> str:
    """Why the search did not start: the budgets no sampled configuration can meet."""
    broken = [
        f"{c.metric} {least[c.metric]:,.0f} against {c.op} {c.value:,.0f}"
        for c in spec.constraints
        if c.metric in least and not OPS[c.op](least[c.metric], c.value)
    ]
    for name in PART_RESOURCES:
        cap = spec.target.capacity(name)
        if name in least and cap is not None and least[name] > cap:
            broken.append(f"{name} {least[name]:,.0f} against the part's {cap:,}")
    return (
        f"not searched: none of {PROBE_SAMPLES} random configurations fits the budgets by "
        f"the estimate (smallest estimates: {'; '.join(broken)}); relax a budget, choose a "
        "larger part, or narrow the space toward smaller models and larger reuse factors "
        "(specc build --force searches anyway)"
    )


def excess(spec: ir.Spec, metrics: dict[str, Metric]) -> float:
    """How far the metrics break the budgets and the part's capacities, as a sum of relative
    excesses (0 when feasible)."""
    total = 0.0
    for c in spec.constraints:
        m = metrics.get(c.metric)
        if m is None or OPS[c.op](m.value, c.value):
            continue
        scale = max(abs(c.value), 1e-9)
        total += abs(m.value - c.value) / scale
    for _, value, cap in over_part(spec, metrics):
        total += (value - cap) / max(cap, 1)
    return total


def penalty(spec: ir.Spec, metrics: dict[str, Metric]) -> list[float]:
    """Costs told for an infeasible or failed point: the worst possible accuracy, the estimated
    (or measured) hardware, all scaled up by how far the budgets are broken, so the surrogate
    learns where the feasible region is instead of seeing a flat wall (HyperPower's idea)."""
    worst: dict[str, float] = {}
    for obj in spec.objectives:
        m = METRICS[obj.metric]
        measured = metrics.get(obj.metric)
        if m.hardware and measured is not None:
            worst[obj.metric] = measured.value
        else:
            worst[obj.metric] = m.worst if m.kind == "ratio" else 1e12
    factor = 1.0 + excess(spec, metrics)
    return [min(max(b, 0.05) * factor, PENALTY_CAP) for b in badness(spec, worst)]
