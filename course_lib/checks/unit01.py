"""Checks for unit 01 (dense Fashion-MNIST classifier): data split, model, compile, errors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib.checks import expect, passed
from course_lib.metrics.classification import confusion_matrix, most_confused_pairs


def _fake_images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, size=n, dtype=np.uint8))


def check_split_and_scale(split_and_scale: Callable, n_train: int = 6_000, seed: int = 0) -> None:
    """The first 5,000 training images become the validation set; all pixels are divided by 255."""
    x_full, y_full = _fake_images(n_train, seed)
    x_test, _ = _fake_images(100, seed + 1)
    result = split_and_scale(x_full, y_full, x_test)
    expect(isinstance(result, tuple) and len(result) == 5,
           "split_and_scale should return five things: "
           "(x_train, y_train, x_valid, y_valid, x_test).")
    x_train, y_train, x_valid, y_valid, x_test_scaled = result
    expect(len(x_valid) == 5_000 and len(y_valid) == 5_000,
           f"The validation set should hold 5,000 images, it holds {len(x_valid)}.")
    expect(len(x_train) == n_train - 5_000,
           f"With {n_train} training images, {n_train - 5_000} should remain for training "
           f"after the validation split, not {len(x_train)}.")
    expect(np.issubdtype(np.asarray(x_train).dtype, np.floating),
           "The images should be floats after scaling; integer division (//) or a missing "
           "division keeps them as integers.")
    expect(np.allclose(x_valid, x_full[:5_000] / 255.0),
           "x_valid should be the FIRST 5,000 training images divided by 255.")
    expect(np.array_equal(y_valid, y_full[:5_000]) and np.array_equal(y_train, y_full[5_000:]),
           "The labels must be split exactly like the images (first 5,000 for validation) "
           "and must not be scaled.")
    expect(np.allclose(x_train, x_full[5_000:] / 255.0),
           "x_train should be the training images after the first 5,000, divided by 255.")
    expect(np.allclose(x_test_scaled, x_test / 255.0),
           "The test images need the same scaling (/255) as the training images.")
    passed("split and scaling are right")


def check_dense_model(model) -> None:
    """The article's architecture: Flatten, Dense 300-100-100-100 ReLU, Dense 10 softmax."""
    import keras

    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    expect(any(isinstance(layer, keras.layers.Flatten) for layer in model.layers),
           "The model needs a Flatten layer first: Dense layers take vectors, not 28x28 images.")
    units = [layer.units for layer in dense]
    expect(units == [300, 100, 100, 100, 10],
           f"The Dense layers should have 300, 100, 100, 100 and 10 units; yours have {units}.")
    activations = [layer.get_config()["activation"] for layer in dense]
    expect(activations[:-1] == ["relu"] * 4,
           f"The hidden layers should use 'relu'; yours use {activations[:-1]}.")
    expect(activations[-1] == "softmax",
           f"The output layer should use 'softmax' so it returns class probabilities, "
           f"not {activations[-1]!r}.")
    expect(tuple(model.input_shape) == (None, 28, 28),
           f"The model should take 28x28 images (input shape (None, 28, 28)), "
           f"not {model.input_shape}.")
    expect(model.count_params() == 286_810,
           f"The model should have 286,810 parameters; yours has {model.count_params():,}.")
    passed("architecture matches the article (286,810 parameters)")


#: Metric names that measure accuracy on class-index labels (Keras resolves "accuracy" by loss).
_ACCURACY_NAMES = ("accuracy", "acc", "sparse_categorical_accuracy")


def _metric_name(metric) -> str:
    """A compiled metric's name: the string itself, or a serialized metric's config name."""
    if isinstance(metric, dict):
        return str(metric.get("config", {}).get("name", metric.get("class_name", ""))).lower()
    return str(getattr(metric, "name", metric)).lower()


def check_compiled(model) -> None:
    """Compiled with sparse categorical cross-entropy, an SGD optimizer and accuracy."""
    import keras

    config = model.get_compile_config() if model.compiled else None
    expect(config is not None, "The model is not compiled yet: call model.compile(...).")
    loss = config["loss"]
    loss_name = loss if isinstance(loss, str) else keras.saving.serialize_keras_object(loss)
    expect("sparse_categorical_crossentropy" in str(loss_name).lower()
           or "sparsecategoricalcrossentropy" in str(loss_name).lower(),
           "Use the sparse categorical cross-entropy loss: the labels are class indices "
           f"(0-9), not one-hot vectors. Your loss: {loss_name}.")
    loss_config = loss.get("config", {}) if isinstance(loss, dict) else {}
    expect(not loss_config.get("from_logits"),
           "Your loss has from_logits=True, but the model's last layer is a softmax: its "
           "outputs are already probabilities, not logits. Drop from_logits=True.")
    expect(isinstance(model.optimizer, keras.optimizers.SGD),
           f"Use stochastic gradient descent (keras.optimizers.SGD or 'sgd'), "
           f"not {type(model.optimizer).__name__}.")
    names = [_metric_name(m) for m in (config["metrics"] or [])]
    expect(any(name in _ACCURACY_NAMES for name in names),
           "Add metrics=['accuracy'] so fit() reports the share of correct predictions"
           + (f" (yours: {names}; 'categorical_accuracy' expects one-hot labels and "
              "miscounts class indices)." if names else "."))
    passed("compiled with sparse categorical cross-entropy, SGD and accuracy")


def check_confusion_matrix(student_fn: Callable, seed: int = 0) -> None:
    """Rows are true classes, columns predicted classes, entries counts."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 10, 500)
    y_pred = np.where(rng.random(500) < 0.7, y_true, rng.integers(0, 10, 500))
    got = np.asarray(student_fn(y_true, y_pred, 10))
    want = confusion_matrix(y_true, y_pred, 10)
    expect(got.shape == (10, 10), f"The matrix should be 10x10, yours is {got.shape}.")
    expect(got.sum() == 500, f"The entries should add up to the number of examples (500), "
                             f"yours add up to {got.sum()}.")
    expect(not np.array_equal(got, want.T) or np.array_equal(want, want.T),
           "Rows and columns are swapped: row = TRUE class, column = PREDICTED class.")
    expect(np.array_equal(got, want), "Some counts are wrong: entry [t, p] should count the "
                                      "examples of true class t predicted as p.")
    passed("confusion matrix is right")


def check_most_confused_pairs(student_fn: Callable) -> None:
    """Largest off-diagonal cells first, the diagonal (correct answers) ignored."""
    matrix = np.array([[50, 3, 9], [1, 60, 2], [7, 0, 40]])
    got = [tuple(int(v) for v in pair) for pair in student_fn(matrix, 2)]
    expect(len(got) == 2, f"Asked for k=2 pairs, got {len(got)}.")
    expect(all(t != p for t, p, _ in got),
           "Skip the diagonal: matrix[i, i] counts correct predictions, not confusions.")
    expect(got == most_confused_pairs(matrix, 2),
           f"Expected {most_confused_pairs(matrix, 2)} (true, predicted, count), largest "
           f"count first; got {got}.")
    passed("most confused pairs are right")
