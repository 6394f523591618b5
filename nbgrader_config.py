"""nbgrader settings of the course: solutions/ is the source, exercises/ the release.

Run nbgrader from the repository root (or a copy of it) and these apply. Submissions,
autograded notebooks, feedback and the gradebook are local files, never committed.

Autograding runs student code, so it goes through ``course_lib.grading.sandbox``: a cell
timeout, a kernel memory cap, no network where the OS allows it, dead kernels and floods of
output handled per notebook (see that module and the README's instructor section). The
environment variables below let ``course grade`` (or you) change the limits per run.
"""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from course_lib.grading.feedback import HIDDEN_TESTS_ENV, StripHiddenTests
from course_lib.grading.sandbox import GuardedExecute

c = get_config()  # noqa: F821  (nbgrader injects get_config)

c.CourseDirectory.root = "."
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# Training cells in the fast profile take ~25 s; 120 s per cell leaves room on a busy machine.
c.Execute.timeout = int(os.environ.get("COURSE_GRADING_TIMEOUT", "120"))
c.Execute.interrupt_on_timeout = True
c.GuardedExecute.max_output_chars = int(os.environ.get("COURSE_GRADING_MAX_OUTPUT", "100000"))
# nbgrader's autograde pipeline with the guarded executor in place of Execute.
c.Autograde.autograde_preprocessors = [
    GuardedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
    AssignLatePenalties, CheckCellMetadata]
# Feedback pages leave hidden tests out unless `course feedback --keep-hidden-tests`.
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor] + (
    [] if os.environ.get(HIDDEN_TESTS_ENV) == "keep" else [StripHiddenTests])
# Deleted test cells come back from the source (edited ones are always overwritten).
c.OverwriteCells.add_missing_cells = True
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
