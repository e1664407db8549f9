"""What ``specc build`` shows while it runs: a rich progress line, one JSON line per trial
(``--log-format json``, for CI), or nothing (``--quiet``); and the summary at the end."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from specc.metrics import provenance_kind
from specc.search.records import Record, Records

__all__ = ["Progress", "summary"]


def _fmt(value: float) -> str:
    if value != 0 and abs(value) < 1:
        return f"{value:.4f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


class Progress:
    def __init__(self, total: int, mode: str):
        self.total = total
        self.mode = mode  # "rich", "json" or "quiet"
        self.bar: Any = None
        self.task: Any = None
        if mode == "rich":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import (
                Progress as RichProgress,
            )

            self.bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self.bar.start()
            self.task = self.bar.add_task("searching", total=total)

    def update(self, record: Record, records: Records) -> None:
        if self.mode == "json":
            print(
                json.dumps(
                    {
                        "event": "trial",
                        "trial": record.index,
                        "status": record.status,
                        "stage": record.stage,
                        "phase": record.phase,
                        "key": record.key,
                        "cached": record.cached,
                        "seconds": round(record.seconds, 2),
                        "reason": record.reason,
                        "hypervolume": record.hypervolume,
                        "metrics": {
                            k: {"value": m.value, "provenance": m.provenance}
                            for k, m in record.metrics.items()
                        },
                        "time": round(time.time(), 3),
                    }
                ),
                flush=True,
            )
        elif self.bar is not None:
            c = records.counts()
            best = []
            for obj in records.spec.objectives:
                vals = [
                    r.metrics[obj.metric].value
                    for r in records.feasible()
                    if obj.metric in r.metrics
                ]
                if vals:
                    pick = min(vals) if obj.sense == "minimize" else max(vals)
                    best.append(f"{obj.metric} {_fmt(pick)}")
            desc = (
                f"failed {c['failed']} | infeasible {c['infeasible']} "
                f"({c['ruled_out']} before training) | "
                f"pareto {len(records.pareto())}" + (" | best " + ", ".join(best) if best else "")
            )
            self.bar.update(self.task, completed=c["evaluated"], description=desc)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def summary(records: Records, out_dir: Path) -> str:
    """The end-of-run report: counts, the Pareto set with provenance, where the records are."""
    c = records.counts()
    lines = [
        f"{records.spec.design}: {c['evaluated']} designs evaluated ({c['ok']} ok, "
        f"{c['infeasible'] - c['ruled_out']} infeasible, {c['failed']} failed); "
        f"{c['ruled_out']} ruled out by the estimate before training -> {out_dir}/"
    ]
    if records.note:
        lines.append(f"note: {records.note}")
    warned = records.warned()
    if warned:
        first = warned[0]
        many = len(warned) != 1
        lines.append(
            f"warning: {len(warned)} evaluated design{'s' if many else ''} "
            f"{'are' if many else 'is'} flagged (trial {first.index}: {first.warning}); "
            "see the 'warning' column of trials.csv"
        )
    front = records.pareto()
    lines.append(
        f"Pareto set: {len(front)} design{'s' if len(front) != 1 else ''}, "
        f"hypervolume {records.hypervolume():.4f}"
    )
    if front:
        names = [o.metric for o in records.spec.objectives]
        shown = names + [m for m in ("dsp", "lut", "ff", "bram") if m not in names]
        lines.append("  " + "  ".join([f"{'trial':>5s}"] + [f"{n:>14s}" for n in shown]))
        estimated = False
        for r in front:
            cells = []
            for n in shown:
                m = r.metrics.get(n)
                if m is None:
                    cells.append(f"{'-':>14s}")
                    continue
                mark = "*" if provenance_kind(m.provenance) == "estimate" else " "
                estimated |= mark == "*"
                cells.append(f"{_fmt(m.value) + mark:>14s}")
            lines.append("  " + "  ".join([f"{r.index:>5d}", *cells]))
        if estimated:
            lines.append("  * estimated by specc's model, not synthesised")
    lines.append(f"records: {out_dir / 'trials.csv'}, {out_dir / 'pareto.json'}")
    return "\n".join(lines)


def mode_for(quiet: bool, log_format: str) -> str:
    if log_format == "json":
        return "json"
    if quiet or not sys.stderr.isatty():
        return "quiet"
    return "rich"
