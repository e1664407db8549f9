"""How examples/data/digits_mlp.keras was made: a user's own trained model for
examples/keras_digits.cds (hardware-only search).

It is an ordinary Keras model trained outside specc, on the same split and normalisation the
spec's `dataset digits` section gives (test_fraction 0.2, minmax, seed 0), so the accuracy
specc measures is the model's real test accuracy. Rerun it to replace the file:

    python examples/data/train_digits_model.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))


def main() -> int:
    import keras

    from specc.evaluate.data import load_data
    from specc.ir.model import Dataset

    data = load_data(Dataset(name="digits"), HERE)
    keras.utils.set_random_seed(0)
    inputs = keras.Input((data.x_train.shape[1],), name="features")
    h = keras.layers.Dense(32, name="fc1")(inputs)
    h = keras.layers.Activation("relu", name="fc1_relu")(h)
    h = keras.layers.Dense(16, name="fc2")(h)
    h = keras.layers.Activation("relu", name="fc2_relu")(h)
    h = keras.layers.Dense(data.classes, name="output")(h)
    outputs = keras.layers.Activation("softmax", name="softmax")(h)
    model = keras.Model(inputs, outputs, name="digits_mlp")
    model.compile(
        optimizer=keras.optimizers.Adam(3e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(data.x_train, data.y_train, epochs=40, batch_size=32, verbose=0)
    accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)[1]
    target = HERE / "digits_mlp.keras"
    model.save(target)
    print(f"{target}: test accuracy {accuracy:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
