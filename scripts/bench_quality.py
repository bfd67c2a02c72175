#!/usr/bin/python3
"""The quality benchmark's PyTorch side (docs/QUALITY.md), run by scripts/bench-quality.sh.

    bench_quality.py train  <dataset dir> <held back> <steps> <batch> <out dir>
    bench_quality.py score  <dataset dir> <held back> <out.json> name=generator.safetensors ...
    bench_quality.py plot   <trainer metrics.jsonl> <tutorial metrics.jsonl> <out.png>

train: the tutorial's own training loop (its classes, weights_init, BCELoss, Adam(0.0002, 0.5), seed 999, 2
threads) on the same ingested shards as the trainer, minus the same held-back images, for the same number of
steps; logs a line every 50 steps and per epoch, as the trainer's metrics.jsonl does.

score: an SWD independent of the trainer's Java code (numpy; Karras et al. 2018: Laplacian pyramid 64/32/16,
128 7x7 patches per image and level, descriptors normalised per channel, 4 x 128 random directions, x1e3)
between each generator's images (eval mode, as many as held back) and the held-back images; and the
real-vs-real floor (held back against the next as many).

Needs Debian's python3-torch, python3-numpy and python3-matplotlib; nothing from PyPI.
"""
import json
import os
import random
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

sys.path.insert(0, os.path.dirname(__file__))
from load_in_pytorch import Generator, Discriminator, load_safetensors, nz  # noqa: E402  (the tutorial's classes)


def shards(dataset_dir):
    manifest = json.load(open(os.path.join(dataset_dir, "manifest.json")))
    bucket_dir = os.path.dirname(dataset_dir)
    arrays = [np.load(os.path.join(bucket_dir, s["key"])) for s in sorted(manifest["shards"], key=lambda s: s["index"])]
    return np.concatenate(arrays)  # uint8, N x 3 x 64 x 64, in shard order


def normalised(u8):
    return torch.from_numpy(u8.astype(np.float32) / 127.5 - 1.0)  # ToTensor + Normalize(0.5, 0.5)


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


def train(dataset_dir, held_back, steps, batch, out_dir):
    random.seed(999)
    torch.manual_seed(999)
    torch.set_num_threads(2)
    images = shards(dataset_dir)[held_back:]  # the trainer keeps the first `held_back` out of training too
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(images)), batch_size=batch,
                                       shuffle=True, num_workers=0)
    netG, netD = Generator(), Discriminator()
    netG.apply(weights_init)
    netD.apply(weights_init)
    criterion = nn.BCELoss()
    optimizerD = optim.Adam(netD.parameters(), lr=0.0002, betas=(0.5, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=0.0002, betas=(0.5, 0.999))
    log = open(os.path.join(out_dir, "metrics.jsonl"), "w")
    step, epoch = 0, 0
    while step < steps:
        epoch += 1
        for (u8,) in data:
            real = normalised(u8.numpy())
            b = real.size(0)
            netD.zero_grad()
            label = torch.full((b,), 1.0)
            output = netD(real).view(-1)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()
            fake = netG(torch.randn(b, nz, 1, 1))
            label.fill_(0.0)
            output = netD(fake.detach()).view(-1)
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()
            netG.zero_grad()
            label.fill_(1.0)
            output = netD(fake).view(-1)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()
            step += 1
            line = {"epoch": epoch, "step": step, "lossD": errD.item(), "lossG": errG.item(), "dx": D_x,
                    "dgz1": D_G_z1, "dgz2": D_G_z2}
            if step % 50 == 0 or step == steps:
                log.write(json.dumps(dict(line, type="step")) + "\n")
                log.flush()
                print("tutorial [%d/%d] Loss_D %.4f Loss_G %.4f D(x) %.4f D(G(z)) %.4f / %.4f"
                      % (step, steps, errD.item(), errG.item(), D_x, D_G_z1, D_G_z2), flush=True)
            if step == steps:
                break
    torch.save(netG.state_dict(), os.path.join(out_dir, "generator.pt"))


# --- SWD, after Karras et al. (progressive_growing_of_gans, metrics/sliced_wasserstein.py) ---------------

GAUSS = np.float32([1, 4, 6, 4, 1])
GAUSS = np.outer(GAUSS, GAUSS) / 256.0


def blur(x):  # x: N x C x H x W, mirrored borders
    pad = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)), mode="reflect")
    out = np.zeros_like(x)
    for dy in range(5):
        for dx in range(5):
            out += GAUSS[dy, dx] * pad[:, :, dy:dy + x.shape[2], dx:dx + x.shape[3]]
    return out


def downsample(x):
    return blur(x)[:, :, ::2, ::2]


def upsample(x):
    up = np.zeros((x.shape[0], x.shape[1], x.shape[2] * 2, x.shape[3] * 2), np.float32)
    up[:, :, ::2, ::2] = x * 4
    return blur(up)


def laplacian_pyramid(x, levels=3):
    pyramid = []
    for _ in range(levels - 1):
        small = downsample(x)
        pyramid.append(x - upsample(small))
        x = small
    pyramid.append(x)
    return pyramid  # 64, 32, 16


def descriptors(level, rng, per_image=128, size=7):
    n, c, h, w = level.shape
    ys = rng.integers(0, h - size + 1, size=(n, per_image))
    xs = rng.integers(0, w - size + 1, size=(n, per_image))
    out = np.empty((n * per_image, c, size, size), np.float32)
    k = 0
    for i in range(n):
        for j in range(per_image):
            out[k] = level[i, :, ys[i, j]:ys[i, j] + size, xs[i, j]:xs[i, j] + size]
            k += 1
    return out


def normalise(d):
    mean = d.mean(axis=(0, 2, 3), keepdims=True)
    std = d.std(axis=(0, 2, 3), keepdims=True)
    return ((d - mean) / std).reshape(d.shape[0], -1)


def swd(a, b, rng, repeats=4, directions=128):
    results = []
    for _ in range(repeats):
        dirs = rng.standard_normal((a.shape[1], directions)).astype(np.float32)
        dirs /= np.sqrt(np.sum(dirs ** 2, axis=0, keepdims=True))
        pa = np.sort(a @ dirs, axis=0)
        pb = np.sort(b @ dirs, axis=0)
        results.append(np.mean(np.abs(pa - pb)))
    return float(np.mean(results))


def swd_levels(x, y, seed=123):
    """x, y: N x 3 x 64 x 64 in [-1, 1]; SWD x1e3 per level (64, 32, 16) and their mean."""
    rng = np.random.default_rng(seed)
    per_level = []
    for lx, ly in zip(laplacian_pyramid(x), laplacian_pyramid(y)):
        per_level.append(1e3 * swd(normalise(descriptors(lx, rng)), normalise(descriptors(ly, rng)), rng))
    return per_level, float(np.mean(per_level))


def generated(state, n):
    netG = Generator()
    netG.load_state_dict(state, strict=True)
    netG.eval()
    with torch.no_grad():
        return netG(torch.randn(n, nz, 1, 1, generator=torch.Generator().manual_seed(2024))).numpy()


def score(dataset_dir, held_back, out, models):
    images = shards(dataset_dir)
    real = normalised(images[:held_back]).numpy()
    floor_set = normalised(images[held_back:2 * held_back]).numpy()
    results = {"heldBack": held_back, "floor": swd_levels(floor_set, real)}
    for spec in models:
        name, path = spec.split("=", 1)
        state = torch.load(path) if path.endswith(".pt") else load_safetensors(path)
        results[name] = swd_levels(generated(state, held_back), real)
        print("%-14s SWD x1e3 mean %.1f (levels 64/32/16: %s)" % (name, results[name][1],
              " / ".join("%.1f" % v for v in results[name][0])), flush=True)
    print("%-14s SWD x1e3 mean %.1f" % ("floor", results["floor"][1]))
    json.dump(results, open(out, "w"), indent=2)


def plot(trainer_jsonl, tutorial_jsonl, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ours = [json.loads(l) for l in open(trainer_jsonl) if l.strip()]
    theirs = [json.loads(l) for l in open(tutorial_jsonl) if l.strip()]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    for ax, keys, title in [(axes[0], ["lossD", "lossG"], "Loss_D and Loss_G"), (axes[1], ["dx"], "D(x)"),
                            (axes[2], ["dgz1", "dgz2"], "D(G(z)) before / after the D step")]:
        for key in keys:
            ax.plot([m["step"] for m in ours], [m[key] for m in ours], "-o", ms=3, label="trainer-service " + key)
            ax.plot([m["step"] for m in theirs], [m[key] for m in theirs], "--s", ms=3, label="tutorial " + key)
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    print("wrote", out)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "train":
        train(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    elif command == "score":
        score(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:])
    elif command == "plot":
        plot(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
