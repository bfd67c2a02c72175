#!/usr/bin/python3
"""Pixel-parity fixture for the ingest-service: torchvision's Resize(64) + CenterCrop(64), as the DCGAN
tutorial applies them, on a few CelebA-sized images.

    /usr/bin/python3 make_resize_fixture.py      (Debian: python3-torchvision python3-pil python3-numpy)

Writes face-N.jpg / face-N.png (178x218 and other sizes, procedural) and expected-N.npy: the uint8 [3, 64, 64]
pixels torchvision produces from each file (before ToTensor's scaling).
"""
import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image

transform = T.Compose([T.Resize(64), T.CenterCrop(64), T.PILToTensor()])
rng = np.random.default_rng(7)
sizes = [(178, 218), (178, 218), (250, 180), (64, 64), (300, 400)]
for i, (w, h) in enumerate(sizes):
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), dtype=np.float64)
    for c in range(3):
        cx, cy = rng.uniform(0.3, 0.7) * w, rng.uniform(0.3, 0.7) * h
        img[..., c] = 128 + 100 * np.sin(xx / rng.uniform(4, 20)) * np.cos(yy / rng.uniform(4, 20)) \
            * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * (0.3 * w) ** 2))
    img += rng.normal(0, 6, img.shape)
    pil = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    for ext in ("png", "jpg"):
        name = "face-%d.%s" % (i, ext)
        pil.save(name, quality=90) if ext == "jpg" else pil.save(name)
        out = transform(Image.open(name).convert("RGB")).numpy()
        np.save("expected-%d-%s.npy" % (i, ext), out.astype(np.uint8))
print("torch", torch.__version__)
