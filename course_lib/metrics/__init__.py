"""Metrics of the course: classification (unit 01) and, from unit 02, generative-model metrics."""

from course_lib.metrics.classification import confusion_matrix, most_confused_pairs
from course_lib.metrics.coverage import ClassCoverage, class_coverage, kl_to_uniform
from course_lib.metrics.fid import fashion_fid, feature_statistics, frechet_distance

__all__ = ["confusion_matrix", "most_confused_pairs"]
__all__ += ["ClassCoverage", "class_coverage", "kl_to_uniform"]
__all__ += ["fashion_fid", "feature_statistics", "frechet_distance"]
from course_lib.metrics.landscape_attributes import (
    attribute_agreement,
    image_attributes,
    predict_attributes,
)

__all__ += ["attribute_agreement", "image_attributes", "predict_attributes"]
