"""Unit 02's convolutional Fashion-MNIST classifier in Keras 3 (the twin of ``FashionCNN``).

Three conv blocks, each Conv 3x3 ("same" padding keeps the size) -> BatchNorm -> ReLU ->
MaxPool 2x2 (halves the size): 28 -> 14 -> 7 -> 3 pixels, with 32, 64 and 128 channels;
then Flatten -> Dropout -> Dense 256 ReLU -> Dropout -> Dense 10 softmax.

About 391k parameters, more than unit 01's dense net (286,810) only because of the dense
head: the three conv layers together hold 92k weights yet do most of the work, because each
3x3 filter is reused at every position of the image.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

CHANNELS: tuple[int, ...] = (32, 64, 128)


def build_cnn_classifier(channels: Sequence[int] = CHANNELS, hidden: int = 256,
                         dropout: float = 0.3, n_classes: int = 10,
                         augment: bool = True) -> keras.Sequential:
    """A Keras CNN for 28x28 grey images given as (28, 28) arrays scaled to [0, 1].

    ``augment`` adds a ``RandomFlip("horizontal")`` layer, active only during training:
    a mirrored shirt is still a shirt, so the network sees more variety for free.
    """
    layers: list[keras.layers.Layer] = [keras.Input(shape=(28, 28)),
                                        keras.layers.Reshape((28, 28, 1))]
    if augment:
        layers.append(keras.layers.RandomFlip("horizontal"))
    for filters in channels:
        layers += [
            keras.layers.Conv2D(filters, 3, padding="same", use_bias=False),
            keras.layers.BatchNormalization(),
            keras.layers.ReLU(),
            keras.layers.MaxPooling2D(2),
        ]
    layers += [
        keras.layers.Flatten(),
        keras.layers.Dropout(dropout),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dropout(dropout),
        keras.layers.Dense(n_classes, activation="softmax"),
    ]
    return keras.Sequential(layers, name="cnn_fashion_mnist")


def compile_cnn(model: keras.Model, learning_rate: float = 1e-3,
                decay_steps: int | None = None) -> keras.Model:
    """Adam with sparse categorical cross-entropy and accuracy (labels are class indices).

    With ``decay_steps`` (epochs x batches per epoch) the learning rate follows a cosine from
    ``learning_rate`` down to zero over training, like the one-cycle schedule of FashionCNN:
    large steps early, small careful ones at the end.
    """
    rate = learning_rate if decay_steps is None else keras.optimizers.schedules.CosineDecay(
        learning_rate, decay_steps)
    model.compile(optimizer=keras.optimizers.Adam(rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
