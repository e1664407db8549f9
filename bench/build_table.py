"""Build the search benchmark's table: every design of bench/specs/table_digits.cds, evaluated.

Every combination of the spec's knob values (hidden layers and widths, learning rate, l2,
precision, strategy, reuse factor) is evaluated once by specc's own evaluation engine (warm
workers, a trained model re-used by all its hardware variants, one compiled simulator per
firmware, C-simulation results shared across reuse factors), with estimator hardware. The result
is one JSON line per design, gzip-compressed, in bench/tables/table_digits.jsonl.gz:

    {"point": {knob: value, ...}, "status": "ok", "metrics": {metric: [value, provenance]}}

``point`` is the trial's full configuration (``resolve(spec, point).to_json()``), the key
bench/search_table.py looks designs up by. Two processes share the work (one per core), split by
architecture so that no model or firmware is built twice.

    python bench/build_table.py [--out bench/tables/table_digits.jsonl.gz] [--shards 2]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from specc.compiler import load  # noqa: E402
from specc.evaluate.point import Scalar, resolve  # noqa: E402
from specc.ir import model as ir  # noqa: E402
from specc.ir.space import dimensions  # noqa: E402

SPEC = ROOT / "bench" / "specs" / "table_digits.cds"
TABLE = ROOT / "bench" / "tables" / "table_digits.jsonl.gz"


# Knobs renamed or added since the table was measured, with the values it was trained
# under: no pruning (now a compress task), every epoch run, a constant learning rate.
_DROPPED = ("train.pruning_sparsity",)
_ADDED: dict[str, Scalar] = {"train.early_stopping": 0, "train.lr_schedule": "constant"}


def upgrade_point(point: dict[str, Scalar]) -> dict[str, Scalar]:
    """A table row's configuration in today's knob names (equal designs, equal keys)."""
    out = {k: v for k, v in point.items() if k not in _DROPPED}
    return dict(sorted({**_ADDED, **out}.items()))


def grid(spec: ir.Spec) -> list[dict[str, Scalar]]:
    """Every point of a spec whose searched knobs are all finite sets, in an order that keeps a
    trained model's hardware variants together (model and training knobs first)."""
    dims = dimensions(spec)
    for d in dims:
        if d.param.values() is None:
            raise SystemExit(f"{d.name} is a continuous range; the table needs a finite set")
    points = []
    seen = set()
    for combo in itertools.product(*(d.param.values() or [] for d in dims)):
        chosen: dict[str, Scalar] = {}
        for d, value in zip(dims, combo, strict=True):
            if d.depends_on is None or int(chosen[d.depends_on[0]]) >= d.depends_on[1]:
                chosen[d.name] = value
        full = json.dumps(resolve(spec, chosen).to_json(), sort_keys=True)
        if full not in seen:  # inactive layer knobs make duplicates
            seen.add(full)
            points.append(chosen)
    return points


def architecture_of(point: dict[str, Scalar]) -> str:
    return json.dumps({k: v for k, v in sorted(point.items()) if k.startswith("model.")})


def run_shard(shard: int, shards: int, out: Path) -> None:
    """Evaluate this shard's architectures on one warm worker; one JSON line per design."""
    from specc.evaluate.trial import run_trial
    from specc.evaluate.worker import Worker
    from specc.options import Limits

    spec = load(SPEC)
    archs = sorted({architecture_of(p) for p in grid(spec)})
    mine = set(archs[shard::shards])
    points = [p for p in grid(spec) if architecture_of(p) in mine]
    worker = Worker(Limits().memory_mb)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="specc-table-") as tmp, out.open("w") as f:
        try:
            for i, point in enumerate(points):
                r = run_trial(spec, point, Path(tmp) / spec.design, Limits(), "never", worker)
                row: dict[str, Any] = {
                    "point": resolve(spec, point).to_json(),
                    "status": r.status,
                    "metrics": {k: [m.value, m.provenance] for k, m in r.metrics.items()},
                }
                if r.failure is not None:
                    row["failure"] = r.failure.category
                f.write(json.dumps(row, sort_keys=True) + "\n")
                f.flush()
                if i % 100 == 0:
                    print(
                        f"shard {shard}: {i}/{len(points)} designs, "
                        f"{time.perf_counter() - started:.0f} s",
                        flush=True,
                    )
        finally:
            worker.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=TABLE)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--shard", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--part", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.shard is not None:
        run_shard(args.shard, args.shards, args.part)
        return 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="specc-table-parts-") as tmp:
        parts = [Path(tmp) / f"part{k}.jsonl" for k in range(args.shards)]
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--shards",
                    str(args.shards),
                    "--shard",
                    str(k),
                    "--part",
                    str(parts[k]),
                ]
            )
            for k in range(args.shards)
        ]
        if any(p.wait() != 0 for p in procs):
            raise SystemExit("a shard failed")
        rows = [line for part in parts for line in part.read_text().splitlines()]
    rows.sort()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", compresslevel=9) as f:
        f.write("\n".join(rows) + "\n")
    print(
        f"{len(rows)} designs in {args.out} ({args.out.stat().st_size / 1e6:.2f} MB), "
        f"{(time.perf_counter() - started) / 60:.1f} min"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
