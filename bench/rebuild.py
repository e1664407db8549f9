"""Incremental rebuilds: how long `specc build` takes on an unchanged spec whose search has
finished, and how many trainings a budget-only change costs.

Builds examples/digits_mlp.cds with a small trial budget into a temporary folder (the first
build trains), then times complete `specc build` processes on the unchanged spec (target: under
3 s; nothing evaluated, nothing rewritten), then changes only a budget and counts the trainings
and rewritten files.

    python bench/rebuild.py [--trials N] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples" / "digits_mlp.cds"


def build(spec: Path, out: Path, trials: int) -> tuple[float, dict[str, object]]:
    cmd = [sys.executable, "-m", "specc", "build", str(spec), "--out", str(out)]
    cmd += ["--trials", str(trials), "--synth", "never", "--log-format", "json"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"specc build failed:\n{proc.stderr}")
    return seconds, json.loads(proc.stdout.splitlines()[-1])


def trainings(design: Path) -> int:
    return len(list((design / "trials").glob("*/model.keras")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / SPEC.name
        shutil.copy(SPEC, spec)
        out = Path(tmp) / "out"
        design = out / "digits_mlp"
        first, done = build(spec, out, args.trials)
        trained = trainings(design)
        print(f"first build: {first:.1f} s, {trained} trainings, {len(done['points'])} points")  # type: ignore[arg-type]
        times = []
        for _ in range(args.repeat):
            seconds, again = build(spec, out, args.trials)
            assert again["reused"] and again["written"] == 0, again
            times.append(seconds)
        print(
            f"no-op rebuild: median {statistics.median(times):.2f} s "
            f"(min {min(times):.2f}, max {max(times):.2f}, {args.repeat} runs; target < 3 s); "
            "0 trials evaluated, 0 files written"
        )
        text = spec.read_text()
        assert "dsp <= 220" in text
        spec.write_text(text.replace("dsp <= 220", "dsp <= 150"))
        seconds, changed = build(spec, out, args.trials)
        print(
            f"budget-only change (dsp <= 220 -> 150): {seconds:.2f} s, "
            f"{trainings(design) - trained} new trainings, re-used search: {changed['reused']}, "
            f"{changed['written']} files written, {len(changed['points'])} points"  # type: ignore[arg-type]
        )
        # The issue-13 case: a budget change and then more trials. Every recorded design is
        # told to the search first; only the extra designs are evaluated.
        front = _front(design)
        folders = trial_folders(design)
        spec.write_text(spec.read_text().replace("dsp <= 150", "dsp <= 180"))
        seconds, _ = build(spec, out, args.trials + 2)
        new_front = _front(design)
        kept = sum(k in new_front for k in front)
        print(
            f"budget change (dsp <= 150 -> 180) and --trials {args.trials + 2}: {seconds:.1f} s, "
            f"{len(trial_folders(design) - folders)} new designs evaluated, "
            f"{trainings(design) - trained} new trainings in all, previous Pareto points still "
            f"on the front: {kept} of {len(front)}, hypervolume {_hv(design)}"
        )
    return 0


def trial_folders(design: Path) -> set[str]:
    return {p.name for p in (design / "trials").iterdir() if not p.name.startswith(".")}


def _front(design: Path) -> set[str]:
    pareto = json.loads((design / "pareto.json").read_text())
    return {p["key"] for p in pareto["pareto"]}


def _hv(design: Path) -> float:
    return float(json.loads((design / "pareto.json").read_text())["hypervolume"])


if __name__ == "__main__":
    sys.exit(main())
