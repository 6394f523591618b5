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


def passed(what: str) -> None:
    """Tell the student a check passed."""
    print(f"✓ {what}")
