"""Data sets of the course: Fashion-MNIST (real) and, later, procedural Landscapes."""

from course_lib.data.download import ChecksumError
from course_lib.data.fashion_mnist import (
    CLASS_NAMES,
    fashion_mnist_dataset,
    load_fashion_mnist,
)
from course_lib.data.idx import IDXFormatError, read_idx

__all__ = [
    "CLASS_NAMES",
    "ChecksumError",
    "IDXFormatError",
    "fashion_mnist_dataset",
    "load_fashion_mnist",
    "read_idx",
]
