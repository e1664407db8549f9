"""The search loop: ask a point, reject it a priori when its estimate breaks a budget, evaluate it
(through an evaluator: warm workers here, or a Dask cluster), tell the result, keep every record.

Three strategies share the loop: ``smac`` (SMAC3, ParEGO over the spec's objectives; Hyperband over
epochs when the spec gives a fidelity range), ``random`` (same budget, same evaluator), and
``separate`` (the classic two-step flow: tune model and training knobs for float error with the
hardware knobs at their defaults, then tune the hardware knobs of the best model).

SMAC is driven through ask/tell, never through its own Dask runner (see ../shared/STACK.md). Each
run starts SMAC afresh with the same seed and replays: finished trials come back from the trial
cache instantly and are told again in the same order, so a resumed run continues exactly where
the interrupted one stopped and, with one worker, two runs produce the same trials. SMAC's
proposals also depend on Python's hash seed (set iteration order), so processes must share one:
``specc build`` pins ``PYTHONHASHSEED=0``; callers of :func:`search` should do the same.
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
from specc.options import BuildOptions
from specc.search.executor import Evaluator, make_evaluator
from specc.search.feasibility import feasible_share, no_fit_note, penalty
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
        elapsed = result.timings.get("total", time.perf_counter() - p.started)
        base: dict[str, Any] = dict(
            index=len(records.items),
            key=result.key,
            point=result.point,
            seconds=elapsed,
            cached=result.cached,
            phase=phase,
        )
        if result.status == "failed":
            assert result.failure is not None
            rec = Record(
                status="failed",
                stage="evaluated",
                metrics=p.estimate,
                reason=f"{result.failure.category}: {result.failure.message}",
                **base,
            )
            proposer.tell(p.token, penalty(spec, p.estimate))
        else:
            broken = violations(spec, result.metrics)
            rec = Record(
                status="infeasible" if broken else "ok",
                stage="evaluated",
                metrics=result.metrics,
                reason="; ".join(broken),
                **base,
            )
            proposer.tell(
                p.token,
                penalty(spec, result.metrics)
                if broken and phase != "training"
                else costs_of(result.metrics),
            )
        _emit(records.add(rec), records, options)

    # ``n`` counts evaluated designs (trainings). Points the estimate rules out cost milliseconds
    # and do not use up the budget (HyperPower); they are capped so that a space with no
    # feasible point still ends.
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
                proposer.tell(token, penalty(spec, estimate))
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
            _separate(spec, n, seed, records, options, evaluator, full_costs, deadline, smac_dir)
        else:
            cs = configspace(spec, seed)
            proposer: Proposer = (
                RandomProposer(cs, s.fidelity_epochs)
                if s.algorithm == "random"
                else SmacProposer(cs, objectives, n, seed, smac_dir / "smac", s.fidelity_epochs)
            )
            _run_phase(
                spec,
                proposer,
                n,
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
    cs_hw = configspace(spec, seed + 1, only=("hls.",), fixed=fixed)
    n_hw = n - records.counts()["evaluated"]
    if n_hw <= 0 or not len(list(cs_hw.values())):
        return

    hw = FixedKnobs(
        SmacProposer(
            cs_hw,
            [o.metric for o in spec.objectives],
            n_hw,
            seed + 1,
            smac_dir / "smac-hardware",
            None,
        ),
        fixed,
    )
    _run_phase(spec, hw, n_hw, records, options, evaluator, "hardware", full_costs, True, deadline)
