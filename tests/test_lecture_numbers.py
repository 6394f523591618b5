"""Every parameter count quoted in a lecture's prose is recomputed from course_lib's models."""

import json
import re
from pathlib import Path

import pytest
import torch.nn as nn

REPO = Path(__file__).resolve().parents[1]


def lecture_prose(name: str) -> str:
    """The markdown of ``notebooks/<name>.ipynb``, cells joined."""
    cells = json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def dense(hidden=None) -> int:
    from course_lib.models.dense_keras import build_dense_classifier

    return (build_dense_classifier() if hidden is None else
            build_dense_classifier(hidden=hidden)).count_params()


def keras_cnn(part: str) -> int:
    from course_lib.models.cnn_keras import build_cnn_classifier

    model = build_cnn_classifier()
    if part == "all":
        return model.count_params()
    return sum(layer.count_params() for layer in model.layers
               if type(layer).__name__ == "Conv2D")


def first_dense_layer() -> int:
    from course_lib.models.dense_keras import build_dense_classifier

    return next(layer.count_params() for layer in build_dense_classifier().layers
                if type(layer).__name__ == "Dense")


def dcgan(part: str) -> int:
    from course_lib.models.dcgan import DCGANConfig, build_dcgan

    generator, discriminator = build_dcgan(DCGANConfig())
    return n_params(generator if part == "G" else discriminator)


def spade(part: str, dataset: str = "ade20k", use_vae: bool = True) -> int:
    """G or E counted by hand (``params``; unit 06's tests check it against the built networks),
    D counted on the built discriminator; ``dataset``: ade20k, cityscapes or course."""
    import torch

    from course_lib.models.spade.config import SPADEConfig
    from course_lib.models.spade.params import encoder_params, generator_params
    from course_lib.training.spade_task import SPADELossConfig, build_spade_discriminator

    make = {"ade20k": SPADEConfig, "cityscapes": SPADEConfig.cityscapes,
            "course": SPADEConfig.course}[dataset]
    config = make(use_vae=use_vae)
    if part == "D":
        loss = SPADELossConfig.course() if dataset == "course" else SPADELossConfig()
        with torch.device("meta"):
            return n_params(build_spade_discriminator(config.label_nc, loss))
    return (generator_params if part == "G" else encoder_params)(config)


def spade_fc_millions() -> str:
    """The paper's Linear(z) input layer, in the lecture's "16.8 M"."""
    from course_lib.models.spade.config import SPADEConfig
    from course_lib.models.spade.params import fc_params

    return f"{fc_params(SPADEConfig()) / 1e6:.1f} M"


def vqgan(which: str) -> int:
    """The shipped VQ-GAN's parameters, or taming's ImageNet ones (f = 16 or 8, meta device)."""
    import torch

    from course_lib.models.vqgan import VQGAN, VQGANConfig, load_vqgan

    if which == "shipped":
        return n_params(load_vqgan())
    with torch.device("meta"):
        return n_params(VQGAN(VQGANConfig.imagenet(int(which))))


QUOTES = [
    ("01_dense_fashion_mnist", "286,810", dense),
    ("01_dense_fashion_mnist", "266,610", lambda: dense((300, 100))),
    ("02_cnn_fashion_mnist", "235,500", first_dense_layer),
    ("02_cnn_fashion_mnist", "92,448", lambda: keras_cnn("conv")),
    ("02_cnn_fashion_mnist", "391,082", lambda: keras_cnn("all")),
    ("04_lsgan_dcgan", "759,681", lambda: dcgan("G")),
    ("04_lsgan_dcgan", "138,689", lambda: dcgan("D")),
    ("06_spade", "111,942,595", lambda: spade("G")),
    ("06_spade", "10,463,424", lambda: spade("E")),
    ("06_spade", "96,492,483", lambda: spade("G", use_vae=False)),
    ("06_spade", "101,136,579", lambda: spade("G", "cityscapes")),
    ("06_spade", "93,048,003", lambda: spade("G", "cityscapes", use_vae=False)),
    ("06_spade", "5,836,930", lambda: spade("D")),
    ("06_spade", "5,601,410", lambda: spade("D", "cityscapes")),
    ("06_spade", "532,179", lambda: spade("D", "course")),
    ("07_vqgan_transformer", "717,091", lambda: vqgan("shipped")),
    ("07_vqgan_transformer", "72,141,699", lambda: vqgan("16")),
    ("07_vqgan_transformer", "70,368,131", lambda: vqgan("8")),
]


@pytest.mark.parametrize(("lecture", "quoted", "count"), QUOTES,
                         ids=[f"{lecture[:2]}-{quoted}" for lecture, quoted, _ in QUOTES])
def test_quoted_parameter_count(lecture, quoted, count):
    assert quoted in lecture_prose(lecture), f"lecture {lecture} no longer quotes {quoted}"
    assert f"{count():,}" == quoted


def test_lecture_06_quotes_the_paper_input_layer():
    assert f"({spade_fc_millions()} of them in that layer alone)" in " ".join(
        lecture_prose("06_spade").split())


def test_dcgan_discriminator_formula():
    """Lecture 04's hand formula for D, term by term (the first term is 64·16, not 16)."""
    assert 64 * 16 + 64 + 64 * 128 * 16 + 2 * 128 + 6_272 + 1 == dcgan("D")
    assert "D 64·16 + 64 + 64·128·16 + 2·128 + 6,272 + 1 = 138,689" in " ".join(
        lecture_prose("04_lsgan_dcgan").split())


def test_transformer_orders_of_magnitude():
    """Lecture 07: ruDALL-E (1.3e9) and DALL-E (12e9) are 3-4 orders above the shipped model."""
    import math

    from course_lib.models.text_to_image import load_transformer

    ours = n_params(load_transformer()[0])
    assert 3 <= math.log10(1.3e9 / ours) < math.log10(12e9 / ours) < 4.5
    assert "three to four orders of magnitude" in lecture_prose("07_vqgan_transformer")


def test_lecture_04_quotes_the_shipped_dcgans_figures():
    """Section 6's recipe (epochs, steps, the constant and the decaying stretch) and the FIDs
    and confident shares in sections 6-7 are the sidecars' recorded ones."""
    from course_lib.models.fashion_gan import shipped_generator_info

    prose = " ".join(lecture_prose("04_lsgan_dcgan").split())
    gan, lsgan = (shipped_generator_info(name) for name in ("gan_dcgan", "lsgan_dcgan"))
    config = gan["train_config"]
    assert config == lsgan["train_config"]  # the same recipe for both losses
    per_epoch = 60_000 // config["batch_size"]
    epochs, constant = config["steps"] // per_epoch, config["lr_decay_from"] // per_epoch
    assert (epochs * per_epoch, constant * per_epoch) == (config["steps"],
                                                          config["lr_decay_from"])
    assert (f"for {epochs} epochs ({config['steps']:,} steps of batch {config['batch_size']})"
            in prose)
    assert f"a constant learning rate for {constant} epochs" in prose
    assert f"over the last {epochs - constant}" in prose
    assert f"trained on the {epochs}-epoch schedule with DCGAN's recipe for both" in prose
    shipped_epoch = gan["steps"] // per_epoch
    assert shipped_epoch * per_epoch == gan["steps"] == lsgan["steps"]
    assert f"(epoch {shipped_epoch} for both)" in prose
    assert f"after {shipped_epoch} epochs such stretches" in prose
    for info, label in ((gan, "the GAN scores"), (lsgan, "LSGAN")):
        q = info["quality"]
        assert f"{label} FID {q['fid']:.1f} with {100 * q['confident']:.0f} %" in prose
        assert info["epochs_history"][-1]["epoch"] == shipped_epoch
    assert (f"FID {gan['quality']['fid']:.1f} for the GAN against "
            f"{lsgan['quality']['fid']:.1f} for LSGAN") in prose
    assert 0 < lsgan["quality"]["fid"] - gan["quality"]["fid"] < 1  # "by less than one point"
    # section 6: over the last ten shipped epochs FID still fell, the confident share did not
    window = [[r for r in info["epochs_history"] if r["epoch"] > shipped_epoch - 10]
              for info in (gan, lsgan)]
    first, last = ([rows[i]["fid"] for rows in window] for i in (0, -1))
    shares = [r["confident"] for rows in window for r in rows]
    assert (f"from epoch {shipped_epoch - 9} to epoch {shipped_epoch}, FID fell from "
            f"{first[0]:.1f} and {first[1]:.1f} to {last[0]:.1f} and {last[1]:.1f}, while the "
            f"confident share stayed between {min(shares):.2f} and {max(shares):.2f}") in prose


def test_lecture_04_least_sure_classes_are_the_upper_body_garments():
    """Section 6 says: shirt, T-shirt, coat and pullover are the four least sure classes of
    FashionCNN for real test images and for both shipped DCGANs' samples (2,000 each)."""
    from course_lib.data.fashion_mnist import CLASS_NAMES, load_fashion_mnist
    from course_lib.metrics.fashion_features import fashion_probabilities
    from course_lib.metrics.generator_scores import confident_by_class
    from course_lib.models.fashion_gan import load_shipped_generator, sample

    prose = " ".join(lecture_prose("04_lsgan_dcgan").split())
    assert ("The four upper-body garments (shirt, T-shirt, coat, pullover) are the four least "
            "sure classes in every column, real images included") in prose
    (_, _), (x_test, _) = load_fashion_mnist()
    columns = [fashion_probabilities(x_test[:2000])]
    columns += [fashion_probabilities(sample(load_shipped_generator(name), 2000, seed=1234),
                                      value_range="symmetric")
                for name in ("gan_dcgan", "lsgan_dcgan")]
    for probabilities in columns:
        least_sure = confident_by_class(probabilities).argsort()[:4]
        assert {CLASS_NAMES[c] for c in least_sure} == {"Shirt", "T-shirt/top", "Coat",
                                                         "Pullover"}


def test_lecture_07_quotes_the_shipped_settings():
    """Lecture 07's typed settings are the shipped models' (beta, 1:7, f, lengths, EMA decay),
    its 10^-4 is adaptive_weight's, and its sampling times are RESULTS.md's."""
    import inspect

    from course_lib.models.text_to_image import load_transformer
    from course_lib.models.vqgan import VectorQuantizer, adaptive_weight, load_vqgan

    prose = " ".join(lecture_prose("07_vqgan_transformer").split())
    vq, tr = load_vqgan().config, load_transformer()[0].config
    assert f"β = {vq.beta}" in prose and vq.beta == 0.25
    assert f"= {tr.text_loss_weight:g} : {tr.image_loss_weight:g}, DALL-E's choice" in prose
    assert f"text {tr.text_loss_weight:g} : {tr.image_loss_weight:g} image" in prose
    assert f"Compression factor f = {vq.factor}" in prose
    assert (f"a caption has at most {tr.text_len} tokens, mostly fewer (padding is not scored), "
            f"against {tr.image_len} image tokens") in prose
    assert f"(decay {VectorQuantizer(2, 2).decay})" in prose
    assert "+ 1e-4)" in inspect.getsource(adaptive_weight) and "+ 10⁻⁴)" in prose
    results = (REPO / "benchmarks" / "RESULTS.md").read_text()
    row = next(line for line in results.splitlines() if "Unit 07 sampling speed" in line)
    assert "1.03 s (0.83-1.31) with the KV cache; 7.32 s" in row
    assert "(1.0 s instead of 7.3 s," in prose and "about seven times faster" in prose


def test_lecture_07_quotes_the_shipped_vqgans_figures():
    """The PSNR in the prose is the sidecar's; "about 3 dB" is the continuous control's lead
    over every quantised version; "80 %" is the run's disc_start."""
    from course_lib.models.vqgan import checkpoint_info

    info = checkpoint_info()
    prose = " ".join(lecture_prose("07_vqgan_transformer").split())
    psnr = info["quality"]["psnr"]
    assert f"at {psnr:.1f} dB PSNR" in prose and f"the 64-token, {psnr:.0f} dB VQ-GAN" in prose
    quantised = (psnr, info["quality_before_decoder_finetune"]["psnr"],
                 info["gan_phase"]["quality"]["psnr"])
    lead = info["continuous_bottleneck"]["quality"]["psnr"] - max(quantised)
    assert round(lead) == 3 and "about 3 dB more than any quantised version" in prose
    assert "--disc-start 0.8" in info["command"] and "from 80 % of its steps" in prose


def test_lecture_07_quotes_the_measured_caption_agreement():
    """Section 9's table is RESULTS.md's 48 x 24 row for the shipped models."""
    prose = " ".join(lecture_prose("07_vqgan_transformer").split())
    results = (REPO / "benchmarks" / "RESULTS.md").read_text()
    row = next(line for line in results.splitlines()
               if line.startswith("| Unit 07 caption agreement of generated pictures with the "
                                  "shipped VQ-GAN (21.43 dB)"))
    for name, label in (("CLIP top-1", "CLIP's top-1"), ("all samples", "all 24 samples"),
                        ("same samples vs shuffled captions",
                         "the same samples against shuffled captions"),
                        ("VQ-GAN reconstructions", "the VQ-GAN's reconstructions of the real "
                         "renders")):
        mean, share = re.search(rf"{name} (0\.\d+) / (0\.\d+)", row).groups()
        assert f"| {label} | {mean} | {share} |" in prose, (label, mean, share)


def test_lecture_06_quotes_the_shipped_spade_figures():
    """Section 10's row for the shipped SPADE is its sidecar's recorded mIoU and FID, and the
    two-seed means it compares are those of both sidecars' seeds of the shared recipe."""
    import statistics

    from course_lib.models.pix2pixhd import checkpoint_info as pix2pixhd_info
    from course_lib.models.spade import checkpoint_info

    info = checkpoint_info()
    q, steps = info["quality"], info["protocol"]["steps"]
    prose = " ".join(lecture_prose("06_spade").split())
    assert f"the same recipe, {steps:,} steps with the perceptual term (seed 0) | " \
           f"{q['miou']:.3f} | {q['fid']:.2f} |" in prose
    assert f"--steps {steps}" in info["command"] and "--perceptual-weight 10" in info["command"]
    means = {}
    for model, sidecar in (("spade", info), ("pix2pixhd", pix2pixhd_info())):
        seeds = sidecar["seeds_of_the_recipe"]
        assert [s["seed"] for s in seeds] == [0, 1] and seeds[0]["miou"] == \
            sidecar["quality"]["miou"] and {s["steps"] for s in seeds} == {steps}
        means[model] = {k: statistics.mean(s[k] for s in seeds) for k in ("miou", "fid")}
    assert (f"mIoU {means['spade']['miou']:.3f} against {means['pix2pixhd']['miou']:.3f} and "
            f"FID {means['spade']['fid']:.2f} against {means['pix2pixhd']['fid']:.2f}") in prose


def test_lectures_05_and_06_quote_the_shipped_pix2pixhd_figures():
    """Unit 05's table row for the shipped model and unit 06's comparison row are the
    sidecar's recorded mIoU and FID, with the steps of its protocol."""
    from course_lib.models.pix2pixhd import checkpoint_info

    info = checkpoint_info()
    q, steps = info["quality"], info["protocol"]["steps"]
    unit05 = " ".join(lecture_prose("05_pix2pixhd").split())
    unit06 = " ".join(lecture_prose("06_spade").split())
    assert f"(**the shipped model**) | {steps:,} | **{q['miou']:.3f}** | {q['fid']:.2f} |" in unit05
    assert f"(seed 0, {steps:,} steps" in unit05
    assert f"{steps:,} steps with the perceptual term (seed 0) | {q['miou']:.3f} | " \
           f"{q['fid']:.2f} |" in unit06
    assert f"--steps {steps}" in info["command"] and "--perceptual-weight 10" in info["command"]


def test_lecture_06_quotes_the_size_of_pix2pixhds_erased_activations():
    """Section 1 says the shipped pix2pixHD's activations after its first norm are about 1e-5
    on one-class maps: the order of magnitude of the largest one, recomputed."""
    import math

    import torch

    from course_lib.data.landscapes import CLASSES
    from course_lib.models.label_maps import one_hot_maps
    from course_lib.models.pix2pixhd import first_block_activations, load_pix2pixhd

    maps = torch.stack([torch.full((64, 64), CLASSES.index(c))
                        for c in ("sky", "water", "grass", "sand")])
    with torch.no_grad():
        largest = float(first_block_activations(load_pix2pixhd(), one_hot_maps(maps)).abs().max())
    exponent = round(math.log10(largest))
    assert f"zero up to rounding (about 1e{exponent})" in " ".join(
        lecture_prose("06_spade").split())
