"""Run one trial in its own process, with wall-time and memory limits, and cache its result.

The parent never imports tensorflow or hls4ml: the work (:mod:`specc.evaluate.pipeline`) runs
in a spawned child (:mod:`specc.evaluate.process`) whose stdout/stderr go to the trial's
``log.txt``; the result is published into the cache (:mod:`specc.evaluate.cache`) under its key
(:mod:`specc.evaluate.keys`).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
import time
from pathlib import Path
from typing import Any

from specc.evaluate.cache import publish, read_cached, sweep_stale
from specc.evaluate.keys import data_fingerprint, trial_key, versions
from specc.evaluate.point import Scalar, resolve
from specc.evaluate.process import child_main, kill_group
from specc.evaluate.results import Failure, TrialResult
from specc.ir import model as ir
from specc.options import Limits, Synth

__all__ = ["run_trial"]


def run_trial(
    spec: ir.Spec,
    point: dict[str, Scalar] | None,
    out_dir: Path,
    limits: Limits | None = None,
    synth: Synth = "auto",
) -> TrialResult:
    """Evaluate one point of a spec's space (or return its cached result).

    Args:
        spec: the checked IR.
        point: dimension name -> value; missing knobs take the space's defaults.
        out_dir: the design's output folder (``out/<design>``).
        limits: wall-time and memory limits of the trial process.
        synth: ``auto`` (synthesise when the backend's HLS tool is on PATH), ``never``, ``always``.

    Returns:
        The result; a failure is a result with ``status == "failed"``, never an exception.
    """
    from specc.evaluate.synth import find_tool

    limits = limits or Limits()
    cfg = resolve(spec, point)
    tool = find_tool(str(cfg.get("hls.backend"))) if synth != "never" else None
    hardware = (tool or "missing-tool") if synth == "always" else (tool or "estimate")
    key = trial_key(spec, cfg, data_fingerprint(spec.dataset, Path(spec.source).parent), hardware)
    trials = out_dir / "trials"
    final = trials / key
    cached = read_cached(final)
    if cached is not None:
        return cached
    trials.mkdir(parents=True, exist_ok=True)
    sweep_stale(trials)
    work = trials / f".{key}.{os.getpid()}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    (work / "point.json").write_text(json.dumps(cfg.to_json(), indent=2))
    ctx = mp.get_context("spawn")
    proc = ctx.Process(
        target=child_main,
        args=(
            spec.model_dump_json(),
            cfg.values,
            str(work),
            synth,
            limits.timeout_s,
            limits.memory_mb,
        ),
        daemon=False,
    )
    start = time.perf_counter()
    proc.start()
    try:
        proc.join(limits.timeout_s)
    except BaseException:
        # Ctrl-C or a kill of the parent: stop the trial, leave no half-written folder.
        kill_group(proc)
        shutil.rmtree(work, ignore_errors=True)
        raise
    if proc.is_alive():
        kill_group(proc)
        out: dict[str, Any] = {
            "status": "failed",
            "failure": {"category": "timeout", "message": f"ran past {limits.timeout_s:g} s"},
        }
    elif (work / "child.json").is_file():
        out = json.loads((work / "child.json").read_text())
    else:
        code = proc.exitcode
        category = "memory" if code in (-9, 137) else "crash"
        out = {
            "status": "failed",
            "failure": {"category": category, "message": f"trial process died (exit code {code})"},
        }
    out.setdefault("timings", {})["total"] = round(time.perf_counter() - start, 3)
    result = TrialResult(
        key=key,
        point=cfg.to_json(),
        versions=versions(),
        **{k: v for k, v in out.items() if k in ("status", "metrics", "layers", "timings")},
        failure=Failure(**out["failure"]) if out.get("failure") else None,
    )
    (work / "child.json").unlink(missing_ok=True)
    (work / "metrics.json").write_text(result.model_dump_json(indent=2))
    publish(work, final)
    return result
