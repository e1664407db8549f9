"""How far specc's estimator is from real HLS reports.

For every report in ../shared/data/synthesis/ that the estimator can model, prints estimate vs
report per metric, then per metric the median ratio (estimate / report) and the share of designs
within 1.5x. ``--fit`` refits the coefficients of specc/evaluate/estimate.py on the per-layer
reports of xc7z007s_mlps and prints them (paste them into ``Coefficients``).

    python bench/estimator_accuracy.py [--shared ../shared] [--fit] [--quiet]

What is modelled: the xc7z007s MLPs with DSP multipliers (18 designs; the LUT_* variants force
LUT multipliers with a pragma specc has no knob for), the xc7z020 Dense 16->5 (io_stream), the
hls4ml CI Dense/activation baselines (io_parallel and io_stream), and the wa-hls4ml resource-
strategy MLPs (their reuse factors snapped the way hls4ml snaps them).
"""

from __future__ import annotations

import argparse
import csv
import glob
import itertools
import json
import math
import re
import statistics
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from specc.evaluate.estimate import COEF, Coefficients, LayerShape, estimate_design  # noqa: E402
from specc.ir.layers import valid_reuse_factor  # noqa: E402

METRICS = ("latency_cycles", "ii", "dsp", "lut", "ff", "bram")


@dataclass
class Case:
    name: str
    layers: list[LayerShape]
    report: dict[str, float]
    family: str = "7series"
    io_type: str = "parallel"
    max_size: int = 4096


def _bits(t: str) -> int:
    m = re.search(r"fixed<(\d+)", t)
    return int(m.group(1)) if m else 16


def _xml(path: str) -> dict[str, float]:
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


def xc7z007s(shared: Path) -> tuple[list[Case], list[tuple[LayerShape, dict[str, float]]]]:
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
    cases, layer_rows = [], []
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
            shape = LayerShape(
                f"dense{i}",
                "dense",
                int(p["n_in"]),
                int(p["n_out"]),
                1,
                int(p["reuse_factor"]),
                "latency",
                _bits(types[(model, cfg, p["weight_t"])]),
                int(m.group(1)) if m else 16,
                _bits(types[(model, cfg, p["accum_t"])]),
                int(p["n_zeros"]),
            )
            layers.append(shape)
            layer_rows.append((shape, _xml(fn)))
            if i < len(dense) - 1:
                layers.append(LayerShape(f"relu{i}", "relu", n_out=int(p["n_out"]), accum_bits=8))
            else:
                layers.append(LayerShape("softmax", "softmax", n_out=int(p["n_out"])))
        report = {
            "latency_cycles": float(top["lat_worst"]),
            "ii": float(top["ii_max"]),
            "dsp": float(top["dsp"]),
            "lut": float(top["lut"]),
            "ff": float(top["ff"]),
            "bram": float(top["bram"]),
        }
        cases.append(Case(f"xc7z007s {model} {cfg}", layers, report))
    return cases, layer_rows


def xc7z020(shared: Path) -> list[Case]:
    rep = _xml(str(shared / "data/synthesis/xc7z020_report/myproject_csynth.xml"))
    layers = [LayerShape("fc1", "dense", 16, 5), LayerShape("relu1", "relu", n_out=5)]
    return [Case("xc7z020 dense16x5 io_stream", layers, rep, io_type="stream")]


def ci_baselines(shared: Path) -> list[Case]:
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
        report = {
            "latency_cycles": float(rep["WorstLatency"]),
            "ii": float(rep["IntervalMax"]),
            "dsp": float(rep.get("DSP", rep.get("DSP48E", 0))),
            "lut": float(rep["LUT"]),
            "ff": float(rep["FF"]),
            "bram": float(rep["BRAM_18K"]),
        }
        io = "stream" if "io_stream" in name else "parallel"
        if "test_dense_io" in name:
            # hls4ml test_keras_api.test_dense: Dense(2) on 1 input, ELU activation.
            layers = [LayerShape("dense", "dense", 1, 2), LayerShape("act", "table", n_out=2)]
        elif "test_activations" in name:
            act = name.rsplit("-", 1)[-1]
            # test_activations: Dense(64) on 1 input, then the activation.
            layers = [LayerShape("dense", "dense", 1, 64), LayerShape("act", kinds[act], n_out=64)]
        else:
            continue  # conv/pooling baselines: models the estimator does not cover yet
        cases.append(
            Case(
                f"ci {tool} {Path(path).parts[-2]} {name[15:]}",
                layers,
                report,
                family="ultrascale+",
                io_type=io,
            )
        )
    return cases


def _closest_valid(n_in: int, n_out: int, rf: int) -> int:
    valid = [r for r in range(1, n_in * n_out + 1) if valid_reuse_factor(n_in, n_out, r)]
    return min(valid, key=lambda v: (abs(v - rf), v))


def wa_hls4ml(shared: Path) -> list[Case]:
    cases = []
    for fname in ("2layer_first_page_77rows.csv", "3layer_first_page_74rows.csv"):
        for row in csv.DictReader(open(shared / "data/synthesis/wa_hls4ml_sample" / fname)):
            dims = [int(x) for x in row["model_string"].split("-")]
            bits, rf = int(row["prec"]), int(row["rf"])
            layers = []
            for i, (a, b) in enumerate(itertools.pairwise(dims)):
                layers.append(
                    LayerShape(
                        f"fc{i}",
                        "dense",
                        a,
                        b,
                        1,
                        _closest_valid(a, b, rf),
                        "resource",
                        bits,
                        bits,
                        bits,
                    )
                )
            report = {
                "latency_cycles": float(row["WorstLatency_hls"]),
                "ii": float(row["IntervalMax_hls"]),
                "dsp": float(row["DSP_hls"]),
                "lut": float(row["LUT_hls"]),
                "ff": float(row["FF_hls"]),
                "bram": float(row["BRAM_18K_hls"]),
            }
            cases.append(
                Case(
                    f"wa-hls4ml {row['model_string']} p{bits} rf{rf}",
                    layers,
                    report,
                    family="ultrascale+",
                )
            )
    return cases


def estimate(case: Case, coef: Coefficients = COEF) -> dict[str, float]:
    est = estimate_design(case.layers, case.family, case.max_size, case.io_type, coef)
    return {
        "latency_cycles": est.latency_cycles,
        "ii": est.ii,
        "dsp": est.dsp,
        "lut": est.lut,
        "ff": est.ff,
        "bram": est.bram,
    }


def _ratio(e: float, r: float) -> float | None:
    if r == 0 and e == 0:
        return 1.0
    if r == 0 or e == 0:
        return None  # one side zero: counted as outside 1.5x
    return e / r


def summarise(cases: list[Case], quiet: bool) -> None:
    per_metric: dict[str, list[float | None]] = {m: [] for m in METRICS}
    if not quiet:
        print(f"{'design':58s} " + " ".join(f"{m[:8]:>17s}" for m in METRICS))
    for case in cases:
        est = estimate(case)
        cells = []
        for m in METRICS:
            per_metric[m].append(_ratio(est[m], case.report[m]))
            cells.append(f"{est[m]:>8.0f}/{case.report[m]:<8.0f}")
        if not quiet:
            print(f"{case.name[:58]:58s} " + " ".join(cells))
    print(f"\n{len(cases)} designs; estimate/report per metric")
    print(f"{'metric':16s} {'median ratio':>12s} {'within 1.5x':>12s} {'n':>4s}")
    for m in METRICS:
        vals = per_metric[m]
        finite = [v for v in vals if v is not None]
        within = sum(1 for v in vals if v is not None and 1 / 1.5 <= v <= 1.5)
        med = statistics.median(finite) if finite else float("nan")
        print(f"{m:16s} {med:12.2f} {within / len(vals):12.0%} {len(vals):4d}")


def fit(layer_rows: list[tuple[LayerShape, dict[str, float]]], cases: list[Case]) -> Coefficients:
    import numpy as np
    from scipy.optimize import least_squares

    names = [
        "dsp_c8",
        "dsp_b8",
        "lut_mult",
        "lut_add",
        "lut_io",
        "lut_shared",
        "ff_add",
        "ff_io",
        "ff_shared",
        "lat_a",
        "lat_b",
        "lat_shared",
        "lat_unpartitioned",
    ]

    def coef_of(x: np.ndarray) -> Coefficients:
        return replace(COEF, **dict(zip(names, (float(v) for v in x), strict=True)))

    from specc.evaluate.estimate import estimate_layer

    def residuals(x: np.ndarray) -> np.ndarray:
        c = coef_of(np.abs(x))
        out = []
        for shape, rep in layer_rows:
            e = estimate_layer(shape, "7series", 4096, "parallel", c)
            for m, v in (
                ("dsp", e.dsp),
                ("lut", e.lut),
                ("ff", e.ff),
                ("latency_cycles", e.latency_cycles),
            ):
                out.append(math.log((v + 1) / (rep[m] + 1)))
        return np.array(out)

    x0 = np.array([getattr(COEF, n) for n in names])
    res = least_squares(residuals, x0, method="trf", diff_step=0.05, max_nfev=400)
    coef = coef_of(np.abs(res.x))
    print("fitted on", len(layer_rows), "dense layers; paste into Coefficients:")
    for n in names:
        print(f"    {n} = {getattr(coef, n):.4g}")
    return coef


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="only the summary")
    args = parser.parse_args()
    shared = Path(args.shared)
    if not (shared / "data/synthesis").is_dir():
        print(f"no reports under {shared}/data/synthesis", file=sys.stderr)
        return 1
    z007, layer_rows = xc7z007s(shared)
    if args.fit:
        fit(layer_rows, z007)
        return 0
    groups = {
        "xc7z007s MLPs (Vitis HLS 2021.1)": z007,
        "xc7z020 (Vivado HLS 2020.1)": xc7z020(shared),
        "hls4ml CI baselines": ci_baselines(shared),
        "wa-hls4ml resource MLPs": wa_hls4ml(shared),
    }
    for title, cases in groups.items():
        print(f"\n=== {title}")
        summarise(cases, args.quiet)
    print("\n=== all")
    summarise([c for cs in groups.values() for c in cs], True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
