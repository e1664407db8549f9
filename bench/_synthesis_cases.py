"""The real HLS reports of ../shared/data/synthesis/ as estimator cases: for each design, the
layers hls4ml generated (as :class:`LayerShape`), what it was built for (:class:`Target`) and
what the tool reported. One *source* is one folder of third-party reports (one project, one
person's flow); leave-one-source-out fits on all sources but one and tests on it.

Not modelled (skipped): the xc7z007s ``LUT_*`` variants (a pragma forces LUT multipliers, which
specc has no knob for), depthwise convolutions (no specc layer), oneAPI reports (no Xilinx tool).
"""

from __future__ import annotations

import csv
import glob
import itertools
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from specc.evaluate.estimate import LayerShape, Target
from specc.ir.layers import valid_reuse_factor

METRICS = ("latency_cycles", "ii", "dsp", "lut", "ff", "bram")


@dataclass
class Case:
    name: str
    source: str
    layers: list[LayerShape]
    report: dict[str, float]
    target: Target = field(default_factory=Target)


def _bits(t: str) -> int:
    m = re.search(r"fixed<(\d+)", t)
    return int(m.group(1)) if m else 16


def _xml(path: str | Path) -> dict[str, float]:
    root = ET.parse(path).getroot()
    lat = root.find("PerformanceEstimates/SummaryOfOverallLatency")
    res = root.find("AreaEstimates/Resources")
    assert lat is not None and res is not None

    def g(*names: str) -> float:
        for n in names:
            node = res.find(n)
            if node is not None and node.text:
                return float(node.text)
        return 0.0

    return {
        "latency_cycles": float(lat.findtext("Worst-caseLatency") or 0),
        "ii": float(lat.findtext("Interval-max") or 0),
        "dsp": g("DSP", "DSP48E"),
        "lut": g("LUT"),
        "ff": g("FF"),
        "bram": g("BRAM_18K"),
    }


def _report(row: dict[str, str], *columns: str) -> dict[str, float]:
    """A report's figures from its columns, named in the order of :data:`METRICS`."""
    return {m: float(row.get(col) or 0) for m, col in zip(METRICS, columns, strict=True)}


def _summary(row: dict[str, str]) -> dict[str, float]:
    return _report(row, "latency_max", "ii_max", "dsp", "lut", "ff", "bram_18k")


def xc7z007s(shared: Path) -> list[Case]:
    base = shared / "data/synthesis/xc7z007s_mlps"
    params = list(csv.DictReader(open(base / "DERIVED_dense_layer_params_from_parameters_h.csv")))
    types = {
        (r["model"], r["cfg"], r["typedef"]): r["type"]
        for r in csv.DictReader(open(base / "DERIVED_typedefs_from_defines_h.csv"))
    }
    tops = {
        (r["model"], r["cfg"]): r
        for r in csv.DictReader(open(base / "DERIVED_top_level_summary.csv"))
    }
    cases = []
    for (model, cfg), top in sorted(tops.items()):
        if not cfg.startswith("DSP_"):
            continue
        rep_dir = base / f"HLS_MLPs/{model}/hls4ml_prj/{cfg}/myproject_prj/solution1/syn/report"
        dense = [p for p in params if p["model"] == model and p["cfg"] == cfg]
        layers: list[LayerShape] = []
        for i, p in enumerate(dense):
            num = p["layer"].replace("config", "")
            (fn,) = glob.glob(str(rep_dir / f"dense_*config{num}_s_csynth.xml"))
            m = re.search(r"dense_latency_ap_u?fixed_(\d+)_", Path(fn).name)
            accum = _bits(types[(model, cfg, p["accum_t"])])
            layers.append(
                LayerShape(
                    f"dense{i}",
                    "dense",
                    int(p["n_in"]),
                    int(p["n_out"]),
                    reuse=int(p["reuse_factor"]),
                    weight_bits=_bits(types[(model, cfg, p["weight_t"])]),
                    input_bits=int(m.group(1)) if m else 16,
                    accum_bits=accum,
                    zeros=int(p["n_zeros"]),
                )
            )
            if i < len(dense) - 1:
                layers.append(LayerShape(f"relu{i}", "relu", n_out=int(p["n_out"]), accum_bits=8))
            else:
                layers.append(LayerShape("softmax", "softmax", n_out=int(p["n_out"])))
        report = _report(top, "lat_worst", "ii_max", "dsp", "lut", "ff", "bram")
        target = Target("vitis", "7series", "parallel", 4096, float(top["target_ns"]))
        cases.append(Case(f"xc7z007s {model} {cfg}", "xc7z007s_mlps", layers, report, target))
    return cases


def xc7z020(shared: Path) -> list[Case]:
    rep = _xml(shared / "data/synthesis/xc7z020_report/myproject_csynth.xml")
    layers = [LayerShape("fc1", "dense", 16, 5), LayerShape("relu1", "relu", n_out=5)]
    target = Target("vivado", "7series", "stream")
    return [Case("xc7z020 dense16x5 io_stream", "xc7z020_report", layers, rep, target)]


def ci_baselines(shared: Path) -> list[Case]:
    """hls4ml's own CI baselines (models of hls4ml's test_keras_api.py, default config:
    ap_fixed<16,6>, reuse 1, 5 ns; the parts are Alveo U250s)."""
    cases = []
    kinds = {
        "relu": "relu",
        "leaky_relu": "relu",
        "prelu": "relu",
        "elu": "table",
        "sigmoid": "table",
    }
    for path in sorted(glob.glob(str(shared / "data/synthesis/hls4ml_ci_baselines/*/*/*.json"))):
        name = Path(path).stem
        tool = Path(path).parts[-3]
        if tool == "oneAPI":
            continue
        rep = json.load(open(path))["CSynthesisReport"]
        dsp = "DSP" if "DSP" in rep else "DSP48E"
        report = _report(rep, "WorstLatency", "IntervalMax", dsp, "LUT", "FF", "BRAM_18K")
        io = "stream" if "io_stream" in name else "parallel"
        if "test_dense_io" in name:
            # test_dense: Dense(2) on 1 input, ELU activation.
            layers = [LayerShape("dense", "dense", 1, 2), LayerShape("act", "table", n_out=2)]
        elif "test_activations" in name:
            act = name.rsplit("-", 1)[-1]
            # test_activations: Dense(64) on 1 input, then the activation.
            layers = [LayerShape("dense", "dense", 1, 64), LayerShape("act", kinds[act], n_out=64)]
        elif "test_conv2d" in name:
            # test_conv2d: Conv2D(32, 4x4, stride 4, 'same') on 28x28x3 -> 7x7x32, Resource.
            layers = [LayerShape("conv", "conv", 48, 32, positions=49, strategy="resource")]
        elif "test_pooling" in name:
            # test_pooling: the pooling layer alone, pool 2, on (18, 15, 3) or (121, 3).
            two_d = name.endswith("2D")
            same = "-same-" in name
            if two_d:
                out = 9 * (8 if same else 7)
                window = 4
            else:
                out = 61 if same else 60
                window = 2
            layers = [LayerShape("pool", "pool", n_out=out * 3, positions=out, window=window)]
        else:
            continue  # depthwise convolutions: no specc layer
        version = Path(path).parts[-2]
        target = Target("vitis" if tool == "Vitis" else "vivado", "ultrascale+", io)
        source = f"hls4ml_ci_{tool.lower()}"
        cases.append(Case(f"ci {tool} {version} {name[15:]}", source, layers, report, target))
    return cases


def _closest_valid(n_in: int, n_out: int, rf: int) -> int:
    valid = [r for r in range(1, n_in * n_out + 1) if valid_reuse_factor(n_in, n_out, r)]
    return min(valid, key=lambda v: (abs(v - rf), v))


def wa_hls4ml(shared: Path) -> list[Case]:
    """The wa-hls4ml resource-strategy MLPs (reuse factors snapped the way hls4ml snaps them;
    the run folders say Vitis 2023.2; the part is not recorded, UltraScale+ assumed)."""
    cases = []
    for fname in ("2layer_first_page_77rows.csv", "3layer_first_page_74rows.csv"):
        for row in csv.DictReader(open(shared / "data/synthesis/wa_hls4ml_sample" / fname)):
            dims = [int(x) for x in row["model_string"].split("-")]
            bits, rf = int(row["prec"]), int(row["rf"])
            layers = [
                LayerShape(
                    f"fc{i}",
                    "dense",
                    a,
                    b,
                    reuse=_closest_valid(a, b, rf),
                    strategy="resource",
                    weight_bits=bits,
                    input_bits=bits,
                    accum_bits=bits,
                )
                for i, (a, b) in enumerate(itertools.pairwise(dims))
            ]
            report = _report(
                row,
                "WorstLatency_hls",
                "IntervalMax_hls",
                "DSP_hls",
                "LUT_hls",
                "FF_hls",
                "BRAM_18K_hls",
            )
            name = f"wa-hls4ml {row['model_string']} p{bits} rf{rf}"
            cases.append(Case(name, "wa_hls4ml", layers, report, Target("vitis", "ultrascale+")))
    return cases


def more_public(shared: Path) -> list[Case]:
    """The designs of more_public/ (each folder's SOURCE.md describes the model)."""
    base = shared / "data/synthesis/more_public"
    cases = []
    (row,) = csv.DictReader(open(base / "thaarres_dnd_hls4ml/DERIVED_summary.csv"))
    # QKeras 98 -> QDense(20, 6-bit) -> quantized_relu(6) -> QDense(1, 6-bit) -> sigmoid.
    layers = [
        LayerShape("fc1", "dense", 98, 20, weight_bits=6, input_bits=16),
        LayerShape("relu1", "relu", n_out=20, accum_bits=6),
        LayerShape("fc2", "dense", 20, 1, weight_bits=6, input_bits=6),
        LayerShape("sigmoid", "table", n_out=1),
    ]
    target = Target("vivado", "ultrascale+", "parallel")
    cases.append(
        Case("thaarres qkeras 98-20-1 6-bit", "thaarres_dnd_hls4ml", layers, _summary(row), target)
    )
    for row in csv.DictReader(open(base / "camillaMiao_Hls-and-bambu/DERIVED_summary.csv")):
        part = row["part"]
        target = Target("vivado", "7series", "parallel")
        cases.append(
            Case(
                f"camillaMiao dense16x4 {part}",
                "camillaMiao_Hls-and-bambu",
                [LayerShape("fc1", "dense", 16, 4)],
                _summary(row),
                target,
            )
        )
    (row,) = csv.DictReader(open(base / "seanlipps_ECE226_CoDesign/DERIVED_summary.csv"))
    # io_stream: 128x9 -> ZeroPad(1,1) -> Conv1D(k3, 16) -> ReLU -> GAP1D -> Dense 16->6 -> softmax.
    layers = [
        LayerShape("pad", "pad", n_out=130 * 9, positions=130, in_positions=128),
        LayerShape("conv1", "conv", 27, 16, positions=128, in_positions=130),
        LayerShape("relu1", "relu", n_out=128 * 16, positions=128),
        LayerShape("gap", "pool", n_out=16, positions=1, in_positions=128, window=128),
        LayerShape("fc1", "dense", 16, 6),
        LayerShape("softmax", "softmax", n_out=6),
    ]
    cases.append(
        Case(
            "seanlipps har conv1d io_stream",
            "seanlipps_ECE226_CoDesign",
            layers,
            _summary(row),
            Target("vitis", "ultrascale+", "stream"),
        )
    )
    (row,) = csv.DictReader(open(base / "Brainz22_L1JetTagger/DERIVED_summary.csv"))
    # 10x14 -> pointwise Conv1D 14->10 (RF 2) -> qrelu -> pointwise Conv1D 10->10 (RF 2) -> qrelu
    # -> GAP -> Dense 10->10 -> qrelu -> Dense 10->1 -> sigmoid; 8-bit weights; the QKeras
    # activations are tables (parameters.h: table_size 1024).
    layers = [
        LayerShape(
            "conv1", "conv", 14, 10, positions=10, reuse=2, weight_bits=8, input_bits=10, zeros=1150
        ),
        LayerShape("act1", "table", n_out=100, positions=10, accum_bits=8),
        LayerShape(
            "conv2", "conv", 10, 10, positions=10, reuse=2, weight_bits=8, input_bits=8, zeros=870
        ),
        LayerShape("act2", "table", n_out=100, positions=10, accum_bits=8),
        LayerShape("gap", "pool", n_out=10, window=10),
        LayerShape("fc1", "dense", 10, 10, weight_bits=8, zeros=93),
        LayerShape("act3", "table", n_out=10, accum_bits=8),
        LayerShape("fc2", "dense", 10, 1, weight_bits=8, input_bits=8, zeros=8),
        LayerShape("sigmoid", "table", n_out=1),
    ]
    cases.append(
        Case(
            "Brainz22 l1 jet tagger",
            "Brainz22_L1JetTagger",
            layers,
            _summary(row),
            Target("vivado", "ultrascale+", "parallel"),
        )
    )
    return cases


def all_cases(shared: Path) -> list[Case]:
    """Every modelled design of every source."""
    return [
        *xc7z007s(shared),
        *xc7z020(shared),
        *ci_baselines(shared),
        *wa_hls4ml(shared),
        *more_public(shared),
    ]
