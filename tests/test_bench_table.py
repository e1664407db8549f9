"""The search benchmark's table (bench/tables/table_digits.jsonl.gz) covers its spec's grid: every
design of bench/specs/table_digits.cds once, each with C-simulated accuracy and estimated
hardware, so a table search can never ask for a design the table lacks."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from build_table import SPEC, TABLE, grid, upgrade_point  # noqa: E402

from specc.compiler import load  # noqa: E402
from specc.evaluate.point import resolve  # noqa: E402


def test_the_table_holds_every_design_of_its_spec_once() -> None:
    spec = load(SPEC)
    with gzip.open(TABLE, "rt") as f:
        rows = [json.loads(line) for line in f]
    keys = [json.dumps(upgrade_point(r["point"]), sort_keys=True) for r in rows]
    assert len(set(keys)) == len(keys)
    expected = {json.dumps(resolve(spec, p).to_json(), sort_keys=True) for p in grid(spec)}
    assert set(keys) == expected
    for r in rows:
        assert r["status"] == "ok", r
        assert r["metrics"]["fixed_accuracy"][1] == "csim"
        assert r["metrics"]["float_accuracy"][1] == "keras"
        assert r["metrics"]["dsp"][1].startswith("estimate:")
