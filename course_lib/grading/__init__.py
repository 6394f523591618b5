"""Grading with nbgrader: generate exercises from solutions, autograde submissions.

``solutions/`` is nbgrader's source folder and ``exercises/`` its release folder (see
``nbgrader_config.py``). The modules here run nbgrader's own command line in a scratch
copy of the course, so the repository never gets a gradebook or stray folders:

- ``course_lib.grading.release``: ``python -m course_lib.grading.release --all [--check]``
- ``course_lib.grading.autograde``: ``autograde(name, {student: notebook}, workdir)``
"""
