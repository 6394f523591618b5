"""Training loops of the course, one module per kind of model (``classifier``, ...).

The adversarial engine shared by the generative units (03 onwards) is ``gan_trainer``
(``GANTrainer``, ``TrainConfig``), with its parts in ``precision``, ``distributed``,
``checkpoint`` and ``samples``; ``gan_task`` holds the unconditional GAN step of units 03-04,
``translation`` the paired map-to-photo step of pix2pixHD (unit 05) and ``pix2pixhd_run``
its training and scoring.
"""
