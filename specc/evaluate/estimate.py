"""specc's own estimator of what hls4ml 1.3 + Vivado HLS / Vitis HLS make of a design, for when
no HLS tool is installed and for the search's a-priori check (no training needed).

The structure follows the code hls4ml generates (``nnet_utils``), layer by layer; only the
constants are fitted (``python bench/estimator_accuracy.py --fit`` writes them to
``estimator_coefficients.json`` beside this file, one set per HLS tool):

- **Dense, io_parallel, latency strategy** (``dense_latency``): ``nz`` non-zero products (HLS
  removes weights that quantise to zero: they are constants), ``P = ceil(nz / R)`` multipliers at
  reuse factor ``R``. At ``R <= 2`` HLS keeps one multiplication per product and maps a share of
  them, growing with the operand width, to DSPs (the rest become LUT shift-adds); above, the
  ``P`` shared multipliers are DSPs when the operands are wide enough. A product wider than the
  part's DSP (25x18 on 7-series, 27x18 on UltraScale) takes two. Latency is the multiplier and
  adder-tree depth (``log2 n_in`` adds) in nanoseconds over the clock period, plus ``R - 1``
  passes; II is ``min(R, latency + 1)``. A weight array larger than ``array_partition`` is left
  unpartitioned and read one word per cycle.
- **Dense, resource strategy** (``dense_resource``): ``ceil(n_in * n_out / R)`` multipliers fed
  from ``R``-deep weight banks (BRAM when a bank is deeper than LUT-RAM), latency ``R`` plus the
  accumulation; a resource-strategy design is not overlapped across inputs (II = latency).
- **Conv1D/Conv2D**: io_parallel with the latency strategy unrolls every output position; with
  the resource strategy (and always under io_stream) one kernel window is computed at a time,
  one output position after another (II = positions x R).
- **io_stream**: each layer is a dataflow stage that reads one pixel (all its channels) per beat:
  activations and pooling cost logic for one pixel's channels, not the whole tensor, and take a
  cycle per pixel; every stage is joined to the next by a FIFO as deep as the tensor has pixels
  (BRAM when deep and wide, else shift registers); the design's II is the slowest stage's.
- **Softmax** (``stable``): exp and inverse tables (BRAM, one read port pair per two classes), a
  multiplier per class; latency ``a + b log2 n``. Table activations (sigmoid, tanh, ...): a
  1024-entry table per two elements. ReLU: a comparator per element.

Numbers from here carry the provenance ``estimate:specc-<model>+<coefficients hash>``: the
hash changes whenever the fitted coefficients do, so cached estimates are never re-used as if
they were current, and they are never shown as synthesised.

Light module (standard library only): the a-priori check imports it.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from specc.evaluate.figures import HardwareFigures, LayerEstimate

__all__ = [
    "COEFFICIENTS_FILE",
    "MODEL",
    "PROVENANCE",
    "TOOLS",
    "Coefficients",
    "DesignEstimate",
    "LayerShape",
    "Target",
    "coefficients",
    "estimate_design",
    "estimate_layer",
    "estimate_raw",
]

#: The model's structure version: bump when the formulas change.
MODEL = "specc-2"
#: The HLS tools the estimator knows (the spec's ``hls.backend``).
TOOLS = ("vivado", "vitis")
COEFFICIENTS_FILE = Path(__file__).with_name("estimator_coefficients.json")


@dataclass(frozen=True)
class Coefficients:
    """The fitted constants (positive; the defaults are the priors the fit starts from and
    falls back to where the reports say nothing). ``*_ns`` are delays at the clock period,
    ``*_lut``/``*_ff`` per element of 16 bits unless said otherwise."""

    # DSP mapping: share of products on DSPs, a logistic in the narrower operand's width.
    dsp_mid_const: float = 9.0  # width at which half of the unrolled constant products use DSPs
    dsp_max_const: float = 0.95  # share at full width (the rest are LUT shift-adds)
    dsp_mid_shared: float = 7.0  # same for shared multipliers (R > 2, resource strategy)
    dsp_slope: float = 2.0  # logistic steepness (1/bits)
    # Dense/conv logic.
    lut_mult: float = 12.0  # LUTs per LUT-mapped 8x8 product (scaled by wb*ib/64)
    lut_add: float = 0.5  # LUTs per adder-tree bit
    lut_io: float = 1.0  # LUTs per input/output bit
    lut_mux: float = 1.0  # LUTs per product-input bit to share multipliers (R > 2)
    ff_add: float = 1.0  # FFs per adder-tree bit of a fully registered tree, at R = 1
    ff_reuse_exp: float = 0.3  # adder-tree registers shrink as R^-x
    ff_io: float = 2.0  # FFs per input/output bit
    ff_mult: float = 2.0  # FFs per shared-multiplier output bit
    # Latency (cycles; *_ns are delays, divided by the clock period).
    lat_base: float = 0.3
    lat_mult_ns: float = 4.0  # ns through a multiplier
    lat_add_ns: float = 1.5  # ns per adder-tree level
    lat_reuse: float = 0.3  # per extra pass of a shared multiplier (latency strategy)
    lat_unpartitioned: float = 0.3  # per input when the weights are not partitioned
    lat_stage: float = 0.5  # between chained layer functions
    # Resource strategy.
    res_lut_out: float = 100.0  # per output: accumulator, weight-index and control logic
    res_ff_out: float = 70.0
    res_lat_base: float = 5.0
    res_bram_layer: float = 1.0  # BRAM_18K per layer (accumulator/IO buffers)
    # Activations and pooling.
    relu_lut: float = 2.0  # per element bit
    relu_ff: float = 0.1
    relu_lat: float = 0.3
    table_lut: float = 2.0  # per element bit
    table_ff: float = 1.0
    table_lat: float = 2.0
    pool_lut: float = 1.5  # per compared/added bit
    pool_ff: float = 1.0  # per input bit of a window
    softmax_lut: float = 100.0  # per class
    softmax_ff: float = 100.0
    softmax_bram: float = 1.0  # per class
    softmax_lat_a: float = 4.0
    softmax_lat_b: float = 1.5
    # io_stream.
    stream_pixel: float = 1.0  # cycles per pixel a stage reads
    stream_lut: float = 20.0  # per stage: stream handshakes and control
    stream_ff: float = 10.0
    fifo_lut: float = 1.0  # per 32 FIFO bits held in shift registers
    # Whole-design scale of each resource (the tool's own habits).
    scale_dsp: float = 1.0
    scale_lut: float = 1.0
    scale_ff: float = 1.0

    def as_dict(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


def _read_coefficients() -> tuple[dict[str, Coefficients], str]:
    try:
        raw = json.loads(COEFFICIENTS_FILE.read_text())
    except FileNotFoundError:
        raw = {"model": MODEL, "tools": {}}
    known = {f.name for f in fields(Coefficients)}
    sets = {
        tool: Coefficients(**{k: v for k, v in raw["tools"].get(tool, {}).items() if k in known})
        for tool in TOOLS
    }
    payload = json.dumps(
        {"model": MODEL, "tools": {t: c.as_dict() for t, c in sets.items()}}, sort_keys=True
    )
    return sets, hashlib.sha256(payload.encode()).hexdigest()[:8]


_SETS, _HASH = _read_coefficients()
#: Where every estimated number comes from, with the coefficients' identity.
PROVENANCE = f"estimate:{MODEL}+{_HASH}"


def coefficients(tool: str) -> Coefficients:
    """The fitted coefficients of one HLS tool (``vivado`` or ``vitis``)."""
    return _SETS[tool if tool in _SETS else "vivado"]


@dataclass(frozen=True)
class Target:
    """What the design is built for: the HLS tool, the device family and the global knobs."""

    tool: str = "vivado"
    family: str = "7series"
    io_type: str = "parallel"
    max_size: int = 4096  # hls4ml's array_partition limit
    clock_ns: float = 5.0


@dataclass(frozen=True)
class LayerShape:
    """What the estimator needs to know about one hls4ml layer.

    Args:
        name: the layer's name (``fc1``, ``fc1_relu``, ``softmax``).
        kind: ``dense``, ``conv``, ``relu`` (elementwise activations: relu, leaky_relu),
            ``table`` (table-based activations: sigmoid, tanh, elu, ...), ``softmax``, ``pool``,
            ``pad`` (the zero padding hls4ml puts before a 'same' conv under io_stream).
        n_in, n_out: multiplication shape (Dense: inputs, outputs; Conv: channels x kernel,
            filters); for activations and pooling ``n_out`` is the output element count.
        positions: output positions (pixels) a conv, pool or activation computes.
        reuse: reuse factor; strategy: ``latency`` or ``resource``.
        weight_bits, input_bits, accum_bits: operand and accumulator (or result) widths.
        zeros: weights that are zero after quantisation (over all positions of a conv).
        in_positions: input pixels a stream stage reads (0: as many as it writes).
        window: elements one pooled output combines (the whole map for global pooling).
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
    in_positions: int = 0
    window: int = 1


@dataclass(frozen=True)
class DesignEstimate(HardwareFigures):
    """Whole-design figures (sums over layers; II the slowest stage's) and the per-layer rows."""

    layers: tuple[LayerEstimate, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Raw:
    """Unrounded figures (the fit needs them smooth)."""

    latency: float
    ii: float
    dsp: float
    lut: float
    ff: float
    bram: float


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 60.0), -60.0)))


def _dsp_per_product(wb: int, ib: int, family: str) -> int:
    a, b = (27, 18) if family != "7series" else (25, 18)
    lo, hi = sorted((wb, ib))
    return 1 if (lo <= b and hi <= a) else 2


def _registered(levels: float, depth: float) -> float:
    """Pipeline registers of an adder tree, per product bit: a ``depth``-cycle layer has
    ``depth - 1`` register cuts evenly spread over its ``levels``; a cut after level l holds
    the partial sums still live there, half as many each level (sum of q^k, q = 2^-levels/cuts).
    """
    cuts = max(depth - 1.0, 0.0)
    if cuts == 0:
        return 0.0
    q = 2.0 ** (-levels / cuts)
    return cuts if q >= 1 else q * (1 - q**cuts) / (1 - q)


def _mac(s: LayerShape, t: Target, c: Coefficients) -> Raw:
    """A dense layer, or one kernel window of a conv (``positions`` times in parallel when
    io_parallel unrolls them)."""
    unrolled_positions = (
        s.positions
        if (s.kind == "conv" and t.io_type == "parallel" and s.strategy != "resource")
        else 1
    )
    total = s.n_in * s.n_out
    resource = s.strategy == "resource"
    zeros = 0 if resource else s.zeros // max(s.positions, 1)
    nz = max(total - zeros, 1)
    r = max(s.reuse, 1)
    shared = resource or r > 2
    mults = math.ceil((total if resource else nz) / r)
    per = _dsp_per_product(s.weight_bits, s.input_bits, t.family)
    narrow = min(s.weight_bits, s.input_bits)
    share_const = min(c.dsp_max_const, 1.0) * _logistic(c.dsp_slope * (narrow - c.dsp_mid_const))
    share_shared = _logistic(c.dsp_slope * (narrow - c.dsp_mid_shared))
    dsp_const = nz * share_const
    dsp_mults = min(mults * share_shared, dsp_const) if shared else dsp_const
    lut_products = (mults if shared else nz) - dsp_mults
    scale = s.weight_bits * s.input_bits / 64
    # The latency strategy limits only the multipliers (an ALLOCATION pragma): every product
    # still has its adder; the resource strategy accumulates in a loop, one adder a multiplier.
    adder_bits = (mults if resource else nz) * s.accum_bits
    io_bits = s.n_in * s.input_bits + s.n_out * s.accum_bits
    lut = (
        c.lut_mult * lut_products * scale
        + c.lut_add * adder_bits
        + c.lut_io * io_bits
        + (c.lut_mux * nz * s.input_bits / r if shared and not resource else 0.0)
    )
    levels = math.log2(max(s.n_in, 1))
    # A DSP product takes the multiplier's delay; a LUT-mapped one grows with its width.
    mult_ns = c.lat_mult_ns * (share_const + (1 - share_const) * narrow / 16)
    depth = c.lat_base + (mult_ns + c.lat_add_ns * levels) / max(t.clock_ns, 0.5)
    ff = c.ff_add * adder_bits * _registered(levels, depth) * r ** (-c.ff_reuse_exp)
    ff += c.ff_io * io_bits
    if shared:
        ff += c.ff_mult * mults * s.accum_bits
    bram = 0.0
    if resource:
        latency = r + c.res_lat_base + depth
        # Per output: the accumulator, the weight-bank index and the loop control, nearly
        # independent of the width in the wa-hls4ml sample.
        lut += c.res_lut_out * s.n_out
        ff += c.res_ff_out * s.n_out
        bank_bits = r * s.weight_bits
        bram = c.res_bram_layer + (mults * math.ceil(bank_bits / 36864) if bank_bits > 18432 else 0)
        ii = float(r)
    else:
        latency = depth + c.lat_reuse * (r - 1)
        if total > t.max_size:
            latency = max(latency, c.lat_unpartitioned * s.n_in)
        ii = min(float(r), latency + 1)
    k = unrolled_positions
    raw = Raw(latency, ii, dsp_mults * per * k, lut * k, ff * k, bram)
    if s.kind == "conv" and unrolled_positions == 1 and s.positions > 1:
        # One window at a time: the positions follow each other (II per position).
        steps = max(s.in_positions, s.positions) if t.io_type == "stream" else s.positions
        per_step = max(ii, c.stream_pixel) if t.io_type == "stream" else ii
        raw = replace(raw, latency=latency + (steps - 1) * per_step, ii=steps * per_step)
    return raw


def _elementwise(s: LayerShape, t: Target, c: Coefficients) -> Raw:
    """Activations and pooling: logic for every element at once (io_parallel) or for one
    pixel's channels (io_stream, a pixel per cycle)."""
    stream = t.io_type == "stream"
    elems = s.n_out / max(s.positions, 1) if stream else float(s.n_out)
    bits = s.accum_bits
    steps = float(max(s.in_positions, s.positions)) if stream else 0.0
    if s.kind == "pad":
        # io_stream's zero padding before a 'same' conv: a copy stage, a pixel a beat.
        raw = Raw(0.0, 1.0, 0.0, c.relu_lut * elems * bits / 4, 0.0, 0.0)
    elif s.kind == "relu":
        raw = Raw(c.relu_lat, 1.0, 0.0, c.relu_lut * elems * bits, c.relu_ff * elems * bits, 0.0)
    elif s.kind == "table":
        raw = Raw(
            c.table_lat,
            1.0,
            0.0,
            c.table_lut * elems * bits,
            c.table_ff * elems * bits,
            math.ceil(elems / 2),
        )
    elif s.kind == "pool":
        # A global pool under io_stream accumulates one pixel a beat; a windowed one compares
        # (or adds) a whole window per output.
        window = 1 if (stream and s.positions == 1) else s.window
        work = elems * max(window - 1, 1) * bits
        ff = c.pool_ff * elems * window * bits
        # A comparator (or adder) level, timed like a ReLU's.
        raw = Raw(c.relu_lat, 1.0, 0.0, c.pool_lut * work, ff, 0.0)
    elif s.kind == "softmax":
        n = max(s.n_out, 1)
        lat = c.softmax_lat_a + c.softmax_lat_b * math.log2(max(n, 2))
        raw = Raw(lat, 1.0, float(n), c.softmax_lut * n, c.softmax_ff * n, c.softmax_bram * n)
    else:
        raise ValueError(f"unknown layer kind {s.kind!r}")
    if stream and steps > 1:
        raw = replace(raw, latency=raw.latency + steps * c.stream_pixel, ii=steps * c.stream_pixel)
    return raw


def _fifo(elems: int, pixels: int, width: int, c: Coefficients) -> tuple[float, float]:
    """(BRAM_18K, LUT) of the FIFO after an io_stream stage: ``pixels`` deep, one pixel's
    ``elems / pixels`` channels wide."""
    depth = max(pixels, 1)
    bits_wide = max(elems // depth, 1) * width
    if depth > 32 and depth * bits_wide > 1024:
        return float(math.ceil(bits_wide / 36) * math.ceil(depth / 512)), 0.0
    return 0.0, c.fifo_lut * depth * bits_wide / 32


def _scaled(r: Raw, c: Coefficients) -> Raw:
    """A row with the tool's resource scales applied (latency, II and BRAM are structural)."""
    return replace(r, dsp=r.dsp * c.scale_dsp, lut=r.lut * c.scale_lut, ff=r.ff * c.scale_ff)


def estimate_raw(layers: list[LayerShape], t: Target, c: Coefficients) -> tuple[Raw, list[Raw]]:
    """Unrounded figures (the fit's view): the whole design's, with the tool's resource scales
    applied, and each layer's structural ones (before the scales)."""
    rows = [_mac(s, t, c) if s.kind in ("dense", "conv") else _elementwise(s, t, c) for s in layers]
    stream = t.io_type == "stream"
    bram = sum(r.bram for r in rows)
    lut = sum(r.lut for r in rows)
    ff = sum(r.ff for r in rows)
    if stream:
        for s in layers:
            fb, fl = _fifo(
                s.n_out * (s.positions if s.kind in ("dense", "conv") else 1),
                s.positions,
                s.accum_bits,
                c,
            )
            bram += fb
            lut += fl + c.stream_lut
            ff += c.stream_ff
    stages = c.lat_stage * max(len(rows) - 1, 0)
    latency = sum(r.latency for r in rows) + stages
    ii = max((r.ii for r in rows), default=1.0)
    if any(s.strategy == "resource" and s.kind in ("dense", "conv") for s in layers) and not stream:
        # Resource-strategy layers are not overlapped across calls: a new input waits for the
        # whole design (II = latency in every report of the wa-hls4ml sample).
        ii = latency
    total = Raw(latency, ii, sum(r.dsp for r in rows), lut, ff, bram)
    return _scaled(total, c), rows


def _figures(r: Raw, name: str = "") -> LayerEstimate:
    """Rounded as HLS reports them; 0 cycles is a combinational design (HLS reports a lone
    ReLU so), BRAM in halves of a BRAM_18K."""
    return LayerEstimate(
        latency_cycles=max(0, math.ceil(r.latency - 0.5)),
        ii=max(1, math.ceil(r.ii - 1e-9)),
        dsp=round(r.dsp),
        lut=round(r.lut),
        ff=round(r.ff),
        bram=math.ceil(r.bram * 2 - 1e-9) / 2,
        name=name,
    )


def estimate_layer(
    s: LayerShape, target: Target | None = None, coef: Coefficients | None = None
) -> LayerEstimate:
    """The structural estimate for one layer on its own: its multipliers, logic and cycles
    before the tool's whole-design scales (no FIFO, no stage overhead)."""
    t = target or Target()
    c = coef or coefficients(t.tool)
    _, (row,) = estimate_raw([s], t, c)
    return _figures(row, s.name)


def estimate_design(
    layers: list[LayerShape], target: Target | None = None, coef: Coefficients | None = None
) -> DesignEstimate:
    """Estimate a design from its layers, in order, for ``target`` (default: Vivado HLS on a
    7-series part, io_parallel, 5 ns)."""
    t = target or Target()
    c = coef or coefficients(t.tool)
    total, rows = estimate_raw(layers, t, c)
    figures = _figures(total)
    return DesignEstimate(
        latency_cycles=figures.latency_cycles,
        ii=figures.ii,
        dsp=figures.dsp,
        lut=figures.lut,
        ff=figures.ff,
        bram=figures.bram,
        # The breakdown with the same scales as the total, so its rows add up to it.
        layers=tuple(_figures(_scaled(r, c), s.name) for s, r in zip(layers, rows, strict=True)),
    )
