"""Unit 01's model: a dense (fully connected) Fashion-MNIST classifier in Keras 3.

Flatten(28x28) -> Dense 300 -> Dense 100 -> Dense 100 -> Dense 100 (ReLU) -> Dense 10 (softmax):
784*300+300 + 300*100+100 + 2*(100*100+100) + 100*10+10 = 286,810 trainable parameters.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

HIDDEN_UNITS: tuple[int, ...] = (300, 100, 100, 100)
N_CLASSES = 10


def build_dense_classifier(hidden: Sequence[int] = HIDDEN_UNITS,
                           n_classes: int = N_CLASSES) -> keras.Sequential:
    """The source article's multilayer perceptron (286,810 parameters with the defaults)."""
    layers: list[keras.layers.Layer] = [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
    layers += [keras.layers.Dense(units, activation="relu") for units in hidden]
    layers.append(keras.layers.Dense(n_classes, activation="softmax"))
    return keras.Sequential(layers, name="dense_fashion_mnist")


LearningRate = float | keras.optimizers.schedules.LearningRateSchedule


def compile_classifier(model: keras.Model, learning_rate: LearningRate = 0.01,
                       momentum: float = 0.0, nesterov: bool = False) -> keras.Model:
    """Compile with sparse categorical cross-entropy, SGD and accuracy, as in the article.

    With the defaults this is Keras's plain ``optimizer="sgd"`` (learning rate 0.01);
    ``momentum=0.9, nesterov=True`` is the improvement taught in unit 01.
    """
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum,
                                       nesterov=nesterov),
        metrics=["accuracy"],
    )
    return model
