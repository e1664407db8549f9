"""The search loop with a fake evaluator (no training, no compiler): what it counts, records and
tells, with one slot and with several, in milliseconds per trial."""

from __future__ import annotations

import itertools
from pathlib import Path

from specc.compiler import check_text
from specc.evaluate.point import Scalar, resolve
from specc.evaluate.precheck import precheck
from specc.evaluate.results import Metric, TrialResult
from specc.evaluate.trial import Prepared, TrialRunner
from specc.ir import model as ir
from specc.options import BuildOptions, Limits
from specc.search.driver import search
from specc.search.history import history

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
    assert all(r.status == "infeasible" for r in ruled_out)
    assert all("dsp" in r.reason or "of part xc7z020clg400-1" in r.reason for r in ruled_out)
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


class PublishingEvaluator(FakeEvaluator):
    """The fake's results, published into ``out/<design>/trials/<key>/`` by the real trial
    runner (real keys, real folders), as the warm workers would."""

    def __init__(self, spec: ir.Spec, out_root: Path):
        super().__init__(spec)
        self.runner = TrialRunner(spec, out_root / spec.design, Limits(), "never")

    def submit(self, point: dict[str, Scalar]) -> int:
        ticket = super().submit(point)
        prepared = self.runner.prepare(point)
        assert isinstance(prepared, Prepared), "a recorded design was evaluated again"
        fake = self.waiting.pop()[1]
        out = {"status": "ok", "metrics": {k: m.model_dump() for k, m in fake.metrics.items()}}
        self.waiting.append((ticket, self.runner.publish(prepared, out)))
        return ticket


def _smac(text: str = SPEC, **search: str) -> str:
    text = text.replace("algorithm = random", "algorithm = smac")
    for key, value in search.items():
        text = text.replace(f"  {key} = ", f"  {key} = {value} #")
    return text


def test_smac_never_proposes_a_design_the_estimate_rules_out(tmp_path: Path) -> None:
    spec = _spec(_smac())
    fake = FakeEvaluator(spec)
    records = search(spec, BuildOptions(out_root=tmp_path, synth="never"), evaluator=fake)
    assert len(fake.submitted) == 6
    # The DSP budget is applied to SMAC's candidates before one is chosen: no penalty
    # round-trips, no rejected proposals.
    assert records.counts()["ruled_out"] == 0
    assert all(precheck(spec, p)["dsp"].value <= 100 for p in fake.submitted)


def test_a_changed_search_tells_smac_everything_recorded_and_evaluates_only_new_designs(
    tmp_path: Path,
) -> None:
    first = _spec(_smac())
    fake = PublishingEvaluator(first, tmp_path)
    before = search(first, BuildOptions(out_root=tmp_path, synth="never"), evaluator=fake)
    assert len(fake.submitted) == 6
    # A new user's change: a budget, the seed, and more trials.
    text = _smac(trials="8", seed="11").replace("fixed_accuracy >= 0.5", "fixed_accuracy >= 0.6")
    second = _spec(text)
    fake2 = PublishingEvaluator(second, tmp_path)  # asserts no recorded design is submitted
    after = search(second, BuildOptions(out_root=tmp_path, synth="never"), evaluator=fake2)
    assert len(fake2.submitted) == 2
    evaluated = [r for r in after.items if r.stage == "evaluated"]
    assert len(evaluated) == 8
    assert [r.key for r in evaluated[:6]] == [r.key for r in before.items if r.key]
    assert all(r.cached and r.phase == "smac" for r in evaluated[:6])  # as first recorded
    # Earlier Pareto points that meet the new budgets are still on the front or dominated by
    # a new design; nothing recorded is lost.
    kept = {r.key for r in after.feasible()}
    for p in before.pareto():
        if p.metrics["fixed_accuracy"].value >= 0.6:
            assert p.key in kept


def test_history_ignores_trials_of_another_space(tmp_path: Path) -> None:
    # A part every design fits: the DSP budget alone decides, so the recorded designs hold both
    # small and large layers.
    base = _smac().replace("xc7z020clg400-1", "xcvu9p-flga2104-2L-e")
    first = _spec(base)
    recorded = search(
        first,
        BuildOptions(out_root=tmp_path, synth="never"),
        evaluator=PublishingEvaluator(first, tmp_path),
    )
    # A fixed knob changed (clock): every recorded key differs, nothing is history.
    other = _spec(
        base.replace(
            "reuse_factor = {1, 2, 4, 8}", "reuse_factor = {1, 2, 4, 8}\n  clock_period = 4 ns"
        )
    )
    assert history(other, BuildOptions(out_root=tmp_path, synth="never")) == []
    # A narrower space: exactly the trials whose knobs lie in it are history.
    narrow = _spec(base.replace("{8, 16, 32, 64}", "{8, 16}"))
    past = history(narrow, BuildOptions(out_root=tmp_path, synth="never"))
    widths = ("model.fc1.neurons", "model.fc2.neurons")
    inside = [r.key for r in recorded.items if all(r.point.get(k, 8) in (8, 16) for k in widths)]
    assert 0 < len(inside) < len(recorded.items)
    assert sorted(p.result.key for p in past) == sorted(inside)


def test_the_feasibility_model_learns_where_designs_break_a_trial_only_budget() -> None:
    from ConfigSpace import Categorical, ConfigurationSpace

    from specc.search.acquisition import FeasibilityModel, encode

    cs = ConfigurationSpace(seed=0)
    cs.add(
        [Categorical("width", [4, 6, 8, 10, 12, 16], ordered=True), Categorical("rf", [1, 2, 4])]
    )
    model = FeasibilityModel(seed=0)
    configs = list(cs.sample_configuration(40))
    assert (model.probability(encode(configs)) == 1.0).all()  # nothing learned yet
    for c in configs:
        model.add(c, feasible=c["width"] >= 8)
    p = model.probability(encode(configs))
    low = [pi for c, pi in zip(configs, p, strict=True) if c["width"] < 8]
    high = [pi for c, pi in zip(configs, p, strict=True) if c["width"] >= 8]
    assert max(low) < 0.5 < min(high)


def test_smac_learns_a_trial_only_budget_and_stops_breaking_it(tmp_path: Path) -> None:
    # Only 16-bit designs reach 0.75 (the fake's accuracy grows with the width): a third of
    # the space, and the estimate cannot tell which. Once the feasibility model has seen both
    # kinds, proposals stay feasible (random search would break the budget two times in three).
    text = (
        _smac(trials="16")
        .replace("fixed_accuracy >= 0.5", "fixed_accuracy >= 0.75")
        .replace("dsp <= 100", "latency_ns <= 1000 us")
        # A part every design of the space fits (the part is a budget of its own).
        .replace("xc7z020clg400-1", "xcvu9p-flga2104-2L-e")
    )
    spec = _spec(text)
    fake = FakeEvaluator(spec)
    records = search(spec, BuildOptions(out_root=tmp_path, synth="never"), evaluator=fake)
    evaluated = [r for r in records.items if r.stage == "evaluated"]
    assert len(evaluated) == 16
    late = evaluated[8:]
    assert sum(r.status == "ok" for r in late) >= 6, [r.point for r in late]


def test_the_part_is_a_budget_even_when_the_spec_sets_none(tmp_path: Path) -> None:
    # No LUT or DSP budget, a small part, a space whose large designs do not fit it: those are
    # ruled out (random search records them, naming the resource and the part), never "ok".
    text = (
        SPEC.replace("  dsp <= 100\n", "")
        .replace("xc7z020clg400-1", "xc7z007sclg225-2")
        .replace("{8, 16, 32, 64}", "{16, 64, 256}")
    )
    spec = _spec(text)
    fake = FakeEvaluator(spec)
    records = search(spec, BuildOptions(out_root=tmp_path, synth="never"), evaluator=fake)
    over = [r for r in records.items if "of part xc7z007sclg225-2" in r.reason]
    assert over, "the space should hold designs larger than an xc7z007s"
    assert all(r.status == "infeasible" for r in over)
    for r in records.feasible():
        assert r.metrics["lut"].value <= 14_400 and r.metrics["dsp"].value <= 66
    assert not any(r.status == "ok" for r in over)
