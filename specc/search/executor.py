"""Where trials run: here, one at a time, or on a Dask cluster (a local one for
``--workers N``, an existing one for ``--scheduler``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specc.evaluate.point import Scalar
from specc.evaluate.results import Metric, TrialResult
from specc.evaluate.trial import run_trial
from specc.ir import model as ir
from specc.options import BuildOptions, Limits, Synth

__all__ = ["Executor", "Pending", "evaluate_remote", "result_of"]


def evaluate_remote(
    spec_json: str, point: dict[str, Scalar], out_dir: str, limits: Limits, synth: Synth
) -> str:
    """One trial, as a plain function of picklable arguments (runs on Dask workers too)."""
    spec = ir.Spec.model_validate_json(spec_json)
    return run_trial(spec, point, Path(out_dir), limits, synth).model_dump_json()


class Executor:
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

    def first_done(self, pending: list[Pending]) -> list[Pending]:
        """Wait until at least one pending trial has finished; those that have."""
        from dask.distributed import wait

        done, _ = wait([p.future for p in pending], return_when="FIRST_COMPLETED")
        return [p for p in pending if p.future in done]

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


@dataclass
class Pending:
    token: Any
    point: dict[str, Scalar]
    estimate: dict[str, Metric]
    started: float
    future: Any = None


def result_of(p: Pending) -> TrialResult:
    try:
        return TrialResult.model_validate_json(p.future.result())
    except Exception as err:
        return TrialResult(
            key="",
            status="failed",
            point=p.point,
            failure={"category": "crash", "message": f"worker: {err}"},
        )  # type: ignore[arg-type]
