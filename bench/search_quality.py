"""Search quality: hypervolume of specc's strategies (and Optuna's, on the table), equal budgets.

``--table``: on the table of bench/build_table.py (every design of bench/specs/table_digits.cds
evaluated once; a search looks results up instead of training, so it runs in minutes): specc's
default (``smac``), ``random``, ``separate``, and Optuna 5's TPE and NSGA-II samplers with their
``constraints_func``, 20 seeds x 100 evaluated designs. Prints, per strategy, the median number of
evaluated designs to reach random's median 100-design hypervolume, the median hypervolume at
25/50/100 designs, and the share of evaluated designs that break a budget (``--json``: one JSON
object, ``{"strategies": {"default": {"designs_to_random100": N, "hv": {"25": x, ...},
"budget_break_share": x}, ...}}``). Needs the ``bench`` extra (Optuna).

    python bench/search_quality.py --table [--json] [--seeds N] [--trials N] [--jobs 2]

Without ``--table``, the live benchmark (real trainings, the spec's continuous space): for each
seed, runs the three strategies with the same number of trials on
bench/specs/search_digits.cds (estimator hardware, so the figure measures the search, not the
tools), and prints each final hypervolume (reference point: pareto.py), the ratios to random, and
the trial at which smac first reaches random's final hypervolume. Trials are cached under the
output folder, so strategies that propose the same design share its evaluation.

    python bench/search_quality.py [--trials N] [--seeds 0 1 2] [--out out/bench-search]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

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
    parser.add_argument("--table", action="store_true", help="the table benchmark (see above)")
    parser.add_argument("--json", action="store_true", help="--table: print one JSON object")
    parser.add_argument("--jobs", type=int, default=2, help="--table: searches run at once")
    parser.add_argument("--strategies", nargs="+", help="--table: a subset of the strategies")
    args = parser.parse_args()
    if args.table:
        return table_main(args)
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


def _table_job(job: tuple[str, int, int]) -> tuple[str, int, list[Any], float]:
    from search_table import RUNNERS, SPEC

    strategy, seed, trials = job
    t = time.perf_counter()
    evaluated = RUNNERS[strategy](load(SPEC), seed, trials)
    return strategy, seed, evaluated, time.perf_counter() - t


def table_main(args: argparse.Namespace) -> int:
    from concurrent.futures import ProcessPoolExecutor

    from search_table import RUNNERS, SPEC, breaks, curve

    spec = load(SPEC)
    trials = args.trials if args.trials != 12 else 100  # 12 is the live benchmark's default
    seeds = list(range(20)) if args.seeds == [0, 1, 2] else args.seeds
    strategies = args.strategies or list(RUNNERS)
    jobs = [(s, seed, trials) for s in strategies for seed in seeds]
    curves: dict[str, list[list[float]]] = {s: [] for s in strategies}
    shares: dict[str, list[float]] = {s: [] for s in strategies}
    seconds: dict[str, float] = {s: 0.0 for s in strategies}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for strategy, seed, evaluated, took in pool.map(_table_job, jobs):
            c = curve(spec, evaluated)
            c += [c[-1] if c else 0.0] * (trials - len(c))  # a search that ended early
            curves[strategy].append(c)
            shares[strategy].append(breaks(spec, evaluated))
            seconds[strategy] += took
            print(
                f"{strategy:13s} seed {seed:2d}: hypervolume {c[-1]:.4f}, "
                f"{shares[strategy][-1]:.0%} break a budget ({took:.0f} s)",
                file=sys.stderr if args.json else sys.stdout,
                flush=True,
            )
    target = statistics.median(c[-1] for c in curves["random"]) if "random" in curves else 1.0
    out: dict[str, Any] = {}
    for s in strategies:
        reach = [next((i + 1 for i, hv in enumerate(c) if hv >= target), None) for c in curves[s]]
        ranked = sorted(r if r is not None else float("inf") for r in reach)
        med = statistics.median(ranked)
        out[s] = {
            "designs_to_random100": None if med == float("inf") else med,
            "hv": {
                str(k): round(statistics.median(c[k - 1] for c in curves[s]), 4)
                for k in (25, 50, 100)
                if k <= trials
            },
            "budget_break_share": round(statistics.median(shares[s]), 3),
            "reached_random100": sum(r is not None for r in reach),
            "seconds_per_search": round(seconds[s] / len(seeds), 1),
        }
    if args.json:
        print(json.dumps({"strategies": out, "seeds": len(seeds), "trials": trials}))
        return 0
    print(
        f"\n{len(seeds)} seeds x {trials} designs; random's median final hypervolume {target:.4f}"
    )
    print(
        f"{'strategy':13s} {'to random100':>12s} {'hv@25':>7s} {'hv@50':>7s} {'hv@100':>7s} "
        f"{'break':>6s}"
    )
    for s, f in out.items():
        hv = f["hv"]
        print(
            f"{s:13s} {f['designs_to_random100']!s:>12s} {hv.get('25', 0):7.4f} "
            f"{hv.get('50', 0):7.4f} {hv.get('100', 0):7.4f} {f['budget_break_share']:6.0%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
