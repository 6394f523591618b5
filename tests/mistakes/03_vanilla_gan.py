"""Typical wrong answers to assignment 03; each must lose points."""

MISTAKES = {
    "log of sigmoid (inf for confident logits)": {
        "d_loss": '''def d_loss(real_logits, fake_logits):
    return -(torch.log(torch.sigmoid(real_logits)).mean()
             + torch.log(1 - torch.sigmoid(fake_logits)).mean())''',
    },
    "generator trained towards the fake label": {
        "g_losses": '''def g_loss_nonsaturating(fake_logits):
    return F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))


def g_loss_saturating(fake_logits):
    return -F.softplus(fake_logits).mean()''',
    },
    "nn.BCELoss on torch.sigmoid (right at +-100 only by BCELoss's clamp)": {
        "d_loss": '''def d_loss(real_logits, fake_logits):
    bce = torch.nn.BCELoss()
    return (bce(torch.sigmoid(real_logits), torch.ones_like(real_logits))
            + bce(torch.sigmoid(fake_logits), torch.zeros_like(fake_logits)))''',
    },
    "fakes not detached in the D step": {
        "d_step": '''def d_step(generator, discriminator, d_optimizer, real, z, loss_fn):
    fake = generator(z)
    loss = loss_fn(discriminator(real), discriminator(fake))
    d_optimizer.zero_grad()
    loss.backward()
    d_optimizer.step()
    return loss.item()''',
    },
}
