"""Search quality: hypervolume of smac, random and separate on a fixed digits spec, equal budgets.

For each seed, runs the three strategies with the same number of trials on
bench/specs/search_digits.cds (estimator hardware, so the figure measures the search, not the
tools), and prints each final hypervolume (reference point: pareto.py), the ratios to random, and
the trial at which smac first reaches random's final hypervolume. Trials are cached under the
output folder, so strategies that propose the same design share its evaluation.

    python bench/search_quality.py [--trials N] [--seeds 0 1 2] [--out out/bench-search]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from _runs import ROOT, pin_hash_seed, run

from specc.compiler import load

STRATEGIES = ("smac", "random", "separate")


def main() -> int:
    pin_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", default=str(ROOT / "out" / "bench-search"))
    parser.add_argument("--spec", default=str(ROOT / "bench" / "specs" / "search_digits.cds"))
    args = parser.parse_args()
    base = load(args.spec)
    table: dict[str, list[float]] = {s: [] for s in STRATEGIES}
    reach: list[str] = []
    for seed in args.seeds:
        curves = {}
        for strategy in STRATEGIES:
            t = time.perf_counter()
            records = run(base, strategy, Path(args.out) / f"{strategy}-s{seed}", args.trials, seed)
            # Hypervolume after each evaluated design (rejections cost no trial).
            curves[strategy] = [r.hypervolume for r in records.items if r.stage == "evaluated"]
            table[strategy].append(curves[strategy][-1] if curves[strategy] else 0.0)
            c = records.counts()
            print(
                f"seed {seed} {strategy:9s} hypervolume {table[strategy][-1]:.4f}  "
                f"({c['ok']} ok, {c['infeasible']} infeasible, {c['failed']} failed, "
                f"{time.perf_counter() - t:.0f} s)",
                flush=True,
            )
        target = curves["random"][-1]
        first = next(
            (i + 1 for i, hv in enumerate(curves["smac"]) if hv >= target and target > 0), None
        )
        reach.append(str(first) if first else "never")
    print(
        f"\n{len(args.seeds)} seeds x {args.trials} trials; mean hypervolume and ratio to random:"
    )
    rnd = statistics.mean(table["random"]) or float("nan")
    for s in STRATEGIES:
        mean = statistics.mean(table[s])
        print(f"  {s:9s} {mean:.4f}  x{mean / rnd:.2f}")
    print(
        f"trial at which smac first reaches random's final hypervolume, per seed: "
        f"{', '.join(reach)} (of {args.trials})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
