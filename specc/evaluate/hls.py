"""hls4ml conversion with every knob set explicitly, and the bit-accurate C simulation.

A model trained with quantisers (``quantize { method = qat | hgq }``) carries its types: hls4ml
derives every precision from HGQ2's quantisers and none is set here. Under post-training
quantisation, two hls4ml behaviours are guarded against (see ../shared/STACK.md):
- ``auto`` precisions: every precision hls4ml would infer is set to the point's type, so the last
  Dense cannot get a 38-bit result type that saturates the softmax table;
- reuse-factor snapping: after conversion, each layer's reuse factor is compared with the one the
  point asked for; a changed one fails the trial as ``invalid`` instead of silently becoming
  another design.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from specc.evaluate.errors import TrialFailure
from specc.evaluate.point import TrialConfig
from specc.ir import model as ir
from specc.ir.arch import owner_layer

if TYPE_CHECKING:
    import numpy as np

__all__ = ["BACKENDS", "convert", "csim_accuracy", "hls_config"]

BACKENDS = {"vivado": "Vivado", "vitis": "Vitis"}
PROJECT = "myproject"


def _type(
    cfg: TrialConfig, layer: str | tuple[str, ...] | None, role: str = "weight", guard: int = 0
) -> str:
    """The hls4ml type string of a layer's ``role``.

    The spec's ``ap_fixed<W, I>`` is the type of weights, biases and results. Results saturate and
    round (``RND, SAT``) instead of wrapping, so a logit past the range clips rather than flips
    sign; accumulators get ``guard`` extra integer bits (log2 of the fan-in) so that sums of
    in-range products cannot overflow.
    """
    width, integer = cfg.precision(layer)
    kind = "fixed" if cfg.get("hls.precision.signed") else "ufixed"
    if role == "accum":
        return f"{kind}<{width + guard},{integer + guard}>"
    if role == "result":
        return f"{kind}<{width},{integer},RND,SAT>"
    return f"{kind}<{width},{integer}>"


def _fan_in(layer: Any) -> int:
    """Products summed per output of a Dense/Conv Keras layer (1 for other layers)."""
    kernel = getattr(layer, "kernel", None)
    if kernel is None:
        return 1
    shape = tuple(kernel.shape)
    fan = 1
    for d in shape[:-1]:
        fan *= int(d)
    return fan


def hls_config(cfg: TrialConfig, model: Any) -> dict[str, Any]:
    """hls4ml's per-layer configuration for this trial, with no ``auto`` left in it."""
    import hls4ml

    backend = BACKENDS[str(cfg.get("hls.backend"))]
    conf: dict[str, Any] = hls4ml.utils.config_from_keras_model(
        model, granularity="name", backend=backend
    )
    conf["Model"]["Precision"] = {"default": _type(cfg, None)}
    conf["Model"]["ReuseFactor"] = int(cfg.get("hls.reuse_factor"))
    conf["Model"]["Strategy"] = str(cfg.get("hls.strategy")).capitalize()
    keras_layers = {layer.name: layer for layer in model.layers}
    quantized = cfg.quantization != "ptq"
    for name, layer_conf in conf["LayerName"].items():
        if quantized:
            # Trained with its quantisers (specc.evaluate.compress): hls4ml reads each type
            # from them, bit-exactly; a type set here would override one.
            layer_conf.pop("Precision", None)
        owner = owner_layer(name)
        # A layer's own override first (``layer fc1_relu { ... }`` names hls4ml's layer), then
        # the Dense/Conv it belongs to; layers without either (input, pooling, flatten) get
        # the model-wide type; the softmax output is a probability, typed like the output
        # layer that feeds it.
        typed = (name, "output") if name == "softmax" else (name, owner)
        guard = max(_fan_in(keras_layers[name]) - 1, 0).bit_length() if name in keras_layers else 0
        for key, value in list(layer_conf.get("Precision", {}).items()):
            if value == "auto":
                layer_conf["Precision"][key] = _type(cfg, typed, key, guard)
        if "ReuseFactor" in layer_conf:
            layer_conf["ReuseFactor"] = int(cfg.layer_knob((name, owner), "reuse_factor"))
        if getattr(keras_layers.get(name), "kernel", None) is not None and name == owner:
            layer_conf["Strategy"] = str(cfg.layer_knob(owner, "strategy")).capitalize()
    return conf


def convert(spec: ir.Spec, cfg: TrialConfig, model: Any, out_dir: Path) -> Any:
    """Convert a trained model to an hls4ml project in ``out_dir`` (written, not compiled).

    Raises:
        TrialFailure: ``conversion`` when hls4ml fails, ``invalid`` when it changed a knob.
    """
    import hls4ml

    try:
        conf = hls_config(cfg, model)
        hm = hls4ml.converters.convert_from_keras_model(
            model,
            hls_config=conf,
            output_dir=str(out_dir),
            project_name=PROJECT,
            backend=BACKENDS[str(cfg.get("hls.backend"))],
            io_type=f"io_{cfg.get('hls.io_type')}",
            part=spec.target.part,
            clock_period=float(cfg.get("hls.clock_period")),
        )
    except Exception as err:
        raise TrialFailure("conversion", f"{type(err).__name__}: {err}") from None
    # hls4ml's MaximumSize feeds `config_array_partition -maximum_size` in project.tcl.
    hm.config.config["MaximumSize"] = int(cfg.get("hls.array_partition"))
    changed = []
    for layer in hm.get_layers():
        requested = conf["LayerName"].get(layer.name, {}).get("ReuseFactor")
        actual = layer.get_attr("reuse_factor")
        if requested is not None and actual is not None and int(actual) != int(requested):
            changed.append(f"{layer.name}: {requested} -> {actual}")
    if changed:
        raise TrialFailure(
            "invalid",
            "hls4ml changed the reuse factor (" + "; ".join(changed) + "); the design asked "
            "for is not buildable with these layer sizes",
        )
    return hm


def csim_accuracy(hm: Any, x_test: np.ndarray, y_test: np.ndarray) -> float:
    """Compile the C simulation library (g++) and classify the test split with it.

    Raises:
        TrialFailure: ``compile`` when g++ fails.
    """
    import numpy as np

    try:
        hm.compile()
    except Exception as err:
        raise TrialFailure("compile", f"C simulation library did not build: {err}") from None
    pred = hm.predict(np.ascontiguousarray(x_test, dtype=np.float32))
    pred = np.asarray(pred).reshape(len(y_test), -1)
    return float((pred.argmax(axis=1) == y_test).mean())
