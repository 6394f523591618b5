"""The course's one user-facing error type.

Library code raises ``CourseError`` for mistakes a student can fix (a bad flag, a wrong file,
a run folder of another model); ``course_lib.cli.main`` prints its message as one line,
``course: error: <message>``, and exits with code 2 instead of showing a traceback.
"""

from __future__ import annotations


class CourseError(ValueError):
    """A mistake the user can fix; the message says what was wrong and how to fix it."""
