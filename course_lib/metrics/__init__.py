"""Metrics of the course: classification (unit 01) and, from unit 02, generative-model metrics."""

from course_lib.metrics.classification import confusion_matrix, most_confused_pairs

__all__ = ["confusion_matrix", "most_confused_pairs"]
