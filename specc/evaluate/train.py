"""Model builders (mlp, cnn, an existing Keras file) and seeded training with tf.keras.

Layer names are part of specc's contract with the spec (``layer fc1 { ... }``, see
specc/ir/layers.py): hidden Dense layers are ``fc1``..``fcN``, convolutions ``conv1``..``convN``,
the last Dense ``output``, followed by a separate ``softmax`` activation so that hls4ml gives it
its own, explicitly typed, table-based implementation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specc.evaluate.data import Data
from specc.evaluate.errors import TrialFailure
from specc.evaluate.point import TrialConfig
from specc.ir import model as ir

if TYPE_CHECKING:
    import keras
    import numpy as np

__all__ = ["Trained", "build_model", "input_view", "train"]


@dataclass
class Trained:
    model: keras.Model
    float_accuracy: float
    epochs_run: int
    final_loss: float


def input_view(
    x: np.ndarray, model_family: str, conv: str, image: tuple[int, int] | None, model: Any = None
) -> np.ndarray:
    """Reshape flat inputs to what the model takes (images for conv2d, sequences for conv1d)."""
    if model is not None:
        shape = tuple(model.inputs[0].shape[1:])
        return x.reshape((len(x), *shape))
    if model_family == "cnn" and conv == "conv2d":
        assert image is not None
        return x.reshape((len(x), image[0], image[1], 1))
    if model_family == "cnn":
        return x.reshape((len(x), x.shape[1], 1))
    return x


def build_model(spec: ir.Spec, cfg: TrialConfig, data: Data) -> keras.Model:
    """A fresh, compiled Keras model for this trial's architecture and training knobs."""
    import keras

    act = str(cfg.get("model.activation"))
    l1, l2 = float(cfg.get("train.l1")), float(cfg.get("train.l2"))
    reg = keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None
    features = data.x_train.shape[1]
    if spec.model.family == "cnn":
        conv2d = spec.model.conv == "conv2d"
        if conv2d:
            assert data.image is not None
            inputs = keras.Input((data.image[0], data.image[1], 1), name="features")
        else:
            inputs = keras.Input((features, 1), name="features")
        h = inputs
        kernel = int(cfg.get("model.kernel"))
        pooling = str(cfg.get("model.pooling"))
        pool = spec.model.pool_size
        for k, filters in enumerate(cfg.filters, start=1):
            if conv2d:
                h = keras.layers.Conv2D(
                    filters, kernel, padding="same", kernel_regularizer=reg, name=f"conv{k}"
                )(h)
            else:
                h = keras.layers.Conv1D(
                    filters, kernel, padding="same", kernel_regularizer=reg, name=f"conv{k}"
                )(h)
            h = keras.layers.Activation(act, name=f"conv{k}_{act}")(h)
            if pooling != "none":
                if min(h.shape[1:-1]) < pool:
                    raise TrialFailure(
                        "invalid",
                        f"conv{k}: input {h.shape[1:-1]} is smaller than the pooling window {pool}",
                    )
                layer = {
                    (True, "max"): keras.layers.MaxPooling2D,
                    (True, "avg"): keras.layers.AveragePooling2D,
                    (False, "max"): keras.layers.MaxPooling1D,
                    (False, "avg"): keras.layers.AveragePooling1D,
                }[(conv2d, pooling)]
                h = layer(pool, name=f"pool{k}")(h)
        h = keras.layers.Flatten(name="flatten")(h)
    else:
        inputs = keras.Input((features,), name="features")
        h = inputs
    for k, width in enumerate(cfg.widths, start=1):
        h = keras.layers.Dense(width, kernel_regularizer=reg, name=f"fc{k}")(h)
        h = keras.layers.Activation(act, name=f"fc{k}_{act}")(h)
    h = keras.layers.Dense(data.classes, kernel_regularizer=reg, name="output")(h)
    outputs = keras.layers.Activation("softmax", name="softmax")(h)
    return keras.Model(inputs, outputs, name=spec.design)


def _optimizer(name: str, lr: float) -> Any:
    import keras

    return {
        "adam": keras.optimizers.Adam,
        "sgd": keras.optimizers.SGD,
        "rmsprop": keras.optimizers.RMSprop,
    }[name](learning_rate=lr)


def _prunable(model: keras.Model) -> list[Any]:
    import keras

    return [
        lay
        for lay in model.layers
        if isinstance(lay, (keras.layers.Dense, keras.layers.Conv1D, keras.layers.Conv2D))
    ]


def train(spec: ir.Spec, cfg: TrialConfig, data: Data, seed: int) -> Trained:
    """Build (or load) and train the model of one trial; evaluate it on the test split.

    Magnitude pruning (``pruning_sparsity > 0``): train for two thirds of the epochs, zero the
    smallest weights of every Dense/Conv kernel, then fine-tune with the zeros held by a mask
    re-applied after every batch.

    Raises:
        TrialFailure: ``nan_loss`` when training diverges.
    """
    import keras
    import numpy as np

    keras.utils.set_random_seed(seed)
    try:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    except (ImportError, AttributeError):  # pragma: no cover - other Keras backends
        pass
    if spec.model.family == "keras":
        assert spec.model.path is not None
        model = keras.models.load_model(Path(spec.source).parent / spec.model.path, compile=False)
        x_tr = input_view(data.x_train, "keras", "", data.image, model)
        x_te = input_view(data.x_test, "keras", "", data.image, model)
        model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        acc = float(model.evaluate(x_te, data.y_test, verbose=0)[1])
        return Trained(model, acc, 0, float("nan"))

    model = build_model(spec, cfg, data)
    x_tr = input_view(data.x_train, spec.model.family, spec.model.conv, data.image)
    x_te = input_view(data.x_test, spec.model.family, spec.model.conv, data.image)
    epochs = int(cfg.get("train.epochs"))
    batch = int(cfg.get("train.batch_size"))
    model.compile(
        optimizer=_optimizer(
            str(cfg.get("train.optimizer")), float(cfg.get("train.learning_rate"))
        ),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    sparsity = float(cfg.get("train.pruning_sparsity"))
    dense_epochs = max(1, round(epochs * 2 / 3)) if sparsity > 0 and epochs > 1 else epochs
    callbacks: list[Any] = [keras.callbacks.TerminateOnNaN()]
    fit: dict[str, Any] = {
        "batch_size": batch,
        "verbose": 0,
        "shuffle": True,
        "callbacks": callbacks,
    }
    hist = model.fit(x_tr, data.y_train, epochs=dense_epochs, **fit)
    losses = list(hist.history.get("loss", []))
    if sparsity > 0:
        masks = []
        for layer in _prunable(model):
            w = np.asarray(layer.kernel)
            threshold = np.quantile(np.abs(w), sparsity)
            mask = (np.abs(w) > threshold).astype(w.dtype)
            layer.kernel.assign(w * mask)
            masks.append((layer, mask))

        class _HoldZeros(keras.callbacks.Callback):  # type: ignore[misc]
            def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
                for lay, m in masks:
                    lay.kernel.assign(lay.kernel * m)

        if epochs > dense_epochs:
            callbacks.append(_HoldZeros())
            hist = model.fit(x_tr, data.y_train, epochs=epochs - dense_epochs, **fit)
            losses += list(hist.history.get("loss", []))
    if not losses or not np.all(np.isfinite(losses)):
        bad = next((i for i, v in enumerate(losses) if not np.isfinite(v)), len(losses))
        raise TrialFailure(
            "nan_loss",
            f"training loss is not finite (epoch {bad + 1}); "
            "lower the learning rate or normalise the data",
        )
    acc = float(model.evaluate(x_te, data.y_test, verbose=0)[1])
    return Trained(model, acc, len(losses), float(losses[-1]))
