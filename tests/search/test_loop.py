"""The search loop with a fake evaluator (no training, no compiler): what it counts, records and
tells, with one slot and with several, in milliseconds per trial."""

from __future__ import annotations

import itertools
from pathlib import Path

from specc.compiler import check_text
from specc.evaluate.point import Scalar, resolve
from specc.evaluate.precheck import precheck
from specc.evaluate.results import Metric, TrialResult
from specc.ir import model as ir
from specc.options import BuildOptions
from specc.search.driver import search

SPEC = """design loop
dataset digits
model mlp {
  hidden_layers = 1..2
  neurons = {8, 16, 32, 64}
}
hls {
  precision = ap_fixed<{6, 10, 16}, 4>
  reuse_factor = {1, 2, 4, 8}
}
target xc7z020clg400-1
objectives {
  minimize fixed_error, latency_ns
}
constraints {
  dsp <= 100
  fixed_accuracy >= 0.5
}
search {
  algorithm = random
  trials = 6
  seed = 3
}
"""


class FakeEvaluator:
    """Results at once, computed from the point: hardware by the estimator, accuracy that grows
    with the precision's width; ``slots`` at a time, returned last-submitted first."""

    def __init__(self, spec: ir.Spec, slots: int = 1):
        self.spec = spec
        self.slots = slots
        self.submitted: list[dict[str, Scalar]] = []
        self.waiting: list[tuple[int, TrialResult]] = []
        self.tickets = itertools.count()
        self.closed = False

    def submit(self, point: dict[str, Scalar]) -> int:
        assert len(self.waiting) < self.slots, "the loop submitted more than its slots"
        ticket = next(self.tickets)
        self.submitted.append(point)
        cfg = resolve(self.spec, point)
        width = int(cfg.get("hls.precision.width"))
        accuracy = min(0.3 + width * 0.04, 0.95)
        metrics = precheck(self.spec, point) | {
            "fixed_accuracy": Metric(value=accuracy, provenance="csim"),
            "fixed_error": Metric(value=1 - accuracy, provenance="csim"),
        }
        key = f"k{ticket:04d}"
        result = TrialResult(key=key, status="ok", point=cfg.to_json(), metrics=metrics)
        self.waiting.append((ticket, result))
        return ticket

    def wait(self) -> list[tuple[int, TrialResult]]:
        done, self.waiting = list(reversed(self.waiting)), []
        return done

    def close(self) -> None:
        self.closed = True


def _spec(text: str = SPEC) -> ir.Spec:
    result = check_text(text)
    assert result.spec is not None, result.diagnostics
    return result.spec


def test_the_loop_counts_evaluated_designs_and_records_every_point(tmp_path: Path) -> None:
    spec = _spec()
    fake = FakeEvaluator(spec)
    records = search(spec, BuildOptions(out_root=tmp_path, synth="never"), evaluator=fake)
    counts = records.counts()
    assert counts["evaluated"] == 6 == len(fake.submitted)
    assert fake.closed
    # Points the estimate rules out are recorded, never submitted.
    ruled_out = [r for r in records.items if r.stage == "precheck"]
    assert len(ruled_out) == counts["ruled_out"]
    assert all(r.status == "infeasible" and "dsp" in r.reason for r in ruled_out)
    # After the trial, budgets only a trial can judge are judged on its metrics.
    for r in records.items:
        if r.stage == "evaluated":
            broken = r.metrics["fixed_accuracy"].value < 0.5 or r.metrics["dsp"].value > 100
            assert (r.status == "infeasible") == broken
    assert {p.key for p in records.pareto()} <= {r.key for r in records.feasible()}
    assert (tmp_path / "loop" / "trials.csv").is_file()


def test_several_slots_fill_and_results_in_any_order_are_recorded(tmp_path: Path) -> None:
    spec = _spec()
    fake = FakeEvaluator(spec, slots=3)
    records = search(spec, BuildOptions(out_root=tmp_path, synth="never"), evaluator=fake)
    evaluated = [r for r in records.items if r.stage == "evaluated"]
    assert len(evaluated) == 6
    assert sorted(r.key for r in evaluated) == [f"k{i:04d}" for i in range(6)]


def test_the_same_seed_proposes_the_same_points(tmp_path: Path) -> None:
    spec = _spec()
    runs = []
    for name in ("a", "b"):
        fake = FakeEvaluator(spec)
        search(spec, BuildOptions(out_root=tmp_path / name, synth="never"), evaluator=fake)
        runs.append(fake.submitted)
    assert runs[0] == runs[1]
