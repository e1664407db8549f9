"""Where the time of a trial goes, with the evaluation engine's re-use (warm worker, trained
models, compiled simulators, C-simulation results).

On examples/digits_mlp.cds, in a fresh output folder, on one warm worker:

- ``cold_s``: the first trial of a fresh build (worker start, imports, data, training, compile);
- ``warm_s`` / ``train_s``: median total and training time of later trials that train a new
  model (random points of the space, as a search draws them);
- ``non_training_share``: ``1 - train_s / warm_s``;
- ``hardware_variant_s``: median of trials that change only the reuse factor of a trained model
  (a knob that changes no value): model, compiled simulator and C-simulation result re-used;
- ``sim_miss_s``: median of trials that re-use a trained model but change its precision, so the
  firmware's simulator must be compiled and run.

    python bench/trial_cost.py [--new-models N] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from specc.compiler import load  # noqa: E402
from specc.evaluate.point import Scalar, resolve  # noqa: E402
from specc.evaluate.results import TrialResult  # noqa: E402
from specc.evaluate.trial import run_trial  # noqa: E402
from specc.evaluate.worker import Worker  # noqa: E402
from specc.ir.space import dimensions  # noqa: E402
from specc.options import Limits  # noqa: E402
from specc.search.space import configspace, to_point  # noqa: E402


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new-models", type=int, default=4, help="new-model trials to time")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    spec = load(ROOT / "examples" / "digits_mlp.cds")
    worker = Worker(Limits().memory_mb)
    results: dict[str, list[TrialResult]] = {"cold": [], "new": [], "variant": [], "miss": []}
    with tempfile.TemporaryDirectory(prefix="specc-bench-") as tmp:
        out = Path(tmp) / "digits_mlp"

        def trial(kind: str, point: dict[str, Scalar]) -> TrialResult:
            result = run_trial(spec, point, out, Limits(), "never", worker)
            if result.status != "ok":
                raise SystemExit(f"trial failed: {result.failure}")
            results[kind].append(result)
            if not args.json:
                print(f"  {kind:8s} {result.timings['total']:6.2f} s  reused {result.reused}")
            return result

        knobs = {d.name for d in dimensions(spec, include_fixed=True)}
        try:
            base = {k: v for k, v in resolve(spec, None).to_json().items() if k in knobs}
            trial("cold", {})
            space = configspace(spec, 1)
            for config in space.sample_configuration(args.new_models):
                trial("new", to_point(config))
            for rf in (2, 8, 16, 32):  # the default point has reuse factor 1
                trial("variant", {**base, "hls.reuse_factor": rf})
            for width, integer in ((10, 4), (14, 5), (16, 6)):
                point = {**base, "hls.precision.width": width, "hls.precision.integer": integer}
                trial("miss", point)
        finally:
            worker.stop()
    new = results["new"]
    warm = _median([r.timings["total"] for r in new])
    train = _median([r.timings.get("train", 0.0) for r in new])
    figures = {
        "cold_s": results["cold"][0].timings["total"],
        "warm_s": warm,
        "train_s": train,
        "non_training_share": round(1 - train / warm, 3),
        "hardware_variant_s": _median([r.timings["total"] for r in results["variant"]]),
        "sim_miss_s": _median([r.timings["total"] for r in results["miss"]]),
        "phases_new_model": {
            p: _median([r.timings.get(p, 0.0) for r in new])
            for p in ("data", "train", "convert", "compile", "simulate", "estimate")
        },
        "new_models_with_simulator_reused": sum("simulator" in r.reused for r in new),
        "new_models": len(new),
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print("digits_mlp on one warm worker (seconds):")
        for name, value in figures.items():
            print(f"  {name:34s} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
