"""The reference pages list every key and every diagnostic code the code has."""

from __future__ import annotations

import re

from conftest import ROOT
from specc.ir.schema import SECTION_KEYS


def test_language_reference_lists_every_key() -> None:
    page = (ROOT / "docs" / "language.md").read_text()
    for keys in SECTION_KEYS.values():
        for key in keys:
            assert f"`{key.name}`" in page or f"{key.name} = N" in page, key.name


def test_diagnostics_page_lists_every_code() -> None:
    page = (ROOT / "docs" / "diagnostics.md").read_text()
    source = "".join(p.read_text() for p in (ROOT / "specc").rglob("*.py"))
    codes = set(re.findall(r'"([EW]\d{4})"', source))
    assert codes
    for code in sorted(codes):
        assert f"| {code} |" in page, code


def _jet_tagger_files(folder) -> None:  # type: ignore[no-untyped-def]
    """The tutorial's jet tagger as Keras 2 wrote it: model.json, model_weights.h5, a csv."""
    import json

    import h5py
    import numpy as np

    widths = [("fc1", 16, 64), ("fc2", 64, 32), ("fc3", 32, 32), ("output", 32, 5)]
    layers = [
        {
            "class_name": "InputLayer",
            "config": {"batch_input_shape": [None, 16], "dtype": "float32", "name": "in"},
        }
    ]
    for i, (name, _, units) in enumerate(widths, start=1):
        layers.append(
            {
                "class_name": "Dense",
                "config": {"name": name, "units": units, "activation": "linear"},
            }
        )
        act = "softmax" if name == "output" else "relu"
        layers.append({"class_name": "Activation",
                       "config": {"name": "softmax" if name == "output" else f"relu{i}",
                                  "activation": act}})  # fmt: skip
    config = {"class_name": "Sequential", "config": {"name": "jet", "layers": layers}}
    (folder / "model.json").write_text(json.dumps(config))
    rng = np.random.default_rng(0)
    with h5py.File(folder / "model_weights.h5", "w") as f:
        f.attrs["layer_names"] = [n.encode() for n, _, _ in widths]
        for name, n_in, n_out in widths:
            g = f.create_group(name)
            g.attrs["weight_names"] = [f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()]
            g.create_dataset(f"{name}/kernel:0", data=rng.normal(size=(n_in, n_out)))
            g.create_dataset(f"{name}/bias:0", data=np.zeros(n_out))
    rows = [",".join([f"f{i}" for i in range(16)] + ["label"])]
    rows += [",".join(f"{v:.3f}" for v in rng.normal(size=16)) + f",{i % 5}" for i in range(40)]
    (folder / "jets.csv").write_text("\n".join(rows) + "\n")


def test_the_jet_tagger_example_checks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from specc.compiler import check_text

    readme = (ROOT / "README.md").read_text()
    spec = readme.split("```\ndesign jet_tagger\n", 1)[1].split("```", 1)[0]
    _jet_tagger_files(tmp_path)
    result = check_text("design jet_tagger\n" + spec, str(tmp_path / "jet.cds"), tmp_path)
    assert result.ok, [d.message for d in result.diagnostics]
    wrong = check_text(
        "design jet_tagger\n" + spec.replace("layer relu1", "layer relu_1"),
        str(tmp_path / "jet.cds"),
        tmp_path,
    )
    assert [d.hint for d in wrong.diagnostics] == ["did you mean 'relu1'?"]
