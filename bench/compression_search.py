"""The default example searched with and without compression, at the same number of designs.

Variants of examples/digits_mlp.cds, identical but for a ``compress`` section:

- ``ptq``: the example as it is (post-training quantisation);
- ``qat``: with ``compress { prune { sparsity = 0..0.8; steps = 2; epochs = 3 }
  quantize { method = qat } }`` (magnitude pruning, then quantisation-aware training with
  HGQ2 quantisers at the searched ``ap_fixed<W, I>``);
- ``hgq``: the same with ``method = hgq; beta = 1e-6..1e-4 log`` (widths learned per weight).

Each is searched by specc's default strategy (SMAC) with estimator hardware for each seed. For
each run it prints the hypervolume (reference point: specc/search/pareto.py), the Pareto front
(fixed-point error, latency), how many evaluated designs broke a budget, and the estimated DSP
and LUT of the most accurate design within the budgets.

    python bench/compression_search.py [--trials 12] [--seeds 0 1 2] [--out out/bench-compress]
        [--variants ptq qat hgq] [--json]

``--json`` prints ``{"ptq": [{"seed": s, "hypervolume": x, "front": [[err, ns], ...],
"over_budget": n, "best": {"fixed_accuracy": x, "dsp": n, "lut": n}}, ...], "qat": [...]}``.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from pathlib import Path
from typing import Any

from _runs import ROOT, pin_hash_seed, run

from specc.compiler import load

COMPRESS = """
compress {
  prune {
    sparsity = 0..0.8
    steps = 2
    epochs = 3
  }
  quantize {
    method = qat
  }
}
"""


def variant(out: Path, name: str) -> Path:
    text = (ROOT / "examples" / "digits_mlp.cds").read_text()
    if name != "ptq":
        method = "qat" if name == "qat" else "hgq\n    beta = 1e-6..1e-4 log"
        compress = COMPRESS.replace("method = qat", f"method = {method}")
        text = re.sub(
            r"\n((?:#[^\n]*\n)*)hls \{",
            lambda m: compress.rstrip() + "\n\n" + m.group(1) + "hls {",
            text,
            count=1,
        )
    path = out / "specs" / f"{name}.cds"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def summary(records: Any, seed: int) -> dict[str, Any]:
    front = sorted(
        [r.metrics["fixed_error"].value, r.metrics["latency_ns"].value] for r in records.pareto()
    )
    feasible = records.feasible()
    best: dict[str, float] = {}
    if feasible:
        top = max(feasible, key=lambda r: r.metrics["fixed_accuracy"].value)
        best = {k: top.metrics[k].value for k in ("fixed_accuracy", "dsp", "lut")}
    counts = records.counts()
    return {
        "seed": seed,
        "hypervolume": round(records.hypervolume(), 4),
        "front": [[round(e, 4), round(ns, 1)] for e, ns in front],
        "evaluated": counts.get("evaluated", 0),
        "over_budget": counts.get("over_budget", 0),
        "best": best,
    }


def main() -> int:
    pin_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench-compress")
    parser.add_argument("--variants", nargs="+", default=["ptq", "qat"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, list[dict[str, Any]]] = {}
    for name in args.variants:
        spec = load(variant(args.out, name))
        for seed in args.seeds:
            records = run(spec, "smac", args.out / f"{name}-s{seed}", args.trials, seed)
            row = summary(records, seed)
            results.setdefault(name, []).append(row)
            if not args.json:
                print(f"{name} seed {seed}: {json.dumps(row)}", flush=True)
    if args.json:
        print(json.dumps(results))
    else:
        for name, rows in results.items():
            hv = [r["hypervolume"] for r in rows]
            print(f"{name}: hypervolume median {statistics.median(hv):.4f} ({hv})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
