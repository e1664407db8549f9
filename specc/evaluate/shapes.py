"""The estimator's view of a design (a list of :class:`LayerShape`), from either

- a converted hls4ml model (after training: exact sizes, precisions and zero weights), or
- the trial configuration alone (before training, for ``precheck``: zeros assumed from the
  pruning sparsity).
"""

from __future__ import annotations

import json
import math
import re
import zipfile
from pathlib import Path
from typing import Any

from specc.evaluate.estimate import LayerShape
from specc.evaluate.point import TrialConfig
from specc.ir import model as ir
from specc.ir.datasets import DataShape

__all__ = ["shapes_from_config", "shapes_from_hls", "shapes_from_keras_file"]

_TABLE_ACTIVATIONS = ("sigmoid", "tanh", "elu", "selu", "softplus")


def _bits(precision: Any) -> int:
    width = getattr(precision, "width", None)
    if width is not None:
        return int(width)
    m = re.search(r"(\d+)", str(precision))
    return int(m.group(1)) if m else 16


def _lsb(precision: Any) -> float:
    width, integer = getattr(precision, "width", 16), getattr(precision, "integer", 6)
    return 2.0 ** -(int(width) - int(integer))


def shapes_from_hls(hm: Any) -> list[LayerShape]:
    """Layer shapes of a converted hls4ml ModelGraph."""
    import numpy as np

    shapes: list[LayerShape] = []
    prev_bits = 16
    for layer in hm.get_layers():
        cls = layer.class_name
        out_var = layer.get_output_variable()
        n_elems = int(np.prod(out_var.shape))
        res_bits = _bits(out_var.type.precision)
        if cls in ("Dense", "Conv1D", "Conv2D"):
            w = layer.get_weights("weight")
            wt = w.type.precision
            # Under the default truncation, weights in [0, lsb) quantise to exactly zero.
            zeros = int(np.count_nonzero((w.data >= 0) & (w.data < _lsb(wt))))
            if cls == "Dense":
                n_in, n_out, positions = layer.get_attr("n_in"), layer.get_attr("n_out"), 1
            else:
                n_out = layer.get_attr("n_filt")
                filt = layer.get_attr("filt_width") * (layer.get_attr("filt_height") or 1)
                n_in = layer.get_attr("n_chan") * filt
                positions = layer.get_attr("out_width") * (layer.get_attr("out_height") or 1)
                zeros = zeros * positions
            accum = layer.types.get("accum_t")
            shapes.append(
                LayerShape(
                    layer.name,
                    "conv" if cls.startswith("Conv") else "dense",
                    int(n_in),
                    int(n_out),
                    int(positions),
                    int(layer.get_attr("reuse_factor") or 1),
                    str(layer.get_attr("strategy") or "latency").lower(),
                    _bits(wt),
                    prev_bits,
                    _bits(accum.precision) if accum is not None else res_bits,
                    zeros,
                )
            )
        elif cls == "Softmax":
            shapes.append(LayerShape(layer.name, "softmax", n_out=n_elems, accum_bits=res_bits))
        elif cls in ("Activation", "ReLU", "LeakyReLU", "ELU", "PReLU"):
            act = str(layer.get_attr("activation") or cls).lower()
            kind = "table" if act in _TABLE_ACTIVATIONS else "relu"
            shapes.append(LayerShape(layer.name, kind, n_out=n_elems, accum_bits=res_bits))
        elif "Pooling" in cls:
            shapes.append(
                LayerShape(
                    layer.name,
                    "pool",
                    n_out=n_elems,
                    accum_bits=res_bits,
                    positions=int(layer.get_attr("out_width") or 1)
                    * int(layer.get_attr("out_height") or 1),
                )
            )
        prev_bits = res_bits
    return shapes


def _dense_shape(
    cfg: TrialConfig,
    name: str,
    n_in: int,
    n_out: int,
    kind: str = "dense",
    positions: int = 1,
    sparsity: float = 0.0,
) -> LayerShape:
    width, _ = cfg.precision(name)
    return LayerShape(
        name,
        kind,
        n_in,
        n_out,
        positions,
        int(cfg.layer_knob(name, "reuse_factor")),
        str(cfg.layer_knob(name, "strategy")),
        width,
        cfg.precision()[0],
        width,
        int(sparsity * n_in * n_out) * positions,
    )


def shapes_from_keras_file(path: Path, cfg: TrialConfig) -> list[LayerShape] | None:
    """Layer shapes of a saved ``.keras`` MLP read from its ``config.json`` (no TensorFlow), for
    ``precheck`` of ``model keras "FILE"``; None when the model is not a plain chain of Dense
    and activation layers (then nothing is judged before the trial)."""
    try:
        with zipfile.ZipFile(path) as zf:
            layers = json.loads(zf.read("config.json"))["config"]["layers"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    bits = cfg.precision()[0]
    shapes: list[LayerShape] = []
    prev = 0

    def activation(name: str, act: str, n: int) -> None:
        if act == "softmax":
            shapes.append(LayerShape(name, "softmax", n_out=n, accum_bits=bits))
        elif act != "linear":
            kind = "table" if act in _TABLE_ACTIVATIONS else "relu"
            shapes.append(LayerShape(name, kind, n_out=n, accum_bits=bits))

    for layer in layers:
        kind, conf = layer.get("class_name"), layer.get("config", {})
        if kind == "InputLayer":
            shape = conf.get("batch_shape") or conf.get("batch_input_shape") or []
            if len(shape) != 2:
                return None
            prev = int(shape[1])
        elif kind == "Dense" and prev:
            units = int(conf["units"])
            shapes.append(_dense_shape(cfg, str(conf["name"]), prev, units))
            activation(
                f"{conf['name']}_{conf.get('activation')}", str(conf.get("activation")), units
            )
            prev = units
        elif kind in ("Activation", "ReLU", "Softmax") and prev:
            act = str(conf.get("activation", kind.lower()))
            activation(str(conf["name"]), act, prev)
        elif kind != "Dropout":
            return None
    return shapes or None


def shapes_from_config(spec: ir.Spec, cfg: TrialConfig, data: DataShape) -> list[LayerShape]:
    """Layer shapes from the configuration alone (no trained weights): for ``precheck``."""
    features = data.features or 0
    classes = data.classes or 2
    sparsity = float(cfg.get("train.pruning_sparsity"))
    act = str(cfg.get("model.activation"))
    act_kind = "table" if act in _TABLE_ACTIVATIONS else "relu"
    shapes: list[LayerShape] = []
    bits_in = cfg.precision()[0]

    def dense(name: str, n_in: int, n_out: int, kind: str = "dense", positions: int = 1) -> None:
        shapes.append(_dense_shape(cfg, name, n_in, n_out, kind, positions, sparsity))

    flat = features
    if spec.model.family == "cnn":
        conv2d = spec.model.conv == "conv2d"
        side = data.image[0] if (conv2d and data.image) else features
        kernel = int(cfg.get("model.kernel"))
        pooled = str(cfg.get("model.pooling")) != "none"
        channels = 1
        for k, filters in enumerate(cfg.filters, start=1):
            positions = side * side if conv2d else side
            dense(f"conv{k}", channels * kernel ** (2 if conv2d else 1), filters, "conv", positions)
            shapes.append(
                LayerShape(
                    f"conv{k}_{act}", act_kind, n_out=positions * filters, accum_bits=bits_in
                )
            )
            if pooled:
                side = side // spec.model.pool_size
                out = (side * side if conv2d else side) * filters
                shapes.append(
                    LayerShape(
                        f"pool{k}",
                        "pool",
                        n_out=out,
                        accum_bits=bits_in,
                        positions=math.ceil(out / filters),
                    )
                )
            channels = filters
        flat = (side * side if conv2d else side) * channels
    prev = flat
    for k, width in enumerate(cfg.widths, start=1):
        dense(f"fc{k}", prev, width)
        shapes.append(LayerShape(f"fc{k}_{act}", act_kind, n_out=width, accum_bits=bits_in))
        prev = width
    dense("output", prev, classes)
    shapes.append(LayerShape("softmax", "softmax", n_out=classes, accum_bits=bits_in))
    return shapes
