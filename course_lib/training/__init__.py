"""Training loops of the course, one module per kind of model.

Supervised loops: ``classifier`` (FashionCNN, unit 02), ``segmenter``, ``clip``,
``super_resolution`` and ``transformer`` (units 05-07); what they share (seeding, the
warm-up-cosine schedule, a run folder that survives Ctrl-C, the sidecar) is in ``loop``.

The adversarial engine shared by the generative units (03 onwards) is ``gan_trainer``
(``GANTrainer``, ``TrainConfig``), with its parts in ``precision``, ``distributed``,
``checkpoint``, ``interrupts`` and ``samples``; ``gan_task`` holds the unconditional GAN step
of units 03-04, ``translation`` the paired map-to-photo step of pix2pixHD (unit 05),
``pix2pixhd_run`` its training and scoring, and ``vqgan_run`` the VQ-GAN of unit 07.
"""
