// The text of the exported project's data.py: reads data.npz (images, labels, classes, NeuroCanvas's split) and
// turns uint8 batches into model input as NeuroCanvas does (scale to 0-1, augmentation, normalisation).

export const DATA_PY = `"""Data for train.py: data.npz as NeuroCanvas exported it, and batches prepared as NeuroCanvas prepares them.

data.npz holds images (uint8, N x C x H x W), labels (int64), classes (names), and train_indices and
holdout_indices: the exact validation split NeuroCanvas used, so both report on the same images.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F


class ImageSet(torch.utils.data.Dataset):
    """The samples at indices, as (uint8 C x H x W tensor, label); preparation happens per batch."""

    def __init__(self, images, labels, indices):
        self.images = images
        self.labels = labels
        self.indices = indices

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, i):
        k = int(self.indices[i])
        return self.images[k], self.labels[k]


def load(path, validation_split=0.0, seed=0):
    """The data set and its split. A data.npz without split indices gets a seeded random one (not NeuroCanvas's)."""
    with np.load(path, allow_pickle=False) as z:
        images = torch.from_numpy(np.ascontiguousarray(z["images"]))
        labels = torch.from_numpy(z["labels"].astype(np.int64))
        classes = [str(c) for c in z["classes"]] if "classes" in z else []
        if "train_indices" in z:
            train = torch.from_numpy(z["train_indices"].astype(np.int64))
            holdout = torch.from_numpy(z["holdout_indices"].astype(np.int64))
        else:
            order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
            take = round(validation_split * len(labels))
            holdout, train = order[:take].sort().values, order[take:].sort().values
    if images.dim() != 4 or images.dtype != torch.uint8:
        raise ValueError(f"{path}: images must be uint8 N x C x H x W, not {images.dtype} {tuple(images.shape)}")
    return {"images": images, "labels": labels, "classes": classes, "train": train, "holdout": holdout}


def dataset_stats(images):
    """Per-channel mean and std (0-1 units) of uint8 N x C x H x W images: what normalize 'dataset' uses."""
    x = images.double() / 255
    mean = x.mean(dim=(0, 2, 3))
    std = (x.pow(2).mean(dim=(0, 2, 3)) - mean.pow(2)).clamp(min=0).sqrt()
    return {"mean": mean.tolist(), "std": std.tolist()}


def _affine(x, augment, generator):
    """Rotation, zoom and shift (pixels) around the centre, bilinear, zeros outside; one draw per sample."""
    n, _, h, w = x.shape
    rand = lambda: torch.rand(n, generator=generator, dtype=torch.float64)
    angle = torch.zeros(n, dtype=torch.float64)
    rotation = augment.get("rotation")
    if rotation and rotation.get("angles"):
        choices = torch.tensor(rotation["angles"], dtype=torch.float64)
        angle = choices[(rand() * len(choices)).long().clamp(max=len(choices) - 1)]
    elif rotation and rotation.get("degrees"):
        angle = (2 * rand() - 1) * rotation["degrees"]
    low, high = augment.get("scale") or [1, 1]
    zoom = low + rand() * (high - low)
    shift = int(augment.get("translate") or 0) + int((augment.get("crop") or {}).get("padding") or 0)
    sx = (rand() * (2 * shift + 1)).floor() - shift
    sy = (rand() * (2 * shift + 1)).floor() - shift
    if not (angle.abs().sum() or (zoom != 1).any() or sx.abs().sum() or sy.abs().sum()):
        return x
    a = angle * math.pi / 180
    cos, sin = torch.cos(a) / zoom, torch.sin(a) / zoom
    # output pixel (u, v) from the centre reads input (cos*u - sin*v, sin*u + cos*v) after undoing the shift
    theta = torch.zeros(n, 2, 3, dtype=torch.float64)
    theta[:, 0, 0] = cos
    theta[:, 0, 1] = -sin * h / w
    theta[:, 1, 0] = sin * w / h
    theta[:, 1, 1] = cos
    theta[:, 0, 2] = -(cos * sx - sin * sy) * 2 / w
    theta[:, 1, 2] = -(sin * sx + cos * sy) * 2 / h
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid.to(x.device), mode="bilinear", padding_mode="zeros", align_corners=False)


def _erase(x, erase, generator):
    n, _, h, w = x.shape
    low, high = erase.get("area") or [0.02, 0.33]
    rlow, rhigh = erase.get("ratio") or [0.3, 3.3]
    for i in range(n):
        if torch.rand(1, generator=generator).item() >= erase["probability"]:
            continue
        u = torch.rand(4, generator=generator, dtype=torch.float64).tolist()
        area = (low + u[0] * (high - low)) * h * w
        ratio = math.exp(math.log(rlow) + u[1] * (math.log(rhigh) - math.log(rlow)))
        eh = min(h, max(1, int(math.sqrt(area * ratio) + 0.5)))
        ew = min(w, max(1, int(math.sqrt(area / ratio) + 0.5)))
        y, x0 = int(u[2] * (h - eh + 1)), int(u[3] * (w - ew + 1))
        x[i, :, y : y + eh, x0 : x0 + ew] = 0
    return x


def prepare(images, normalize=None, augment=None, generator=None):
    """uint8 N x C x H x W -> float32 model input: x / 255 (float64, as NeuroCanvas), augmentation (training only:
    flips, rotation/zoom/shift, crop, erase, noise; its own random draws, not NeuroCanvas's), then (x - mean) / std."""
    x = images.double() * (1 / 255)
    if augment:
        n = x.shape[0]
        flip = lambda p: (torch.rand(n, generator=generator) < p).view(n, 1, 1, 1).to(x.device)
        if augment.get("horizontalFlip"):
            x = torch.where(flip(augment["horizontalFlip"]), x.flip(3), x)
        if augment.get("verticalFlip"):
            x = torch.where(flip(augment["verticalFlip"]), x.flip(2), x)
        x = _affine(x, augment, generator)
        if (augment.get("erase") or {}).get("probability"):
            x = _erase(x, augment["erase"], generator)
        if augment.get("noise"):
            noise = torch.randn(x.shape, generator=generator, dtype=torch.float64)
            x = x + augment["noise"] * noise.to(x.device)
    if normalize:
        c = x.shape[1]
        mean = torch.tensor((list(normalize["mean"]) * c)[:c], dtype=torch.float64, device=x.device)
        std = torch.tensor((list(normalize["std"]) * c)[:c], dtype=torch.float64, device=x.device)
        x = (x - mean.view(1, c, 1, 1)) / std.view(1, c, 1, 1)
    return x.float()
`;
