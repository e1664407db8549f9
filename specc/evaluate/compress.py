"""Compression tasks: MetaML's pruning, scaling and quantization tasks, applied to a trained
model in the order the spec's ``compress`` section lists them, each with its own knobs.

- ``prune``: iterative magnitude pruning. ``steps`` rounds raise each kernel's share of zero
  weights to ``sparsity`` along Zhu & Gupta's cubic schedule; after each round the model is
  fine-tuned for ``epochs`` with the zeros held. With ``rewind = true`` the surviving weights
  are first reset to their values early in training (lottery-ticket rewinding: after the
  first epoch, a model file's own weights, or after a ``scale`` task the narrowed weights).
- ``scale``: every hidden Dense layer and convolution keeps the ``factor`` share of its units
  (filters) with the largest L1 norm, the layer that reads it loses the matching inputs, and
  the smaller model is fine-tuned. The architecture it ends with is
  ``ArchKnobs.scaled(factor)``, the one the a-priori estimate costs.
- ``quantize``: ``ptq`` leaves the float model to hls4ml's post-training rounding; ``qat`` and
  ``hgq`` rebuild it from HGQ2's quantised layers (weights copied) and train it with the
  quantisers in the loop. ``qat`` fixes every quantiser at the trial's ``ap_fixed<W, I>``
  (weights, biases and each layer's input, which is the previous layer's result); ``hgq``
  starts them there and learns a width per weight and per activation, with ``beta`` weighing
  the resource (EBOPs) term of the loss, and calibrates the activations' integer bits on the
  training inputs afterwards. hls4ml reads the quantisers' types, so the C
  simulation reproduces the quantised Keras model bit for bit.

Tasks work on chains of Dense/Conv layers with activations, pooling and a flatten (what the
built-in families build, and most small model files); other layers fail the trial with a
message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from specc.evaluate.errors import TrialFailure
from specc.evaluate.point import TrialConfig
from specc.evaluate.train import kernels
from specc.ir import model as ir
from specc.ir.arch import QAT_ACTIVATIONS, scaled_width

if TYPE_CHECKING:
    pass

__all__ = ["REWIND_EPOCH", "Compressed", "apply", "describe", "weight_bits", "zero_share"]

#: The epoch whose weights ``rewind = true`` resets the surviving weights to.
REWIND_EPOCH = 1

Fit = Callable[..., list[float]]


@dataclass
class Compressed:
    """The model after the tasks, the loss of every fine-tuning epoch, and what each task did
    (recorded with the trained model and shown in the reports)."""

    model: Any
    losses: list[float] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def apply(
    spec: ir.Spec, cfg: TrialConfig, model: Any, fit: Fit, early: list[Any], x_train: Any
) -> Compressed:
    """Run the spec's compression tasks on a trained ``model``, in order.

    Args:
        fit: the trial's training loop (:func:`specc.evaluate.train.fitter`).
        early: the model's weights early in training (what ``rewind`` resets to).
        x_train: the training inputs (``hgq`` sets its activations' integer bits from them).
    """
    out = Compressed(model)
    pruned = False
    for task in spec.compress:
        epochs = int(cfg.get(f"compress.{task.kind}.epochs"))
        if task.kind == "prune":
            rewind = str(cfg.get("compress.prune.rewind")) == "true"
            steps = int(cfg.get("compress.prune.steps"))
            for step in range(1, steps + 1):
                share = cfg.sparsity * (1 - (1 - step / steps) ** 3)
                _prune(out.model, share, early if rewind else None)
                out.losses += fit(out.model, epochs, hold_zeros=True)
            pruned = True
        elif task.kind == "scale":
            out.model = _scale(out.model, float(cfg.get("compress.scale.factor")))
            early = out.model.get_weights()  # a later prune rewinds to the narrowed weights
            out.losses += fit(out.model, epochs, hold_zeros=pruned)
            out.summary["widths"] = [int(k.kernel.shape[-1]) for k in kernels(out.model)[:-1]]
        elif task.kind == "quantize" and cfg.quantization != "ptq":
            out.model = _quantized(out.model, cfg)
            out.losses += fit(out.model, epochs, hold_zeros=pruned)
            if cfg.quantization == "hgq":
                from hgq.utils import trace_minmax

                # HGQ's activations wrap on overflow: their integer bits must cover the range
                # the data reaches (HGQ's calibration step; it returns the model's EBOPs).
                out.summary["ebops"] = int(trace_minmax(out.model, x_train, verbose=0))
            out.summary["weight_bits"] = {
                k.name: round(weight_bits(_quantized_kernel(k)), 2) for k in kernels(out.model)
            }
        if pruned:
            out.summary["sparsity"] = round(zero_share(out.model), 4)
    return out


def describe(summary: dict[str, Any]) -> list[str]:
    """What the tasks left, one line each, as the point reports print it."""
    out = []
    if "sparsity" in summary:
        out.append(f"pruned: {summary['sparsity']:.1%} of the weights are zero")
    if "widths" in summary:
        out.append("scaled: hidden widths " + ", ".join(map(str, summary["widths"])))
    if "weight_bits" in summary:
        bits = ", ".join(f"{k} {v:g}" for k, v in summary["weight_bits"].items())
        out.append(f"quantisation-aware training: mean bits per nonzero weight: {bits}")
    if "ebops" in summary:
        out.append(f"HGQ's resource estimate: {summary['ebops']:,} EBOPs")
    return out


# ---- prune --------------------------------------------------------------------------------


def zero_share(model: Any) -> float:
    """Share of zero weights over every kernel of the model."""
    import numpy as np

    ws = [np.asarray(k.kernel) for k in kernels(model)]
    total = sum(w.size for w in ws)
    return sum(int((w == 0).sum()) for w in ws) / max(total, 1)


def _prune(model: Any, share: float, rewind_to: list[Any] | None) -> None:
    """Zero the ``share`` smallest-magnitude weights of every kernel (weights already zero
    count among them); with ``rewind_to``, reset the others to those early weights."""
    import numpy as np

    early = {}
    if rewind_to is not None:
        pos = 0
        for lay in model.layers:
            n = len(lay.get_weights())
            early[lay.name] = rewind_to[pos : pos + n]
            pos += n
    for lay in kernels(model):
        w = np.asarray(lay.kernel)
        k = int(share * w.size)
        if k == 0:
            continue
        threshold = np.sort(np.abs(w), axis=None)[k - 1]
        mask = (np.abs(w) > threshold).astype(w.dtype)
        if rewind_to is not None:
            weights = [np.array(a) for a in early[lay.name]]
            weights[0] = weights[0] * mask
            lay.set_weights(weights)
        else:
            lay.kernel.assign(w * mask)


# ---- scale --------------------------------------------------------------------------------


def _scale(model: Any, factor: float) -> Any:
    """The model with every hidden kernel layer narrowed to ``scaled_width`` of its units:
    those with the largest L1 norm, with their weights (the next kernel layer keeps the
    matching inputs; a flatten in between maps channels to its flattened positions)."""
    import numpy as np

    kern = kernels(model)
    for lay in model.layers:
        if lay.get_weights() and getattr(lay, "kernel", None) is None:
            raise TrialFailure(
                "model",
                f"scale keeps whole units of Dense/Conv layers; layer '{lay.name}' "
                f"({type(lay).__name__}) has weights it cannot narrow",
            )
    keep: dict[str, np.ndarray] = {}
    for lay in kern[:-1]:
        w = np.asarray(lay.kernel)
        n = w.shape[-1]
        score = np.abs(w).reshape(-1, n).sum(axis=0)
        keep[lay.name] = np.sort(np.argsort(-score, kind="stable")[: scaled_width(n, factor)])
    config = model.get_config()
    for lc in config["layers"]:
        lc.pop("build_config", None)  # the input widths it records are the old ones
        name = lc["config"].get("name")
        if name in keep:
            key = "units" if "units" in lc["config"] else "filters"
            lc["config"][key] = len(keep[name])
    small = type(model).from_config(config)
    inputs: np.ndarray | None = None  # kept channels of the tensor the next kernel reads
    pixels = 1  # positions a flatten spread each channel over
    for old, new in zip(model.layers, small.layers, strict=True):
        if type(old).__name__ == "Flatten" and inputs is not None:
            shape = old.input.shape[1:]
            pixels = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
            channels = int(shape[-1])
            inputs = (np.arange(pixels)[:, None] * channels + inputs[None, :]).ravel()
            continue
        if getattr(old, "kernel", None) is None:
            continue
        weights = [np.asarray(a) for a in old.get_weights()]
        if inputs is not None:
            weights[0] = np.take(weights[0], inputs, axis=-2)
        if old.name in keep:
            weights[0] = weights[0][..., keep[old.name]]
            weights[1:] = [b[keep[old.name]] for b in weights[1:]]
            inputs = keep[old.name]
        else:
            inputs = None
        new.set_weights(weights)
    return small


# ---- quantize -----------------------------------------------------------------------------


def _qconf(cfg: TrialConfig, layer: str | None, place: str) -> Any:
    """HGQ2's quantiser for one tensor, at ``ap_fixed<W, I>`` of ``layer`` (model-wide for
    None): fixed under ``qat``, the trainable starting point under ``hgq``."""
    from hgq.config import QuantizerConfig

    width, integer = cfg.precision(layer)
    signed = bool(cfg.get("hls.precision.signed"))
    # HGQ's k, i, f: sign bit, integer bits without the sign, fractional bits.
    kif = {"k0": int(signed), "i0": integer - int(signed), "f0": width - integer}
    if cfg.quantization == "qat":
        overflow = "SAT_SYM" if place in ("weight", "bias") else "SAT"
        return QuantizerConfig(
            "kif", place, trainable=False, round_mode="RND", overflow_mode=overflow, **kif
        )
    return QuantizerConfig("kif", place, **kif)


def _quantized(model: Any, cfg: TrialConfig) -> Any:
    """The model rebuilt from HGQ2's quantised layers with its weights: Dense/Conv with the
    activation that follows them folded in, max/average pooling, softmax; flatten as is."""
    import keras
    from hgq import layers as q
    from hgq.config import LayerConfigScope

    method = cfg.quantization
    beta = float(cfg.values.get("compress.quantize.beta", 0.0))
    layers = [lay for lay in model.layers if type(lay).__name__ != "InputLayer"]
    scope = LayerConfigScope(enable_ebops=method == "hgq", beta0=beta if method == "hgq" else 0.0)
    copies: list[tuple[Any, Any]] = []
    with scope:
        first = model.layers[0]
        name = first.name if type(first).__name__ == "InputLayer" else "features"
        x = inputs = keras.Input(model.inputs[0].shape[1:], name=name)
        previous: str | None = None  # the kernel layer whose result the next layer reads
        i = 0
        while i < len(layers):
            lay = layers[i]
            kind = type(lay).__name__
            i += 1
            if getattr(lay, "kernel", None) is not None:
                act = "linear"
                nxt = layers[i] if i < len(layers) else None
                if nxt is not None and type(nxt).__name__ in ("Activation", "ReLU"):
                    if _activation(nxt) != "softmax":  # a softmax stays a layer (QSoftmax)
                        act = _activation(nxt)
                        i += 1
                else:
                    act = _activation(lay)
                    if act == "softmax":
                        raise TrialFailure(
                            "model",
                            f"layer '{lay.name}' applies softmax inside the Dense; quantised "
                            "training takes it as a layer of its own",
                        )
                confs = {
                    "kq_conf": _qconf(cfg, lay.name, "weight"),
                    "bq_conf": _qconf(cfg, lay.name, "bias"),
                    "iq_conf": _qconf(cfg, previous, "datalane"),
                }
                if kind == "Dense":
                    new = q.QDense(lay.units, activation=act, name=lay.name, **confs)
                elif kind in ("Conv1D", "Conv2D"):
                    conv = q.QConv1D if kind == "Conv1D" else q.QConv2D
                    new = conv(
                        lay.filters,
                        lay.kernel_size,
                        strides=lay.strides,
                        padding=lay.padding,
                        activation=act,
                        name=lay.name,
                        **confs,
                    )
                else:
                    raise _unsupported(lay)
                x = new(x)
                copies.append((lay, new))
                previous = lay.name
            elif kind in ("Activation", "Softmax") and _activation(lay) == "softmax":
                x = q.QSoftmax(name=lay.name)(x)
            elif kind == "Flatten":
                x = keras.layers.Flatten(name=lay.name)(x)
            elif kind in ("MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D"):
                pool = getattr(q, "Q" + kind)
                x = pool(
                    lay.pool_size,
                    strides=lay.strides,
                    padding=lay.padding,
                    name=lay.name,
                    iq_conf=_qconf(cfg, previous, "datalane"),
                )(x)
            else:
                raise _unsupported(lay)
        qmodel = keras.Model(inputs, x, name=model.name)
    for old, new in copies:
        new.kernel.assign(old.kernel)
        if old.bias is not None:
            new.bias.assign(old.bias)
    return qmodel


def _activation(layer: Any) -> str:
    if type(layer).__name__ == "ReLU":
        return "relu"
    if type(layer).__name__ == "Softmax":
        return "softmax"
    fn = getattr(layer, "activation", None)
    name = getattr(fn, "__name__", str(fn))
    if name not in (*QAT_ACTIVATIONS, "softmax"):
        raise TrialFailure(
            "model",
            f"layer '{layer.name}' uses the {name} activation; quantisation-aware training "
            f"takes {', '.join(QAT_ACTIVATIONS)} (and a softmax output)",
        )
    return name


def _unsupported(layer: Any) -> TrialFailure:
    return TrialFailure(
        "model",
        f"quantisation-aware training rebuilds Dense/Conv chains; layer '{layer.name}' "
        f"({type(layer).__name__}) has no quantised counterpart here",
    )


def _quantized_kernel(layer: Any) -> Any:
    """A layer's kernel as the hardware holds it (HGQ2's quantised kernel, or the kernel)."""
    import numpy as np
    from keras import ops

    qk = getattr(layer, "qkernel", None)
    return ops.convert_to_numpy(qk) if qk is not None else np.asarray(layer.kernel)


def weight_bits(w: Any) -> float:
    """Mean bits of the nonzero weights as constants: sign plus the bits from the highest set
    bit of ``|w|`` down to its lowest (what a constant multiplier is built from). 0 when
    every weight is zero."""
    import numpy as np

    a = np.abs(np.asarray(w, dtype=np.float64)).ravel()
    a = a[a > 0]
    if a.size == 0:
        return 0.0
    _, exp = np.frexp(a)  # a = m * 2^exp, m in [0.5, 1)
    frac = np.zeros(a.shape, dtype=np.int64)
    scaled = a.copy()
    for _ in range(64):  # fractional bits until each weight is an integer
        odd = scaled != np.floor(scaled)
        if not odd.any():
            break
        scaled[odd] *= 2
        frac[odd] += 1
    return float((exp + frac + 1).mean())
