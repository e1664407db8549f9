"""Compression tasks (specc/evaluate/compress.py) on small Keras models: the pruning schedule
and rewinding, width scaling by weight surgery, HGQ2 quantisation-aware training and its
bit-exact conversion, and the training loop's early stopping and schedules."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from specc.compiler import check_file
from specc.evaluate.compress import apply, weight_bits, zero_share
from specc.evaluate.point import resolve
from specc.ir import model as ir

SPEC = """design t
dataset digits
model {model}
train {{
  epochs = {epochs}
  learning_rate = 3e-3
{train}
}}
compress {{
{compress}
}}
hls {{
  precision = ap_fixed<{precision}>
}}
target xc7z020clg400-1
objectives {{
  minimize fixed_error, lut
}}
"""


def make_spec(
    tmp_path: Path,
    compress: str,
    model: str = "mlp {\n  hidden_layers = 2\n  neurons = 8\n}",
    epochs: int = 2,
    train: str = "",
    precision: str = "8, 3",
) -> ir.Spec:
    path = tmp_path / "t.cds"
    path.write_text(
        SPEC.format(model=model, epochs=epochs, train=train, compress=compress, precision=precision)
    )
    result = check_file(path)
    assert result.spec is not None, [d.message for d in result.diagnostics]
    return result.spec


def data_and_model(spec: ir.Spec) -> tuple[Any, Any]:
    import keras

    from specc.evaluate.data import load_data
    from specc.evaluate.train import build_model

    keras.utils.set_random_seed(0)
    data = load_data(spec.dataset, Path(spec.source).parent)
    return data, build_model(spec, resolve(spec), data)


def no_fit(model: Any, epochs: int, hold_zeros: bool = False, on_epoch: Any = None) -> list[float]:
    return []


def test_weight_bits_counts_sign_and_the_span_of_set_bits() -> None:
    assert weight_bits([0.375]) == 3  # 0.011b: two bits and the sign
    assert weight_bits([-1.5, 0.0]) == 3  # zeros are not counted
    assert weight_bits([0.5, 0.25]) == 2
    assert weight_bits([0.0]) == 0


def test_beta_is_a_knob_of_hgq_only_and_qat_models_depend_on_the_precision(
    tmp_path: Path,
) -> None:
    from specc.evaluate.keys import model_key

    spec = make_spec(tmp_path, "  quantize { method = {ptq, qat, hgq}; beta = 1e-6..1e-4 log }")
    ptq, qat, hgq = (resolve(spec, {"compress.quantize.method": m}) for m in ("ptq", "qat", "hgq"))
    assert "compress.quantize.beta" in hgq.values
    assert "compress.quantize.beta" not in qat.values | ptq.values

    def key(method: str, width: int) -> str:
        cfg = resolve(spec, {"compress.quantize.method": method, "hls.precision.width": width})
        return model_key(spec, cfg, "data")

    # A post-training-quantised model is trained once for every precision; a QAT one is not.
    spec = make_spec(tmp_path, "  quantize { method = {ptq, qat} }", precision="{6, 8}, 2")
    assert key("ptq", 6) == key("ptq", 8)
    assert key("qat", 6) != key("qat", 8)


def test_prune_reaches_the_sparsity_in_steps_and_rewinds(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, "  prune { sparsity = 0.6; steps = 3; epochs = 0; rewind = true }")
    _, model = data_and_model(spec)
    early = [np.array(w) for w in model.get_weights()]
    for lay in model.layers:  # "train" it: move every weight away from the early values
        if lay.get_weights():
            lay.set_weights([w * 2 + 0.01 for w in lay.get_weights()])
    done = apply(spec, resolve(spec), model, no_fit, early, None)
    assert done.summary["sparsity"] == pytest.approx(0.6, abs=0.02)
    assert zero_share(done.model) == pytest.approx(0.6, abs=0.02)
    kernel, early_kernel = np.asarray(model.layers[1].kernel), early[0]
    kept = kernel != 0
    # Rewound: the surviving weights are the early ones, the others zero.
    assert np.array_equal(kernel[kept], early_kernel[kept])


def test_fine_tuning_holds_the_zeros(tmp_path: Path) -> None:
    from specc.evaluate.train import fitter, input_view

    spec = make_spec(tmp_path, "  prune { sparsity = 0.5; epochs = 1 }")
    data, model = data_and_model(spec)
    cfg = resolve(spec)
    fit = fitter(spec, cfg, input_view(data.x_train, "mlp", "", None), data.y_train)
    done = apply(spec, cfg, model, fit, model.get_weights(), None)
    assert len(done.losses) == 1
    assert zero_share(done.model) == pytest.approx(0.5, abs=0.02)


@pytest.mark.parametrize(
    "model",
    [
        "mlp {\n  hidden_layers = 2\n  neurons = 8\n}",
        "cnn {\n  conv_layers = 2\n  filters = 4\n  hidden_layers = 1\n  neurons = 8\n}",
    ],
)
def test_scale_keeps_the_strongest_units_with_their_weights(tmp_path: Path, model: str) -> None:
    spec = make_spec(tmp_path, "  scale { factor = 0.5; epochs = 0 }", model=model)
    data, keras_model = data_and_model(spec)
    from specc.evaluate.train import input_view, kernels

    # Silence half the units of every hidden layer (zero kernel column and bias): the scaled
    # model must drop exactly those and compute the same function.
    for lay in kernels(keras_model)[:-1]:
        w, b = (np.array(a) for a in lay.get_weights())
        n = w.shape[-1]
        dead = np.arange(n) % 2 == 1
        w[..., dead] = 0
        b[dead] = 0
        w[..., ~dead] += np.sign(w[..., ~dead]) * 0.05  # the live ones are clearly stronger
        lay.set_weights([w, b])
    done = apply(spec, resolve(spec), keras_model, no_fit, [], None)
    x = input_view(data.x_test[:50], spec.model.family, spec.model.conv, data.image)
    widths = [int(k.kernel.shape[-1]) for k in kernels(done.model)]
    before = [int(k.kernel.shape[-1]) for k in kernels(keras_model)]
    assert widths[:-1] == [w // 2 for w in before[:-1]] and widths[-1] == 10
    assert done.summary["widths"] == widths[:-1]
    np.testing.assert_allclose(
        done.model.predict(x, verbose=0), keras_model.predict(x, verbose=0), atol=1e-5
    )


def test_scaled_architecture_is_the_one_the_estimate_costs(tmp_path: Path) -> None:
    from specc.evaluate.train import kernels

    spec = make_spec(tmp_path, "  scale { factor = 0.3; epochs = 0 }")
    _, keras_model = data_and_model(spec)
    done = apply(spec, resolve(spec), keras_model, no_fit, [], None)
    knobs = resolve(spec).arch(compressed=True)
    assert [int(k.kernel.shape[-1]) for k in kernels(done.model)[:-1]] == list(knobs.widths)


def test_the_training_loop_stops_early(tmp_path: Path) -> None:
    from specc.evaluate.train import fitter, input_view

    spec = make_spec(tmp_path, "", epochs=200, train="  early_stopping = 1")
    data, model = data_and_model(spec)
    fit = fitter(spec, resolve(spec), input_view(data.x_train, "mlp", "", None), data.y_train)
    losses = fit(model, 200)
    assert 1 < len(losses) < 200  # one epoch without a better validation loss ends it


def test_the_cosine_schedule_decays_the_rate_to_zero(tmp_path: Path) -> None:
    from specc.evaluate.train import fitter, input_view

    spec = make_spec(tmp_path, "", epochs=3, train="  lr_schedule = cosine")
    data, model = data_and_model(spec)
    fit = fitter(spec, resolve(spec), input_view(data.x_train, "mlp", "", None), data.y_train)
    assert len(fit(model, 3)) == 3
    assert float(model.optimizer.learning_rate) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["qat", "hgq"])
def test_quantised_model_and_its_c_simulation_agree_bit_for_bit(
    tmp_path: Path, method: str
) -> None:
    from specc.evaluate.hls import convert
    from specc.evaluate.train import train

    spec = make_spec(
        tmp_path,
        f"  prune {{ sparsity = 0.5; epochs = 1 }}\n  quantize {{ method = {method}; epochs = 2 }}",
        model="mlp {\n  hidden_layers = 1\n  neurons = 16\n}",
        precision="6, 2",
    )
    cfg = resolve(spec)
    from specc.evaluate.data import load_data

    data = load_data(spec.dataset, tmp_path)
    trained = train(spec, cfg, data, 0)
    assert "weight_bits" in trained.compression and trained.compression["sparsity"] >= 0.45
    assert ("ebops" in trained.compression) == (method == "hgq")
    hm = convert(spec, cfg, trained.model, tmp_path / "hls")
    hm.compile()
    x = np.ascontiguousarray(data.x_test, dtype=np.float32)
    keras_out = trained.model.predict(x, verbose=0)
    csim_out = np.asarray(hm.predict(x)).reshape(keras_out.shape)
    assert np.array_equal(keras_out, csim_out)
    # The estimator sees what compression did: the pruned zeros, and under hgq the widths the
    # weights need rather than the widest type.
    from specc.evaluate.shapes import shapes_from_hls

    fc1 = next(s for s in shapes_from_hls(hm, exact_weights=method == "hgq") if s.name == "fc1")
    w = hm.graph["fc1"].get_weights("weight")
    assert fc1.zeros >= 0.45 * fc1.n_in * fc1.n_out
    expected = math.ceil(weight_bits(w.data)) if method == "hgq" else w.type.precision.width
    assert fc1.weight_bits == expected
    if method == "qat":  # the quantisers are the searched ap_fixed<6, 2>: weights on its grid
        for name in ("fc1", "output"):
            w = hm.graph[name].get_weights("weight")
            assert np.array_equal(w.data * 16, np.round(w.data * 16))
            assert np.abs(w.data).max() <= 2 - 1 / 16
            assert w.type.precision.width <= 6  # hls4ml trims it to the range used


def test_a_model_file_is_scaled_then_pruned_with_rewinding_to_the_narrowed_weights(
    tmp_path: Path,
) -> None:
    import keras

    from conftest import ROOT
    from specc.evaluate.train import kernels

    file = ROOT / "examples" / "data" / "digits_mlp.keras"
    spec = make_spec(
        tmp_path,
        "  scale { factor = 0.5; epochs = 0 }\n"
        "  prune { sparsity = 0.5; rewind = true; epochs = 0 }",
        model=f'keras "{file}"',
    )
    model = keras.models.load_model(file, compile=False)
    before = [int(k.kernel.shape[-1]) for k in kernels(model)]
    done = apply(spec, resolve(spec), model, no_fit, model.get_weights(), None)
    after = [int(k.kernel.shape[-1]) for k in kernels(done.model)]
    assert after[:-1] == [max(1, round(w * 0.5)) for w in before[:-1]]
    assert after[-1] == before[-1]
    assert done.summary["sparsity"] == pytest.approx(0.5, abs=0.02)
