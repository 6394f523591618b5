"""Training loops of the course, one module per kind of model.

Supervised loops: ``classifier`` (FashionCNN, unit 02), ``segmenter``, ``clip``,
``super_resolution`` and ``transformer`` (units 05-07), each with a dataclass config whose
``None`` sizes come from the profile. What they share is in ``loop`` (seeding, the
warm-up-cosine schedule, ``SupervisedRun``: steps that survive Ctrl-C and resume exactly) and
``report`` (the report and the sidecar of the exported model).

The adversarial engine shared by the generative units (03 onwards) is ``gan_trainer``
(``GANTrainer``, ``TrainConfig``), with its parts in ``precision``, ``distributed``,
``checkpoint``, ``interrupts`` and ``samples``; ``gan_task`` holds the unconditional GAN step
of units 03-04, ``translation`` the paired map-to-photo step of pix2pixHD (unit 05),
``pix2pixhd_run`` its training and scoring, and ``vqgan_run`` the VQ-GAN of unit 07.
"""
