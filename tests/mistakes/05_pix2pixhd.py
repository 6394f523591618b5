"""Typical wrong answers to assignment 05; each must lose points."""

MISTAKES = {
    "receptive field without the strides": {
        "receptive_field": '''def receptive_field(layers):
    return sum(kernel for kernel, stride in layers) - len(layers) + 1''',
    },
    "average pooling counts the zero padding": {
        "downsample": '''def downsample(x):
    return F.avg_pool2d(x, kernel_size=3, stride=2, padding=1)''',
    },
    "feature matching on the patch scores too": {
        "feature_matching": '''def feature_matching(real_features, fake_features):
    loss = 0.0
    for real, fake in zip(real_features, fake_features, strict=True):
        for r, f in zip(real, fake, strict=True):
            loss = loss + (f - r.detach()).abs().mean()
    return loss / len(real_features)''',
    },
    "D's loss trains G too: the fake is not detached": {
        "pair_d_loss": '''from course_lib.losses.pix2pixhd import multiscale_d_loss


def pair_d_loss(discriminator, maps, fake, real):
    return multiscale_d_loss(discriminator(torch.cat([maps, real], 1)),
                             discriminator(torch.cat([maps, fake], 1)))''',
    },
    "the image before the map in the pair": {
        "pair_d_loss": '''from course_lib.losses.pix2pixhd import multiscale_d_loss


def pair_d_loss(discriminator, maps, fake, real):
    return multiscale_d_loss(discriminator(torch.cat([real, maps], 1)),
                             discriminator(torch.cat([fake.detach(), maps], 1)))''',
    },
    "D judges the image alone, without its map": {
        "pair_d_loss": '''from course_lib.losses.pix2pixhd import multiscale_d_loss


def pair_d_loss(discriminator, maps, fake, real):
    return multiscale_d_loss(discriminator(real), discriminator(fake.detach()))''',
    },
}
