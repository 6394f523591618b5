"""Unit 02: the checks that grade students accept right answers and explain wrong ones."""

import pytest

from course_lib.checks import CheckFailed
from course_lib.checks import unit02 as checks


def conv_size(size, kernel_size, stride=1, padding=0):
    return (size + 2 * padding - kernel_size) // stride + 1


def transpose_size(size, kernel_size, stride=1, padding=0, output_padding=0):
    return (size - 1) * stride - 2 * padding + kernel_size + output_padding


def test_seed_example_checks_one_function_at_a_time():
    """A wrong conv formula must not fail part 2's check of the transposed one."""
    checks.check_seed_example(transpose_size=transpose_size)
    with pytest.raises(CheckFailed, match="halve"):
        checks.check_seed_example(conv_size=lambda n, k, s=1, p=0: n)


def test_right_size_functions_pass_against_torch_and_keras():
    checks.check_seed_example(conv_size, transpose_size)
    checks.check_conv_output_size(conv_size)
    checks.check_conv_output_size_keras(conv_size)
    checks.check_transpose_output_size(transpose_size)
    checks.check_transpose_output_size_keras(transpose_size)


@pytest.mark.parametrize(("wrong", "words"), [
    (lambda n, k, s=1, p=0: (n + 2 * p - k) / s + 1, "integer division"),
    (lambda n, k, s=1, p=0: (n + p - k) // s + 1, "BOTH sides"),
    (lambda n, k, s=1, p=0: (n + 2 * p - k) // s, "forgot the \\+1"),
    (lambda n, k, s=1, p=0: n + 2 * p - k + 1, "stride is missing"),
])
def test_conv_size_slips_are_named(wrong, words):
    with pytest.raises(CheckFailed, match=words):
        checks.check_conv_output_size(wrong)


@pytest.mark.parametrize(("wrong", "words"), [
    (lambda n, k, s=1, p=0, o=0: n * s - 2 * p + k + o, "not size \\* stride"),
    (lambda n, k, s=1, p=0, o=0: (n - 1) * s + 2 * p + k + o, "REMOVES"),
    (lambda n, k, s=1, p=0, o=0: (n - 1) * s - 2 * p + k, "output_padding"),
])
def test_transpose_size_slips_are_named(wrong, words):
    with pytest.raises(CheckFailed, match=words):
        checks.check_transpose_output_size(wrong)


def _build(filters=(32, 64), dense_units=128, dropout=0.25, conv_activation=None, padding="same"):
    import keras

    layers = [keras.Input(shape=(28, 28)), keras.layers.Reshape((28, 28, 1))]
    for f in filters:
        layers += [keras.layers.Conv2D(f, 3, padding=padding, activation=conv_activation),
                   keras.layers.BatchNormalization(), keras.layers.ReLU(),
                   keras.layers.MaxPooling2D(2)]
    layers += [keras.layers.Flatten(), keras.layers.Dense(dense_units, activation="relu"),
               keras.layers.Dropout(dropout), keras.layers.Dense(10, activation="softmax")]
    return keras.Sequential(layers)


def test_keras_cnn_check_accepts_the_spec_and_names_wrong_padding():
    checks.check_keras_cnn(_build)
    checks.check_keras_cnn(_build, filters=(8, 16, 32), dense_units=64, dropout=0.5)
    with pytest.raises(CheckFailed, match="padding='same'"):
        checks.check_keras_cnn(lambda **kw: _build(padding="valid", **kw))
    with pytest.raises(CheckFailed, match="AFTER BatchNormalization"):
        checks.check_keras_cnn(lambda **kw: _build(conv_activation="relu", **kw))


def test_reference_keras_cnn_builds_and_predicts():
    import numpy as np

    from course_lib.models.cnn_keras import build_cnn_classifier, compile_cnn

    model = compile_cnn(build_cnn_classifier())
    assert model.count_params() == 391_082
    probs = model.predict(np.zeros((2, 28, 28), "float32"), verbose=0)
    assert probs.shape == (2, 10) and np.allclose(probs.sum(1), 1, atol=1e-5)




def test_train_step_check_accepts_the_library_step_and_rejects_slips():
    import torch
    import torch.nn.functional as F

    from course_lib.training.classifier import train_step

    checks.check_train_step(train_step)
    checks.check_train_step(train_step, "adam", seed=3)

    def no_zero_grad(model, images, labels, optimizer):
        model.train()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    def softmax_first(model, images, labels, optimizer):
        model.train()
        loss = F.cross_entropy(torch.softmax(model(images), 1), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    def no_train_mode(model, images, labels, optimizer):
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    with pytest.raises(CheckFailed, match="zero_grad"):
        checks.check_train_step(no_zero_grad)
    with pytest.raises(CheckFailed, match="do not add a softmax"):
        checks.check_train_step(softmax_first)
    with pytest.raises(CheckFailed, match="model.train"):
        checks.check_train_step(no_train_mode)
