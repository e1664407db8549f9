"""Loading the model files hls4ml users have (see :mod:`specc.ir.modelfile` for the formats):
a Keras 3 ``.keras`` as it is; the Keras 2 formats (TF2-era ``.keras`` and ``.h5`` models, a
``model.json`` with its weights ``.h5``) converted once to a Keras 3 ``.keras`` file in
``out/<design>/cache/converted/``, which every later trial loads.

The conversion is Keras 3's own reader of Keras 2 configs (``keras.src.legacy``) on the config
:func:`specc.ir.modelfile.upgrade` rewrote, and Keras's HDF5 weight loader; the converted model
predicts what the original does (tests/evaluate/test_keras_files.py).
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from specc.evaluate.errors import TrialFailure
from specc.evaluate.keys import model_file_hash
from specc.ir import model as ir
from specc.ir.modelfile import ModelFile, ModelFileError, read_model_file

__all__ = ["converted_path", "load_spec_model", "to_keras3"]


def converted_path(spec: ir.Spec, cache: Path) -> Path | None:
    """Where the Keras 3 copy of a spec's model file goes (None: a Keras 3 file, loaded as
    it is, or no model file)."""
    if spec.model.path is None:
        return None
    base = Path(spec.source).parent
    weights = base / spec.model.weights if spec.model.weights else None
    try:
        fmt = read_model_file(base / spec.model.path, weights).format
    except (OSError, ModelFileError):
        return None  # loading it as it is says what is wrong
    if fmt == "keras3":
        return None
    return cache / "converted" / f"{model_file_hash(spec)[:20]}.keras"


def _h5_weights(model: Any, path: Path) -> None:
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    with h5py.File(path, "r") as f:
        group = f["model_weights"] if "model_weights" in f else f
        legacy_h5_format.load_weights_from_hdf5_group(group, model)


def _from_archive(source: ModelFile) -> Any:
    """A TF2-era ``.keras`` archive: its weights are laid out as Keras 3 expects, its config
    is Keras 2's. The model is built from the config by Keras's legacy reader, its Keras 3
    config written into a copy of the archive beside the original weights, and loaded."""
    import keras
    from keras.src.legacy.saving import saving_utils

    built = saving_utils.model_from_config(source.config)
    config = keras.saving.serialize_keras_object(built)
    with tempfile.TemporaryDirectory(prefix="specc-convert-") as tmp:
        copy = Path(tmp) / "model.keras"
        with zipfile.ZipFile(source.path) as zin, zipfile.ZipFile(copy, "w") as zout:
            for item in zin.namelist():
                data = zin.read(item)
                if item == "config.json":
                    data = json.dumps(config).encode()
                zout.writestr(item, data)
        return keras.models.load_model(copy, compile=False, safe_mode=True)


def to_keras3(source: ModelFile) -> Any:
    """The Keras 3 model of a Keras 2 model file (config and weights).

    Raises:
        TrialFailure: ``model`` when Keras cannot build it or its weights do not fit.
    """
    from keras.src.legacy.saving import saving_utils

    try:
        if source.format == "keras2-archive":
            return _from_archive(source)
        model = saving_utils.model_from_config(source.config)
        _h5_weights(model, source.weights if source.weights is not None else source.path)
        return model
    except TrialFailure:
        raise
    except Exception as err:  # Keras raises many kinds for a config it cannot read
        raise TrialFailure(
            "model", f"{source.path.name} ({source.format}): {type(err).__name__}: {err}"
        ) from None


def load_spec_model(spec: ir.Spec, cache: Path | None) -> Any:
    """The spec's model file as a Keras 3 model; a Keras 2 file is converted on first use and
    its converted copy kept in ``cache/converted/`` (written whole, then renamed).

    Raises:
        TrialFailure: ``model`` when the file is not a model Keras can load (not retried: the
            file is what it is).
    """
    import keras

    assert spec.model.path is not None
    base = Path(spec.source).parent
    target = converted_path(spec, cache) if cache is not None else None
    try:
        if target is not None and target.is_file():
            return keras.models.load_model(target, compile=False)
        weights = base / spec.model.weights if spec.model.weights else None
        source = read_model_file(base / spec.model.path, weights)
        if source.format == "keras3":
            return keras.models.load_model(source.path, compile=False)
        model = to_keras3(source)
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.stem}.{os.getpid()}.keras")
            model.save(tmp)
            os.replace(tmp, target)
            print(f"specc: converted {source.path.name} ({source.format}) to Keras 3: {target}")
        return model
    except TrialFailure:
        raise
    except Exception as err:
        raise TrialFailure("model", f"{spec.model.path}: {type(err).__name__}: {err}") from None
