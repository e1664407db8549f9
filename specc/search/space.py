"""The spec's search space as a ConfigSpace space.

Every dimension of :func:`specc.ir.space.dimensions` becomes one hyper-parameter: integer and
float ranges (log where the spec says ``log``), stepped ranges and powers of two as ordinals,
choices as categoricals. Layer k's knobs are conditioned on ``depth >= k``. The front end already
rejects specs whose ranges contain illegal combinations (integer bits above total bits, reuse
factors hls4ml would change), so every configuration of this space is a legal design.
"""

from __future__ import annotations

from typing import Any

from specc.evaluate.point import Scalar, default_value
from specc.ir import model as ir
from specc.ir.space import Dimension, dimensions

__all__ = ["configspace", "to_point"]


def _hyperparameter(d: Dimension) -> Any:
    from ConfigSpace import Categorical, Float, Integer

    p = d.param
    default = default_value(p)
    if isinstance(p, ir.IntRange) and p.step == 1:
        return Integer(d.name, (p.lo, p.hi), log=p.log, default=int(default))
    if isinstance(p, ir.FloatRange):
        return Float(d.name, (p.lo, p.hi), log=p.log, default=float(default))
    values = p.values() or []
    ordered = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    return Categorical(d.name, values, ordered=ordered, default=default)


def configspace(
    spec: ir.Spec,
    seed: int,
    only: tuple[str, ...] | None = None,
    fixed: dict[str, Scalar] | None = None,
) -> Any:
    """A ConfigurationSpace over the spec's searched dimensions.

    Args:
        seed: seeds the space's own sampling (random search, initial designs).
        only: keep dimensions whose name starts with one of these prefixes (``("model.",
            "train.")`` for the training half of the two-step flow).
        fixed: dimensions held at a value (left out of the space).
    """
    from ConfigSpace import ConfigurationSpace, GreaterThanCondition

    fixed = fixed or {}
    dims = [
        d
        for d in dimensions(spec)
        if d.name not in fixed and (only is None or d.name.startswith(only))
    ]
    cs = ConfigurationSpace(seed=seed)
    hps = {d.name: _hyperparameter(d) for d in dims}
    cs.add(list(hps.values()))
    conditions = []
    for d in dims:
        if d.depends_on and d.depends_on[0] in hps:
            parent, k = d.depends_on
            # Active when the depth is at least k, i.e. greater than k - 1.
            conditions.append(GreaterThanCondition(hps[d.name], hps[parent], k - 1))
    if conditions:
        cs.add(conditions)
    return cs


def to_point(config: Any) -> dict[str, Scalar]:
    """A ConfigSpace configuration as a specc point (plain Python values)."""
    point: dict[str, Scalar] = {}
    for name, value in dict(config).items():
        if hasattr(value, "item"):  # numpy scalars from ordinals
            value = value.item()
        point[name] = value
    return point
