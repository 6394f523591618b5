"""Ctrl-C that keeps the work: training loops stop between steps and save first.

``deferred_interrupt()`` turns the first SIGINT inside its block into a flag that the loop
checks after each step (so a checkpoint never holds half a step); a second Ctrl-C interrupts
at once. ``TrainingInterrupted`` carries the one line the ``course`` command prints before it
exits with code 130.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C after the loop saved what it could; the message says where and how to resume."""


@dataclass
class InterruptFlag:
    """Set by the first Ctrl-C inside ``deferred_interrupt``."""

    requested: bool = False


@contextmanager
def deferred_interrupt() -> Iterator[InterruptFlag]:
    """Within the block the first Ctrl-C sets ``flag.requested``; the second raises at once.

    Outside the main thread (where signal handlers cannot be set) Ctrl-C behaves as usual.
    """
    flag = InterruptFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum, frame):
        if flag.requested:
            raise KeyboardInterrupt
        flag.requested = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def interrupted_at(step: int, folder: Path | None, save: Callable[[], None]
                   ) -> TrainingInterrupted:
    """Save (when there is a run folder) and return the exception that says so."""
    if folder is None:
        return TrainingInterrupted(f"interrupted at step {step}; nothing was saved "
                                   "(no run folder)")
    save()
    return TrainingInterrupted(f"interrupted at step {step}; run the same command again to "
                               f"resume (checkpoint in {folder})")
