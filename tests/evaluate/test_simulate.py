"""The re-used C simulation (one library per firmware, run with each trial's weights) predicts
exactly what hls4ml's own per-project ``compile()`` + ``predict()`` does.

32 random designs of four spaces (the default MLP, the example CNN with io_stream and the
resource strategy, MLPs under both io types and strategies with three activations, Conv1D
models), random weights, and designs that differ from an earlier one only in reuse factors, so
that libraries are shared between designs the way the search shares them.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from specc.compiler import load
from specc.evaluate.data import load_data
from specc.evaluate.errors import TrialFailure
from specc.evaluate.point import resolve
from specc.ir import model as ir
from specc.search.space import configspace, to_point

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SPECS = (
    ROOT / "examples" / "digits_mlp.cds",
    ROOT / "examples" / "cnn_digits.cds",
    ROOT / "tests" / "fixtures" / "simulate" / "mlp_variants.cds",
    ROOT / "tests" / "fixtures" / "simulate" / "cnn1d.cds",
)
DESIGNS = 32
SAMPLES = 120


def _reuse_variant(spec: ir.Spec, point: dict[str, object], rng: np.random.Generator) -> dict:
    """The same design with other reuse factors (where the space offers others)."""
    out = dict(point)
    for name in point:
        if name.endswith("reuse_factor"):
            options = [o for o in _domain(spec, name) if o != point[name]]
            if options:
                out[name] = options[int(rng.integers(len(options)))]
    return out


def _domain(spec: ir.Spec, name: str) -> list[object]:
    from specc.ir.space import dimensions

    dim = next(d for d in dimensions(spec, include_fixed=True) if d.name == name)
    return list(dim.param.values() or [])


def _randomise(model: object, rng: np.random.Generator) -> None:
    """Weights and biases of every layer drawn wide enough to saturate narrow types."""
    for layer in model.layers:  # type: ignore[attr-defined]
        weights = layer.get_weights()
        if weights:
            layer.set_weights([rng.normal(0, 0.6, w.shape).astype(w.dtype) for w in weights])


def test_shared_library_predicts_exactly_what_hls4ml_compiles(tmp_path: Path) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    from specc.evaluate.hls import convert
    from specc.evaluate.simulate import predict, simulator
    from specc.evaluate.train import build_model, input_view

    rng = np.random.default_rng(7)
    cache = tmp_path / "sim"
    checked, compiled, variants = 0, 0, 0
    previous: dict[Path, dict[str, object]] = {}
    attempt = 0
    while checked < DESIGNS:
        attempt += 1
        assert attempt < 4 * DESIGNS, "too many invalid designs drawn"
        path = SPECS[attempt % len(SPECS)]
        spec = load(path)
        data = load_data(spec.dataset, path.parent)
        if path in previous and attempt % 3 == 0:
            point = _reuse_variant(spec, previous[path], rng)
            variants += point != previous[path]
        else:
            config = configspace(spec, int(rng.integers(1 << 30))).sample_configuration()
            point = to_point(config)
        cfg = resolve(spec, point)
        keras.utils.set_random_seed(attempt)
        model = build_model(spec, cfg, data)
        _randomise(model, rng)
        project = tmp_path / f"design{attempt}"
        try:
            hm = convert(spec, cfg, model, project)
        except TrialFailure as err:
            assert err.category == "invalid", err.message
            continue
        hm.write()
        previous[path] = point
        x = input_view(data.x_test[:SAMPLES], spec.model.family, spec.model.conv, data.image)
        library, fresh = simulator(project, cache)
        compiled += fresh
        n_out = int(hm.get_output_variables()[0].size())
        ours = predict(library, project / "firmware" / "weights", x, n_out)
        hm.compile()
        theirs = np.asarray(hm.predict(np.ascontiguousarray(x, dtype=np.float32)))
        theirs = theirs.reshape(len(x), -1)
        assert np.array_equal(ours, theirs), f"{path.name} {point}: predictions differ"
        checked += 1
    # Libraries were shared (reuse-factor variants and repeated firmware), not one per design.
    assert variants >= 5
    assert compiled < checked
