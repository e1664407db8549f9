"""Model builders (mlp, cnn, an existing Keras file) and seeded training with tf.keras.

The layers and their names come from the one architecture description,
:func:`specc.ir.arch.architecture`; this module maps it onto Keras layers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specc.evaluate.data import Data
from specc.evaluate.errors import TrialFailure
from specc.evaluate.point import TrialConfig
from specc.ir import model as ir
from specc.ir.arch import ArchitectureError, architecture
from specc.ir.datasets import DataShape

if TYPE_CHECKING:
    import keras
    import numpy as np

__all__ = [
    "Trained",
    "build_model",
    "fitter",
    "input_view",
    "kernels",
    "train",
    "training_warnings",
]


@dataclass
class Trained:
    """A trained (and compressed) model and what its training did. ``float_accuracy`` is the
    Keras model's own accuracy: of the float model under post-training quantisation, of the
    quantised model (which the C simulation reproduces bit for bit) under QAT."""

    model: keras.Model
    float_accuracy: float
    epochs_run: int
    final_loss: float
    compression: dict[str, Any] = field(default_factory=dict)


# A model this close to always answering the test split's most common class learned nothing.
CHANCE_MARGIN = 0.02
# A final training loss above this share of the labels' entropy (the loss of predicting the
# class frequencies, which any model reaches without looking at the inputs) did not fall.
LOSS_FELL_BELOW = 0.95


def training_warnings(trained: Trained, data: Data) -> list[str]:
    """What a trained model's numbers say that the user should know: an accuracy at chance
    (no better than always answering the most common class), or a training loss that never
    fell below what predicting the class frequencies costs. The trial stays ``ok``; the record
    and the reports carry the warning."""
    import numpy as np

    out = []
    counts = np.bincount(data.y_test, minlength=data.classes)
    chance = float(counts.max() / counts.sum())
    if trained.float_accuracy <= chance + CHANCE_MARGIN:
        out.append(
            f"chance accuracy: {trained.float_accuracy:.3f} on the test split, where always "
            f"answering its most common class scores {chance:.3f}"
        )
    shares = np.bincount(data.y_train, minlength=data.classes) / len(data.y_train)
    entropy = float(-(shares[shares > 0] * np.log(shares[shares > 0])).sum())
    if np.isfinite(trained.final_loss) and trained.final_loss >= LOSS_FELL_BELOW * entropy:
        out.append(
            f"loss did not fall: {trained.final_loss:.3f} after {trained.epochs_run} epochs, "
            f"predicting the class frequencies costs {entropy:.3f}"
        )
    return out


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
    """A fresh Keras model of this trial's architecture (:func:`specc.ir.arch.architecture`).

    Raises:
        TrialFailure: ``invalid`` when the knobs describe a model that cannot be built.
    """
    import keras

    l1, l2 = float(cfg.get("train.l1")), float(cfg.get("train.l2"))
    reg = keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None
    shape = DataShape(data.x_train.shape[1], data.image, data.classes)
    try:
        arch = architecture(spec.model, cfg.arch(), shape)
    except ArchitectureError as err:
        raise TrialFailure("invalid", str(err)) from None
    conv2d = arch.conv == "conv2d"
    inputs = keras.Input(arch.input_shape, name="features")
    h = inputs
    for layer in arch.layers:
        if layer.kind == "conv":
            conv = keras.layers.Conv2D if conv2d else keras.layers.Conv1D
            h = conv(
                layer.n_out, layer.size, padding="same", kernel_regularizer=reg, name=layer.name
            )(h)
        elif layer.kind == "dense":
            h = keras.layers.Dense(layer.n_out, kernel_regularizer=reg, name=layer.name)(h)
        elif layer.kind == "activation":
            h = keras.layers.Activation(layer.activation, name=layer.name)(h)
        elif layer.kind == "pool":
            pool = {
                (True, "max"): keras.layers.MaxPooling2D,
                (True, "avg"): keras.layers.AveragePooling2D,
                (False, "max"): keras.layers.MaxPooling1D,
                (False, "avg"): keras.layers.AveragePooling1D,
            }[(conv2d, layer.pooling)]
            h = pool(layer.size, name=layer.name)(h)
        elif layer.kind == "flatten":
            h = keras.layers.Flatten(name=layer.name)(h)
    return keras.Model(inputs, h, name=spec.design)


def _optimizer(name: str, lr: Any) -> Any:
    import keras

    return {
        "adam": keras.optimizers.Adam,
        "sgd": keras.optimizers.SGD,
        "rmsprop": keras.optimizers.RMSprop,
    }[name](learning_rate=lr)


def fitter(
    spec: ir.Spec, cfg: TrialConfig, x: np.ndarray, y: np.ndarray
) -> Callable[..., list[float]]:
    """The training loop every phase of a trial shares (the first training and each
    compression task's fine-tuning): the trial's optimizer, batch size, learning-rate schedule
    and early stopping. The returned ``fit(model, epochs, hold_zeros=False, on_epoch=None)``
    compiles ``model`` afresh, trains it and returns the loss of each epoch run.

    ``hold_zeros`` keeps every zero weight of a Dense/Conv kernel at zero (a mask re-applied
    after every batch), so that fine-tuning a pruned model does not undo the pruning.
    """
    import keras
    import numpy as np

    batch = int(cfg.get("train.batch_size"))
    lr = float(cfg.get("train.learning_rate"))
    patience = int(cfg.get("train.early_stopping"))
    schedule = str(cfg.get("train.lr_schedule"))
    validate = patience > 0 or schedule == "plateau"
    monitor = "val_loss" if validate else "loss"

    def fit(
        model: keras.Model,
        epochs: int,
        hold_zeros: bool = False,
        on_epoch: Callable[[int], None] | None = None,
    ) -> list[float]:
        if epochs <= 0:
            return []
        steps = math.ceil(len(x) * (1 - spec.train.validation_split if validate else 1) / batch)
        rate: Any = lr
        if schedule == "cosine":
            rate = keras.optimizers.schedules.CosineDecay(lr, decay_steps=max(epochs * steps, 1))
        model.compile(
            optimizer=_optimizer(str(cfg.get("train.optimizer")), rate),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        callbacks: list[Any] = [keras.callbacks.TerminateOnNaN()]
        if patience > 0:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor=monitor, patience=patience, restore_best_weights=True
                )
            )
        if schedule == "plateau":
            callbacks.append(
                keras.callbacks.ReduceLROnPlateau(
                    monitor=monitor,
                    factor=0.5,
                    patience=max(1, patience // 2) if patience else 2,
                    min_lr=lr / 100,
                )
            )
        if hold_zeros:
            masks = [
                (lay, (np.asarray(lay.kernel) != 0).astype("float32")) for lay in kernels(model)
            ]

            class _HoldZeros(keras.callbacks.Callback):  # type: ignore[misc]
                def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
                    for lay, m in masks:
                        lay.kernel.assign(lay.kernel * m)

            callbacks.append(_HoldZeros())
        if on_epoch is not None:
            report = on_epoch

            class _OnEpoch(keras.callbacks.Callback):  # type: ignore[misc]
                def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
                    report(epoch + 1)

            callbacks.append(_OnEpoch())
        hist = model.fit(
            x,
            y,
            epochs=epochs,
            batch_size=batch,
            verbose=0,
            shuffle=True,
            callbacks=callbacks,
            validation_split=spec.train.validation_split if validate else 0.0,
        )
        losses = [float(v) for v in hist.history.get("loss", [])]
        if not losses or not np.all(np.isfinite(losses)):
            bad = next((i for i, v in enumerate(losses) if not np.isfinite(v)), len(losses))
            raise TrialFailure(
                "nan_loss",
                f"training loss is not finite (epoch {bad + 1}); "
                "lower the learning rate or normalise the data",
            )
        return losses

    return fit


def kernels(model: keras.Model) -> list[Any]:
    """The layers of a model with a kernel (Dense, Conv1D, Conv2D and their quantised
    counterparts), in order."""
    return [lay for lay in model.layers if getattr(lay, "kernel", None) is not None]


def train(
    spec: ir.Spec, cfg: TrialConfig, data: Data, seed: int, cache: Path | None = None
) -> Trained:
    """Build (or load) and train the model of one trial, apply the spec's compression tasks
    in order (:mod:`specc.evaluate.compress`), and evaluate it on the test split.

    A ``model keras`` file is used as trained; with compression tasks it is fine-tuned on
    the spec's data by each of them.

    Raises:
        TrialFailure: ``nan_loss`` when training diverges.
    """
    import keras

    from specc.evaluate import compress

    keras.utils.set_random_seed(seed)
    try:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    except (ImportError, AttributeError):  # pragma: no cover - other Keras backends
        pass
    losses: list[float] = []
    if spec.model.family == "keras":
        assert spec.model.path is not None
        from specc.evaluate.keras_files import load_spec_model

        model = load_spec_model(spec, cache)
        try:
            x_tr = input_view(data.x_train, "keras", "", data.image, model)
            x_te = input_view(data.x_test, "keras", "", data.image, model)
        except ValueError as err:
            shape = tuple(model.inputs[0].shape[1:])
            raise TrialFailure(
                "model",
                f"the model's input {shape} does not take the data's "
                f"{data.x_train.shape[1]} features per sample ({err})",
            ) from None
        fit = fitter(spec, cfg, x_tr, data.y_train)
        early = model.get_weights()  # what a pruning task rewinds to: the file's weights
    else:
        model = build_model(spec, cfg, data)
        x_tr = input_view(data.x_train, spec.model.family, spec.model.conv, data.image)
        x_te = input_view(data.x_test, spec.model.family, spec.model.conv, data.image)
        fit = fitter(spec, cfg, x_tr, data.y_train)
        snapshots: list[list[Any]] = []

        def _snapshot(epoch: int) -> None:
            if epoch == compress.REWIND_EPOCH:
                snapshots.append(model.get_weights())

        losses = fit(model, int(cfg.get("train.epochs")), on_epoch=_snapshot)
        early = snapshots[0] if snapshots else model.get_weights()
    done = compress.apply(spec, cfg, model, fit, early, x_tr)
    losses += done.losses
    model = done.model
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    acc = float(model.evaluate(x_te, data.y_test, verbose=0)[1])
    final = losses[-1] if losses else float("nan")
    return Trained(model, acc, len(losses), final, done.summary)
