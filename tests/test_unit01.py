"""Unit 01: the reference model and the checks that grade students."""

import numpy as np
import pytest

from course_lib.checks import CheckFailed
from course_lib.checks import unit01 as checks
from course_lib.metrics.classification import confusion_matrix, most_confused_pairs


def test_reference_model_has_the_article_parameter_count():
    from course_lib.models.dense_keras import build_dense_classifier, compile_classifier

    model = compile_classifier(build_dense_classifier())
    assert model.count_params() == 286_810
    checks.check_dense_model(model)
    checks.check_compiled(model)


def test_model_check_explains_a_wrong_layer():
    import keras

    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(300, activation="relu"),
                              keras.layers.Dense(100, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(CheckFailed, match="300, 100, 100, 100 and 10 units"):
        checks.check_dense_model(model)


def test_compile_check_rejects_adam():
    import keras

    from course_lib.models.dense_keras import build_dense_classifier

    model = build_dense_classifier()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    with pytest.raises(CheckFailed, match="stochastic gradient descent"):
        checks.check_compiled(model)
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(),
                  optimizer=keras.optimizers.SGD(), metrics=["accuracy"])
    checks.check_compiled(model)


def test_compile_check_names_metric_and_logit_slips():
    import keras

    from course_lib.models.dense_keras import build_dense_classifier

    model = build_dense_classifier()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
                  metrics=["categorical_accuracy"])
    with pytest.raises(CheckFailed, match="one-hot labels"):
        checks.check_compiled(model)
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  optimizer="sgd", metrics=["accuracy"])
    with pytest.raises(CheckFailed, match="from_logits"):
        checks.check_compiled(model)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd",
                  metrics=[keras.metrics.SparseCategoricalAccuracy()])
    checks.check_compiled(model)


def test_split_check_catches_integer_division():
    def floor_divided(x, y, x_test):
        return x[5000:] // 255, y[5000:], x[:5000] // 255, y[:5000], x_test // 255

    with pytest.raises(CheckFailed, match="floats"):
        checks.check_split_and_scale(floor_divided)


def test_confusion_matrix_counts_and_validates():
    matrix = confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2], 3)
    assert matrix.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    with pytest.raises(ValueError, match="outside 0..2"):
        confusion_matrix([0, 3], [0, 1], 3)
    checks.check_confusion_matrix(confusion_matrix)
    with pytest.raises(CheckFailed, match="swapped"):
        checks.check_confusion_matrix(lambda t, p, n: confusion_matrix(p, t, n))


def test_most_confused_pairs_skips_the_diagonal_and_orders_ties():
    matrix = np.array([[9, 4, 4], [4, 9, 0], [0, 1, 9]])
    assert most_confused_pairs(matrix, 3) == [(0, 1, 4), (0, 2, 4), (1, 0, 4)]
    assert len(most_confused_pairs(matrix, 10)) == 4
    with pytest.raises(CheckFailed, match="diagonal"):
        checks.check_most_confused_pairs(lambda m, k: [(0, 0, 50), (1, 1, 60)][:k])
