"""Training loops of the course, one module per kind of model (``classifier``, ...).

The adversarial engine shared by the generative units (03 onwards) is ``gan_trainer``
(``GANTrainer``, ``TrainConfig``), with its parts in ``precision``, ``distributed``,
``checkpoint`` and ``samples``; ``gan_task`` holds the unconditional GAN step of units 03-04,
``translation`` the paired map-to-photo step of pix2pixHD (unit 05) and ``spade_task`` SPADE's
(unit 06); ``translation_run`` is the run both train with (the shared protocol, mIoU over
time, final figures, the exported sidecar), ``pix2pixhd_run`` and ``spade_run`` build each
model's run.
Loading, exporting and sampling the shipped models live with the models
(``course_lib.models.pix2pixhd``, ``course_lib.models.spade``), their scores in
``course_lib.metrics``.
"""
