"""Typical wrong answers to assignment 06; each must lose points (and only its own)."""

MISTAKES = {
    "norm keeps learned affine parameters": {
        "spade_layer": '''class SPADELayer(nn.Module):
    def __init__(self, channels, label_nc, hidden=128, kernel_size=3):
        super().__init__()
        pad = kernel_size // 2
        self.norm = nn.BatchNorm2d(channels)
        self.shared = nn.Sequential(nn.Conv2d(label_nc, hidden, kernel_size, padding=pad),
                                    nn.ReLU())
        self.gamma = nn.Conv2d(hidden, channels, kernel_size, padding=pad)
        self.beta = nn.Conv2d(hidden, channels, kernel_size, padding=pad)

    def forward(self, x, segmap):
        segmap = F.interpolate(segmap, size=x.shape[-2:], mode="nearest")
        hidden = self.shared(segmap)
        return self.norm(x) * (1 + self.gamma(hidden)) + self.beta(hidden)''',
    },
    "shared convolution without its ReLU": {
        "spade_layer": '''class SPADELayer(nn.Module):
    def __init__(self, channels, label_nc, hidden=128, kernel_size=3):
        super().__init__()
        pad = kernel_size // 2
        self.norm = nn.BatchNorm2d(channels, affine=False)
        self.shared = nn.Sequential(nn.Conv2d(label_nc, hidden, kernel_size, padding=pad))
        self.gamma = nn.Conv2d(hidden, channels, kernel_size, padding=pad)
        self.beta = nn.Conv2d(hidden, channels, kernel_size, padding=pad)

    def forward(self, x, segmap):
        segmap = F.interpolate(segmap, size=x.shape[-2:], mode="nearest")
        hidden = self.shared(segmap)
        return self.norm(x) * (1 + self.gamma(hidden)) + self.beta(hidden)''',
    },
    "generator's hinge loss with a margin": {
        "hinge_losses": '''def d_hinge_loss(real_scores, fake_scores):
    return F.relu(1 - real_scores).mean() + F.relu(1 + fake_scores).mean()


def g_hinge_loss(fake_scores):
    return F.relu(1 - fake_scores).mean()''',
    },
    "std taken as exp(logvar)": {
        "reparameterize": '''def reparameterize(mu, logvar):
    return mu + torch.exp(logvar) * torch.randn_like(mu)''',
    },
}
