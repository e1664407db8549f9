"""The records of a search: every trial (``trials.csv``) and the Pareto set (``pareto.json``).

Both files are rewritten whole after every trial, through a temporary file and an atomic rename,
so a crash or Ctrl-C at any moment leaves the last complete version on disk.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from specc.evaluate.point import Scalar
from specc.evaluate.results import Metric
from specc.ir import model as ir
from specc.search.pareto import badness, hypervolume, pareto_indices

__all__ = ["Record", "Records", "write_atomic"]

METRIC_ORDER = (
    "float_accuracy",
    "float_error",
    "fixed_accuracy",
    "fixed_error",
    "latency_ns",
    "latency_cycles",
    "ii",
    "dsp",
    "lut",
    "ff",
    "bram",
    "clock_ns",
)


@dataclass
class Record:
    """One trial of a search.

    ``status``: ``ok`` (feasible, in the running for the Pareto set), ``infeasible`` (broke a
    budget: ``stage`` says whether the a-priori estimate or the final metrics ruled it out),
    ``failed`` (``reason`` holds the category and message).
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


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see either the old or the new content, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class Records:
    """All records of one search, with the Pareto set and the hypervolume kept current."""

    def __init__(self, spec: ir.Spec, out_dir: Path):
        self.spec = spec
        self.out_dir = out_dir
        self.items: list[Record] = []
        self.note = ""

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
        self.items.append(record)
        record.hypervolume = round(self.hypervolume(), 6)
        self.write()
        return record

    def counts(self) -> dict[str, int]:
        out = {"ok": 0, "infeasible": 0, "failed": 0, "evaluated": 0, "ruled_out": 0}
        for r in self.items:
            out[r.status] += 1
            out["ruled_out" if r.stage == "precheck" else "evaluated"] += 1
        return out

    # ---- files ------------------------------------------------------------------------------

    def write(self) -> None:
        write_atomic(self.out_dir / "trials.csv", self._csv())
        write_atomic(self.out_dir / "pareto.json", self._pareto_json())

    def _csv(self) -> str:
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
                "cached",
                "hypervolume",
                "reason",
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
                int(r.cached),
                f"{r.hypervolume:.6f}",
                r.reason,
            ]
            row += [r.point.get(k, "") for k in knobs]
            for m in metrics:
                metric = r.metrics.get(m)
                row += [f"{metric.value:.6g}", metric.provenance] if metric else ["", ""]
            w.writerow(row)
        return buf.getvalue()

    def _pareto_json(self) -> str:
        objectives = [{"metric": o.metric, "sense": o.sense} for o in self.spec.objectives]
        front = [
            {
                "trial": r.index,
                "key": r.key,
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
