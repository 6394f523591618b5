"""Typical wrong answers to assignment 04; each must lose points."""

MISTAKES = {
    "targets a and b swapped in D's loss": {
        "lsgan_losses": '''def lsgan_d_loss(real_scores, fake_scores, a=0.0, b=1.0):
    return 0.5 * ((real_scores - a) ** 2).mean() + 0.5 * ((fake_scores - b) ** 2).mean()


def lsgan_g_loss(fake_scores, c=1.0):
    return 0.5 * ((fake_scores - c) ** 2).mean()''',
    },
    "batch norm on the discriminator's input layer": {
        "networks": '''def build_generator(latent_dim=100, g_channels=128):
    return nn.Sequential(
        nn.Unflatten(1, (latent_dim, 1, 1)),
        nn.ConvTranspose2d(latent_dim, g_channels, 7, bias=False),
        nn.BatchNorm2d(g_channels),
        nn.ReLU(),
        generator_block(g_channels, g_channels // 2),
        nn.ConvTranspose2d(g_channels // 2, 1, 4, 2, 1),
        nn.Tanh(),
    )


def build_discriminator(d_channels=64):
    return nn.Sequential(
        discriminator_block(1, d_channels),
        discriminator_block(d_channels, 2 * d_channels),
        nn.Flatten(),
        nn.Linear(2 * d_channels * 7 * 7, 1),
    )''',
    },
    "generator without the ReLU after its first batch norm": {
        "networks": '''def build_generator(latent_dim=100, g_channels=128):
    return nn.Sequential(
        nn.Unflatten(1, (latent_dim, 1, 1)),
        nn.ConvTranspose2d(latent_dim, g_channels, 7, bias=False),
        nn.BatchNorm2d(g_channels),
        generator_block(g_channels, g_channels // 2),
        nn.ConvTranspose2d(g_channels // 2, 1, 4, 2, 1),
        nn.Tanh(),
    )

def build_discriminator(d_channels=64):
    return nn.Sequential(
        discriminator_block(1, d_channels, batch_norm=False),
        discriminator_block(d_channels, 2 * d_channels),
        nn.Flatten(),
        nn.Linear(2 * d_channels * 7 * 7, 1),
    )''',
    },
    "generator with ReLU before batch norm in its first layer": {
        "networks": '''def build_generator(latent_dim=100, g_channels=128):
    return nn.Sequential(
        nn.Unflatten(1, (latent_dim, 1, 1)),
        nn.ConvTranspose2d(latent_dim, g_channels, 7, bias=False),
        nn.ReLU(),
        nn.BatchNorm2d(g_channels),
        generator_block(g_channels, g_channels // 2),
        nn.ConvTranspose2d(g_channels // 2, 1, 4, 2, 1),
        nn.Tanh(),
    )

def build_discriminator(d_channels=64):
    return nn.Sequential(
        discriminator_block(1, d_channels, batch_norm=False),
        discriminator_block(d_channels, 2 * d_channels),
        nn.Flatten(),
        nn.Linear(2 * d_channels * 7 * 7, 1),
    )''',
    },
    "std 0.2 instead of 0.02": {
        "dcgan_init": '''def dcgan_init(module):
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.2)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.2)
            nn.init.zeros_(m.bias)''',
    },
}
