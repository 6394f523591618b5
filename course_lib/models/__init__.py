"""Reference models of the course, one module per model family.

Import from the submodule you need (``course_lib.models.dense_keras``, ...): Keras and
PyTorch models live side by side, and importing one framework should not start the other.
Every shipped weights file is written and read by ``weights_file``; the loops that train the
models live in ``course_lib.training``.
"""
