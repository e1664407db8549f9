"""The work of one trial, in order: data, model, hls4ml conversion, C simulation, hardware
figures from synthesis or the estimator. Runs inside a worker process
(:mod:`specc.evaluate.worker`); heavy libraries are imported here, lazily.

A trial pays only for what changed since the trials before it (:class:`Warm` is what a worker
keeps; ``cache/`` beside the trials is what every worker and every later build shares):

- the data set is loaded once per worker;
- a model is trained once per model key (model and training knobs, data, seed, versions) and
  kept in ``cache/models/<key>/``; hardware variants of it load it (from memory when the worker
  has it) instead of training again. A ``model keras`` file is loaded once per worker;
- the C simulation library is compiled once per firmware (``cache/sim/``, see
  :mod:`specc.evaluate.simulate`). The firmware does not depend on the weights, so when a model
  must be trained, its firmware is generated from the untrained model and compiled in the
  background *while* it trains (a design hls4ml cannot build also fails before training). The
  simulation's result is kept per C-simulation key
  (``cache/csim/``: the model and every hardware knob that can change a value), so a variant
  that differs only in reuse factor, clock or array partitioning is not simulated again.

``timings`` name each phase that ran; ``reused`` names what came from a cache.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specc.evaluate.errors import TrialFailure
from specc.evaluate.keys import csim_key, model_key
from specc.evaluate.point import TrialConfig
from specc.evaluate.results import Metric, hardware_metrics
from specc.files import write_atomic
from specc.ir import model as ir
from specc.options import Synth

if TYPE_CHECKING:
    from specc.evaluate.data import Data
    from specc.evaluate.train import Trained

__all__ = ["Warm", "run_phases"]

MODELS_KEPT = 8  # trained models a worker keeps in memory (a few MB each)


@dataclass
class Warm:
    """What a worker keeps between trials: loaded data sets and recently used models."""

    data: dict[str, Data] = field(default_factory=dict)
    models: OrderedDict[str, Trained] = field(default_factory=OrderedDict)

    def remember(self, key: str, trained: Trained) -> None:
        self.models[key] = trained
        self.models.move_to_end(key)
        while len(self.models) > MODELS_KEPT:
            self.models.popitem(last=False)


class _Clock:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(self.timings.get(name, 0.0) + now - self.t, 3)
        self.t = now


def _data(spec: ir.Spec, fingerprint: str, warm: Warm) -> Data:
    from specc.evaluate.data import DataError, load_data

    if fingerprint not in warm.data:
        try:
            warm.data[fingerprint] = load_data(spec.dataset, Path(spec.source).parent)
        except (DataError, OSError, ValueError) as err:
            raise TrialFailure("data", str(err)) from None
    return warm.data[fingerprint]


def _model(
    spec: ir.Spec, cfg: TrialConfig, data: Data, key: str, cache: Path, warm: Warm
) -> tuple[Trained, str]:
    """The trained model of this configuration and how it was had: ``memory``, ``cache``
    (loaded from ``cache/models/``) or ``trained``/``loaded`` (a keras file) now."""
    import keras

    from specc.evaluate.train import Trained, train

    if key in warm.models:
        warm.models.move_to_end(key)
        return warm.models[key], "memory"
    folder = cache / "models" / key
    if cfg.quantization != "ptq":
        import hgq  # noqa: F401  (registers HGQ2's layers with Keras's loader)
    try:
        info = json.loads((folder / "trained.json").read_text())
        model = keras.models.load_model(folder / "model.keras", compile=False)
        trained = Trained(
            model,
            info["float_accuracy"],
            info["epochs_run"],
            info["final_loss"],
            info.get("compression", {}),
        )
        how = "cache"
    except (OSError, ValueError, KeyError):
        trained = train(spec, cfg, data, spec.train.seed, cache)
        how = "loaded" if spec.model.family == "keras" else "trained"
        tmp = folder.with_name(f".{key}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        trained.model.save(tmp / "model.keras")
        info = {
            "float_accuracy": trained.float_accuracy,
            "epochs_run": trained.epochs_run,
            "final_loss": trained.final_loss,
            "compression": trained.compression,
        }
        (tmp / "trained.json").write_text(json.dumps(info))
        if folder.exists():
            shutil.rmtree(tmp, ignore_errors=True)  # another worker published it first
        else:
            os.replace(tmp, folder)
    warm.remember(key, trained)
    return trained, how


# Compiles the firmware of a model while it trains (g++ runs outside the GIL).
_BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="specc-compile")


def _will_train(spec: ir.Spec, cfg: TrialConfig, key: str, cache: Path, warm: Warm) -> bool:
    """Whether this trial trains a model whose firmware is known before training (so it can
    be compiled meanwhile): not a model file, not one a scale task narrows, and not one
    whose types its quantisers set."""
    if spec.model.family == "keras" or cfg.quantization != "ptq" or spec.task("scale"):
        return False
    return key not in warm.models and not (cache / "models" / key / "trained.json").is_file()


def _csim_result(mkey: str, cfg: TrialConfig, cache: Path) -> Path:
    return cache / "csim" / f"{csim_key(mkey, cfg)}.json"


def _prefetch_simulator(
    spec: ir.Spec, cfg: TrialConfig, data: Data, work: Path, cache: Path
) -> Future[tuple[Path, bool]] | None:
    """Start compiling the design's C simulation from its untrained model: the firmware is
    the same but for the weights, which the library reads at run time. None when the library
    is already there."""
    from specc.evaluate.hls import convert
    from specc.evaluate.simulate import firmware_key, simulator
    from specc.evaluate.train import build_model

    hm = convert(spec, cfg, build_model(spec, cfg, data), work / "prefetch")
    hm.write()
    key = firmware_key(work / "prefetch")
    if key is None or (cache / "sim" / key).is_dir():
        shutil.rmtree(work / "prefetch", ignore_errors=True)
        return None
    return _BACKGROUND.submit(simulator, work / "prefetch", cache / "sim")


def _link(source: Path, target: Path) -> None:
    """``target`` with ``source``'s bytes: a hard link where possible (no copy)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def run_phases(
    spec: ir.Spec,
    cfg: TrialConfig,
    work: Path,
    synth: Synth,
    timeout_s: float | None,
    cache: Path,
    fingerprint: str,
    warm: Warm,
) -> dict[str, Any]:
    """Everything a trial does. Returns a TrialResult as a dict (without the key).

    Args:
        fingerprint: the data's fingerprint, computed once by the caller (it keys the loaded
            data and the trained models).
    """
    clock = _Clock()
    reused = ["data"] if fingerprint in warm.data else []
    data = _data(spec, fingerprint, warm)
    clock.lap("data")
    mkey = model_key(spec, cfg, fingerprint)
    prefetch = None
    if _will_train(spec, cfg, mkey, cache, warm) and not _csim_result(mkey, cfg, cache).is_file():
        prefetch = _prefetch_simulator(spec, cfg, data, work, cache)
        clock.lap("prefetch")
    trained, how = _model(spec, cfg, data, mkey, cache, warm)
    clock.lap("train" if how == "trained" else "load_model")
    if how in ("memory", "cache"):
        reused.append("model")
    saved = cache / "models" / mkey / "model.keras"
    if saved.is_file():
        _link(saved, work / "model.keras")
    else:  # the cache was cleared under a running worker
        trained.model.save(work / "model.keras")
    from specc.evaluate.hls import convert

    hm = convert(spec, cfg, trained.model, work / "hls")
    hm.write()
    clock.lap("convert")
    fixed = _csim(spec, cfg, hm, trained, data, work, cache, mkey, clock, reused, prefetch)
    from specc.evaluate.estimate import PROVENANCE, estimate_design
    from specc.evaluate.shapes import shapes_from_hls, target_of
    from specc.evaluate.synth import find_tool, synthesize

    shapes = shapes_from_hls(hm, exact_weights=cfg.quantization == "hgq")
    est = estimate_design(shapes, target_of(spec, cfg))
    period = float(cfg.get("hls.clock_period"))
    metrics = {
        "float_accuracy": Metric(value=trained.float_accuracy, provenance="keras"),
        "float_error": Metric(value=1 - trained.float_accuracy, provenance="keras"),
        "fixed_accuracy": Metric(value=fixed, provenance="csim"),
        "fixed_error": Metric(value=1 - fixed, provenance="csim"),
    }
    backend = str(cfg.get("hls.backend"))
    if synth == "always" or (synth == "auto" and find_tool(backend)):
        rep = synthesize(hm, backend, work / "hls", timeout_s)
        metrics |= hardware_metrics(rep.figures, period, rep.provenance)
        metrics["clock_ns"] = Metric(value=rep.clock_ns, provenance=rep.provenance)
        clock.lap("synthesize")
    else:
        metrics |= hardware_metrics(est, period, PROVENANCE)
        clock.lap("estimate")
    from specc.evaluate.train import training_warnings

    return {
        "status": "ok",
        "metrics": {k: v.model_dump() for k, v in metrics.items()},
        "warnings": training_warnings(trained, data),
        "layers": [asdict(r) for r in est.layers],
        "compression": trained.compression,
        "timings": clock.timings,
        "reused": reused,
    }


def _csim(
    spec: ir.Spec,
    cfg: TrialConfig,
    hm: Any,
    trained: Trained,
    data: Data,
    work: Path,
    cache: Path,
    mkey: str,
    clock: _Clock,
    reused: list[str],
    prefetch: Future[tuple[Path, bool]] | None,
) -> float:
    """Fixed-point accuracy of the design by bit-accurate C simulation: from ``cache/csim/``
    when this model was simulated with the same value-changing knobs, else by running the
    firmware's compiled library (compiled now on a miss) with this trial's weights."""
    from specc.evaluate.simulate import predict, simulator
    from specc.evaluate.train import input_view

    result = _csim_result(mkey, cfg, cache)
    try:
        accuracy = float(json.loads(result.read_text())["fixed_accuracy"])
        reused.append("csim")
        clock.lap("simulate")
        return accuracy
    except (OSError, ValueError, KeyError):
        pass
    compiled = False
    if prefetch is not None:
        compiled = prefetch.result()[1]  # compiled while the model trained (raises its failure)
        shutil.rmtree(work / "prefetch", ignore_errors=True)
    library, now = simulator(work / "hls", cache / "sim")
    clock.lap("compile")
    if not (compiled or now):
        reused.append("simulator")
    keras_model = trained.model if spec.model.family == "keras" else None
    x_test = input_view(data.x_test, spec.model.family, spec.model.conv, data.image, keras_model)
    n_out = int(hm.get_output_variables()[0].size())
    pred = predict(library, work / "hls" / "firmware" / "weights", x_test, n_out)
    accuracy = float((pred.argmax(axis=1) == data.y_test).mean())
    write_atomic(result, json.dumps({"fixed_accuracy": accuracy}))
    clock.lap("simulate")
    return accuracy
