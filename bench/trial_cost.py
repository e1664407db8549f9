"""Where the time of one trial goes: data, train, convert, compile + simulate, estimate.

Runs fresh (uncached) digits trials of examples/digits_mlp.cds at its default point and prints
each phase's wall time, the process start-up (spawn + imports of TensorFlow and hls4ml), and the
share of the trial that is not training.

    python bench/trial_cost.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from specc.compiler import load  # noqa: E402
from specc.evaluate.trial import run_trial  # noqa: E402
from specc.options import Limits  # noqa: E402

PHASES = ("data", "train", "convert", "compile_and_simulate", "estimate")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    spec = load(ROOT / "examples" / "digits_mlp.cds")
    rows = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            result = run_trial(
                spec, None, Path(tmp) / "digits_mlp", Limits(1800, 8192), synth="never"
            )
        if result.status != "ok":
            print(f"trial failed: {result.failure}", file=sys.stderr)
            return 1
        rows.append(result.timings)
    print(f"digits_mlp default point, {args.repeat} fresh trials (median seconds):")
    med = {k: statistics.median(r.get(k, 0.0) for r in rows) for k in (*PHASES, "total")}
    startup = med["total"] - sum(med[p] for p in PHASES)
    for phase in PHASES:
        print(f"  {phase:22s} {med[phase]:7.2f}")
    print(f"  {'process start + imports':22s} {startup:7.2f}")
    print(f"  {'total':22s} {med['total']:7.2f}")
    share = 1 - med["train"] / med["total"]
    print(f"non-training share of a trial: {share:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
