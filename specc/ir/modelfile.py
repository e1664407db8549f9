"""The model files hls4ml users have, read without TensorFlow: what ``check`` and the a-priori
estimate need (input shape, last Dense width, layer names, layer kinds).

Formats (``model keras "FILE" [{ weights = "FILE" }]``):

- ``keras3``: a Keras 3 ``.keras`` archive (``config.json`` with ``module`` entries);
- ``keras2-archive``: a ``.keras`` archive written by TF 2.13-2.15's Keras 2 (its config names
  no modules and puts ``batch_input_shape`` on the first layer of a Sequential);
- ``hdf5``: a full model saved to ``.h5`` by TF2/Keras 2 (the config is the file's
  ``model_config`` attribute, the weights are in ``model_weights``);
- ``keras2-json``: a Keras 2 ``model.json`` (``model.to_json()``) with its weights in a separate
  ``.h5`` (``model.save_weights``), as the hls4ml tutorials ship them.

Every format but the first is converted once to a Keras 3 model before training
(:mod:`specc.evaluate.keras_files`); :func:`upgrade` is the one rewrite of a Keras 2 config
both sides use.
"""

from __future__ import annotations

import copy
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "HLS4ML_LAYERS",
    "ModelFile",
    "ModelFileError",
    "ModelSummary",
    "read_model_file",
    "summarize",
    "upgrade",
]

# The Keras layers hls4ml 1.3 converts (its Keras handlers) and those it drops (Dropout);
# tests/ir/test_modelfile.py keeps this list equal to hls4ml's own.
HLS4ML_LAYERS = frozenset(
    {
        *("Activation", "Add", "Average", "AveragePooling1D", "AveragePooling2D"),
        *("BatchNormalization", "Bidirectional", "BinaryDense", "Concatenate", "Conv1D"),
        *("Conv2D", "Cropping1D", "Cropping2D", "Dense", "DepthwiseConv1D", "DepthwiseConv2D"),
        *("Dot", "Dropout", "ELU", "Embedding", "FixedPointQuantizer", "Flatten", "Functional"),
        *("GRU", "GarNet", "GarNetStack", "GlobalAveragePooling1D", "GlobalAveragePooling2D"),
        *("GlobalMaxPooling1D", "GlobalMaxPooling2D", "HGQ>FixedPointQuantizer", "HGQ>UnaryLUT"),
        *("InputLayer", "LSTM", "LayerNormalization", "LeakyReLU", "MaxPooling1D"),
        *("MaxPooling2D", "Maximum", "Minimum", "Multiply", "PReLU", "Permute", "QActivation"),
        *("QBatchNormalization", "QConv1D", "QConv2D", "QConv2DBatchnorm", "QDense"),
        *("QDepthwiseConv2D", "QGRU", "QLSTM", "QSeparableConv1D", "QSeparableConv2D"),
        *("QSimpleRNN", "ReLU", "Reshape", "SeparableConv1D", "SeparableConv2D", "Sequential"),
        *("SimpleRNN", "Softmax", "Subtract", "TernaryDense", "ThresholdedReLU"),
        *("TimeDistributed", "UnaryLUT", "UpSampling1D", "UpSampling2D", "ZeroPadding1D"),
        "ZeroPadding2D",
    }
)
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
# Layers after the last Dense that leave its width as it is.
_SHAPE_KEEPING = ("Activation", "ReLU", "Softmax", "Dropout", "LeakyReLU")


class ModelFileError(ValueError):
    """A model file that is not a model specc can read; the message says what it is instead."""


@dataclass(frozen=True)
class ModelFile:
    """A model file as read: its format (see the module), its config in the Keras 3 layout
    (after :func:`upgrade`), and the weights file a ``keras2-json`` model needs."""

    path: Path
    format: str
    config: dict[str, Any]
    weights: Path | None = None

    @property
    def layers(self) -> list[dict[str, Any]]:
        layers = self.config.get("config", {}).get("layers")
        return layers if isinstance(layers, list) else []


@dataclass(frozen=True)
class ModelSummary:
    """What a saved model says about itself.

    Args:
        input_shape: one sample's shape (without the batch axis); empty when not stated.
        output_units: the last Dense layer's width when the model ends in one (else None).
        layer_names: every layer's name, in order, and the names hls4ml gives the activations
            it splits off Dense/Conv layers (``fc1`` with ``activation="relu"`` -> ``fc1_relu``).
    """

    input_shape: tuple[int, ...]
    output_units: int | None
    layer_names: tuple[str, ...]


def upgrade(config: dict[str, Any]) -> dict[str, Any]:
    """A Keras 2 model config in the layout Keras 3 reads (a copy): the ``batch_input_shape``
    a Keras 2 Sequential keeps on its first layer becomes an InputLayer's ``batch_shape``, and
    a Keras 2 functional ``Model`` is a ``Functional``."""
    config = copy.deepcopy(config)
    if config.get("class_name") == "Model":
        config["class_name"] = "Functional"
    layers = config.get("config", {}).get("layers")
    if not isinstance(layers, list):
        return config
    for entry in layers:
        conf = entry.get("config", {}) if isinstance(entry, dict) else {}
        if entry.get("class_name") == "InputLayer" and "batch_input_shape" in conf:
            conf["batch_shape"] = conf.pop("batch_input_shape")
    first = layers[0] if layers else None
    if (
        config.get("class_name") == "Sequential"
        and isinstance(first, dict)
        and first.get("class_name") != "InputLayer"
        and "batch_input_shape" in first.get("config", {})
    ):
        shape = first["config"].pop("batch_input_shape")
        dtype = first["config"].get("dtype", "float32")
        dtype = dtype if isinstance(dtype, str) else "float32"
        name = f"{first['config'].get('name', 'layer')}_input"
        layers.insert(
            0,
            {
                "class_name": "InputLayer",
                "config": {"batch_shape": shape, "dtype": dtype, "name": name},
            },
        )
    return config


def _is_keras3(config: dict[str, Any]) -> bool:
    return "module" in config and all(
        "module" in entry for entry in config.get("config", {}).get("layers", [])
    )


def _archive_config(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as zf:
        if "config.json" not in zf.namelist():
            raise ModelFileError("is a zip archive without config.json, not a .keras model")
        return dict(json.loads(zf.read("config.json")))


def _hdf5_config(path: Path) -> dict[str, Any]:
    import h5py

    with h5py.File(path, "r") as f:
        raw = f.attrs.get("model_config")
        if raw is None:
            raise ModelFileError(
                "is an HDF5 file without a model config (weights only?): give the model's "
                'model.json with { weights = "..." }, or the model saved whole'
            )
        return dict(json.loads(raw.decode() if isinstance(raw, bytes) else raw))


def read_model_file(path: Path, weights: Path | None = None) -> ModelFile:
    """Read a model file of any of the formats (see the module).

    Raises:
        ModelFileError: when it is none of them, or a Keras 2 JSON has no weights file.
        OSError: when it cannot be read.
    """
    with path.open("rb") as fh:
        start = fh.read(8)
    try:
        if start.startswith(b"PK"):
            config = _archive_config(path)
            fmt = "keras3" if _is_keras3(config) else "keras2-archive"
        elif start == _HDF5_SIGNATURE:
            config, fmt = _hdf5_config(path), "hdf5"
        elif start.lstrip()[:1] == b"{":
            config, fmt = dict(json.loads(path.read_text(encoding="utf-8"))), "keras2-json"
            if weights is None:
                raise ModelFileError(
                    'is a Keras 2 model.json: give its weights too, model keras "model.json" '
                    '{ weights = "model_weights.h5" }'
                )
        else:
            raise ModelFileError(
                "is not a Keras model (.keras archive, .h5 model, or model.json with weights)"
            )
    except ModelFileError:
        raise
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, KeyError) as err:
        raise ModelFileError(f"cannot be read as a Keras model ({type(err).__name__})") from None
    if not isinstance(config.get("config"), dict):
        raise ModelFileError("has no model config")
    return ModelFile(path, fmt, upgrade(config), weights if fmt == "keras2-json" else None)


def summarize(model: ModelFile) -> ModelSummary:
    """Input shape, output width and layer names of a model file.

    Raises:
        ModelFileError: when it has no layers, or a layer hls4ml cannot convert.
    """
    layers = model.layers
    if not layers:
        raise ModelFileError("has no layers in its config")
    names: list[str] = []
    input_shape: tuple[int, ...] = ()
    for entry in layers:
        kind = str(entry.get("class_name", ""))
        conf = entry.get("config", {}) if isinstance(entry, dict) else {}
        name = str(conf.get("name") or entry.get("name") or "")
        if kind not in HLS4ML_LAYERS:
            raise ModelFileError(
                f"has layer '{name}' of kind {kind}, which hls4ml 1.3 does not convert"
            )
        names.append(name)
        act = conf.get("activation")
        if kind not in ("Activation",) and isinstance(act, str) and act != "linear":
            names.append(f"{name}_{act}")  # the activation layer hls4ml splits off
        shape = conf.get("batch_shape")
        if not input_shape and isinstance(shape, list) and len(shape) >= 2:
            if all(isinstance(s, int) and s > 0 for s in shape[1:]):
                input_shape = tuple(shape[1:])
    output_units = None
    for entry in reversed(layers):
        kind = entry.get("class_name")
        if kind == "Dense":
            units = entry.get("config", {}).get("units")
            output_units = units if isinstance(units, int) else None
            break
        if kind not in _SHAPE_KEEPING:
            break
    return ModelSummary(input_shape, output_units, tuple(n for n in names if n))
