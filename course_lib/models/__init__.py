"""Reference models of the course, one module per model family.

Import from the submodule you need (``course_lib.models.dense_keras``, ...): Keras and
PyTorch models live side by side, and importing one framework should not start the other.

A family in a package holds its networks and its config; ``pix2pixhd.shipped`` and
``spade.shipped`` load and export the models of units 05 and 06 (and read their sidecars),
``fashion_gan`` builds, loads, exports and samples the generators of units 03-04.
``label_maps`` turns label maps into pictures with either translation model (``generate``);
``segmenter`` is the network that scores them. Every weights file, shipped or a run's, is
written and read by ``weights_file``; the loops that train the models live in
``course_lib.training``, the scores that judge them in ``course_lib.metrics``.
"""
