"""Is 24 dB out of reach because of the quantiser, or because of the network and the steps?

Trains the course VQ-GAN's encoder and decoder with the quantiser taken out: the same 8 x 8 x 32
bottleneck, but continuous (32 floats per token instead of one of 512 codes, 9 bits). Same
data (the 20,000 training renders at 64 px), batch, Adam settings, L1 + segmenter-perceptual
loss and linear decay as ``course train vqgan``, no GAN term. Its test PSNR is what this
encoder and decoder reach with this many steps when nothing is quantised: an upper bound for the
VQ-GAN trained the same way. Prints the PSNR on ``--n-test`` test renders::

    OMP_NUM_THREADS=1 python benchmarks/vqgan_bottleneck.py --steps 6000 --lr-decay-from 0.6
"""

from __future__ import annotations

import argparse
import time

import torch
from torch import nn

from course_lib.models.vqgan import VQGAN, SegmenterPerceptual, VQGANConfig
from course_lib.models.vqgan.quantizer import QuantizerOutput


class Continuous(nn.Module):
    """Stands in for the quantiser: passes z through (no codes, no loss)."""

    def forward(self, z: torch.Tensor) -> QuantizerOutput:
        zero = z.new_zeros(())
        indices = torch.zeros(z.shape[0], *z.shape[2:], dtype=torch.long)
        return QuantizerOutput(z, indices, zero, zero, zero)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--lr-decay-from", type=float, default=0.6,
                        help="share of the steps after which the rate falls linearly to 0")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--n-train", type=int, default=20_000)
    parser.add_argument("--n-test", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from course_lib.config import seed_everything
    from course_lib.data.landscapes.dataset import cached_split
    from course_lib.training.loop import linear_decay, to_tensor
    from course_lib.training.vqgan_run import evaluate_vqgan

    seed_everything(args.seed)
    model = VQGAN(VQGANConfig.course())
    model.quantizer = Continuous()
    perceptual = SegmenterPerceptual()
    optimizer = torch.optim.Adam(model.parameters(), args.lr, betas=(0.5, 0.9))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, linear_decay(args.steps, int(args.lr_decay_from * args.steps)))
    train, _ = cached_split("train", 64, args.n_train)
    test = to_tensor(cached_split("test", 64, args.n_test)[0])
    gen = torch.Generator().manual_seed(args.seed)
    start = time.time()
    for step in range(args.steps):
        index = torch.randint(args.n_train, (args.batch_size,), generator=gen).sort().values
        real = to_tensor(train[index.numpy()])
        recon, _ = model(real)
        loss = (real - recon).abs().mean() + perceptual(recon[:8], real[:8])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        if (step + 1) % 500 == 0:
            q = evaluate_vqgan(model, test[:200])
            print(f"step {step + 1}: PSNR on 200 test renders {q['psnr']:.2f} dB "
                  f"({time.time() - start:.0f} s)", flush=True)
    q = evaluate_vqgan(model, test)
    print(f"continuous bottleneck (8 x 8 x {model.config.embed_dim} floats), {args.steps} steps, "
          f"seed {args.seed}: PSNR on {args.n_test} test renders {q['psnr']:.2f} dB "
          f"(sd {q['sd_psnr']:.2f}); {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
