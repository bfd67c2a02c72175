#!/usr/bin/python3
"""Loads a checkpoint of the pipeline into the PyTorch DCGAN tutorial's own Generator and Discriminator.

    /usr/bin/python3 scripts/load_in_pytorch.py generator.safetensors discriminator.safetensors [grid.png]

Needs torch and torchvision (Debian: python3-torch python3-torchvision), and nothing else: the safetensors
file is read with the format's own rules (8-byte header length, JSON header, raw little-endian tensors), so
the safetensors package is not required. With it installed, safetensors.torch.load_file(path) does the same.
The classes below are the tutorial's, verbatim (nz=100, ngf=64, ndf=64, nc=3).
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision.utils as vutils

nz, ngf, ndf, nc = 100, 64, 64, 3


class Generator(nn.Module):
    def __init__(self, ngpu=1):
        super(Generator, self).__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self, ngpu=1):
        super(Discriminator, self).__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, input):
        return self.main(input)


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    base = 8 + n
    dtypes = {"F32": np.float32, "I64": np.int64}
    out = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        arr = np.frombuffer(data[base + begin:base + end], dtype=np.dtype(dtypes[t["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(arr.astype(dtypes[t["dtype"]]).reshape(t["shape"]))
    return out


if __name__ == "__main__":
    netG, netD = Generator(), Discriminator()
    print("G:", netG.load_state_dict(load_safetensors(sys.argv[1]), strict=True))
    print("D:", netD.load_state_dict(load_safetensors(sys.argv[2]), strict=True))
    netG.eval()
    netD.eval()
    with torch.no_grad():
        fake = netG(torch.randn(64, nz, 1, 1, generator=torch.Generator().manual_seed(999)))
        print("G(z):", tuple(fake.shape), "range [%.3f, %.3f]" % (fake.min().item(), fake.max().item()))
        print("D(G(z)) mean: %.4f" % netD(fake).mean().item())
    if len(sys.argv) > 3:
        vutils.save_image(fake, sys.argv[3], padding=2, normalize=True)
        print("wrote", sys.argv[3])
