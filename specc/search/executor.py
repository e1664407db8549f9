"""Evaluators: where the search's trials run. The search loop only submits points and waits for
results (:class:`Evaluator`), so it runs the same with any of them, and its tests use a fake.

- :class:`LocalEvaluator`: ``workers`` warm worker processes on this machine
  (:mod:`specc.evaluate.worker`); one by default, several for ``--workers N``.
- :class:`DaskEvaluator`: an existing Dask cluster (``--scheduler``); each Dask worker process
  keeps a warm worker of its own, so trials there pay only for what changed too.

Both run a trial the same way, through :class:`~specc.evaluate.trial.TrialRunner`.
"""

from __future__ import annotations

import itertools
import time
from multiprocessing.connection import wait as wait_any
from pathlib import Path
from typing import Any, Protocol

from specc.evaluate.point import Scalar
from specc.evaluate.results import TrialResult
from specc.evaluate.trial import Prepared, TrialRunner
from specc.evaluate.worker import Worker
from specc.ir import model as ir
from specc.options import BuildOptions, Limits, Synth

__all__ = ["DaskEvaluator", "Evaluator", "LocalEvaluator", "make_evaluator"]


class Evaluator(Protocol):
    """Evaluates points; at most ``slots`` at once."""

    slots: int

    def submit(self, point: dict[str, Scalar]) -> int:
        """Start evaluating a point; returns its ticket."""
        ...

    def wait(self) -> list[tuple[int, TrialResult]]:
        """Block until at least one submitted point has a result; those that have."""
        ...

    def close(self) -> None: ...


class LocalEvaluator:
    """Trials on ``workers`` warm worker processes here."""

    def __init__(self, runner: TrialRunner, workers: int = 1):
        self.runner = runner
        self.slots = workers
        self.idle = [Worker(runner.limits.memory_mb) for _ in range(workers)]
        self.running: dict[int, tuple[Worker, Prepared]] = {}
        self.ready: list[tuple[int, TrialResult]] = []
        self._tickets = itertools.count()

    def submit(self, point: dict[str, Scalar]) -> int:
        ticket = next(self._tickets)
        prepared = self.runner.prepare(point)
        if isinstance(prepared, TrialResult):
            self.ready.append((ticket, prepared))
            return ticket
        worker = self.idle.pop()
        self.running[ticket] = (worker, prepared)
        worker.send(prepared.job)
        return ticket

    def wait(self) -> list[tuple[int, TrialResult]]:
        try:
            while not self.ready and self.running:
                self._collect()
        except BaseException:
            # Ctrl-C: stop every trial in flight, leave no half-written folder.
            for worker, prepared in self.running.values():
                worker.stop()
                self.runner.abandon(prepared)
                self.idle.append(worker)
            self.running.clear()
            raise
        done, self.ready = self.ready, []
        return done

    def _collect(self) -> None:
        due = min(w.deadline or 0.0 for w, _ in self.running.values()) - time.monotonic()
        conns = [w.conn for w, _ in self.running.values() if w.conn is not None]
        wait_any(conns, timeout=None if due == float("inf") else max(due, 0.0))
        for ticket, (worker, prepared) in list(self.running.items()):
            out = worker.collect(wait_s=0.0)
            if out is not None:
                del self.running[ticket]
                self.idle.append(worker)
                self.ready.append((ticket, self.runner.publish(prepared, out)))

    def close(self) -> None:
        for worker, prepared in self.running.values():
            worker.stop()
            self.runner.abandon(prepared)
        for worker in self.idle:
            worker.stop()


# A Dask worker process keeps one warm worker per memory limit between tasks.
_DASK_WORKERS: dict[int | None, Worker] = {}


def _dask_trial(
    spec_json: str, point: dict[str, Scalar], out_dir: str, limits: Limits, synth: Synth
) -> str:
    """One trial on a Dask worker (plain, picklable arguments and result)."""
    spec = ir.Spec.model_validate_json(spec_json)
    worker = _DASK_WORKERS.setdefault(limits.memory_mb, Worker(limits.memory_mb))
    runner = TrialRunner(spec, Path(out_dir), limits, synth)
    return runner.run(point, worker).model_dump_json()


class DaskEvaluator:
    """Trials on an existing Dask cluster (every worker needs specc and the spec's data)."""

    def __init__(self, runner: TrialRunner, scheduler: str):
        import dask
        from dask.distributed import Client

        # Workers start their own (trial) processes; Dask's daemonic workers could not.
        dask.config.set({"distributed.worker.daemon": False})
        self.runner = runner
        self.client: Any = Client(scheduler)  # type: ignore[no-untyped-call]
        self.slots = max(len(self.client.scheduler_info().get("workers", {})), 1)
        self.futures: dict[int, tuple[Any, dict[str, Scalar]]] = {}
        self._tickets = itertools.count()

    def submit(self, point: dict[str, Scalar]) -> int:
        ticket = next(self._tickets)
        r = self.runner
        future = self.client.submit(
            _dask_trial,
            r.spec_json,
            point,
            str(r.out_dir),
            r.limits,
            r.synth,
            pure=False,
        )
        self.futures[ticket] = (future, point)
        return ticket

    def wait(self) -> list[tuple[int, TrialResult]]:
        from dask.distributed import wait

        done, _ = wait([f for f, _ in self.futures.values()], return_when="FIRST_COMPLETED")  # type: ignore[no-untyped-call]
        out = []
        for ticket, (future, point) in list(self.futures.items()):
            if future in done:
                del self.futures[ticket]
                out.append((ticket, self._result(future, point)))
        return out

    @staticmethod
    def _result(future: Any, point: dict[str, Scalar]) -> TrialResult:
        try:
            return TrialResult.model_validate_json(future.result())
        except Exception as err:  # the Dask worker itself failed
            return TrialResult(
                key="",
                status="failed",
                point=point,
                failure={"category": "crash", "message": f"worker: {err}"},  # type: ignore[arg-type]
            )

    def close(self) -> None:
        self.client.close()


def make_evaluator(spec: ir.Spec, options: BuildOptions) -> Evaluator:
    """The evaluator the options ask for."""
    runner = TrialRunner(spec, options.out_root / spec.design, options.limits, options.synth)
    if options.scheduler:
        return DaskEvaluator(runner, options.scheduler)
    return LocalEvaluator(runner, options.workers)
