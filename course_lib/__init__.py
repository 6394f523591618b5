"""course_lib: the reference implementations behind the generative deep learning course.

Modules are small and each explains one idea; start with ``course_lib.config`` (device,
profile, seeds) and ``course_lib.data`` (Fashion-MNIST and Landscapes).
"""

import os as _os

__version__ = "0.1.0"

#: Where the course is published: the Colab badges and install cells of every notebook point
#: here. Change it together with ``[project.urls] Repository`` in pyproject.toml, then run
#: ``make notebooks-address`` (README, "Publishing the course").
REPOSITORY = "https://github.com/genai-course/course"

# TensorFlow's C++ start-up logs (missing CUDA drivers on CPU machines) go to stderr, and
# nbgrader fails any graded cell that writes to stderr. Hide them unless the user chose a level.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
