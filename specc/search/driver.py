"""The search loop: ask a point, reject it a priori when its estimate breaks a budget, evaluate it
(here or on a Dask cluster), tell the result, keep every record.

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

import contextlib
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from specc.evaluate.point import Scalar, resolve
from specc.evaluate.precheck import precheck
from specc.evaluate.results import Metric, TrialResult
from specc.evaluate.trial import run_trial
from specc.ir import model as ir
from specc.metrics import METRICS
from specc.options import BuildOptions, Limits, Synth
from specc.search.pareto import badness
from specc.search.records import OPS, Record, Records, violations
from specc.search.space import configspace, to_point

__all__ = ["feasible_share", "search"]

PENALTY_CAP = 4.0
MAX_REJECTED_PER_TRIAL = 50
PROBE_SAMPLES = 1000  # random configurations estimated before a search (about 2 ms each)


class _Proposer(Protocol):
    def ask(self) -> tuple[Any, dict[str, Scalar]]: ...
    def tell(self, token: Any, costs: list[float]) -> None: ...


@contextlib.contextmanager
def _quiet_numpy() -> Iterator[None]:
    """SMAC's surrogate takes means of empty slices early in a run; numpy's RuntimeWarnings about
    it are SMAC internals, not something a user can act on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


class _Exhausted(Exception):
    """The proposer has no configuration left to ask (the space is smaller than the budget)."""


def _never_called(config: Any, seed: int = 0, budget: float | None = None) -> float:
    raise RuntimeError("specc drives SMAC through ask/tell")


class _Smac:
    def __init__(
        self,
        cs: Any,
        objectives: list[str],
        n_trials: int,
        seed: int,
        out_dir: Path,
        fidelity: ir.IntRange | None,
    ):
        from smac import HyperparameterOptimizationFacade as HPO
        from smac import MultiFidelityFacade as MF
        from smac import Scenario
        from smac.multi_objective.parego import ParEGO

        self.multi = len(objectives) > 1
        budgets: dict[str, Any] = {}
        if fidelity is not None:
            budgets = {"min_budget": fidelity.lo, "max_budget": fidelity.hi}
        scenario = Scenario(
            cs,
            name="smac",
            output_directory=out_dir,
            deterministic=True,
            n_trials=n_trials,
            seed=seed,
            objectives=objectives if self.multi else "cost",
            **budgets,
        )
        facade: Any = MF if fidelity is not None else HPO
        n_init = max(2, min(n_trials // 4, 8))  # of the evaluated budget, not of the asks
        intensifier: Any
        if fidelity is not None:
            # ParEGO with the default intensifier asserts under multi-fidelity (STACK.md).
            intensifier = MF.get_intensifier(scenario, incumbent_selection="highest_budget")
        else:
            intensifier = HPO.get_intensifier(scenario, max_config_calls=1)
        self.smac = facade(
            scenario,
            _never_called,
            initial_design=facade.get_initial_design(scenario, n_configs=n_init),
            intensifier=intensifier,
            multi_objective_algorithm=ParEGO(scenario) if self.multi else None,
            overwrite=True,
            logging_level=40,
        )

    def ask(self) -> tuple[Any, dict[str, Scalar]]:
        from smac.main.exceptions import ConfigurationSpaceExhaustedException

        try:
            with _quiet_numpy():
                info = self.smac.ask()
        except ConfigurationSpaceExhaustedException:
            raise _Exhausted from None
        point = to_point(info.config)
        if info.budget is not None:
            point["train.epochs"] = round(info.budget)
        return info, point

    def tell(self, token: Any, costs: list[float]) -> None:
        from smac.runhistory.dataclasses import TrialValue

        with _quiet_numpy():
            self.smac.tell(token, TrialValue(cost=costs if self.multi else costs[0]))


class _Random:
    def __init__(self, cs: Any, fidelity: ir.IntRange | None):
        self.cs = cs
        self.epochs = fidelity.hi if fidelity is not None else None

    def ask(self) -> tuple[Any, dict[str, Scalar]]:
        point = to_point(self.cs.sample_configuration())
        if self.epochs is not None:
            point["train.epochs"] = self.epochs
        return None, point

    def tell(self, token: Any, costs: list[float]) -> None:
        pass


def feasible_share(
    spec: ir.Spec, n: int = PROBE_SAMPLES, seed: int = 0, first: bool = False
) -> tuple[int, dict[str, float]]:
    """How many of ``n`` random configurations pass the a-priori estimate, and the smallest
    estimate of each budgeted metric over them. No training: milliseconds per configuration.
    With ``first``, stop at the first configuration that passes."""
    ok, least = 0, dict[str, float]()
    for config in configspace(spec, seed).sample_configuration(n):
        metrics = precheck(spec, to_point(config))
        if not violations(spec, metrics):
            ok += 1
            if first:
                break
        for c in spec.constraints:
            if c.metric in metrics:
                least[c.metric] = min(least.get(c.metric, float("inf")), metrics[c.metric].value)
    return ok, least


def _no_fit_note(spec: ir.Spec, least: dict[str, float]) -> str:
    """Why the search did not start: the budgets no sampled configuration can meet."""
    broken = [
        f"{c.metric} {least[c.metric]:,.0f} against {c.op} {c.value:,.0f}"
        for c in spec.constraints
        if c.metric in least and not OPS[c.op](least[c.metric], c.value)
    ]
    return (
        f"not searched: none of {PROBE_SAMPLES} random configurations fits the budgets by "
        f"the estimate (smallest estimates: {'; '.join(broken)}); relax a budget, choose a "
        "larger part, or narrow the space toward smaller models and larger reuse factors "
        "(specc build --force searches anyway)"
    )


def _excess(spec: ir.Spec, metrics: dict[str, Metric]) -> float:
    """How far the metrics break the budgets, as a sum of relative excesses (0 when feasible)."""
    total = 0.0
    for c in spec.constraints:
        m = metrics.get(c.metric)
        if m is None or OPS[c.op](m.value, c.value):
            continue
        scale = max(abs(c.value), 1e-9)
        total += abs(m.value - c.value) / scale
    return total


def _penalty(spec: ir.Spec, metrics: dict[str, Metric]) -> list[float]:
    """Costs told for an infeasible or failed point: the worst possible accuracy, the estimated
    (or measured) hardware, all scaled up by how far the budgets are broken, so the surrogate
    learns where the feasible region is instead of seeing a flat wall (HyperPower's idea)."""
    worst: dict[str, float] = {}
    for obj in spec.objectives:
        m = METRICS[obj.metric]
        measured = metrics.get(obj.metric)
        if m.hardware and measured is not None:
            worst[obj.metric] = measured.value
        else:
            worst[obj.metric] = m.worst if m.kind == "ratio" else 1e12
    factor = 1.0 + _excess(spec, metrics)
    return [min(max(b, 0.05) * factor, PENALTY_CAP) for b in badness(spec, worst)]


def _evaluate(
    spec_json: str, point: dict[str, Scalar], out_dir: str, limits: Limits, synth: Synth
) -> str:
    """One trial, as a plain function of picklable arguments (runs on Dask workers too)."""
    spec = ir.Spec.model_validate_json(spec_json)
    return run_trial(spec, point, Path(out_dir), limits, synth).model_dump_json()


class _Executor:
    """Evaluates trials here (one at a time) or on a Dask cluster (several at once)."""

    def __init__(self, options: BuildOptions):
        self.client: Any = None
        self.cluster: Any = None
        self.slots = 1
        if options.scheduler or options.workers > 1:
            import dask
            from dask.distributed import Client, LocalCluster

            # Trials start their own process; Dask's daemonic workers could not.
            dask.config.set({"distributed.worker.daemon": False})
            if options.scheduler:
                self.client = Client(options.scheduler)
                self.slots = max(len(self.client.scheduler_info().get("workers", {})), 1)
            else:
                self.cluster = LocalCluster(
                    n_workers=options.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
                self.client = Client(self.cluster)
                self.slots = options.workers

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


@dataclass
class _Pending:
    token: Any
    point: dict[str, Scalar]
    estimate: dict[str, Metric]
    started: float
    future: Any = None


def _run_phase(
    spec: ir.Spec,
    proposer: _Proposer,
    n: int,
    records: Records,
    options: BuildOptions,
    executor: _Executor,
    phase: str,
    costs_of: Callable[[dict[str, Metric]], list[float]],
    use_precheck: bool,
    deadline: float | None,
) -> None:
    spec_json = spec.model_dump_json()
    out_dir = records.out_dir
    pending: list[_Pending] = []
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
            proposer.tell(p.token, _penalty(spec, p.estimate))
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
                _penalty(spec, result.metrics)
                if broken and phase != "training"
                else costs_of(result.metrics),
            )
        _emit(records.add(rec), records, options)

    # ``n`` counts evaluated designs (trainings). Points the estimate rules out cost milliseconds
    # and do not use up the budget (HyperPower); they are capped so that a space with no
    # feasible point still ends.
    rejected = 0
    while asked < n or pending:
        while asked < n and len(pending) < executor.slots and not _past(deadline):
            if rejected >= MAX_REJECTED_PER_TRIAL * n:
                records.note = (
                    f"stopped after {rejected} points ruled out by the estimate; "
                    "the budgets may leave no feasible design"
                )
                break
            try:
                token, point = proposer.ask()
            except _Exhausted:
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
                proposer.tell(token, _penalty(spec, estimate))
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
            p = _Pending(token, point, estimate, time.perf_counter())
            if executor.client is None:
                finish(p, run_trial(spec, point, out_dir, options.limits, options.synth))
            else:
                p.future = executor.client.submit(
                    _evaluate,
                    spec_json,
                    point,
                    str(out_dir),
                    options.limits,
                    options.synth,
                    pure=False,
                )
                pending.append(p)
        if not pending and (_past(deadline) or rejected >= MAX_REJECTED_PER_TRIAL * n):
            break
        if pending:
            from dask.distributed import wait

            done, _ = wait([p.future for p in pending], return_when="FIRST_COMPLETED")
            for p in [p for p in pending if p.future in done]:
                pending.remove(p)
                finish(p, _result_of(p))


def _result_of(p: _Pending) -> TrialResult:
    try:
        return TrialResult.model_validate_json(p.future.result())
    except Exception as err:
        return TrialResult(
            key="",
            status="failed",
            point=p.point,
            failure={"category": "crash", "message": f"worker: {err}"},
        )  # type: ignore[arg-type]


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.perf_counter() > deadline


def _emit(record: Record, records: Records, options: BuildOptions) -> None:
    if options.on_record is not None:
        options.on_record(record, records)


def search(spec: ir.Spec, options: BuildOptions, fingerprint: str = "") -> Records:
    """Run the spec's search; returns every record (also written to ``out/<design>/``).

    Args:
        fingerprint: what the search depends on, kept in run.json (see :mod:`specc.build`).
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
            records.note = _no_fit_note(spec, least)
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

    executor = _Executor(options)
    try:
        if s.algorithm == "separate":
            _separate(spec, n, seed, records, options, executor, full_costs, deadline, smac_dir)
        else:
            cs = configspace(spec, seed)
            proposer: _Proposer = (
                _Random(cs, s.fidelity_epochs)
                if s.algorithm == "random"
                else _Smac(cs, objectives, n, seed, smac_dir / "smac", s.fidelity_epochs)
            )
            _run_phase(
                spec,
                proposer,
                n,
                records,
                options,
                executor,
                s.algorithm,
                full_costs,
                True,
                deadline,
            )
    finally:
        executor.close()
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
    executor: _Executor,
    full_costs: Callable[[dict[str, Metric]], list[float]],
    deadline: float | None,
    smac_dir: Path,
) -> None:
    """The two-step flow: training knobs for float error first, then the best model's hardware."""
    fid = spec.search.fidelity_epochs
    n_train = max(n // 2, 1)
    cs_train = configspace(spec, seed, only=("model.", "train."))
    if len(list(cs_train.values())):
        train = _Smac(cs_train, ["float_error"], n_train, seed, smac_dir / "smac-train", fid)
        _run_phase(
            spec,
            train,
            n_train,
            records,
            options,
            executor,
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

    class _WithModel:
        """The hardware phase asks only hardware knobs; the model is the best of phase one."""

        def __init__(self, inner: _Proposer):
            self.inner = inner

        def ask(self) -> tuple[Any, dict[str, Scalar]]:
            token, point = self.inner.ask()
            return token, {**fixed, **point}

        def tell(self, token: Any, costs: list[float]) -> None:
            self.inner.tell(token, costs)

    hw = _WithModel(
        _Smac(
            cs_hw,
            [o.metric for o in spec.objectives],
            n_hw,
            seed + 1,
            smac_dir / "smac-hardware",
            None,
        )
    )
    _run_phase(spec, hw, n_hw, records, options, executor, "hardware", full_costs, True, deadline)
