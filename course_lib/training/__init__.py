"""Training loops of the course, one module per kind of model.

Supervised loops: ``classifier`` (FashionCNN, unit 02), ``segmenter``, ``clip``,
``super_resolution`` and ``transformer`` (units 05-07), each with a dataclass config whose
``None`` sizes come from the profile. What they share is in ``loop`` (seeding, the
warm-up-cosine schedule, ``SupervisedRun``: steps that survive Ctrl-C and resume exactly) and
``report`` (the report and the sidecar of the exported model).

The adversarial engine shared by the generative units (03 onwards) is ``gan_trainer``
(``GANTrainer``, ``TrainConfig``), with its parts in ``precision``, ``distributed``,
``checkpoint``, ``interrupts`` and ``samples``; ``gan_task`` holds the unconditional GAN step
of units 03-04 (``gan_run`` its run), ``translation`` the paired map-to-photo step of
pix2pixHD (unit 05) and ``spade_task`` SPADE's (unit 06); ``translation_run`` is the run both
train with (the shared protocol, mIoU over time, final figures, the exported sidecar),
``pix2pixhd_run`` and ``spade_run`` build each model's run, and ``vqgan_run`` trains the
VQ-GAN of unit 07. Loading, exporting and sampling trained models live with the models
(``course_lib.models``), their scores in ``course_lib.metrics``.
"""
