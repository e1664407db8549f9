"""One trial, from a point to a published result: its key, the trial cache, a warm worker.

:class:`TrialRunner` prepares a point (resolves it, computes its key, answers from the cache
when it can), hands the rest to a :class:`~specc.evaluate.worker.Worker` and publishes what
comes back into ``out/<design>/trials/<key>/`` (:mod:`specc.evaluate.cache`). The evaluators
of the search (:mod:`specc.search.executor`) and ``specc eval`` (:func:`run_trial`) both use
it, so a trial is the same whichever runs it. The parent never imports TensorFlow or hls4ml.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specc.evaluate.cache import publish, read_cached, sweep_stale
from specc.evaluate.estimate import PROVENANCE
from specc.evaluate.keys import data_fingerprint, trial_key, versions
from specc.evaluate.point import Scalar, TrialConfig, resolve
from specc.evaluate.results import Failure, TrialResult
from specc.evaluate.synth import find_tool
from specc.evaluate.worker import Job, Worker
from specc.ir import model as ir
from specc.options import Limits, Synth

__all__ = ["Prepared", "TrialRunner", "run_trial"]


@dataclass
class Prepared:
    """A point on its way to a worker: its configuration, key and temporary folder."""

    cfg: TrialConfig
    key: str
    work: Path
    job: Job
    started: float


class TrialRunner:
    """Evaluates points of one spec into ``out_dir`` (``out/<design>``).

    Args:
        limits: wall-time and memory limits of each trial.
        synth: where hardware numbers come from (see :data:`specc.options.Synth`).
    """

    def __init__(self, spec: ir.Spec, out_dir: Path, limits: Limits, synth: Synth):
        self.spec = spec
        self.spec_json = spec.model_dump_json()
        self.out_dir = out_dir
        self.limits = limits
        self.synth = synth
        # Absolute: workers change their working folder while they simulate.
        self.trials = out_dir.resolve() / "trials"
        self.cache = out_dir.resolve() / "cache"
        self.fingerprint = data_fingerprint(spec.dataset, Path(spec.source).parent)

    def key(self, cfg: TrialConfig) -> str:
        tool = find_tool(str(cfg.get("hls.backend"))) if self.synth != "never" else None
        # The estimator's provenance names its coefficients: after a refit, cached trials with
        # the old estimates are not served as current (trained models and C-simulation results
        # are still re-used: their caches do not depend on it).
        hardware = (tool or "missing-tool") if self.synth == "always" else (tool or PROVENANCE)
        return trial_key(self.spec, cfg, self.fingerprint, hardware)

    def prepare(self, point: dict[str, Scalar] | None) -> Prepared | TrialResult:
        """The cached result of a point, or what a worker needs to evaluate it."""
        cfg = resolve(self.spec, point)
        key = self.key(cfg)
        cached = read_cached(self.trials / key)
        if cached is not None:
            return cached
        self.trials.mkdir(parents=True, exist_ok=True)
        for folder in (self.trials, self.cache / "models", self.cache / "sim"):
            if folder.is_dir():
                sweep_stale(folder)
        work = self.trials / f".{key}.{os.getpid()}.tmp"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        (work / "point.json").write_text(json.dumps(cfg.to_json(), indent=2))
        job = Job(
            self.spec_json,
            cfg.values,
            str(work),
            str(self.cache),
            self.fingerprint,
            self.synth,
            self.limits.timeout_s,
        )
        return Prepared(cfg, key, work, job, time.perf_counter())

    def publish(self, prepared: Prepared, out: dict[str, Any]) -> TrialResult:
        """Record what a worker returned (or how it failed) as the trial's result."""
        out.setdefault("timings", {})["total"] = round(time.perf_counter() - prepared.started, 3)
        fields = ("status", "metrics", "warnings", "layers", "compression", "timings", "reused")
        result = TrialResult(
            key=prepared.key,
            point=prepared.cfg.to_json(),
            versions=versions(),
            **{k: v for k, v in out.items() if k in fields},
            failure=Failure(**out["failure"]) if out.get("failure") else None,
        )
        (prepared.work / "metrics.json").write_text(result.model_dump_json(indent=2))
        publish(prepared.work, self.trials / prepared.key)
        return result

    def abandon(self, prepared: Prepared) -> None:
        """Remove the temporary folder of a trial that was stopped (Ctrl-C)."""
        shutil.rmtree(prepared.work, ignore_errors=True)

    def run(self, point: dict[str, Scalar] | None, worker: Worker) -> TrialResult:
        """Evaluate one point on ``worker`` and wait for it."""
        prepared = self.prepare(point)
        if isinstance(prepared, TrialResult):
            return prepared
        try:
            worker.send(prepared.job)
            out = None
            while out is None:
                out = worker.collect()
        except BaseException:
            # Ctrl-C or a kill of the parent: stop the trial, leave no half-written folder.
            worker.stop()
            self.abandon(prepared)
            raise
        return self.publish(prepared, out)


def run_trial(
    spec: ir.Spec,
    point: dict[str, Scalar] | None,
    out_dir: Path,
    limits: Limits | None = None,
    synth: Synth = "auto",
    worker: Worker | None = None,
) -> TrialResult:
    """Evaluate one point of a spec's space (or return its cached result).

    Args:
        spec: the checked IR.
        point: dimension name -> value; missing knobs take the space's defaults.
        out_dir: the design's output folder (``out/<design>``).
        limits: wall-time and memory limits of the trial.
        synth: ``auto`` (synthesise when the backend's HLS tool is on PATH), ``never``, ``always``.
        worker: a warm worker to run on; without one, a worker is started for this trial and
            stopped after it.

    Returns:
        The result; a failure is a result with ``status == "failed"``, never an exception.
    """
    limits = limits or Limits()
    own = worker is None
    worker = worker or Worker(limits.memory_mb)
    try:
        return TrialRunner(spec, out_dir, limits, synth).run(point, worker)
    finally:
        if own:
            worker.stop()
