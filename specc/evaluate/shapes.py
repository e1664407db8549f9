"""The estimator's view of a design (a list of :class:`LayerShape`), from either

- a converted hls4ml model (after training: exact sizes, precisions and zero weights), or
- an :class:`~specc.ir.arch.Architecture` and the trial configuration (before training, for
  the a-priori check: zeros assumed from the pruning sparsity).
"""

from __future__ import annotations

import math
import re
from typing import Any

from specc.evaluate.estimate import LayerShape, Target
from specc.evaluate.point import TrialConfig
from specc.ir import model as ir
from specc.ir.arch import Architecture, activation_kind

__all__ = ["shapes_from_architecture", "shapes_from_hls", "target_of"]


def target_of(spec: ir.Spec, cfg: TrialConfig) -> Target:
    """What a configuration is built for, as the estimator sees it: the HLS tool (the
    ``hls.backend`` knob), the part's family, the io type, the partition limit and the clock."""
    return Target(
        tool=str(cfg.get("hls.backend")),
        family=spec.target.family,
        io_type=str(cfg.get("hls.io_type")),
        max_size=int(cfg.get("hls.array_partition")),
        clock_ns=float(cfg.get("hls.clock_period")),
    )


# How the estimator costs each way hls4ml implements an activation.
_ESTIMATOR_KIND = {"elementwise": "relu", "table": "table", "softmax": "softmax"}


def _activation_shape(
    name: str, activation: str, n_out: int, bits: int, positions: int = 1
) -> LayerShape | None:
    kind = _ESTIMATOR_KIND.get(activation_kind(activation), "relu")
    if activation_kind(activation) == "none":
        return None
    return LayerShape(name, kind, n_out=n_out, accum_bits=bits, positions=positions)


def _pixels(shape: Any) -> int:
    """Pixels of a channels-last tensor shape (1 for a flat vector)."""
    dims = [int(d) for d in shape]
    return math.prod(dims[:-1]) if len(dims) > 1 else 1


def _bits(precision: Any) -> int:
    width = getattr(precision, "width", None)
    if width is not None:
        return int(width)
    m = re.search(r"(\d+)", str(precision))
    return int(m.group(1)) if m else 16


def _lsb(precision: Any) -> float:
    width, integer = getattr(precision, "width", 16), getattr(precision, "integer", 6)
    return 2.0 ** -(int(width) - int(integer))


def shapes_from_hls(hm: Any, exact_weights: bool = False) -> list[LayerShape]:
    """Layer shapes of a converted hls4ml ModelGraph.

    Args:
        exact_weights: the weights carry widths of their own (HGQ learns one per weight; the
            layer's type is only the widest), so a layer's weight width is the mean of what
            its nonzero weights need (:func:`specc.evaluate.compress.weight_bits`).
    """
    import numpy as np

    from specc.evaluate.compress import weight_bits

    shapes: list[LayerShape] = []
    prev_bits, prev_pixels = 16, 1
    for layer in hm.get_layers():
        cls = layer.class_name
        out_var = layer.get_output_variable()
        n_elems = int(np.prod(out_var.shape))
        pixels = _pixels(out_var.shape)
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
            bits = _bits(wt)
            if exact_weights:
                bits = min(bits, max(1, math.ceil(weight_bits(w.data))))
            accum = layer.types.get("accum_t")
            shapes.append(
                LayerShape(
                    layer.name,
                    "dense" if cls == "Dense" else "conv",
                    int(n_in),
                    int(n_out),
                    int(positions),
                    int(layer.get_attr("reuse_factor") or 1),
                    str(layer.get_attr("strategy") or "latency").lower(),
                    bits,
                    prev_bits,
                    _bits(accum.precision) if accum is not None else res_bits,
                    zeros,
                    in_positions=prev_pixels,
                )
            )
        elif cls == "Softmax":
            shapes.append(LayerShape(layer.name, "softmax", n_out=n_elems, accum_bits=res_bits))
        elif cls in ("Activation", "ReLU", "LeakyReLU", "ELU", "PReLU"):
            act = str(layer.get_attr("activation") or cls)
            shape = _activation_shape(layer.name, act, n_elems, res_bits, pixels)
            if shape is not None:
                shapes.append(shape)
        elif cls.startswith("ZeroPadding"):
            shapes.append(
                LayerShape(
                    layer.name,
                    "pad",
                    n_out=n_elems,
                    accum_bits=res_bits,
                    positions=pixels,
                    in_positions=prev_pixels,
                )
            )
        elif "Pooling" in cls:
            window = int(layer.get_attr("pool_width") or 1) * int(
                layer.get_attr("pool_height") or 1
            )
            if "Global" in cls:
                window = prev_pixels
            shapes.append(
                LayerShape(
                    layer.name,
                    "pool",
                    n_out=n_elems,
                    accum_bits=res_bits,
                    positions=pixels,
                    in_positions=prev_pixels,
                    window=window,
                )
            )
        prev_bits, prev_pixels = res_bits, pixels
    return shapes


def shapes_from_architecture(
    arch: Architecture, cfg: TrialConfig, sparsity: float = 0.0
) -> list[LayerShape]:
    """Layer shapes of a model before training: sizes from its architecture, precisions, reuse
    factors and strategies from the configuration, ``sparsity`` of each kernel assumed zero."""
    bits_in = cfg.precision()[0]
    shapes: list[LayerShape] = []
    pixels = 1  # pixels of the tensor the current layer reads
    if len(arch.input_shape) > 1:
        pixels = math.prod(arch.input_shape[:-1])
    dims = 2 if arch.conv == "conv2d" else 1
    stream = str(cfg.get("hls.io_type")) == "stream"
    for layer in arch.layers:
        if layer.kind == "conv" and stream and layer.size > 1:
            # Under io_stream hls4ml puts a zero-padding stage before a 'same' conv.
            side = round(pixels ** (1 / dims)) + layer.size - 1
            padded = side**dims
            channels = layer.n_in // layer.size**dims
            shapes.append(
                LayerShape(
                    f"{layer.name}_pad",
                    "pad",
                    n_out=padded * channels,
                    accum_bits=bits_in,
                    positions=padded,
                    in_positions=pixels,
                )
            )
            pixels = padded
        if layer.kind in ("dense", "conv"):
            width, _ = cfg.precision(layer.name)
            shapes.append(
                LayerShape(
                    layer.name,
                    layer.kind,
                    layer.n_in,
                    layer.n_out,
                    layer.positions,
                    int(cfg.layer_knob(layer.name, "reuse_factor")),
                    str(cfg.layer_knob(layer.name, "strategy")),
                    width,
                    bits_in,
                    width,
                    int(sparsity * layer.n_in * layer.n_out) * layer.positions,
                    in_positions=pixels,
                )
            )
            pixels = layer.positions
        elif layer.kind == "activation":
            shape = _activation_shape(layer.name, layer.activation, layer.n_out, bits_in, pixels)
            if shape is not None:
                shapes.append(shape)
        elif layer.kind == "pool":
            shapes.append(
                LayerShape(
                    layer.name,
                    "pool",
                    n_out=layer.n_out,
                    accum_bits=bits_in,
                    positions=layer.positions,
                    in_positions=pixels,
                    window=max(layer.size, 1) ** dims,
                )
            )
            pixels = layer.positions
        elif layer.kind == "flatten":
            pixels = 1
    return shapes
