"""Points of a spec's search space: defaults, ``--set`` overrides, and the concrete configuration
of one trial.

A point maps dimension names (``model.fc1.neurons``, ``hls.precision.width``; see
specc/ir/space.py) to values. :func:`resolve` fills every knob the point leaves out with the
spec's value or the domain's default and drops knobs that are inactive (the width of a third layer
when the model has two), so equal designs get equal configurations and equal cache keys.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from specc.diagnostics import did_you_mean
from specc.ir import model as ir
from specc.ir.arch import ArchKnobs
from specc.ir.space import Dimension, dimensions

__all__ = ["PointError", "TrialConfig", "default_value", "parse_assignment", "resolve"]

Scalar = bool | int | float | str


class PointError(ValueError):
    """A point names an unknown knob or a value outside its domain."""


def default_value(p: ir.Param) -> Scalar:
    """The value a knob takes when a point does not set it: the middle of its domain
    (geometric middle for log ranges), the first option of a choice."""
    if isinstance(p, ir.Fixed):
        return p.value
    if isinstance(p, ir.Choice):
        return p.options[0]
    if isinstance(p, ir.FloatRange):
        return math.sqrt(p.lo * p.hi) if p.log else (p.lo + p.hi) / 2
    values = p.values()
    assert values
    if isinstance(p, ir.IntRange) and p.log:
        target = math.sqrt(p.lo * p.hi)
        return min(values, key=lambda v: abs(float(v) - target))
    return values[(len(values) - 1) // 2]


def in_domain(p: ir.Param, value: Scalar) -> bool:
    if isinstance(p, ir.FloatRange):
        return isinstance(value, (int, float)) and p.lo <= float(value) <= p.hi
    values = p.values() or []
    return any(value == v and type(value) is not bool for v in values)


def _coerce(text: str, p: ir.Param) -> Scalar:
    """Interpret a command-line value in the type of the knob's domain."""
    sample = default_value(p)
    if isinstance(sample, str):
        return text
    try:
        num = float(text)
    except ValueError:
        raise PointError(f"expected a number, got {text!r}") from None
    if isinstance(p, ir.FloatRange) or (isinstance(sample, float) and not num.is_integer()):
        return num
    if not num.is_integer():
        raise PointError(f"expected a whole number, got {text!r}")
    return int(num) if not isinstance(sample, float) else num


def parse_assignment(spec: ir.Spec, text: str) -> tuple[str, Scalar]:
    """``name=value`` from the command line -> (dimension name, typed value)."""
    if "=" not in text:
        raise PointError(f"'{text}' is not name=value (e.g. hls.reuse_factor=2)")
    name, _, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    dims = {d.name: d for d in dimensions(spec, include_fixed=True)}
    if name not in dims:
        guess = did_you_mean(name, dims)
        hint = f"; did you mean '{guess}'?" if guess else "; `specc space FILE` lists them"
        raise PointError(f"unknown knob '{name}'{hint}")
    param = dims[name].param
    try:
        value = _coerce(raw, param)
    except PointError as err:
        raise PointError(f"{name}: {err}") from None
    if not in_domain(param, value):
        raise PointError(f"{name}={raw} is outside the spec's domain {param.describe()}")
    return name, value


@dataclass(frozen=True)
class TrialConfig:
    """Every knob of one trial, resolved. ``values`` holds only active knobs."""

    values: dict[str, Scalar] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.values[name]

    # ---- architecture --------------------------------------------------------------------
    @property
    def widths(self) -> list[int]:
        depth = int(self.values.get("model.hidden_layers", 0))
        return [int(self.values[f"model.fc{k}.neurons"]) for k in range(1, depth + 1)]

    @property
    def filters(self) -> list[int]:
        depth = int(self.values.get("model.conv_layers", 0))
        return [int(self.values[f"model.conv{k}.filters"]) for k in range(1, depth + 1)]

    def arch(self, compressed: bool = False) -> ArchKnobs:
        """The architecture knobs (see :func:`specc.ir.arch.architecture`): as trained, or
        (``compressed``) as converted, after a ``scale`` task shrank the hidden layers."""
        knobs = self._arch()
        factor = self.values.get("compress.scale.factor")
        return knobs.scaled(float(factor)) if compressed and factor is not None else knobs

    @property
    def sparsity(self) -> float:
        """The share of zero weights a ``prune`` task leaves (0 without one)."""
        return float(self.values.get("compress.prune.sparsity", 0.0))

    @property
    def quantization(self) -> str:
        """``ptq``, ``qat`` or ``hgq`` (see ``quantize { method = ... }``)."""
        return str(self.values.get("compress.quantize.method", "ptq"))

    def _arch(self) -> ArchKnobs:
        return ArchKnobs(
            widths=tuple(self.widths),
            filters=tuple(self.filters),
            kernel=int(self.values.get("model.kernel", 3)),
            pooling=str(self.values.get("model.pooling", "none")),
            activation=str(self.values.get("model.activation", "relu")),
        )

    # ---- hardware per layer ----------------------------------------------------------------
    def layer_knob(self, layer: str | tuple[str, ...], knob: str) -> Any:
        """A layer's value of ``reuse_factor``, ``strategy`` or ``precision.width/integer``:
        the override of the first of ``layer``'s names the spec has one for (an hls4ml layer
        such as ``fc1_relu`` is itself and then the Dense it belongs to), else the model-wide
        value."""
        for name in (layer,) if isinstance(layer, str) else layer:
            if f"hls.{name}.{knob}" in self.values:
                return self.values[f"hls.{name}.{knob}"]
        return self.values[f"hls.{knob}"]

    def precision(self, layer: str | tuple[str, ...] | None = None) -> tuple[int, int]:
        if layer is None:
            return int(self.values["hls.precision.width"]), int(
                self.values["hls.precision.integer"]
            )
        return int(self.layer_knob(layer, "precision.width")), int(
            self.layer_knob(layer, "precision.integer")
        )

    def to_json(self) -> dict[str, Scalar]:
        return dict(sorted(self.values.items()))


def _active(dim: Dimension, chosen: dict[str, Scalar]) -> bool:
    if dim.depends_on is None:
        return True
    depth_name, k = dim.depends_on
    return int(chosen[depth_name]) >= k


def resolve(spec: ir.Spec, point: dict[str, Scalar] | None = None) -> TrialConfig:
    """The full configuration of a trial at ``point`` (missing knobs take their defaults).

    Raises:
        PointError: for an unknown knob or a value outside its domain.
    """
    point = dict(point or {})
    dims = dimensions(spec, include_fixed=True)
    known = {d.name: d for d in dims}
    for name, value in point.items():
        if name not in known:
            guess = did_you_mean(name, known)
            raise PointError(
                f"unknown knob '{name}'" + (f"; did you mean '{guess}'?" if guess else "")
            )
        if not in_domain(known[name].param, value):
            raise PointError(f"{name}={value} is outside {known[name].param.describe()}")
    chosen: dict[str, Scalar] = {}
    for d in dims:  # depth dimensions come before the layers that depend on them
        if not _active(d, chosen):
            continue
        chosen[d.name] = point.get(d.name, default_value(d.param))
    if chosen.get("compress.quantize.method") in ("ptq", "qat"):
        del chosen["compress.quantize.beta"]  # HGQ's resource weight: inactive otherwise
    signed = spec.hls.precision.signed
    chosen["hls.precision.signed"] = signed
    _check_precision(chosen)
    return TrialConfig(chosen)


def _check_precision(chosen: dict[str, Scalar]) -> None:
    for name, width in chosen.items():
        if name.endswith("precision.width"):
            integer = chosen[name.replace("width", "integer")]
            if int(integer) > int(width):
                raise PointError(f"{name}: integer bits {integer} exceed total bits {width}")
