"""specc's own estimator of what hls4ml + Vivado/Vitis HLS make of a design, for when no HLS tool is
installed and for the search's a-priori check (no training needed).

It models the design hls4ml generates, layer by layer:

- Dense (and Conv, as a Dense applied at every output position): ``nz`` non-zero products
  (weights that quantise to zero are removed by HLS under the latency strategy, where weights are
  constants), ``P = ceil(nz / R)`` multipliers at reuse factor ``R``.
- DSP: with constant weights and ``R <= 2`` HLS turns many narrow constant multiplications into
  LUT shift-adds: ``DSP = min(P, c * nz^b)`` with ``c, b`` moving from the 8-bit fit to one DSP per
  product at 16 bits; shared multipliers (``R > 2``, or the resource strategy) are one DSP each;
  operands of 6 bits or fewer never use DSPs; a product wider than the part's DSP (25x18 on
  7-series, 27x18 on UltraScale) uses two.
- LUT and FF: linear in the LUT-mapped multiplications, the adder tree (accumulator bits), and
  the layer's input/output registers, with coefficients fitted by non-negative least squares.
- Latency: ``a + b * log2(n_in)`` cycles for an unrolled layer (adder-tree depth), about
  ``min(R, nz) * s`` when multipliers are shared, and ``p * n_in`` when the weight array is larger
  than ``array_partition`` (HLS then leaves it unpartitioned); II = ``min(R, latency + 1)``.
- Softmax (stable, table-based): one 1024-entry exp table, i.e. one BRAM_18K and one DSP, per
  class; ReLU: LUTs per element. io_stream adds a FIFO per layer (BRAM when deep and wide).

The coefficients below were fitted by ``python bench/estimator_accuracy.py --fit`` against the
real reports in ../shared/data/synthesis/; that benchmark prints the estimator's error per metric.
Numbers from here carry the provenance ``estimate:specc-<version>``; they are never shown as
synthesised.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from specc import __version__
from specc.evaluate.figures import HardwareFigures, LayerEstimate

__all__ = [
    "COEF",
    "PROVENANCE",
    "Coefficients",
    "DesignEstimate",
    "LayerShape",
    "estimate_design",
    "estimate_layer",
]

PROVENANCE = f"estimate:specc-{__version__}"


@dataclass(frozen=True)
class Coefficients:
    """Fitted constants of the model (see bench/estimator_accuracy.py --fit)."""

    dsp_c8: float = 38.0  # DSP = c * nz^b for 8-bit constant weights, unrolled
    dsp_b8: float = 0.1733
    lut_mult: float = 14.35  # LUTs per LUT-mapped 8x8 product (scaled by bits)
    lut_add: float = 0.2483  # LUTs per adder-tree add of a 16-bit accumulator
    lut_io: float = 82.49  # LUTs per (16-bit) input/output element
    lut_shared: float = 92.12  # muxing LUTs per shared multiplier input (R > 2)
    ff_add: float = 14.0
    ff_io: float = 71.92
    ff_shared: float = 124.9
    lat_a: float = 0.01417
    lat_b: float = 0.9172
    lat_shared: float = 0.2425
    lat_unpartitioned: float = 0.2888
    # Resource strategy (fitted on the wa-hls4ml sample): per-output accumulator and weight-ROM
    # logic, which dominates at the large reuse factors of that sample.
    res_lut_out: float = 110.0
    res_ff_out: float = 75.0
    relu_lut: float = 30.0  # per element, 8-bit result
    softmax_lut: float = 150.0  # per class
    softmax_ff: float = 200.0
    softmax_lat_a: float = 6.0
    softmax_lat_b: float = 2.0
    stage_overhead: float = 1.3  # cycles between chained layer functions


COEF = Coefficients()


@dataclass(frozen=True)
class LayerShape:
    """What the estimator needs to know about one hls4ml layer.

    Args:
        name: the layer's name (``fc1``, ``fc1_relu``, ``softmax``).
        kind: ``dense``, ``conv``, ``relu`` (elementwise activations: relu, leaky_relu),
            ``table`` (table-based activations: sigmoid, tanh, elu, ...), ``softmax``, ``pool``.
        n_in, n_out: multiplication shape (Dense: inputs, outputs; Conv: channels x kernel,
            filters); for activations ``n_out`` is the element count.
        positions: output positions a Conv computes (1 for Dense).
        reuse: reuse factor; strategy: ``latency`` or ``resource``.
        weight_bits, input_bits, accum_bits: operand and accumulator widths.
        zeros: weights that are zero after quantisation.
    """

    name: str
    kind: str
    n_in: int = 0
    n_out: int = 0
    positions: int = 1
    reuse: int = 1
    strategy: str = "latency"
    weight_bits: int = 16
    input_bits: int = 16
    accum_bits: int = 16
    zeros: int = 0


@dataclass(frozen=True)
class DesignEstimate(HardwareFigures):
    """Whole-design figures (sums over layers; II the slowest layer's) and the per-layer rows."""

    layers: tuple[LayerEstimate, ...] = field(default_factory=tuple)


def _dsp_per_product(wb: int, ib: int, family: str) -> int:
    # wa-hls4ml: 6-bit products use no DSP at all, 8-bit ones do.
    if min(wb, ib) <= 6:
        return 0
    a, b = (27, 18) if family != "7series" else (25, 18)
    lo, hi = sorted((wb, ib))
    return 1 if (lo <= b and hi <= a) else 2


def _row(
    s: LayerShape, latency: int, ii: int, dsp: int, lut: int, ff: int, bram: float
) -> LayerEstimate:
    return LayerEstimate(
        latency_cycles=latency, ii=ii, dsp=dsp, lut=lut, ff=ff, bram=bram, name=s.name
    )


def estimate_layer(
    s: LayerShape,
    family: str = "7series",
    max_size: int = 4096,
    io_type: str = "parallel",
    c: Coefficients = COEF,
) -> LayerEstimate:
    """The estimate for one layer."""
    bits = max(s.accum_bits, 1) / 16
    if s.kind in ("dense", "conv"):
        total = s.n_in * s.n_out
        constant = s.strategy == "latency"
        nz = max(total - (s.zeros if constant else 0), 1)
        r = max(s.reuse, 1)
        shared = r > 2 or not constant
        mults = math.ceil(nz / r)
        per = _dsp_per_product(s.weight_bits, s.input_bits, family)
        if per == 0:
            dsp = 0.0
        elif shared:
            dsp = float(mults * per)
        else:
            # From the 8-bit fit to one DSP per product at 16 bits.
            t = min(max((s.weight_bits - 8) / 8, 0.0), 1.0)
            coef = c.dsp_c8 ** (1 - t)
            power = c.dsp_b8 + (1 - c.dsp_b8) * t
            dsp = min(float(mults), coef * nz**power) * per
        lut_products = max((mults if shared else nz) - dsp / max(per, 1), 0.0)
        scale = s.weight_bits * s.input_bits / 64
        adders = max(nz - s.n_out, 0) if not shared else mults
        lut = (
            c.lut_mult * lut_products * scale
            + c.lut_add * adders * bits
            + c.lut_io * (s.n_in + s.n_out) * bits
            + (c.lut_shared * mults * s.input_bits / 16 if shared else 0.0)
        )
        ff = (
            c.ff_add * adders * bits
            + c.ff_io * (s.n_in * s.input_bits + s.n_out * s.accum_bits) / 16
            + (c.ff_shared * mults if shared else 0.0)
        )
        if shared:
            latency = c.lat_a + c.lat_b * math.log2(max(s.n_in, 2)) + c.lat_shared * min(r, nz)
        else:
            latency = c.lat_a + c.lat_b * math.log2(max(s.n_in, 2))
            if total > max_size:
                latency = max(latency, c.lat_unpartitioned * s.n_in)
        if not constant:
            latency = r + c.lat_a + c.lat_b * math.log2(max(s.n_in, 2))
            lut += c.res_lut_out * s.n_out
            ff += c.res_ff_out * s.n_out
        lat = max(1, math.ceil(latency))
        ii = min(r, lat + 1) if constant else r
        bram = 0.0
        if not constant:
            # Resource strategy: weights in P banks of depth R. The reports show HLS keeping
            # banks below a full BRAM_18K in LUTs; larger ones take whole BRAMs.
            bank_bits = r * s.weight_bits
            if bank_bits > 18432:
                bram = float(mults * math.ceil(bank_bits / 36864))
        if s.kind == "conv" and s.positions > 1:
            lat = lat + (s.positions - 1) * ii
            ii = s.positions * ii
        return _row(s, lat, ii, round(dsp), round(lut), round(ff), bram)
    if s.kind == "softmax":
        n = s.n_out
        lat = math.ceil(c.softmax_lat_a + c.softmax_lat_b * math.log2(max(n, 2)))
        return _row(s, lat, 1, n, round(c.softmax_lut * n), round(c.softmax_ff * n), float(n))
    if s.kind == "table":
        # sigmoid, tanh, elu, ...: a 1024-entry lookup table; a dual-port ROM serves two elements.
        return _row(
            s,
            2,
            1,
            0,
            round(c.relu_lut * s.n_out * s.accum_bits / 8),
            round(s.n_out * s.accum_bits * 2),
            float(math.ceil(s.n_out / 2)),
        )
    if s.kind == "relu":
        return _row(
            s,
            1,
            1,
            0,
            round(c.relu_lut * s.n_out * s.accum_bits / 8),
            round(s.n_out * s.accum_bits),
            0.0,
        )
    if s.kind == "pool":
        return _row(
            s,
            2 + s.positions,
            s.positions,
            0,
            round(s.n_out * s.accum_bits * 2),
            round(s.n_out * s.accum_bits),
            0.0,
        )
    raise ValueError(f"unknown layer kind {s.kind!r}")


def _fifo(n: int, width: int) -> tuple[float, int]:
    """(BRAM_18K, LUT) of an hls4ml io_stream FIFO holding n elements of ``width`` bits."""
    bits = n * width
    if n > 64 and bits >= 1024:
        return float(math.ceil(bits / 18432)), 0
    return 0.0, math.ceil(bits / 32)  # SRL16/32 shift registers


def estimate_design(
    layers: list[LayerShape],
    family: str = "7series",
    max_size: int = 4096,
    io_type: str = "parallel",
    c: Coefficients = COEF,
) -> DesignEstimate:
    """Estimate a design from its layers, in order."""
    rows = [estimate_layer(s, family, max_size, io_type, c) for s in layers]
    bram = sum(r.bram for r in rows)
    lut = sum(r.lut for r in rows)
    if io_type == "stream":
        for s in layers:
            fb, fl = _fifo(s.n_out, s.accum_bits)
            bram += fb
            lut += fl
    latency = sum(r.latency_cycles for r in rows) + math.ceil(
        c.stage_overhead * max(len(rows) - 2, 0)
    )
    ii = max((r.ii for r in rows), default=1)
    if any(s.strategy == "resource" and s.kind in ("dense", "conv") for s in layers):
        # Resource-strategy layers are not overlapped across calls: a new input waits for the
        # whole design (II = latency in every report of the sample).
        ii = latency
    return DesignEstimate(
        latency_cycles=latency,
        ii=ii,
        dsp=sum(r.dsp for r in rows),
        lut=lut,
        ff=sum(r.ff for r in rows),
        bram=bram,
        layers=tuple(rows),
    )
