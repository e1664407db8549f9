"""Evaluated designs per hour: this checkout's engine against an earlier commit's, side by side.

Runs the same search (examples/digits_mlp.cds, ``--trials`` evaluated designs, seed 0,
estimator hardware) with ``specc build`` from a ``git worktree`` of ``--baseline`` and from this
checkout, one after the other in this run, each into an empty output folder, and prints each
one's evaluated designs per hour and their ratio. Both use this checkout's virtual environment.

    python bench/throughput.py [--baseline REV] [--trials N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "08d0933"  # the engine before warm workers: a fresh process and a compile per trial


def _build(checkout: Path, out: Path, trials: int) -> dict[str, float]:
    """One ``specc build`` from ``checkout``'s sources: wall time and designs evaluated."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "specc", "build", "examples/digits_mlp.cds", "--trials",
         str(trials), "--out", str(out), "--synth", "never", "--log-format", "json"],
        cwd=checkout, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build in {checkout} failed:\n{proc.stderr[-2000:]}")
    done = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "seconds": round(wall, 1),
        "evaluated": done["evaluated"],
        "designs_per_hour": round(done["evaluated"] * 3600 / wall, 1),
        "hypervolume": done["hypervolume"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE, help="the earlier commit to compare")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="specc-throughput-") as tmp:
        old = Path(tmp) / "baseline"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "-q", str(old), args.baseline],
            cwd=ROOT, check=True,
        )  # fmt: skip
        try:
            figures = {
                "baseline": {"commit": args.baseline, **_build(old, Path(tmp) / "o1", args.trials)},
                "current": _build(ROOT, Path(tmp) / "o2", args.trials),
            }
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False
            )
    ratio = figures["current"]["designs_per_hour"] / figures["baseline"]["designs_per_hour"]
    figures["speedup"] = round(ratio, 2)
    if args.json:
        print(json.dumps(figures))
    else:
        for name in ("baseline", "current"):
            f = figures[name]
            print(
                f"{name:8s} {f['evaluated']} designs in {f['seconds']} s: "
                f"{f['designs_per_hour']} designs/hour (hypervolume {f['hypervolume']})"
            )
        print(f"speed-up: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
