"""The search benchmark on the table (bench/build_table.py): strategies compared in minutes.

Every design of bench/specs/table_digits.cds was evaluated once (C-simulated accuracy, estimated
hardware); a search here runs specc's real search loop (proposers, a-priori check, records)
with an evaluator that looks results up in the table instead of training. Optuna's TPE and
NSGA-II samplers search the same designs with their own constraint support
(``constraints_func``). Every strategy is scored the same way: the hypervolume of the feasible
designs evaluated so far (specc's normalisation and reference point).
"""

from __future__ import annotations

import gzip
import itertools
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _runs import ROOT
from build_table import upgrade_point

from specc.evaluate.point import Scalar, resolve
from specc.evaluate.results import Metric, TrialResult
from specc.files import json_hash
from specc.ir import model as ir
from specc.ir.space import dimensions
from specc.options import BuildOptions
from specc.search.pareto import badness, hypervolume, pareto_indices
from specc.search.records import OPS, violations

TABLE = ROOT / "bench" / "tables" / "table_digits.jsonl.gz"
SPEC = ROOT / "bench" / "specs" / "table_digits.cds"


def _row_key(config: dict[str, Scalar]) -> str:
    return json.dumps(config, sort_keys=True)


class Table:
    """The evaluated designs, by full configuration."""

    def __init__(self, spec: ir.Spec, path: Path | None = None):
        self.spec = spec
        self.rows: dict[str, dict[str, Any]] = {}
        with gzip.open(path or TABLE, "rt") as f:
            for line in f:
                row = json.loads(line)
                row["point"] = upgrade_point(row["point"])
                self.rows[_row_key(row["point"])] = row

    def result(self, point: dict[str, Scalar]) -> TrialResult:
        config = resolve(self.spec, point).to_json()
        row = self.rows[_row_key(config)]
        metrics = {k: Metric(value=v, provenance=p) for k, (v, p) in row["metrics"].items()}
        failure = None
        if row["status"] == "failed":
            failure = {"category": row.get("failure", "crash"), "message": "from the table"}
        return TrialResult(
            key=json_hash(config),
            status=row["status"],
            point=config,
            metrics=metrics,
            failure=failure,  # type: ignore[arg-type]
            timings={"total": 0.0},
        )


class TableEvaluator:
    """specc's evaluator protocol over the table: a result is a look-up."""

    slots = 1

    def __init__(self, table: Table):
        self.table = table
        self.ready: list[tuple[int, TrialResult]] = []
        self._tickets = itertools.count()

    def submit(self, point: dict[str, Scalar]) -> int:
        ticket = next(self._tickets)
        self.ready.append((ticket, self.table.result(point)))
        return ticket

    def wait(self) -> list[tuple[int, TrialResult]]:
        done, self.ready = self.ready, []
        return done

    def close(self) -> None:
        pass


def curve(spec: ir.Spec, evaluated: list[dict[str, Metric] | None]) -> list[float]:
    """Hypervolume of the feasible designs after each evaluated design (None: a failure)."""
    feasible: list[list[float]] = []
    out = []
    for metrics in evaluated:
        if metrics is not None and not violations(spec, metrics):
            feasible.append(badness(spec, {k: m.value for k, m in metrics.items()}))
            feasible = [feasible[i] for i in pareto_indices(feasible)]
        out.append(hypervolume(feasible))
    return out


def breaks(spec: ir.Spec, evaluated: list[dict[str, Metric] | None]) -> float:
    """Share of evaluated designs that break a budget (failures count as breaking)."""
    bad = sum(1 for m in evaluated if m is None or violations(spec, m))
    return bad / max(len(evaluated), 1)


def run_specc(spec: ir.Spec, algorithm: str, seed: int, trials: int) -> list[Any]:
    """specc's own search loop on the table; the evaluated designs' metrics, in order."""
    from specc.search.driver import search

    spec = spec.model_copy(
        update={"search": spec.search.model_copy(update={"algorithm": algorithm})}
    )
    table = Table(spec)
    with tempfile.TemporaryDirectory(prefix="specc-table-search-") as tmp:
        options = BuildOptions(out_root=Path(tmp), trials=trials, seed=seed, synth="never")
        records = search(spec, options, evaluator=TableEvaluator(table))
    return [
        r.metrics if r.status != "failed" else None for r in records.items if r.stage == "evaluated"
    ][:trials]


def run_optuna(spec: ir.Spec, sampler_name: str, seed: int, trials: int) -> list[Any]:
    """Optuna (TPE or NSGA-II) over the same designs, budgets as ``constraints_func``."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    table = Table(spec)
    dims = dimensions(spec)
    evaluated: list[dict[str, Metric] | None] = []

    def constraints(trial: optuna.trial.FrozenTrial) -> list[float]:
        return list(trial.user_attrs["constraints"])

    def objective(trial: optuna.Trial) -> list[float]:
        point: dict[str, Scalar] = {}
        for d in dims:
            if d.depends_on is None or int(point[d.depends_on[0]]) >= d.depends_on[1]:
                point[d.name] = trial.suggest_categorical(d.name, d.param.values() or [])
        result = table.result(point)
        metrics = result.metrics if result.status != "failed" else None
        evaluated.append(metrics)
        trial.set_user_attr("constraints", _constraint_values(spec, metrics))
        worst = {o.metric: 1e12 for o in spec.objectives}
        values = {k: m.value for k, m in (metrics or {}).items()}
        return badness(spec, {**worst, **values})

    sampler: Any
    if sampler_name == "tpe":
        sampler = optuna.samplers.TPESampler(seed=seed, constraints_func=constraints)
    else:
        sampler = optuna.samplers.NSGAIISampler(seed=seed, constraints_func=constraints)
    study = optuna.create_study(directions=["minimize"] * len(spec.objectives), sampler=sampler)
    study.optimize(objective, n_trials=trials)
    return evaluated


def _constraint_values(spec: ir.Spec, metrics: dict[str, Metric] | None) -> list[float]:
    """Optuna's convention: one value per budget, feasible when <= 0 (relative excess)."""
    out = []
    for c in spec.constraints:
        m = (metrics or {}).get(c.metric)
        if m is None:
            out.append(1.0)
            continue
        scale = max(abs(c.value), 1e-9)
        ok = OPS[c.op](m.value, c.value)
        excess = abs(m.value - c.value) / scale
        out.append(-excess if ok else excess)
    return out


RUNNERS: dict[str, Callable[[ir.Spec, int, int], list[Any]]] = {
    "default": lambda spec, seed, n: run_specc(spec, "smac", seed, n),
    "random": lambda spec, seed, n: run_specc(spec, "random", seed, n),
    "separate": lambda spec, seed, n: run_specc(spec, "separate", seed, n),
    "optuna_tpe": lambda spec, seed, n: run_optuna(spec, "tpe", seed, n),
    "optuna_nsga2": lambda spec, seed, n: run_optuna(spec, "nsga2", seed, n),
}
