"""The model files hls4ml users have: each format, written here the way the Keras 2 era wrote it
(hand-built configs and HDF5 layouts, since Keras 3 cannot write them), checked, converted once
and predicting what the original model predicts."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from specc.compiler import check_text

pytestmark = pytest.mark.slow

# The hls4ml tutorial's jet tagger, small: 16 inputs, Dense layers with separate activations.
WIDTHS = [("fc1", 16, 8), ("fc2", 8, 5)]


def _weights() -> dict[str, list[np.ndarray]]:
    rng = np.random.default_rng(0)
    return {n: [rng.normal(size=(i, o)).astype("f4"), rng.normal(size=o).astype("f4")]
            for n, i, o in WIDTHS}  # fmt: skip


def _keras2_config(first_has_shape: bool) -> dict[str, Any]:
    """model.to_json() of a TF 2.x Keras 2 Sequential (no 'module' entries)."""
    layers: list[dict[str, Any]] = []
    if not first_has_shape:
        layers.append(
            {"class_name": "InputLayer",
             "config": {"batch_input_shape": [None, 16], "dtype": "float32", "name": "input_1"}}
        )  # fmt: skip
    for name, _, units in WIDTHS:
        conf: dict[str, Any] = {"name": name, "trainable": True, "dtype": "float32"}
        conf |= {"units": units, "activation": "linear", "use_bias": True}
        if first_has_shape and name == "fc1":
            conf["batch_input_shape"] = [None, 16]
        layers.append({"class_name": "Dense", "config": conf})
        act = "softmax" if name == "fc2" else "relu"
        layers.append(
            {"class_name": "Activation",
             "config": {"name": f"{name}_act", "dtype": "float32", "activation": act}}
        )  # fmt: skip
    return {"class_name": "Sequential", "config": {"name": "jet", "layers": layers},
            "keras_version": "2.9.0", "backend": "tensorflow"}  # fmt: skip


def _write_h5_weights(group: Any) -> None:
    """Keras 2's HDF5 weight layout (``model.save_weights('w.h5')``)."""
    weights = _weights()
    names = [n for n, _, _ in WIDTHS] + [f"{n}_act" for n, _, _ in WIDTHS]
    group.attrs["layer_names"] = [n.encode() for n in names]
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = b"2.9.0"
    for name in names:
        g = group.create_group(name)
        own = weights.get(name, [])
        wnames = [f"{name}/kernel:0", f"{name}/bias:0"][: len(own)]
        g.attrs["weight_names"] = [w.encode() for w in wnames]
        for w, value in zip(wnames, own, strict=True):
            g.create_dataset(w, data=value)


def _reference(x: np.ndarray) -> np.ndarray:
    h = x
    for name, _, _ in WIDTHS:
        kernel, bias = _weights()[name]
        h = h @ kernel + bias
        h = np.maximum(h, 0) if name == "fc1" else np.exp(h) / np.exp(h).sum(1, keepdims=True)
    return h


def _spec(tmp_path: Path, model: str) -> Any:
    rows = ["a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,label"]
    rng = np.random.default_rng(1)
    for i in range(50):
        rows.append(",".join(f"{v:.3f}" for v in rng.normal(size=16)) + f",{i % 5}")
    (tmp_path / "jets.csv").write_text("\n".join(rows) + "\n")
    text = (
        f'design jet\ndataset csv "jets.csv"\n{model}\n'
        "hls {\n  precision = ap_fixed<16, 6>\n  layer fc1_act {\n    precision = ap_fixed<18, 8>\n"
        "  }\n}\ntarget xcvu9p-flga2104-2L-e\nobjectives {\n  minimize fixed_error\n}\n"
    )
    (tmp_path / "jet.cds").write_text(text)
    result = check_text(text, str(tmp_path / "jet.cds"), tmp_path)
    assert result.spec is not None, [d.message for d in result.diagnostics]
    return result.spec


def _check_converted(tmp_path: Path, spec: Any, fmt: str) -> None:
    from specc.evaluate.keras_files import converted_path, load_spec_model

    cache = tmp_path / "cache"
    target = converted_path(spec, cache)
    assert target is not None and not target.exists()
    model = load_spec_model(spec, cache)
    assert target.is_file()  # converted once; the next load reads the copy
    x = np.random.default_rng(2).normal(size=(20, 16)).astype("f4")
    np.testing.assert_allclose(model.predict(x, verbose=0), _reference(x), rtol=1e-4, atol=1e-6)
    again = load_spec_model(spec, cache)
    np.testing.assert_allclose(again.predict(x, verbose=0), _reference(x), rtol=1e-4, atol=1e-6)
    from specc.ir.modelfile import read_model_file

    base = Path(spec.source).parent
    weights = base / spec.model.weights if spec.model.weights else None
    assert read_model_file(base / spec.model.path, weights).format == fmt


def test_keras2_json_with_weights(tmp_path: Path) -> None:
    import h5py

    (tmp_path / "model.json").write_text(json.dumps(_keras2_config(first_has_shape=False)))
    with h5py.File(tmp_path / "model_weights.h5", "w") as f:
        _write_h5_weights(f)
    spec = _spec(tmp_path, 'model keras "model.json" {\n  weights = "model_weights.h5"\n}')
    _check_converted(tmp_path, spec, "keras2-json")
    # The spec's `layer fc1_act { precision = ap_fixed<18, 8> }` names the model's own layer,
    # and reaches hls4ml's configuration of that layer (no other).
    from specc.evaluate.hls import hls_config
    from specc.evaluate.keras_files import load_spec_model
    from specc.evaluate.point import resolve

    conf = hls_config(resolve(spec), load_spec_model(spec, tmp_path / "cache"))["LayerName"]
    assert conf["fc1_act"]["Precision"]["result"] == "fixed<18,8,RND,SAT>"
    assert conf["fc2_act"]["Precision"]["result"] == "fixed<16,6,RND,SAT>"


def test_tf2_full_model_h5(tmp_path: Path) -> None:
    import h5py

    with h5py.File(tmp_path / "model.h5", "w") as f:
        f.attrs["model_config"] = json.dumps(_keras2_config(first_has_shape=True))
        _write_h5_weights(f.create_group("model_weights"))
    spec = _spec(tmp_path, 'model keras "model.h5"')
    _check_converted(tmp_path, spec, "hdf5")


def test_tf2_era_keras_archive(tmp_path: Path) -> None:
    import keras

    # Keras 2.13-2.15 wrote the archive layout Keras 3 reads, but a Keras 2 config in it.
    inputs = keras.Input((16,))
    h = inputs
    for name, _, units in WIDTHS:
        h = keras.layers.Dense(units, name=name)(h)
        h = keras.layers.Activation("relu" if name == "fc1" else "softmax", name=f"{name}_act")(h)
    model = keras.Sequential([keras.Input((16,)), *[
        layer for layer in keras.Model(inputs, h).layers[1:]]])  # fmt: skip
    for name, _, _ in WIDTHS:
        model.get_layer(name).set_weights(_weights()[name])
    model.save(tmp_path / "k3.keras")
    with (
        zipfile.ZipFile(tmp_path / "k3.keras") as zin,
        zipfile.ZipFile(tmp_path / "model.keras", "w") as zout,
    ):
        for item in zin.namelist():
            data = zin.read(item)
            if item == "config.json":
                data = json.dumps(_keras2_config(first_has_shape=True)).encode()
            zout.writestr(item, data)
    spec = _spec(tmp_path, 'model keras "model.keras"')
    _check_converted(tmp_path, spec, "keras2-archive")


def test_check_names_unknown_layers_and_missing_weights(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text(json.dumps(_keras2_config(first_has_shape=False)))
    text = (
        'design jet\ndataset digits\nmodel keras "model.json"\n'
        "target xcvu9p-flga2104-2L-e\nobjectives {\n  minimize fixed_error\n}\n"
    )
    result = check_text(text, str(tmp_path / "jet.cds"), tmp_path)
    assert [d.code for d in result.diagnostics] == ["E0411"]
    assert "give its weights too" in result.diagnostics[0].message
    config = _keras2_config(first_has_shape=False)
    config["config"]["layers"].insert(2, {"class_name": "UnitNormalization",
                                          "config": {"name": "norm"}})  # fmt: skip
    (tmp_path / "model.json").write_text(json.dumps(config))
    (tmp_path / "w.h5").write_bytes(b"")
    text = text.replace('"model.json"', '"model.json" {\n  weights = "w.h5"\n}')
    result = check_text(text, str(tmp_path / "jet.cds"), tmp_path)
    messages = [d.message for d in result.diagnostics]
    assert any("layer 'norm' of kind UnitNormalization" in m for m in messages), messages


def test_the_layer_list_is_hls4mls() -> None:
    from hls4ml.converters import get_supported_keras_layers

    from specc.ir.modelfile import HLS4ML_LAYERS

    assert set(get_supported_keras_layers()) | {"Dropout"} == HLS4ML_LAYERS
