"""The architecture of a model: the one description of its layers that every stage maps.

:func:`architecture` turns a model family, its architecture knobs and the data's shape into the
tuple of layers the Keras builder creates (``specc.evaluate.train``), the a-priori estimate
costs (``specc.evaluate.shapes``) and hls4ml converts. :func:`layer_sizes` runs the same layer
steps over *sets* of knob values, so the checks see every (n_in, n_out) a layer can take without
enumerating the whole space. :func:`keras_file_architecture` reads a saved ``.keras`` model's
layers (no TensorFlow) into the same description.

The naming contract with the spec (``layer fc1 { ... }``) and with hls4ml lives here only:

- mlp: ``fc1`` .. ``fcN`` (hidden Dense), each followed by its activation ``fcK_<act>``;
- cnn: ``conv1`` .. ``convN`` (each followed by ``convK_<act>`` and, when pooling,
  ``poolK``), ``flatten``, then the mlp's layers;
- both end with ``output`` (Dense to the classes) and a separate ``softmax`` activation, so
  hls4ml gives the softmax its own, explicitly typed, table-based implementation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from specc.ir import model as ir
from specc.ir.datasets import DataShape

__all__ = [
    "ACTIVATIONS",
    "QAT_ACTIVATIONS",
    "ArchKnobs",
    "Architecture",
    "ArchitectureError",
    "Layer",
    "LayerSizes",
    "activation_kind",
    "architecture",
    "keras_file_architecture",
    "layer_sizes",
    "owner_layer",
    "scaled_width",
]

#: Activation name -> how hls4ml implements it: ``elementwise`` (comparators and muxes: relu,
#: leaky_relu), ``table`` (a lookup table: sigmoid, tanh, ...), ``softmax``, or ``none``.
ACTIVATIONS: dict[str, str] = {
    "relu": "elementwise",
    "tanh": "table",
    "sigmoid": "table",
    "elu": "table",
    "leaky_relu": "elementwise",
    "selu": "table",
    "softplus": "table",
    "softmax": "softmax",
    "linear": "none",
}
#: Hidden activations quantisation-aware training takes (HGQ2's layers fold them in and hls4ml
#: converts them bit-exactly; see specc/evaluate/compress.py).
QAT_ACTIVATIONS = ("relu", "linear")
#: The activations a spec may choose for hidden layers.
HIDDEN_ACTIVATIONS = tuple(a for a, kind in ACTIVATIONS.items() if kind in ("elementwise", "table"))

LayerKind = Literal["conv", "dense", "activation", "pool", "flatten"]


def activation_kind(name: str) -> str:
    """How an activation is implemented (``table`` for one specc does not know)."""
    return ACTIVATIONS.get(name.lower(), "table")


def owner_layer(name: str) -> str:
    """The spec layer an activation layer belongs to: ``fc1_relu`` -> ``fc1``; others as they
    are."""
    for act in sorted(ACTIVATIONS, key=len, reverse=True):  # leaky_relu before relu
        if name.endswith(f"_{act}"):
            return name[: -len(act) - 1]
    return name


class ArchitectureError(ValueError):
    """The knobs describe a model that cannot be built (e.g. pooling a 1x1 feature map)."""


@dataclass(frozen=True)
class Layer:
    """One layer of a model.

    Args:
        name: the Keras (and hls4ml) layer name.
        kind: ``conv``, ``dense``, ``activation``, ``pool`` or ``flatten``.
        n_in, n_out: the multiplication shape of conv/dense layers (hls4ml's
            ``get_layer_mult_size``: Dense (inputs, outputs); Conv (channels x kernel, filters));
            for the others ``n_out`` is the number of output elements.
        positions: output positions a conv (or pool) computes; 1 for the others.
        activation: an activation layer's function (``relu``, ``softmax``, ...).
        size: a conv's kernel or a pool's window (square under conv2d).
        pooling: a pool's kind, ``max`` or ``avg``.
        owner: the spec layer whose knobs an activation follows (``fc1`` for ``fc1_relu``).
    """

    name: str
    kind: LayerKind
    n_in: int = 0
    n_out: int = 0
    positions: int = 1
    activation: str = ""
    size: int = 0
    pooling: str = ""
    owner: str = ""


@dataclass(frozen=True)
class Architecture:
    """A model: the shape of one input sample and its layers in order."""

    input_shape: tuple[int, ...]
    layers: tuple[Layer, ...]
    conv: str = ""  # "conv1d" or "conv2d" for a cnn


@dataclass(frozen=True)
class ArchKnobs:
    """The architecture knobs of one configuration (see ``TrialConfig.arch``)."""

    widths: tuple[int, ...]
    filters: tuple[int, ...] = ()
    kernel: int = 3
    pooling: str = "none"
    activation: str = "relu"

    def scaled(self, factor: float) -> ArchKnobs:
        """The knobs after ``scale { factor = f }``: every hidden layer and convolution keeps
        :func:`scaled_width` of its units (the output layer keeps one per class)."""
        return replace(
            self,
            widths=tuple(scaled_width(w, factor) for w in self.widths),
            filters=tuple(scaled_width(f, factor) for f in self.filters),
        )


def scaled_width(n: int, factor: float) -> int:
    """Units (or filters) a hidden layer of ``n`` keeps when scaled by ``factor`` (at least 1)."""
    return max(1, round(n * factor))


@dataclass(frozen=True)
class LayerSizes:
    """A layer that may exist, and the (n_in, n_out) multiplication shapes it may take: every
    ``n_in`` with every ``n_out`` (the output width never depends on the input width), both
    empty when the data shape is not known. Kept as the two sets, not their product, so that
    checking a spec with wide ranges stays linear in the ranges."""

    name: str
    kind: str
    n_in: tuple[int, ...]  # ascending
    n_out: tuple[int, ...]  # ascending

    @property
    def sizes(self) -> frozenset[tuple[int, int]]:
        """Every (n_in, n_out) pair (for small layers and tests; may be large)."""
        return frozenset((i, o) for i in self.n_in for o in self.n_out)


# ---- the layer steps, shared by the single-configuration and the set-valued walk -------------

# A feature map between layers: spatial extent (None when the data shape is unknown), channels.
_Map = tuple[tuple[int, ...] | None, int]


def _conv_block(
    k: int,
    fmap: _Map,
    filters: int,
    kernel: int,
    pooling: str,
    model: ir.Model,
    act: str,
) -> tuple[list[Layer], _Map]:
    """Block ``k`` of a cnn: a 'same'-padded convolution, its activation, optional pooling."""
    spatial, channels = fmap
    pool_size = model.pool_size
    n_in = channels * kernel ** (2 if model.conv == "conv2d" else 1)
    positions = math.prod(spatial) if spatial is not None else 1
    layers = [
        Layer(f"conv{k}", "conv", n_in, filters, positions, size=kernel),
        Layer(f"conv{k}_{act}", "activation", n_out=positions * filters, activation=act,
              owner=f"conv{k}"),
    ]  # fmt: skip
    if pooling != "none":
        if spatial is not None:
            if min(spatial) < pool_size:
                raise ArchitectureError(
                    f"conv{k}: input {spatial} is smaller than the pooling window {pool_size}"
                )
            spatial = tuple(s // pool_size for s in spatial)
            positions = math.prod(spatial)
        layers.append(
            Layer(f"pool{k}", "pool", n_out=positions * filters, positions=positions,
                  size=pool_size, pooling=pooling)
        )  # fmt: skip
    return layers, (spatial, filters)


def _dense(name: str, n_in: int, width: int, act: str) -> list[Layer]:
    """A Dense layer and its activation (``output`` is followed by ``softmax``)."""
    if name == "output":
        return [
            Layer(name, "dense", n_in, width),
            Layer("softmax", "activation", n_out=width, activation="softmax", owner="output"),
        ]
    return [
        Layer(name, "dense", n_in, width),
        Layer(f"{name}_{act}", "activation", n_out=width, activation=act, owner=name),
    ]  # fmt: skip


def _input_map(model: ir.Model, data: DataShape) -> _Map:
    """The feature map a cnn's first block sees (spatial None when the data is not known)."""
    if model.conv == "conv2d":
        return (data.image if data.image else None), 1
    return ((data.features,) if data.features else None), 1


def architecture(model: ir.Model, knobs: ArchKnobs, data: DataShape) -> Architecture:
    """The layers of one configuration of a built-in model family.

    Raises:
        ArchitectureError: when the knobs describe a model that cannot be built, or the data's
            shape is unknown.
    """
    if model.family == "keras":
        raise ArchitectureError("a keras model's layers come from its file")
    if data.features is None or data.classes is None:
        raise ArchitectureError("the data's shape is unknown")
    layers: list[Layer] = []
    flat = data.features
    input_shape: tuple[int, ...] = (data.features,)
    if model.family == "cnn":
        fmap = _input_map(model, data)
        if fmap[0] is None:
            raise ArchitectureError("conv2d needs image data")
        input_shape = (*fmap[0], 1)
        for k, filters in enumerate(knobs.filters, start=1):
            block, fmap = _conv_block(
                k, fmap, filters, knobs.kernel, knobs.pooling, model, knobs.activation
            )
            layers += block
        assert fmap[0] is not None
        flat = math.prod(fmap[0]) * fmap[1]
        layers.append(Layer("flatten", "flatten", n_out=flat))
    prev = flat
    for k, width in enumerate(knobs.widths, start=1):
        layers += _dense(f"fc{k}", prev, width, knobs.activation)
        prev = width
    layers += _dense("output", prev, data.classes, "softmax")
    conv = model.conv if model.family == "cnn" else ""
    return Architecture(input_shape, tuple(layers), conv)


# ---- every size a layer may take, for the checks ----------------------------------------------


def _ints(p: ir.Param) -> list[int]:
    vals = p.values()
    return [int(v) for v in vals] if vals is not None else []


def layer_sizes(model: ir.Model, data: DataShape) -> list[LayerSizes]:
    """Every conv/dense layer the spec allows, with every size it may take: the layer steps of
    :func:`architecture` applied to the sets of values each knob may take.

    A layer's output width is its own knob (filters, neurons, the classes), so its sizes are
    the product of the input widths it may see and its output widths; the walk tracks the
    feature maps by spatial extent, each with the set of channel counts it may have, and
    calls the layer step once per extent, kernel and pooling, not once per channel count.
    """
    if model.family == "keras":
        return []
    widths = set(_ints(model.neurons))
    depths = _ints(model.hidden_layers)
    conv_depths = _ints(model.conv_layers) if model.family == "cnn" else []
    # Every layer that may exist, in order, even when the data's shape leaves its sizes unknown.
    kinds = {
        **{f"conv{k}": "conv" for k in range(1, max(conv_depths, default=0) + 1)},
        **{f"fc{k}": "dense" for k in range(1, max(depths, default=0) + 1)},
        "output": "dense",
    }
    n_ins: dict[str, set[int]] = {name: set() for name in kinds}
    n_outs: dict[str, set[int]] = {name: set() for name in kinds}

    def note(name: str, ins: set[int], outs: set[int]) -> None:
        if ins and outs:
            n_ins[name] |= ins
            n_outs[name] |= outs

    feeds: set[int] = set()  # what the first Dense layer may see
    if model.family == "cnn":
        filters = set(_ints(model.filters))
        start_spatial, start_channels = _input_map(model, data)
        area = 2 if model.conv == "conv2d" else 1
        for kernel in _ints(model.kernel):
            for pooling in model.pooling.values() or ["none"]:
                # spatial extent -> the channel counts a map of that extent may have
                maps: dict[tuple[int, ...] | None, set[int]] = {start_spatial: {start_channels}}
                for k in range(1, max(conv_depths, default=0) + 1):
                    after: dict[tuple[int, ...] | None, set[int]] = {}
                    for spatial, channels in maps.items():
                        try:
                            probe = next(iter(filters))
                            _, (out_spatial, _) = _conv_block(
                                k, (spatial, 1), probe, kernel, str(pooling), model, "relu"
                            )
                        except (ArchitectureError, StopIteration):
                            continue  # a trial of this configuration fails as invalid
                        note(f"conv{k}", {c * kernel**area for c in channels}, filters)
                        after.setdefault(out_spatial, set()).update(filters)
                    maps = after
                    if k in conv_depths:
                        feeds |= {math.prod(s) * c for s, cs in maps.items() if s for c in cs}
    elif data.features is not None:
        feeds.add(data.features)
    prev = feeds
    last = set(feeds) if 0 in depths else set()
    for k in range(1, max(depths, default=0) + 1):
        note(f"fc{k}", prev, widths)
        prev = widths
        if k in depths:
            last |= prev
    if data.classes:
        note("output", last, {data.classes})
    return [
        LayerSizes(name, kind, tuple(sorted(n_ins[name])), tuple(sorted(n_outs[name])))
        for name, kind in kinds.items()
    ]


# ---- a saved model's layers -------------------------------------------------------------------


def keras_file_architecture(path: Path, weights: Path | None = None) -> Architecture | None:
    """The layers of a saved model (any format :mod:`specc.ir.modelfile` reads), from its
    config (no TensorFlow); None when it is not a plain chain of Dense and activation layers
    (then nothing is judged before a trial)."""
    from specc.ir.modelfile import ModelFileError, read_model_file

    try:
        config = read_model_file(path, weights).layers
    except (OSError, ModelFileError):
        return None
    layers: list[Layer] = []
    input_shape: tuple[int, ...] = ()
    prev = 0
    for entry in config:
        kind, conf = entry.get("class_name"), entry.get("config", {})
        if kind == "InputLayer":
            shape = conf.get("batch_shape") or []
            if len(shape) != 2:
                return None
            prev = int(shape[1])
            input_shape = (prev,)
        elif kind == "Dense" and prev:
            name, units = str(conf["name"]), int(conf["units"])
            layers.append(Layer(name, "dense", prev, units))
            act = str(conf.get("activation"))
            if act != "linear":
                layers.append(
                    Layer(f"{name}_{act}", "activation", n_out=units, activation=act, owner=name)
                )
            prev = units
        elif kind in ("Activation", "ReLU", "Softmax") and prev:
            act = str(conf.get("activation", kind.lower()))
            if act != "linear":
                layers.append(Layer(str(conf["name"]), "activation", n_out=prev, activation=act))
        elif kind != "Dropout":
            return None
    return Architecture(input_shape, tuple(layers)) if layers else None
