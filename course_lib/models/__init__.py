"""Reference models of the course, one module per model family.

Import from the submodule you need (``course_lib.models.dense_keras``, ...): Keras and
PyTorch models live side by side, and importing one framework should not start the other.

A family in a package holds its networks and its config; ``pix2pixhd.shipped`` and
``spade.shipped`` load and export the models of units 05 and 06 (and read their sidecars).
``label_maps`` turns label maps into pictures with either translation model (``generate``);
``segmenter`` is the network that scores them; ``weights_file`` reads and writes every
checkpoint.
"""
