"""Wall time of `specc check` on an example, as a whole process (target: < 0.5 s).

Runs the installed `specc` console script (or `python -m specc` when it is not on PATH) several
times and prints the median and the worst run. It also confirms that checking imported none of
tensorflow, hls4ml or smac.

    python bench/check_speed.py [SPEC] [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 0.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", default=str(ROOT / "examples" / "mnist_zynq.cds"))
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    exe = Path(sys.executable).with_name("specc")
    found = str(exe) if exe.exists() else shutil.which("specc")
    cmd = [found] if found else [sys.executable, "-m", "specc"]
    cmd += ["check", args.spec]

    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1

    probe = (
        "import sys, specc.cli\n"
        f"specc.cli.main(['check', {args.spec!r}])\n"
        "print(','.join(m for m in ('tensorflow', 'hls4ml', 'smac') if m in sys.modules))\n"
    )
    heavy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    # The probe prints the check's own "FILE: ok" line first, then the loaded heavy modules.
    lines = heavy.stdout.splitlines()
    loaded = lines[-1] if len(lines) > 1 else ""

    median = statistics.median(times)
    print(
        f"specc check {Path(args.spec).name}: median {median:.3f} s, worst {max(times):.3f} s "
        f"over {args.runs} runs (target < {TARGET_S} s)"
    )
    print(f"heavy modules imported: {loaded or 'none'}")
    return 0 if median < TARGET_S and not loaded else 1


if __name__ == "__main__":
    sys.exit(main())
