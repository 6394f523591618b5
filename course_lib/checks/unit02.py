"""Checks for unit 02 (CNNs): output-size arithmetic, a Keras CNN builder, a PyTorch train step.

The output-size functions are compared with real layers: PyTorch's ``nn.Conv2d`` /
``nn.ConvTranspose2d`` and Keras's ``Conv2D`` / ``Conv2DTranspose``, on many shapes.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable

from course_lib.checks import expect, passed

# ---------------------------------------------------------------------------------------------
# Output sizes


def _conv_cases() -> list[tuple[int, int, int, int]]:
    """(size, kernel, stride, padding) combinations where a convolution is defined."""
    cases = []
    for size, kernel, stride, padding in itertools.product(
            (1, 5, 7, 14, 28, 31), (1, 2, 3, 4, 5), (1, 2, 3), (0, 1, 2)):
        if size + 2 * padding >= kernel and padding <= kernel // 2:
            cases.append((size, kernel, stride, padding))
    return cases


#: Usual slips in the conv formula, each with the words that explain it.
_CONV_SLIPS: list[tuple[Callable, str]] = [
    (lambda n, k, s, p: (n + 2 * p - k) / s + 1,
     "Return an int: use integer division // (a layer cannot output half a pixel; the last "
     "incomplete window is dropped)."),
    (lambda n, k, s, p: (n + 2 * p - k) // s,
     "You forgot the +1: a kernel that fits exactly once still gives one output."),
    (lambda n, k, s, p: (n + p - k) // s + 1,
     "Padding is added on BOTH sides of the image: use 2 * padding."),
    (lambda n, k, s, p: (n - k) // s + 1, "The padding is missing: add 2 * padding to the size."),
    (lambda n, k, s, p: n + 2 * p - k + 1,
     "The stride is missing: the kernel jumps `stride` pixels at a time, so divide by it."),
    (lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1,
     "Round DOWN (floor, //): a window that does not fit completely is dropped."),
]

#: Usual slips in the transposed-conv formula.
_TRANSPOSE_SLIPS: list[tuple[Callable, str]] = [
    (lambda n, k, s, p, o: (n - 1) * s + 2 * p + k + o,
     "Padding works the other way round here: it REMOVES 2 * padding pixels from the output "
     "(a transposed conv undoes a padded conv)."),
    (lambda n, k, s, p, o: n * s - 2 * p + k + o,
     "It is (size - 1) * stride, not size * stride: n inputs placed stride pixels apart span "
     "(n - 1) * stride + 1 pixels."),
    (lambda n, k, s, p, o: (n - 1) * s - 2 * p + k,
     "output_padding adds its pixels to one side of the output: include it."),
    (lambda n, k, s, p, o: (n + 2 * p - k) // s + 1,
     "That is the formula of an ordinary convolution; a transposed one enlarges the image."),
    (lambda n, k, s, p, o: (n - 1) * s - p + k + o,
     "Padding is removed on BOTH sides: subtract 2 * padding."),
]


def _explain(fn: Callable, case: tuple, want: int, got, cases: list[tuple],
             slips: list[tuple[Callable, str]], formula: str) -> str:
    """Say which case failed and, if the function matches a known slip everywhere, which."""
    names = ("size", "kernel_size", "stride", "padding", "output_padding")
    args = ", ".join(f"{name}={value}" for name, value in zip(names, case, strict=False))
    text = f"For {args} the layer gives {want}, your function gives {got!r}."
    for slip, words in slips:
        try:
            if all(fn(*c) == slip(*c) and type(fn(*c)) is type(slip(*c)) for c in cases):
                return f"{text} {words}"
        except Exception:  # noqa: BLE001 - a student's function may fail anywhere
            continue
    return f"{text} The formula is {formula}."


_CONV_FORMULA = "floor((size + 2*padding - kernel_size) / stride) + 1"
_TRANSPOSE_FORMULA = "(size - 1) * stride - 2*padding + kernel_size + output_padding"


def check_seed_example(conv_size: Callable | None = None,
                       transpose_size: Callable | None = None) -> None:
    """The lecture's example: 2x2 with stride 2 halves (conv) and doubles (transposed).

    Either function may be left out, so that each part's test calls only its own function.
    """
    for n in (4, 14, 28):
        if conv_size is not None:
            got = conv_size(n, 2, 2, 0)
            expect(got == n // 2, f"A 2x2 convolution with stride 2 should halve {n} to "
                                  f"{n // 2}, your conv function says {got!r}.")
        if transpose_size is not None:
            got = transpose_size(n, 2, 2, 0)
            expect(got == 2 * n, f"A 2x2 transposed convolution with stride 2 should double "
                                 f"{n} to {2 * n}, your transposed function says {got!r}.")
    done = [what for what, fn in (("halves (conv)", conv_size),
                                  ("doubles (transposed conv)", transpose_size)) if fn]
    passed("2x2/stride 2 " + " and ".join(done))


def check_conv_output_size(conv_size: Callable) -> None:
    """``conv_size(size, kernel_size, stride, padding)`` against ``torch.nn.Conv2d``."""
    import torch
    from torch import nn

    cases = _conv_cases()
    with torch.no_grad():
        for size, kernel, stride, padding in cases:
            layer = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, bias=False)
            want = layer(torch.zeros(1, 1, size, size)).shape[-1]
            got = conv_size(size, kernel, stride, padding)
            if not (got == want and isinstance(got, numbers.Integral)):  # explain lazily
                expect(False, _explain(conv_size, (size, kernel, stride, padding), want, got,
                                       cases, _CONV_SLIPS, _CONV_FORMULA))
    passed(f"conv output size matches torch.nn.Conv2d on {len(cases)} shapes")


def check_conv_output_size_keras(conv_size: Callable) -> None:
    """Against Keras ``Conv2D``: padding="valid" is padding 0; "same" (stride 1, odd k) is k//2."""
    import keras

    count = 0
    for size, kernel, stride, _ in _conv_cases():
        if size < kernel:
            continue
        layer = keras.layers.Conv2D(1, kernel, strides=stride, padding="valid")
        want = layer.compute_output_shape((1, size, size, 1))[1]
        got = conv_size(size, kernel, stride, 0)
        if got != want:
            expect(False, "Keras Conv2D(padding='valid') uses no padding. "
                   + _explain(conv_size, (size, kernel, stride, 0), want, got,
                              [c[:3] + (0,) for c in _conv_cases()], _CONV_SLIPS,
                              _CONV_FORMULA))
        count += 1
        if kernel % 2 == 1:
            layer = keras.layers.Conv2D(1, kernel, strides=1, padding="same")
            want = layer.compute_output_shape((1, size, size, 1))[1]
            got = conv_size(size, kernel, 1, kernel // 2)
            if got != want:
                expect(False, "Keras Conv2D(padding='same') with stride 1 keeps the size. "
                       + _explain(conv_size, (size, kernel, 1, kernel // 2), want, got,
                                  _conv_cases(), _CONV_SLIPS, _CONV_FORMULA))
            count += 1
    passed(f"conv output size matches keras.layers.Conv2D on {count} shapes")


def _transpose_cases() -> list[tuple[int, int, int, int, int]]:
    cases = []
    for size, kernel, stride, padding, out_pad in itertools.product(
            (1, 3, 7, 14), (1, 2, 3, 4, 5), (1, 2, 3), (0, 1, 2), (0, 1)):
        if out_pad < stride and padding <= kernel // 2 and \
                (size - 1) * stride - 2 * padding + kernel + out_pad >= 1:
            cases.append((size, kernel, stride, padding, out_pad))
    return cases


def check_transpose_output_size(transpose_size: Callable) -> None:
    """``transpose_size(size, kernel_size, stride, padding, output_padding)`` vs torch."""
    import torch
    from torch import nn

    cases = _transpose_cases()
    with torch.no_grad():
        for size, kernel, stride, padding, out_pad in cases:
            layer = nn.ConvTranspose2d(1, 1, kernel, stride=stride, padding=padding,
                                       output_padding=out_pad, bias=False)
            want = layer(torch.zeros(1, 1, size, size)).shape[-1]
            got = transpose_size(size, kernel, stride, padding, out_pad)
            if not (got == want and isinstance(got, numbers.Integral)):  # explain lazily
                expect(False, _explain(transpose_size, (size, kernel, stride, padding, out_pad),
                                       want, got, cases, _TRANSPOSE_SLIPS, _TRANSPOSE_FORMULA))
    passed(f"transposed conv output size matches torch.nn.ConvTranspose2d on {len(cases)} shapes")


def check_transpose_output_size_keras(transpose_size: Callable) -> None:
    """Against Keras ``Conv2DTranspose``: "valid" (kernel >= stride) and "same" (size*stride)."""
    import keras

    count = 0
    for size, kernel, stride in itertools.product((1, 3, 7, 14), (1, 2, 3, 4, 5), (1, 2, 3)):
        if kernel < stride:  # Keras pads these to size * stride; PyTorch does not
            continue
        layer = keras.layers.Conv2DTranspose(1, kernel, strides=stride, padding="valid")
        want = layer.compute_output_shape((1, size, size, 1))[1]
        got = transpose_size(size, kernel, stride, 0, 0)
        if got != want:
            expect(False, "Keras Conv2DTranspose(padding='valid') uses no padding. "
                   + _explain(transpose_size, (size, kernel, stride, 0, 0), want, got,
                              _transpose_cases(), _TRANSPOSE_SLIPS, _TRANSPOSE_FORMULA))
        count += 1
    passed(f"transposed conv output size matches keras.layers.Conv2DTranspose on {count} shapes")


# ---------------------------------------------------------------------------------------------
# Keras CNN builder


def _is_relu(layer) -> bool:
    import keras

    if isinstance(layer, keras.layers.ReLU):
        return True
    return isinstance(layer, keras.layers.Activation) and \
        "relu" in str(layer.get_config().get("activation"))


def check_keras_cnn(build_cnn: Callable, filters: tuple[int, ...] = (32, 64),
                    dense_units: int = 128, dropout: float = 0.25) -> None:
    """Blocks Conv2D(same) -> BatchNorm -> ReLU -> MaxPool(2); Flatten, Dense, Dropout, softmax."""
    import keras
    import numpy as np

    model = build_cnn(filters=filters, dense_units=dense_units, dropout=dropout)
    expect(isinstance(model, keras.Model), "build_cnn should return a Keras model "
                                           "(keras.Sequential([...])), not "
                                           f"{type(model).__name__}.")
    expect(tuple(model.input_shape) == (None, 28, 28),
           f"The model should take (28, 28) images like unit 01 (input shape (None, 28, 28)); "
           f"yours is {model.input_shape}. Start with keras.Input(shape=(28, 28)) and a "
           "Reshape((28, 28, 1)) layer: Conv2D needs a channel axis.")
    expect(tuple(model.output_shape) == (None, 10),
           f"The model should output 10 class probabilities, shape (None, 10); yours gives "
           f"{model.output_shape}.")
    layers = [layer for layer in model.layers
              if not isinstance(layer, (keras.layers.Reshape, keras.layers.InputLayer))]
    convs = [layer for layer in layers if isinstance(layer, keras.layers.Conv2D)]
    expect([c.filters for c in convs] == list(filters),
           f"With filters={filters} there should be one Conv2D per entry with those filter "
           f"counts; yours have {[c.filters for c in convs]}.")
    for conv in convs:
        expect(conv.padding == "same",
               f"Use padding='same' in every Conv2D so the 3x3 kernel keeps the size and only "
               f"pooling halves it (layer {conv.name} has padding={conv.padding!r}).")
        expect(tuple(conv.kernel_size) == (3, 3),
               f"Use 3x3 kernels (layer {conv.name} has {conv.kernel_size}).")
    for i, conv in enumerate(convs):
        at = layers.index(conv)
        block = layers[at:at + 4]
        kinds = [type(layer).__name__ for layer in block]
        expect(len(block) == 4 and isinstance(block[1], keras.layers.BatchNormalization)
               and _is_relu(block[2]) and isinstance(block[3], keras.layers.MaxPooling2D),
               f"Block {i + 1} should be Conv2D -> BatchNormalization -> ReLU -> MaxPooling2D, "
               f"in that order; yours is {kinds}. (BatchNorm normalises the conv output before "
               "the non-linearity; ReLU must not sit inside Conv2D here.)")
        expect(conv.get_config()["activation"] == "linear",
               f"{conv.name} has activation={conv.get_config()['activation']!r}: the ReLU "
               "comes AFTER BatchNormalization, so leave the Conv2D linear.")
    pools = [layer for layer in layers if isinstance(layer, keras.layers.MaxPooling2D)]
    expect(all(tuple(p.pool_size) == (2, 2) for p in pools),
           "Each MaxPooling2D should use a 2x2 window (halving the size).")
    dense = [layer for layer in layers if isinstance(layer, keras.layers.Dense)]
    expect([d.units for d in dense] == [dense_units, 10],
           f"After Flatten come Dense({dense_units}, relu) and Dense(10, softmax); your Dense "
           f"layers have {[d.units for d in dense]} units.")
    expect(dense[0].get_config()["activation"] == "relu",
           "The hidden Dense layer should use activation='relu'.")
    expect(dense[1].get_config()["activation"] == "softmax",
           "The last layer should use activation='softmax' to output probabilities.")
    drops = [layer for layer in layers if isinstance(layer, keras.layers.Dropout)]
    expect(len(drops) == 1 and abs(drops[0].rate - dropout) < 1e-9
           and layers.index(drops[0]) == layers.index(dense[0]) + 1,
           f"Put exactly one Dropout({dropout}) between the two Dense layers "
           f"(found {len(drops)} Dropout layers).")
    size, expected = 28, 0
    channels = 1
    for f in filters:
        expected += 3 * 3 * channels * f + f + 4 * f  # kernel, bias, BN (2 trained, 2 running)
        channels, size = f, size // 2
    expected += size * size * channels * dense_units + dense_units + dense_units * 10 + 10
    no_bias = expected - sum(filters)
    expect(model.count_params() in (expected, no_bias),
           f"Expected {expected:,} parameters (or {no_bias:,} with use_bias=False), "
           f"yours has {model.count_params():,}.")
    probs = np.asarray(model(np.zeros((2, 28, 28), "float32"), training=False))
    expect(np.allclose(probs.sum(axis=1), 1, atol=1e-4),
           "The outputs of each image should sum to 1 (softmax).")
    passed(f"Keras CNN with filters {filters} is built right ({model.count_params():,} params)")


# ---------------------------------------------------------------------------------------------
# PyTorch training step


def _tiny_model(seed: int = 0):
    import torch
    from torch import nn

    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(4 * 14 * 14, 10))




def check_train_step(train_step: Callable, optimizer_name: str = "sgd", seed: int = 0) -> None:
    """One step = train mode, forward, cross-entropy on logits, zero_grad, backward, step."""
    import torch

    from course_lib.training.classifier import train_step as reference_train_step

    make_opt = {
        "sgd": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
        "adam": lambda p: torch.optim.Adam(p, lr=1e-2),
    }[optimizer_name]
    gen = torch.Generator().manual_seed(seed)
    images = torch.rand(16, 1, 28, 28, generator=gen)
    labels = torch.randint(0, 10, (16,), generator=gen)

    theirs, ours = _tiny_model(seed), _tiny_model(seed)
    opt_theirs, opt_ours = make_opt(theirs.parameters()), make_opt(ours.parameters())
    for model in (theirs, ours):  # stale gradients from an earlier batch, and eval mode
        model.eval()
        for p in model.parameters():
            p.grad = torch.full_like(p, 0.5)
    before = [p.detach().clone() for p in theirs.parameters()]

    torch.manual_seed(seed + 1)  # same dropout masks in both runs
    loss = train_step(theirs, images, labels, opt_theirs)
    torch.manual_seed(seed + 1)
    want = reference_train_step(ours, images, labels, opt_ours)

    expect(isinstance(loss, float),
           f"train_step should return the loss as a Python float (loss.item()), not "
           f"{type(loss).__name__}: keeping tensors around keeps their whole graph in memory.")
    expect(theirs.training, "Call model.train() at the start of train_step: dropout and batch "
                            "norm behave differently during training than in eval mode.")
    changed = any(not torch.equal(b, p) for b, p in zip(before, theirs.parameters(), strict=True))
    expect(changed, "The weights did not change: call loss.backward() and optimizer.step().")
    expect(abs(loss - want) < 1e-4,
           f"The loss is {loss:.4f} but cross-entropy of the model's logits is {want:.4f}. "
           "Pass the raw logits to F.cross_entropy (it applies log-softmax itself; do not add "
           "a softmax), and compute the loss BEFORE the optimizer step.")
    same = all(torch.allclose(a, b, atol=1e-5)
               for a, b in zip(theirs.parameters(), ours.parameters(), strict=True))
    expect(same, "The loss is right but the update is not. Did you call optimizer.zero_grad() "
                 "before loss.backward()? PyTorch ADDS new gradients to the old ones, so "
                 "without it the step also follows the previous batch's gradients.")
    passed(f"train_step does one correct {optimizer_name.upper()} step")
