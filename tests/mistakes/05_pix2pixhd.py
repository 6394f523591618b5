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
}
