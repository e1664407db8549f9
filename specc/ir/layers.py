"""The layers a spec's model family can produce, and the sizes each may take.

hls4ml names layers after the Keras layers; specc's model builders use these names, so a spec's
``layer fc1 { ... }`` block and the checks below agree with what the evaluator builds:

- mlp: ``fc1`` .. ``fcN`` (hidden Dense), ``output`` (Dense to the classes);
- cnn: ``conv1`` .. ``convN``, then ``fc1`` .. ``fcM`` and ``output``.
"""

from __future__ import annotations

from dataclasses import dataclass

from specc.ir import model as ir
from specc.ir.datasets import DataShape

__all__ = ["LayerSizes", "layer_sizes", "valid_reuse_factor"]


@dataclass(frozen=True)
class LayerSizes:
    """A layer that may exist, and the (n_in, n_out) multiplication shapes it may have.

    ``n_in``/``n_out`` follow hls4ml's ``get_layer_mult_size``: Dense (n_in, n_out); Conv
    (channels x kernel, filters). ``sizes`` is empty when the data shape is not known.
    """

    name: str
    kind: str
    sizes: frozenset[tuple[int, int]]


def valid_reuse_factor(n_in: int, n_out: int, rf: int) -> bool:
    """Whether hls4ml keeps ``rf`` for a layer of this size (resource strategy).

    Mirrors ``FPGABackend._validate_reuse_factor`` of hls4ml 1.3.0; hls4ml replaces any other
    value by the closest valid one with only a printed warning. tests/ir/test_layers.py checks this
    copy against hls4ml's own function when hls4ml is installed.
    """
    if rf < 1 or rf > n_in * n_out:
        return False
    multfactor = min(n_in, rf)
    multiplier_limit = -(-(n_in * n_out) // multfactor)
    ok = (multiplier_limit % n_out == 0) or (rf >= n_in)
    ok = ok and ((rf % n_in == 0) or (rf < n_in))
    return ok and (n_in * n_out) % rf == 0


def _ints(p: ir.Param) -> list[int]:
    vals = p.values()
    return [int(v) for v in vals] if vals is not None else []


def layer_sizes(model: ir.Model, data: DataShape) -> list[LayerSizes]:
    """Every layer the spec allows, with every size it may take."""
    if model.family == "keras":
        return []
    widths = _ints(model.neurons)
    depths = _ints(model.hidden_layers)
    out: list[LayerSizes] = []
    # Widths that can feed the first dense layer.
    feeds: set[int] = set()
    if model.family == "cnn":
        conv_depths = _ints(model.conv_layers)
        filters = _ints(model.filters)
        kernels = _ints(model.kernel)
        dims = 1 if model.conv == "conv1d" else 2
        for k in range(1, max(conv_depths) + 1):
            in_ch = [1] if k == 1 else filters
            sizes = {(c * kk**dims, f) for c in in_ch for kk in kernels for f in filters}
            out.append(LayerSizes(f"conv{k}", "conv", frozenset(sizes)))
        if data.features is not None:
            pools = model.pooling.values() or []
            side = data.image[0] if (data.image and dims == 2) else data.features
            for depth in conv_depths:
                for pooled in {p != "none" for p in pools}:
                    s = side
                    for _ in range(depth):
                        s = s // model.pool_size if pooled else s
                    flat = s * (s if dims == 2 and data.image else 1)
                    feeds.update(flat * f for f in filters)
    elif data.features is not None:
        feeds.add(data.features)
    for k in range(1, max(depths, default=0) + 1):
        prev = feeds if k == 1 else set(widths)
        sizes = {(a, b) for a in prev for b in widths}
        out.append(LayerSizes(f"fc{k}", "dense", frozenset(sizes)))
    last = set(widths) if max(depths, default=0) >= 1 else set()
    if 0 in depths:
        last |= feeds
    out_sizes = {(a, data.classes) for a in last} if data.classes else set()
    out.append(LayerSizes("output", "dense", frozenset(out_sizes)))
    return out
