"""Seed 000's claim, checked: joint training + hardware search against the two-step flow.

Runs `smac` (joint: training and HLS knobs searched together, budgets checked a priori) and
`separate` (tune the model for float error with the hardware at its defaults, then tune the
hardware of the best model) on the same spec with the same number of evaluated designs, for
several seeds, with specc's estimator for the hardware (no HLS tool here). Prints, per seed, both
Pareto fronts in (fixed-point error, latency), the hypervolume of each (reference: pareto.py),
and the latency ratio at matched fixed-point error: for every point of the two-step front, the
lowest latency the joint search found at equal or lower fixed-point error, as
latency(separate) / latency(joint) (> 1: the joint search is faster at the same error).

    python bench/joint_vs_separate.py [--trials N] [--seeds 0 1 2] [--target PART]

`--target` swaps the spec's part (e.g. xcvu9p-flga2104-2L-e) and keeps everything else;
`--separate-neurons '32..128 step 32'` gives the two-step flow the narrower neuron range seed 000
fell back to when its first model did not fit. Trials are cached under --out, so a rerun prints
the same figures in seconds.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import time
from pathlib import Path

from _runs import ROOT, pin_hash_seed, run

from specc.compiler import check_text
from specc.search.feasibility import feasible_share
from specc.search.records import Record

FLOWS = ("smac", "separate")


def front(records: list[Record]) -> list[tuple[float, float]]:
    """The (fixed_error, latency_ns) Pareto front of the feasible records."""
    pts = sorted(
        (r.metrics["fixed_error"].value, r.metrics["latency_ns"].value)
        for r in records
        if r.status == "ok"
    )
    out: list[tuple[float, float]] = []
    for e, lat in pts:
        if not out or lat < out[-1][1]:
            out.append((e, lat))
    return out


def matched_ratios(sep: list[tuple[float, float]], joint: list[tuple[float, float]]) -> list[float]:
    """latency(separate) / latency(joint at <= the same fixed-point error), per separate point."""
    ratios = []
    for e, lat in sep:
        best = min((lj for ej, lj in joint if ej <= e), default=None)
        if best is not None:
            ratios.append(lat / best)
    return ratios


def gmean(xs: list[float]) -> float:
    return math.exp(statistics.mean(math.log(x) for x in xs)) if xs else float("nan")


def main() -> int:
    pin_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default=str(ROOT / "examples" / "mnist_zynq.cds"))
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--target", help="replace the spec's part with this one")
    parser.add_argument("--out", default=str(ROOT / "out" / "bench-joint"))
    parser.add_argument(
        "--force", action="store_true", help="search even when no sampled design fits"
    )
    parser.add_argument(
        "--separate-neurons",
        metavar="RANGE",
        help="the two-step flow's neuron range, e.g. '32..128 step 32' (seed 000's second "
        "iteration, after the first one's model did not fit); the joint flow keeps the spec's",
    )
    args = parser.parse_args()
    path = Path(args.spec)
    text = path.read_text()
    if args.target:
        lines = [
            f"target {args.target}" if ln.startswith("target ") else ln for ln in text.split("\n")
        ]
        text = "\n".join(lines)
    checked = check_text(text, str(path), path.parent)
    if checked.spec is None:
        sys.exit(f"{path}: the spec has errors; run specc check {path}")
    base = checked.spec
    two_step, tag = base, ""  # tag: the two-step flow's folder suffix when its range differs
    if args.separate_neurons:
        narrowed, found = re.subn(r"(?m)^(  neurons = ).*$", rf"\g<1>{args.separate_neurons}", text)
        checked = check_text(narrowed, str(path), path.parent)
        if not found or checked.spec is None:
            sys.exit(
                f"--separate-neurons {args.separate_neurons!r}: {path} has no model "
                "'neurons = ...' line to replace, or the result is not a valid spec"
            )
        two_step, tag = checked.spec, f"-n{args.separate_neurons.split()[0]}"
    label = f"{path.name} on {base.target.part}"
    ok, least = feasible_share(base)
    smallest = ", ".join(f"{m} {v:,.0f}" for m, v in sorted(least.items()))
    print(
        f"{label}: {ok} of 1000 random configurations fit the budgets by the estimate "
        f"(smallest estimates: {smallest})",
        flush=True,
    )
    if ok == 0 and not args.force:
        print("no sampled design fits: both flows can only end empty (--force searches anyway)")
        return 0
    print(f"{label}: {args.trials} evaluated designs per flow, seeds {args.seeds}", flush=True)
    summary: dict[str, list[object]] = {"hv_joint": [], "hv_separate": [], "ratio": []}
    for seed in args.seeds:
        fronts = {}
        for flow in FLOWS:
            t = time.perf_counter()
            spec, suffix = (base, "") if flow == "smac" else (two_step, tag)
            out = Path(args.out) / base.target.part / f"{flow}{suffix}-s{seed}"
            records = run(spec, flow, out, args.trials, seed, force=args.force)
            c = records.counts()
            fronts[flow] = front(records.items)
            hv = records.hypervolume()
            summary["hv_joint" if flow == "smac" else "hv_separate"].append(hv)
            print(
                f"seed {seed} {'joint' if flow == 'smac' else flow:8s} hypervolume {hv:.4f}; "
                f"{c['evaluated']} evaluated ({c['ok']} feasible, "
                f"{c['infeasible'] - c['ruled_out']} over budget, {c['failed']} failed), "
                f"{c['ruled_out']} ruled out a priori; {time.perf_counter() - t:.0f} s"
                + (f"; note: {records.note}" if records.note else ""),
                flush=True,
            )
            shown = ", ".join(f"({e:.3f}, {lat:,.0f} ns)" for e, lat in fronts[flow]) or "none"
            print(f"    front (fixed-point error, latency): {shown}", flush=True)
        ratios = matched_ratios(fronts["separate"], fronts["smac"])
        summary["ratio"].append(gmean(ratios) if ratios else None)
        print(
            "    latency ratio separate/joint at matched fixed-point error: "
            + (
                ", ".join(f"{r:.2f}x" for r in ratios) + f" (geometric mean {gmean(ratios):.2f}x)"
                if ratios
                else "no matched pair (a flow found no feasible design below the other's error)"
            ),
            flush=True,
        )
    hv_j = statistics.mean(summary["hv_joint"])  # type: ignore[arg-type]
    hv_s = statistics.mean(summary["hv_separate"])  # type: ignore[arg-type]
    ratios = [r for r in summary["ratio"] if r is not None]
    print(f"\n{label}, {len(args.seeds)} seeds x {args.trials} evaluated designs per flow:")
    print(
        f"  mean hypervolume joint {hv_j:.4f}, separate {hv_s:.4f}"
        + (f" (joint/separate {hv_j / hv_s:.2f}x)" if hv_s > 0 else "")
    )
    print(
        "  latency ratio separate/joint at matched fixed-point error (geometric mean per seed): "
        + (", ".join(f"{r:.2f}x" for r in ratios) if ratios else "none matched")  # type: ignore[str-format]
    )
    name = f"summary-separate{tag}" if tag else "summary"
    out = Path(args.out) / base.target.part / f"{name}.json"
    out.write_text(json.dumps({"spec": label, "trials": args.trials, **summary}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
