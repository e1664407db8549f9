"""The search space a spec describes: its dimensions and how many configurations it holds.

This is the light, dependency-free view used by ``specc space``; the search stage turns the same
dimensions into a ConfigSpace space. A hidden layer's width is a dimension of its own, active only
when the model has that many layers; per-layer knobs of such a layer share that condition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from specc.ir import model as ir

__all__ = ["Dimension", "count", "dimensions", "knob_used"]


@dataclass(frozen=True)
class Dimension:
    """One searched knob.

    Args:
        name: dotted name, e.g. ``model.fc2.neurons``, ``hls.precision.width``.
        param: its domain.
        depends_on: (depth dimension, k): active only when that dimension is >= k.
    """

    name: str
    param: ir.Param
    depends_on: tuple[str, int] | None = None

    @property
    def size(self) -> float:
        return ir.size(self.param)

    @property
    def kind(self) -> str:
        p = self.param
        if isinstance(p, (ir.IntRange, ir.FloatRange)):
            return ("int" if isinstance(p, ir.IntRange) else "float") + (" log" if p.log else "")
        return {"pow2": "power of 2", "choice": "choice", "fixed": "fixed"}[p.kind]

    @property
    def condition(self) -> str:
        if self.depends_on is None:
            return ""
        return f"{self.depends_on[0]} >= {self.depends_on[1]}"


def _depth_range(p: ir.Param) -> tuple[int, int]:
    vals = [int(v) for v in p.values() or [0]]
    return min(vals), max(vals)


def dimensions(spec: ir.Spec, include_fixed: bool = False) -> list[Dimension]:
    """Every searched knob of the spec, in a stable order.

    Args:
        include_fixed: also list knobs with a single value (every knob a trial needs).
    """
    dims: list[Dimension] = []
    m = spec.model

    def add(name: str, p: ir.Param | None, dep: tuple[str, int] | None = None) -> None:
        if p is not None and (include_fixed or not ir.is_fixed(p)):
            dims.append(Dimension(name, p, dep))

    layer_dep: dict[str, tuple[str, int] | None] = {}
    if m.family == "cnn":
        add("model.conv_layers", m.conv_layers)
        lo, hi = _depth_range(m.conv_layers)
        for k in range(1, hi + 1):
            dep = ("model.conv_layers", k) if k > lo else None
            layer_dep[f"conv{k}"] = dep
            add(f"model.conv{k}.filters", m.filters, dep)
        add("model.kernel", m.kernel)
        add("model.pooling", m.pooling)
    if m.family in ("mlp", "cnn"):
        add("model.hidden_layers", m.hidden_layers)
        lo, hi = _depth_range(m.hidden_layers)
        for k in range(1, hi + 1):
            dep = ("model.hidden_layers", k) if k > lo else None
            layer_dep[f"fc{k}"] = dep
            add(f"model.fc{k}.neurons", m.neurons, dep)
        add("model.activation", m.activation)
    t = spec.train
    if spec.search.fidelity_epochs is None:
        add("train.epochs", t.epochs)
    elif include_fixed:
        # Under multi-fidelity the search sets the epochs of each trial (the budget).
        fid = spec.search.fidelity_epochs
        dims.append(Dimension("train.epochs", ir.IntRange(lo=fid.lo, hi=fid.hi)))
    for name in (
        "batch_size",
        "optimizer",
        "learning_rate",
        "l1",
        "l2",
        "early_stopping",
        "lr_schedule",
    ):
        add(f"train.{name}", getattr(t, name))
    for task in spec.compress:
        for key, p in task.knobs.items():
            add(f"compress.{task.kind}.{key}", p)
    h = spec.hls
    for name in ("backend", "io_type", "strategy"):
        add(f"hls.{name}", getattr(h, name))
    add("hls.precision.width", h.precision.width)
    add("hls.precision.integer", h.precision.integer)
    for name in ("reuse_factor", "clock_period", "array_partition"):
        add(f"hls.{name}", getattr(h, name))
    for lk in h.layers:
        dep = layer_dep.get(lk.name)
        if lk.precision is not None:
            add(f"hls.{lk.name}.precision.width", lk.precision.width, dep)
            add(f"hls.{lk.name}.precision.integer", lk.precision.integer, dep)
        add(f"hls.{lk.name}.reuse_factor", lk.reuse_factor, dep)
        add(f"hls.{lk.name}.strategy", lk.strategy, dep)
    return dims


def count(dims: list[Dimension]) -> tuple[int, list[str]]:
    """Number of distinct discrete configurations, and the names of continuous dimensions.

    Conditional dimensions count only where active: a spec with 1..3 layers of 8 widths holds
    8 + 8^2 + 8^3 width settings, not 8^3.
    """
    continuous = [d.name for d in dims if math.isinf(d.size)]
    discrete = [d for d in dims if not math.isinf(d.size)]
    by_name = {d.name: d for d in discrete}
    depth_names = {d.depends_on[0] for d in discrete if d.depends_on}
    total = 1
    for d in discrete:
        if d.depends_on is None and d.name not in depth_names:
            total *= int(d.size)
    for depth_name in sorted(depth_names):
        depth = by_name.get(depth_name)
        depths = [int(v) for v in (depth.param.values() or [])] if depth else []
        subtotal = 0
        for h in depths:
            n = 1
            for d in discrete:
                if d.depends_on and d.depends_on[0] == depth_name and d.depends_on[1] <= h:
                    n *= int(d.size)
            subtotal += n
        total *= subtotal
    return total, continuous


def knob_used(spec: ir.Spec, name: str) -> bool:
    """Whether a knob of a trial's configuration shapes the design: a ``model keras`` file is
    loaded as it is, so its trials carry ``model.*`` defaults they never use, and ``train.*``
    ones unless a compression task fine-tunes the model."""
    if spec.model.family == "keras":
        if name.startswith("train."):
            return bool(spec.compress)
        return not name.startswith("model.")
    return True
