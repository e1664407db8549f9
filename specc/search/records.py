"""The records of a search: every trial (``trials.csv``), the Pareto set (``pareto.json``) and the
run's state (``run.json``).

All three are rewritten whole after every trial, through a temporary file and an atomic rename,
so a crash or Ctrl-C at any moment leaves the last complete version on disk. ``trials.csv`` and
``pareto.json`` hold only what the results determine (two runs with the same results write the
same bytes); ``run.json`` is the one file with times and cache hits, and it is what a later build
reads to skip a finished search (see :mod:`specc.build`).
"""

from __future__ import annotations

import csv
import io
import json
import operator
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from specc.evaluate.point import Scalar
from specc.evaluate.results import Metric
from specc.files import write_atomic
from specc.ir import model as ir
from specc.metrics import METRIC_ORDER
from specc.search.pareto import badness, hypervolume, pareto_indices

__all__ = ["PART_RESOURCES", "Record", "Records", "over_part", "violations"]

WRITE_INTERVAL_S = 2.0
OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
}


@dataclass
class Record:
    """One trial of a search.

    ``status``: ``ok`` (feasible, in the running for the Pareto set), ``infeasible`` (broke a
    budget: ``stage`` says whether the a-priori estimate or the final metrics ruled it out),
    ``failed`` (``reason`` holds the category and message), ``skipped`` (ruled out a priori by
    an earlier budget that the spec no longer sets, so never evaluated).
    ``seconds`` is the trial's own evaluation time (the same when it later comes from the cache);
    ``cached`` says whether this run read it from the cache. ``warning`` says what the trained
    model's numbers flag (chance accuracy, a loss that did not fall; see
    :func:`specc.evaluate.train.training_warnings`).
    """

    index: int
    key: str
    status: str
    stage: str
    point: dict[str, Scalar]
    metrics: dict[str, Metric] = field(default_factory=dict)
    reason: str = ""
    seconds: float = 0.0
    cached: bool = False
    phase: str = ""
    hypervolume: float = 0.0
    warning: str = ""

    @property
    def point_id(self) -> str:
        """The folder name of this trial as a Pareto point (``points/<id>/``): trial number and
        key, stable across re-emits."""
        return f"t{self.index:03d}_{self.key[:8]}"


#: The resources a part has a capacity for: each is an implicit budget of every design.
PART_RESOURCES = ("lut", "ff", "dsp", "bram")


def over_part(spec: ir.Spec, metrics: dict[str, Metric]) -> list[tuple[str, float, int]]:
    """The resources whose figure exceeds the part's capacity: (metric, value, capacity). A
    design that does not fit its part is infeasible whatever the spec's budgets say."""
    out = []
    for name in PART_RESOURCES:
        m, cap = metrics.get(name), spec.target.capacity(name)
        if m is not None and cap is not None and m.value > cap:
            out.append((name, m.value, cap))
    return out


def violations(spec: ir.Spec, metrics: dict[str, Metric]) -> list[str]:
    """The budgets these metrics break (only budgets whose metric is known are judged), the
    part's capacities included."""
    out = []
    for c in spec.constraints:
        m = metrics.get(c.metric)
        if m is not None and not OPS[c.op](m.value, c.value):
            out.append(f"{c.metric} {m.value:.6g} breaks {c.op} {c.value:.6g} ({m.provenance})")
    for name, value, cap in over_part(spec, metrics):
        out.append(
            f"{name} {value:.6g} exceeds the {cap:,} of part {spec.target.part} "
            f"({metrics[name].provenance})"
        )
    return out


class Records:
    """All records of one search, with the Pareto set and the hypervolume kept current."""

    def __init__(self, spec: ir.Spec, out_dir: Path, fingerprint: str = ""):
        self.spec = spec
        self.out_dir = out_dir
        self.items: list[Record] = []
        self.note = ""
        self.fingerprint = fingerprint  # what the search depended on (see specc.build)
        self.finished = False
        self.started = time.time()
        self._written = 0.0

    @property
    def refused(self) -> bool:
        """The search was not run: the a-priori check found no configuration that fits."""
        return self.finished and not self.items and bool(self.note)

    def retryable(self) -> int:
        """How many designs failed in a way a new run evaluates again (a timeout, a crash, ...:
        ``RETRIED`` in :mod:`specc.evaluate.errors`), rather than as a property of the design."""
        from specc.evaluate.errors import RETRIED

        return sum(
            r.status == "failed" and r.reason.split(":", 1)[0] in RETRIED for r in self.items
        )

    def warned(self) -> list[Record]:
        """Evaluated designs whose trained model is flagged (chance accuracy, flat loss)."""
        return [r for r in self.items if r.warning]

    def feasible(self) -> list[Record]:
        return [r for r in self.items if r.status == "ok"]

    def pareto(self) -> list[Record]:
        ok = self.feasible()
        scores = [badness(self.spec, {k: m.value for k, m in r.metrics.items()}) for r in ok]
        return [ok[i] for i in pareto_indices(scores)]

    def hypervolume(self) -> float:
        return hypervolume(
            [badness(self.spec, {k: m.value for k, m in r.metrics.items()}) for r in self.pareto()]
        )

    def add(self, record: Record) -> Record:
        """Append a record; the files are rewritten after every evaluated trial, and after
        a-priori rejections at most every few seconds (a search can reject thousands of points,
        and a lost rejection is recomputed in milliseconds when the run is resumed)."""
        self.items.append(record)
        record.hypervolume = round(self.hypervolume(), 6)
        if record.stage != "precheck" or time.monotonic() - self._written > WRITE_INTERVAL_S:
            self.write()
        return record

    def counts(self) -> dict[str, int]:
        """Records by status and by stage. ``evaluated`` (trained) + ``ruled_out`` (judged by
        the estimate only) = ``proposals``; the evaluated ones are ``ok`` + ``over_budget`` +
        ``failed``; ``infeasible`` counts both stages."""
        out = {"ok": 0, "infeasible": 0, "failed": 0, "skipped": 0, "evaluated": 0, "ruled_out": 0}
        over = 0
        for r in self.items:
            out[r.status] += 1
            out["ruled_out" if r.stage == "precheck" else "evaluated"] += 1
            over += r.status == "infeasible" and r.stage == "evaluated"
        return {**out, "over_budget": over, "proposals": len(self.items)}

    # ---- files ------------------------------------------------------------------------------

    def rejudge(self) -> None:
        """Judge every record again under the spec's current budgets and objectives (the
        metrics stay as measured): how a budget-only change re-uses a finished search."""
        done = self.items
        self.items = []
        for r in done:
            if r.status != "failed":
                broken = violations(self.spec, r.metrics)
                if r.stage == "precheck" and not broken:
                    r.status = "skipped"
                    r.reason = "ruled out a priori by an earlier budget; not evaluated"
                elif r.stage == "precheck":
                    r.status, r.reason = "infeasible", "; ".join(broken)
                else:
                    r.status, r.reason = ("infeasible" if broken else "ok"), "; ".join(broken)
            self.items.append(r)
            r.hypervolume = round(self.hypervolume(), 6)

    # ---- files ------------------------------------------------------------------------------

    def write(self) -> None:
        write_atomic(self.out_dir / "trials.csv", self.trials_csv())
        write_atomic(self.out_dir / "pareto.json", self.pareto_json())
        write_atomic(self.out_dir / "run.json", self.run_json())
        self._written = time.monotonic()

    def run_json(self) -> str:
        """The run's state: every record (with times and cache hits), whether the search
        finished, and the fingerprint of what it depended on."""
        from specc.evaluate.keys import versions

        return (
            json.dumps(
                {
                    "design": self.spec.design,
                    "fingerprint": self.fingerprint,
                    "finished": self.finished,
                    "note": self.note,
                    "started": round(self.started, 3),
                    "updated": round(time.time(), 3),
                    "versions": versions(),
                    "records": [
                        {**asdict(r), "metrics": {k: m.model_dump() for k, m in r.metrics.items()}}
                        for r in self.items
                    ],
                },
                separators=(",", ":"),
            )
            + "\n"
        )

    @classmethod
    def load(cls, spec: ir.Spec, out_dir: Path) -> Records | None:
        """The records a previous run left in ``out_dir/run.json``; None when there are none or
        the file is unreadable (a build then simply searches again, from the trial cache)."""
        try:
            state: dict[str, Any] = json.loads((out_dir / "run.json").read_text(encoding="utf-8"))
            records = cls(spec, out_dir, str(state["fingerprint"]))
            records.finished = bool(state["finished"])
            records.note = str(state.get("note", ""))
            records.started = float(state.get("started", 0.0))
            for raw in state["records"]:
                metrics = {k: Metric(**m) for k, m in raw.pop("metrics").items()}
                records.items.append(Record(**raw, metrics=metrics))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return records

    def trials_csv(self) -> str:
        knobs = sorted({k for r in self.items for k in r.point})
        metrics = [m for m in METRIC_ORDER if any(m in r.metrics for r in self.items)]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(
            [
                "trial",
                "key",
                "status",
                "stage",
                "phase",
                "seconds",
                "hypervolume",
                "reason",
                "warning",
                *knobs,
                *[c for m in metrics for c in (m, f"{m}_provenance")],
            ]
        )
        for r in self.items:
            row: list[object] = [
                r.index,
                r.key,
                r.status,
                r.stage,
                r.phase,
                f"{r.seconds:.2f}",
                f"{r.hypervolume:.6f}",
                r.reason,
                r.warning,
            ]
            row += [r.point.get(k, "") for k in knobs]
            for m in metrics:
                metric = r.metrics.get(m)
                row += [f"{metric.value:.6g}", metric.provenance] if metric else ["", ""]
            w.writerow(row)
        return buf.getvalue()

    def pareto_json(self) -> str:
        objectives = [{"metric": o.metric, "sense": o.sense} for o in self.spec.objectives]
        front = [
            {
                "trial": r.index,
                "key": r.key,
                "folder": f"points/{r.point_id}",
                "point": r.point,
                "metrics": {k: m.model_dump() for k, m in r.metrics.items()},
            }
            for r in self.pareto()
        ]
        return (
            json.dumps(
                {
                    "design": self.spec.design,
                    "objectives": objectives,
                    "hypervolume": round(self.hypervolume(), 6),
                    "reference": "badness 1 per objective; see specc/search/pareto.py",
                    "trials": len(self.items),
                    "evaluated": self.counts()["evaluated"],
                    "pareto": front,
                },
                indent=2,
            )
            + "\n"
        )
