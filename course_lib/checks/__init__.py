"""Self-checks that assignment notebooks call: each failure explains the mistake in plain words.

Every check raises ``CheckFailed`` (an ``AssertionError``, so nbgrader counts it as a failed
test) with a message written for a student, and prints a short confirmation when it passes.
"""

from __future__ import annotations


class CheckFailed(AssertionError):
    """A student's answer is wrong; the message says what and how to fix it."""


def expect(condition: bool, message: str) -> None:
    """Raise ``CheckFailed(message)`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


def scalar(value, what: str) -> float:
    """``value`` as a float, if it is one number in a 0-dimensional tensor (a loss must be)."""
    from torch import Tensor

    expect(isinstance(value, Tensor) and value.dim() == 0,
           f"{what} should return ONE number as a 0-dimensional tensor (use .mean() over the "
           f"batch), not {type(value).__name__}"
           + (f" of shape {tuple(value.shape)}" if isinstance(value, Tensor) else "") + ".")
    return float(value)


def passed(what: str) -> None:
    """Tell the student a check passed."""
    print(f"✓ {what}")


def same_outputs_as_reference(student, reference, *inputs, pairs=None) -> float | None:
    """Copy a student's weights into the course's reference module; compare the outputs.

    Parameter counts cannot see a missing, extra or misplaced activation; outputs can. The
    weighted layers (those with a ``weight``) are paired in order and must have the same
    shapes; a bias the reference lacks is dropped (it sits before a batch norm, which cancels
    it in training mode), one the student lacks is zeroed in the reference. Both modules run
    in training mode (batch statistics) without gradients. Returns the largest absolute
    difference of the outputs, or ``None`` when the layers cannot be paired (the caller's
    structural checks explain that case). ``pairs``: (student layer, reference layer) in
    place of the pairing in order, for modules whose attribute order is the student's choice.
    """
    import torch

    def weighted(module):
        return [m for m in module.modules()
                if not list(m.children()) and isinstance(getattr(m, "weight", None),
                                                         torch.Tensor)]

    mine, theirs = ((weighted(student), weighted(reference)) if pairs is None
                    else ([a for a, _ in pairs], [b for _, b in pairs]))
    if len(mine) != len(theirs) or any(
            a.weight.shape != b.weight.shape for a, b in zip(mine, theirs, strict=True)):
        return None
    with torch.no_grad():
        for a, b in zip(mine, theirs, strict=True):
            b.weight.copy_(a.weight)
            if getattr(b, "bias", None) is not None:
                b.bias.copy_(a.bias if getattr(a, "bias", None) is not None
                             and a.bias.shape == b.bias.shape else torch.zeros_like(b.bias))
        student.train()
        reference.train()
        got, want = student(*inputs), reference(*inputs)
    if got.shape != want.shape:
        got = got.reshape(want.shape) if got.numel() == want.numel() else None
    return None if got is None else float((got.float() - want.float()).abs().max())
