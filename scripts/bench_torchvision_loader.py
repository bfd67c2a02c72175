#!/usr/bin/python3
"""The tutorial's data pipeline, timed: ImageFolder + Resize(64) + CenterCrop(64) + ToTensor + Normalize through a
DataLoader (batch 128, num_workers=2), over every image once. The reference for the ingest benchmark.

    /usr/bin/python3 scripts/bench_torchvision_loader.py DATAROOT     (DATAROOT holds img_align_celeba/)
"""
import sys
import time

import torch
import torchvision.datasets as dset
import torchvision.transforms as transforms

torch.set_num_threads(1)
dataset = dset.ImageFolder(root=sys.argv[1], transform=transforms.Compose([
    transforms.Resize(64), transforms.CenterCrop(64), transforms.ToTensor(),
    transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]))
loader = torch.utils.data.DataLoader(dataset, batch_size=128, shuffle=True, num_workers=2)
for run in range(2):
    t0 = time.perf_counter()
    n = sum(batch[0].shape[0] for batch in loader)
    s = time.perf_counter() - t0
    print("RESULT torchvision run %d: %d images in %.2f s = %.0f images/s (num_workers=2)" % (run, n, s, n / s))
