"""What ``specc build`` shows while it runs (a progress bar in a terminal, plain lines in a log,
JSON lines for CI, or nothing; see :class:`Progress`) and the summary at the end."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

from specc.metrics import provenance_kind
from specc.search.records import Record, Records
from specc.templates import count

__all__ = ["Progress", "summary"]


def _fmt(value: float) -> str:
    if value != 0 and abs(value) < 1:
        return f"{value:.4f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


HEARTBEAT_S = 60.0  # without a terminal: a line at least this often while a trial runs


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def _best(records: Records) -> list[str]:
    """The best value of each objective among the feasible designs."""
    out = []
    for obj in records.spec.objectives:
        vals = [r.metrics[obj.metric].value for r in records.feasible() if obj.metric in r.metrics]
        if vals:
            pick = min(vals) if obj.sense == "minimize" else max(vals)
            out.append(f"{obj.metric} {_fmt(pick)}")
    return out


class Progress:
    """What a build shows while it runs, in one of four modes:

    - ``rich`` (a terminal): a progress bar with the counts, the best value of each objective
      and a time remaining estimated from the trials this run evaluated;
    - ``plain`` (no terminal: CI logs, pipes): one line per evaluated design on stderr, and a
      heartbeat line while a long trial runs, so a log never goes quiet for long;
    - ``json`` (``--log-format json``): one JSON object per record on stdout;
    - ``quiet``: nothing.
    """

    def __init__(self, total: int, mode: str):
        self.total = total
        self.mode = mode
        self.started = time.monotonic()
        self.last = self.started  # when the last line or record was shown
        self.bar: Any = None
        self.task: Any = None
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        self._done = 0
        if mode == "rich":
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
            from rich.progress import Progress as RichProgress

            self.bar = RichProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(bar_width=20),
                MofNCompleteColumn(),
                TextColumn("{task.fields[eta]}"),
                TextColumn("{task.fields[stats]}"),
                console=Console(stderr=True),
                transient=False,
            )
            self.bar.start()
            self.task = self.bar.add_task("search", total=total, eta="", stats="")
        elif mode == "plain":
            self._beat = threading.Thread(target=self._heartbeat, daemon=True)
            self._beat.start()

    def _eta(self, records: Records) -> str:
        """Time left by this run's pace (cached trials do not count: they take no time)."""
        new = [r for r in records.items if r.stage == "evaluated" and not r.cached]
        left = self.total - records.counts()["evaluated"]
        if not new or left <= 0:
            return ""
        per = (time.monotonic() - self.started) / len(new)
        return f"~{_clock(per * left)} left"

    def update(self, record: Record, records: Records) -> None:
        c = records.counts()
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
        elif self.mode == "rich":
            best = _best(records)
            stats = (
                f"ok {c['ok']} · over budget {c['over_budget']} · failed {c['failed']} · "
                f"pareto {len(records.pareto())}" + (" · " + ", ".join(best) if best else "")
            )
            self.bar.update(
                self.task, completed=c["evaluated"], eta=self._eta(records), stats=stats
            )
        elif self.mode == "plain" and record.stage == "evaluated":
            self._done = c["evaluated"]
            shown = [o.metric for o in records.spec.objectives]
            metrics = "  ".join(
                f"{n} {_fmt(record.metrics[n].value)}"
                + ("*" if provenance_kind(record.metrics[n].provenance) == "estimate" else "")
                for n in shown
                if n in record.metrics and record.status != "failed"
            )
            why = record.reason if record.status != "ok" else ""
            took = "cached" if record.cached else f"{record.seconds:.1f} s"
            line = (
                f"[{c['evaluated']}/{self.total} {_clock(time.monotonic() - self.started)}] "
                f"trial {record.index} {record.status} ({took})"
                + (f"  {metrics}" if metrics else "")
                + (f"  {why[:120]}" if why else "")
                + (
                    f"  ({c['ruled_out']} ruled out by the estimate so far)"
                    if c["ruled_out"]
                    else ""
                )
            )
            self._say(line)

    def _say(self, line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
        self.last = time.monotonic()

    def _heartbeat(self) -> None:
        while not self._stop.wait(min(HEARTBEAT_S, 5.0)):
            now = time.monotonic()
            if now - self.last >= HEARTBEAT_S:
                self._say(
                    f"[{self._done}/{self.total} {_clock(now - self.started)}] still running: "
                    f"trial {self._done + 1} of {self.total} for {_clock(now - self.last)}"
                )

    def stop(self) -> None:
        self._stop.set()
        if self.bar is not None:
            self.bar.stop()


def summary(records: Records, out_dir: Path) -> str:
    """The end-of-run report: counts, the Pareto set with provenance, where the records are."""
    c = records.counts()
    lines = [
        f"{records.spec.design}: {count(c['evaluated'], 'design')} evaluated ({c['ok']} ok, "
        f"{c['over_budget']} over budget, {c['failed']} failed) and {c['ruled_out']} ruled out "
        f"by the estimate before training -> {out_dir}/"
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
    """The progress mode of a build (see :class:`Progress`)."""
    if log_format == "json":
        return "json"
    if quiet:
        return "quiet"
    return "rich" if sys.stderr.isatty() else "plain"
