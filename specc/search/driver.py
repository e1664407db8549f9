"""The search loop: ask a point, reject it a priori when its estimate breaks a budget, evaluate it
(through an evaluator: warm workers here, or a Dask cluster), tell the result, keep every record.

Three strategies share the loop: ``smac`` (SMAC3, ParEGO over the spec's objectives; Hyperband over
epochs when the spec gives a fidelity range), ``random`` (same budget, same evaluator), and
``separate`` (the classic two-step flow: tune model and training knobs for float error with the
hardware knobs at their defaults, then tune the hardware knobs of the best model).

Budgets work inside SMAC's acquisition (:mod:`specc.search.acquisition`): candidates whose
estimate breaks a budget are never proposed, and a learned model of the budgets only a trial can
judge (fixed-point accuracy) weights the expected improvement.

Everything learned is kept: a search first records and tells the proposer every finished trial
of its space in ``out/<design>/trials/`` (:mod:`specc.search.history`), whatever goals,
trial count or seed produced it, then asks for new designs until ``trials`` designs are recorded.
So a resumed or changed search never evaluates a recorded design again, and with an empty cache
a fixed spec and seed give the same trials (with one worker). SMAC's proposals also depend on
Python's hash seed (set iteration order), so processes must share one: ``specc build`` pins
``PYTHONHASHSEED=0``; callers of :func:`search` should do the same. SMAC is driven through
ask/tell, never through its own Dask runner (see ../shared/STACK.md).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specc.evaluate.point import Scalar, resolve
from specc.evaluate.precheck import precheck
from specc.evaluate.results import Metric, TrialResult
from specc.ir import model as ir
from specc.ir.schema import MAX_SEED
from specc.options import BuildOptions
from specc.search.executor import Evaluator, make_evaluator
from specc.search.feasibility import feasible_share, no_fit_note, penalty
from specc.search.history import Past, history
from specc.search.pareto import badness
from specc.search.proposers import (
    Exhausted,
    FixedKnobs,
    Proposer,
    RandomProposer,
    SmacProposer,
)
from specc.search.records import Record, Records, violations
from specc.search.space import configspace

__all__ = ["feasible_share", "search"]

MAX_REJECTED_PER_TRIAL = 50


@dataclass
class _Pending:
    """A submitted point: what to tell the proposer when its result comes."""

    token: Any
    point: dict[str, Scalar]
    estimate: dict[str, Metric]
    started: float


def _record(
    spec: ir.Spec, result: TrialResult, estimate: dict[str, Metric], index: int, phase: str
) -> Record:
    """The record of an evaluated design (a failure keeps the estimate it was started with)."""
    base: dict[str, Any] = dict(
        index=index,
        key=result.key,
        point=result.point,
        seconds=result.timings.get("total", 0.0),
        cached=result.cached,
        phase=phase,
        stage="evaluated",
    )
    if result.status == "failed":
        assert result.failure is not None
        reason = f"{result.failure.category}: {result.failure.message}"
        return Record(status="failed", metrics=estimate, reason=reason, **base)
    broken = violations(spec, result.metrics)
    return Record(
        status="infeasible" if broken else "ok",
        metrics=result.metrics,
        reason="; ".join(broken),
        warning="; ".join(result.warnings),
        **base,
    )


def _told(
    spec: ir.Spec, record: Record, costs_of: Callable[[dict[str, Metric]], list[float]]
) -> tuple[list[float], bool]:
    """What the proposer is told of an evaluated design: its costs, and whether it met the
    budgets. A failure has no costs of its own: it is told a penalty. A design that broke a
    budget only a trial can judge is told its true costs; the feasibility model, not a made-up
    cost, keeps the search away from such designs (constrained expected improvement)."""
    if record.status == "failed":
        return penalty(spec, record.metrics), False
    return costs_of(record.metrics), record.status == "ok"


def _run_phase(
    spec: ir.Spec,
    proposer: Proposer,
    n: int,
    records: Records,
    options: BuildOptions,
    evaluator: Evaluator,
    phase: str,
    costs_of: Callable[[dict[str, Metric]], list[float]],
    use_precheck: bool,
    deadline: float | None,
) -> None:
    pending: dict[int, _Pending] = {}
    asked = 0

    def finish(p: _Pending, result: TrialResult) -> None:
        if "total" not in result.timings:
            result.timings["total"] = time.perf_counter() - p.started
        rec = _record(spec, result, p.estimate, len(records.items), phase)
        costs, feasible = _told(spec, rec, costs_of)
        proposer.tell(p.token, costs, feasible)
        _emit(records.add(rec), records, options)

    # ``n`` counts evaluated designs (trainings). Points the estimate rules out cost milliseconds
    # and do not use up the budget (HyperPower); they are capped so that a space with no
    # feasible point still ends. (SMAC's own candidates are filtered before it proposes them,
    # see specc.search.acquisition; random search and SMAC's rare fallbacks land here.)
    rejected = 0
    while asked < n or pending:
        while asked < n and len(pending) < evaluator.slots and not _past(deadline):
            if rejected >= MAX_REJECTED_PER_TRIAL * n:
                records.note = (
                    f"stopped after {rejected} points ruled out by the estimate; "
                    "the budgets may leave no feasible design"
                )
                break
            try:
                token, point = proposer.ask()
            except Exhausted:
                records.note = f"{phase}: every configuration of the space has been tried"
                n = asked  # nothing more to ask; let the pending trials finish
                break
            estimate = precheck(spec, point)
            broken = violations(spec, estimate) if use_precheck else []
            if not broken:
                asked += 1
            else:
                rejected += 1
                cfg = resolve(spec, point)
                proposer.tell(token, penalty(spec, estimate), None)
                rec = Record(
                    index=len(records.items),
                    key="",
                    status="infeasible",
                    stage="precheck",
                    point=cfg.to_json(),
                    metrics=estimate,
                    reason="; ".join(broken),
                    phase=phase,
                )
                _emit(records.add(rec), records, options)
                continue
            ticket = evaluator.submit(point)
            pending[ticket] = _Pending(token, point, estimate, time.perf_counter())
        if not pending and (_past(deadline) or rejected >= MAX_REJECTED_PER_TRIAL * n):
            break
        if pending:
            for ticket, result in evaluator.wait():
                finish(pending.pop(ticket), result)


def _remember(
    spec: ir.Spec,
    past: list[Past],
    proposer: Proposer | None,
    records: Records,
    options: BuildOptions,
    costs_of: Callable[[dict[str, Metric]], list[float]],
    phases: dict[str, str],
) -> int:
    """Record the history (designs not yet in the records) and tell it to the proposer; returns
    how many designs were added. A design keeps the phase a previous run recorded it under."""
    known = {r.key for r in records.items if r.key}
    added = 0
    for p in past:
        if p.result.key in known:
            continue
        phase = phases.get(p.result.key, "history")
        rec = _record(spec, p.result, {}, len(records.items), phase)
        rec.cached = True
        if proposer is not None:
            proposer.remember(p.point, *_told(spec, rec, costs_of))
        _emit(records.add(rec), records, options)
        added += 1
    return added


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.perf_counter() > deadline


def _emit(record: Record, records: Records, options: BuildOptions) -> None:
    if options.on_record is not None:
        options.on_record(record, records)


def search(
    spec: ir.Spec,
    options: BuildOptions,
    fingerprint: str = "",
    evaluator: Evaluator | None = None,
) -> Records:
    """Run the spec's search; returns every record (also written to ``out/<design>/``).

    Args:
        fingerprint: what the search depends on, kept in run.json (see :mod:`specc.build`).
        evaluator: where trials run (default: what the options ask for, see
            :func:`specc.search.executor.make_evaluator`); it is closed at the end.
    """
    s = spec.search
    n = options.trials_for(s.trials)
    seed = options.seed_for(s.seed)
    out_dir = options.out_root / spec.design
    prior = Records.load(spec, out_dir)
    # Every design evaluated before, under any goals, that belongs to this space (see history).
    past = history(spec, options, [r.key for r in prior.items if r.key] if prior else None)
    phases = {r.key: r.phase for r in prior.items if r.key} if prior else {}
    records = Records(spec, out_dir, fingerprint)
    records.write()
    if not options.force:
        # HyperPower's a-priori model, applied to the whole space before the first training:
        # when nothing fits, a search would only rule out point after point and end empty.
        fits, least = feasible_share(spec, seed=seed, first=True)
        if not fits:
            records.note = no_fit_note(spec, least)
            records.finished = True
            records.write()
            return records
    # SMAC's own output (run history with wall-clock times) is not a product: every run
    # replays from the trial cache, so it lives in a temporary folder.
    smac_dir = Path(tempfile.mkdtemp(prefix="specc-smac-"))
    deadline = time.perf_counter() + s.time_budget_s if s.time_budget_s else None
    objectives = [o.metric for o in spec.objectives]

    def full_costs(metrics: dict[str, Metric]) -> list[float]:
        return badness(spec, {k: m.value for k, m in metrics.items()})

    evaluator = evaluator or make_evaluator(spec, options)
    try:
        if s.algorithm == "separate":
            # The two-step flow replays its phases from the trial cache; the rest of the history
            # joins the records afterwards, so the Pareto set covers every recorded design.
            _separate(spec, n, seed, records, options, evaluator, full_costs, deadline, smac_dir)
            _remember(spec, past, None, records, options, full_costs, phases)
        else:
            cs = configspace(spec, seed)
            proposer: Proposer
            if s.algorithm == "random":
                proposer = RandomProposer(cs, s.fidelity_epochs)
            else:
                proposer = SmacProposer(
                    cs,
                    objectives,
                    max(n - len(past), 1),
                    seed,
                    smac_dir / "smac",
                    s.fidelity_epochs,
                    admissible=lambda point: not violations(spec, precheck(spec, point)),
                    history=len(past),
                )
            done = _remember(spec, past, proposer, records, options, full_costs, phases)
            _run_phase(
                spec,
                proposer,
                n - done,
                records,
                options,
                evaluator,
                s.algorithm,
                full_costs,
                True,
                deadline,
            )
    finally:
        evaluator.close()
        shutil.rmtree(smac_dir, ignore_errors=True)
        records.write()  # also when interrupted: every record so far, finished or not
    records.finished = True
    records.write()
    return records


def _separate(
    spec: ir.Spec,
    n: int,
    seed: int,
    records: Records,
    options: BuildOptions,
    evaluator: Evaluator,
    full_costs: Callable[[dict[str, Metric]], list[float]],
    deadline: float | None,
    smac_dir: Path,
) -> None:
    """The two-step flow: training knobs for float error first, then the best model's hardware."""
    fid = spec.search.fidelity_epochs
    n_train = max(n // 2, 1)
    cs_train = configspace(spec, seed, only=("model.", "train."))
    if len(list(cs_train.values())):
        train = SmacProposer(cs_train, ["float_error"], n_train, seed, smac_dir / "smac-train", fid)
        _run_phase(
            spec,
            train,
            n_train,
            records,
            options,
            evaluator,
            "training",
            lambda m: [m["float_error"].value],
            False,
            deadline,
        )
    done = [r for r in records.items if "float_error" in r.metrics and r.status != "failed"]
    best = min(done, key=lambda r: r.metrics["float_error"].value).point if done else {}
    fixed = {k: v for k, v in best.items() if k.startswith(("model.", "train."))}
    hw_seed = (seed + 1) % (MAX_SEED + 1)  # a seed of its own, still 32-bit
    cs_hw = configspace(spec, hw_seed, only=("hls.",), fixed=fixed)
    n_hw = n - records.counts()["evaluated"]
    if n_hw <= 0 or not len(list(cs_hw.values())):
        return

    hw = FixedKnobs(
        SmacProposer(
            cs_hw,
            [o.metric for o in spec.objectives],
            n_hw,
            hw_seed,
            smac_dir / "smac-hardware",
            None,
        ),
        fixed,
    )
    _run_phase(spec, hw, n_hw, records, options, evaluator, "hardware", full_costs, True, deadline)
