#!/usr/bin/python3
"""Three consecutive DCGAN training iterations by the PyTorch tutorial's own code, as a fixture for the Java
parity test.

Run with Debian's torch (python3-torch): /usr/bin/python3 make_parity_fixture.py
Writes parity.safetensors: initial G and D state_dicts (g0.*, d0.*); for iterations k = 0, 1, 2 a real batch
(real.k), latents (noise.k) and the five numbers the tutorial logs (result.k); the states after the first
and the third iteration (g1.*, d1.*, g3.*, d3.*); and both Adams' moments after the third
(adamG.exp_avg.<param>, adamG.exp_avg_sq.<param>, the same for adamD). Three iterations, not one: Adam's first
step is lr * g / (|g| + eps), which moves every weight by about lr whatever the gradient, so only later steps
show gradient magnitudes, betas and eps. Widths are reduced (ngf = ndf = 8) to keep the fixture small; the
architecture, init, losses and optimiser are the tutorial's.
"""
import json
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

nz, nc, ngf, ndf, batch = 100, 3, 8, 8, 4
torch.manual_seed(999)


class Generator(nn.Module):  # the tutorial's, with ngf as a parameter
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, x):
        return self.main(x)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, x):
        return self.main(x)


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


netG, netD = Generator(), Discriminator()
netG.apply(weights_init)
netD.apply(weights_init)
out = {}
for k, v in netG.state_dict().items():
    out["g0." + k] = v.clone()
for k, v in netD.state_dict().items():
    out["d0." + k] = v.clone()

criterion = nn.BCELoss()
optimizerD = optim.Adam(netD.parameters(), lr=0.0002, betas=(0.5, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=0.0002, betas=(0.5, 0.999))

for k in range(3):
    # Real batches of different scales, so gradient magnitudes change from one iteration to the next.
    real = (torch.rand(batch, nc, 64, 64) * 2 - 1) * (1.0 - 0.3 * k)
    noise = torch.randn(batch, nz, 1, 1)
    # The tutorial's iteration, verbatim but for the data source.
    netD.zero_grad()
    label = torch.full((batch,), 1.0, dtype=torch.float)
    output = netD(real).view(-1)
    errD_real = criterion(output, label)
    errD_real.backward()
    D_x = output.mean().item()
    fake = netG(noise)
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

    out["real.%d" % k] = real
    out["noise.%d" % k] = noise.view(batch, nz)
    out["result.%d" % k] = torch.tensor([errD.item(), errG.item(), D_x, D_G_z1, D_G_z2])
    if k in (0, 2):
        for name, v in netG.state_dict().items():
            out["g%d.%s" % (k + 1, name)] = v.clone()
        for name, v in netD.state_dict().items():
            out["d%d.%s" % (k + 1, name)] = v.clone()

for tag, net, opt in (("adamG", netG, optimizerG), ("adamD", netD, optimizerD)):
    for name, param in net.named_parameters():
        state = opt.state[param]
        out["%s.exp_avg.%s" % (tag, name)] = state["exp_avg"].clone()
        out["%s.exp_avg_sq.%s" % (tag, name)] = state["exp_avg_sq"].clone()

header, blobs, offset = {"__metadata__": {"torch": torch.__version__}}, [], 0
for name in sorted(out):
    arr = out[name].detach().numpy()
    dtype = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}[arr.dtype]
    data = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
    header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
    offset += len(data)
    blobs.append(data)
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
with open("parity.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
for k in range(3):
    print("Loss_D %.6f Loss_G %.6f D(x) %.6f D(G(z)) %.6f / %.6f" % tuple(out["result.%d" % k].tolist()))
