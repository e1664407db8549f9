"""The work of one trial, in order: data, training, hls4ml conversion, C simulation, then
hardware figures from synthesis or the estimator. Runs inside the trial's process
(:mod:`specc.evaluate.process`); heavy libraries are imported here, lazily."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from specc.evaluate.errors import TrialFailure
from specc.evaluate.point import TrialConfig
from specc.evaluate.results import Metric, hardware_metrics
from specc.ir import model as ir

__all__ = ["run_phases"]


def run_phases(
    spec: ir.Spec,
    cfg: TrialConfig,
    work: Path,
    synth: str,
    timeout_s: float | None,
) -> dict[str, Any]:
    """Everything a trial does; runs in the child. Returns a TrialResult as a dict (sans key)."""
    timings: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        timings[name] = round(now - t, 3)
        t = now

    from specc.evaluate.data import DataError, load_data

    try:
        data = load_data(spec.dataset, Path(spec.source).parent)
    except (DataError, OSError, ValueError) as err:
        raise TrialFailure("data", str(err)) from None
    lap("data")
    from specc.evaluate.train import input_view, train

    trained = train(spec, cfg, data, spec.search.seed)
    trained.model.save(work / "model.keras")
    lap("train")
    from specc.evaluate.hls import convert, csim_accuracy

    hm = convert(spec, cfg, trained.model, work / "hls")
    hm.write()
    lap("convert")
    x_test = input_view(
        data.x_test,
        spec.model.family,
        spec.model.conv,
        data.image,
        trained.model if spec.model.family == "keras" else None,
    )
    fixed = csim_accuracy(hm, x_test, data.y_test)
    lap("compile_and_simulate")
    from specc.evaluate.estimate import PROVENANCE, estimate_design
    from specc.evaluate.shapes import shapes_from_hls
    from specc.evaluate.synth import find_tool, synthesize

    est = estimate_design(
        shapes_from_hls(hm),
        spec.target.family,
        int(cfg.get("hls.array_partition")),
        str(cfg.get("hls.io_type")),
    )
    clock = float(cfg.get("hls.clock_period"))
    metrics = {
        "float_accuracy": Metric(value=trained.float_accuracy, provenance="keras"),
        "float_error": Metric(value=1 - trained.float_accuracy, provenance="keras"),
        "fixed_accuracy": Metric(value=fixed, provenance="csim"),
        "fixed_error": Metric(value=1 - fixed, provenance="csim"),
    }
    backend = str(cfg.get("hls.backend"))
    if synth == "always" or (synth == "auto" and find_tool(backend)):
        rep = synthesize(hm, backend, work / "hls", timeout_s)
        metrics |= hardware_metrics(rep.figures, clock, rep.provenance)
        metrics["clock_ns"] = Metric(value=rep.clock_ns, provenance=rep.provenance)
        lap("synthesize")
    else:
        metrics |= hardware_metrics(est, clock, PROVENANCE)
        lap("estimate")
    return {
        "status": "ok",
        "metrics": {k: v.model_dump() for k, v in metrics.items()},
        "layers": [asdict(r) for r in est.layers],
        "timings": timings,
    }
