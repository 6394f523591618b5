"""Metrics of the course: classification (unit 01), Fashion-MNIST generators (FID on FashionCNN
features, class coverage; units 02-04), high-frequency spectral energy (checkerboards and
colour noise; units 04-06), label-map-to-photo models scored by a segmenter (mIoU, pixel
accuracy, landscape FID; units 05-06) and Landscapes attributes read back from pictures
(unit 07).
"""

from course_lib.metrics.classification import confusion_matrix, most_confused_pairs
from course_lib.metrics.coverage import ClassCoverage, class_coverage, kl_to_uniform
from course_lib.metrics.fid import fashion_fid, feature_statistics, frechet_distance
from course_lib.metrics.landscape_attributes import (
    attribute_agreement,
    image_attributes,
    predict_attributes,
)
from course_lib.metrics.reconstruction import codebook_usage, psnr
from course_lib.metrics.segmentation import landscape_fid, segmentation_scores
from course_lib.metrics.spectrum import (
    high_frequency_ratio,
    high_frequency_ratios,
    high_frequency_share,
)
from course_lib.metrics.translation import evaluate_translation

__all__ = [
    "ClassCoverage",
    "attribute_agreement",
    "class_coverage",
    "codebook_usage",
    "confusion_matrix",
    "evaluate_translation",
    "fashion_fid",
    "feature_statistics",
    "frechet_distance",
    "high_frequency_ratio",
    "high_frequency_ratios",
    "high_frequency_share",
    "image_attributes",
    "kl_to_uniform",
    "landscape_fid",
    "most_confused_pairs",
    "predict_attributes",
    "psnr",
    "segmentation_scores",
]
