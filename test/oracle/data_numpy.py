# NumPy and PyTorch oracle for data import and augmentation. Run with Debian's /usr/bin/python3.
#   numpy DIR     writes .npy/.npz files in many layouts and dtypes, plus DIR/expected.json (NCHW uint8 truth)
#   tar DIR       writes CIFAR-10 style .tar.gz archives in GNU and PAX formats with long member names
#   geometry      prints JSON: torch's F.interpolate and torchvision's affine/flip outputs on fixed images

import json
import os
import sys

import numpy as np


def to_bytes(x):
    """What the importer must produce: values in 0-1 scaled by 255, rounded half up, as uint8."""
    x = np.asarray(x, dtype=np.float64)
    if x.min() >= 0 and x.max() <= 1:
        x = x * 255
    return np.floor(x + 0.5).astype(np.uint8)


def write_numpy(out):
    rng = np.random.default_rng(5)
    expected = {}

    # Keras-style mnist.npz: uint8 (N, 28, 28), compressed, train and test pairs.
    x_train = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)
    y_train = rng.integers(0, 10, 6, dtype=np.uint8)
    x_test = rng.integers(0, 256, (3, 28, 28), dtype=np.uint8)
    y_test = rng.integers(0, 10, 3, dtype=np.int64)
    np.savez_compressed(os.path.join(out, 'mnist.npz'), x_test=x_test, x_train=x_train, y_train=y_train, y_test=y_test)
    expected['mnist.npz'] = {
        'shape': [1, 28, 28],
        'images': np.concatenate([x_train, x_test]).reshape(-1).tolist(),
        'labels': np.concatenate([y_train, y_test]).tolist(),
        'parts': ['train', 'test'],
    }

    # x and y, float32 NHWC in 0-1 (values k/255), int64 labels, stored (not deflated).
    x = (rng.integers(0, 256, (4, 5, 6, 3)) / 255).astype(np.float32)
    y = np.array([0, 2, 1, 2], dtype=np.int64)
    np.savez(os.path.join(out, 'nhwc.npz'), x=x, y=y)
    expected['nhwc.npz'] = {'shape': [3, 5, 6], 'images': to_bytes(x.transpose(0, 3, 1, 2)).reshape(-1).tolist(), 'labels': y.tolist()}

    # NCHW float64 in 0-255, big-endian, with one-hot labels; array names not x/y, so the first two are taken.
    x = rng.integers(0, 256, (3, 3, 4, 4)).astype('>f8')
    y = np.eye(5, dtype=np.float32)[[4, 0, 3]]
    np.savez(os.path.join(out, 'nchw.npz'), pictures=x, answers=y)
    expected['nchw.npz'] = {'shape': [3, 4, 4], 'images': to_bytes(x).reshape(-1).tolist(), 'labels': [4, 0, 3]}

    # A loose pair: Fortran-order uint8 (N, H, W) and int32 labels of shape (N, 1).
    x = np.asfortranarray(rng.integers(0, 256, (5, 3, 7), dtype=np.uint8))
    y = np.array([[1], [0], [1], [1], [0]], dtype=np.int32)
    np.save(os.path.join(out, 'train_images.npy'), x)
    np.save(os.path.join(out, 'train_labels.npy'), y)
    expected['pair'] = {'shape': [1, 3, 7], 'images': np.ascontiguousarray(x).reshape(-1).tolist(), 'labels': y.reshape(-1).tolist()}

    # Flat rows of 784 float32 values in 0-255 (not whole numbers).
    x = (rng.random((2, 784)) * 255).astype(np.float32)
    np.savez(os.path.join(out, 'flat.npz'), x=x, y=np.array([7, 1]))
    expected['flat.npz'] = {'shape': [1, 28, 28], 'images': to_bytes(x).reshape(-1).tolist(), 'labels': [7, 1]}

    # Damaged: a cut-short .npy inside an otherwise good pair, and normalised (negative) images.
    np.save(os.path.join(out, 'cut_x.npy'), rng.integers(0, 256, (10, 8, 8), dtype=np.uint8))
    with open(os.path.join(out, 'cut_x.npy'), 'r+b') as f:
        f.truncate(200)
    np.save(os.path.join(out, 'cut_y.npy'), np.arange(10))
    np.savez(os.path.join(out, 'normalised.npz'), x=rng.standard_normal((2, 4, 4)).astype(np.float32), y=np.array([0, 1]))

    with open(os.path.join(out, 'expected.json'), 'w') as f:
        json.dump(expected, f)


def write_tars(out):
    import io
    import tarfile

    rng = np.random.default_rng(9)
    folder = 'cifar-10-batches-bin/' + 'a-folder-name-long-enough-to-need-an-extension-header/' * 2
    records = []
    for i in range(3):
        records.append(bytes([i % 10]) + rng.integers(0, 256, 3072, dtype=np.uint8).tobytes())
    batch = b''.join(records)
    meta = '\n'.join(['plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']).encode()
    for name, fmt in [('gnu', tarfile.GNU_FORMAT), ('pax', tarfile.PAX_FORMAT)]:
        with tarfile.open(os.path.join(out, f'{name}.tar.gz'), 'w:gz', format=fmt) as tar:
            for member, data in [(folder + 'data_batch_1.bin', batch), (folder + 'batches.meta.txt', meta)]:
                info = tarfile.TarInfo(member)
                info.size = len(data)
                info.mtime = 1234567890
                tar.addfile(info, io.BytesIO(data))
    with open(os.path.join(out, 'tar.json'), 'w') as f:
        json.dump({'labels': [r[0] for r in records], 'images': list(batch[1:3073]), 'folder': folder}, f)


def geometry():
    import torch
    import torch.nn.functional as F
    import torchvision.transforms.functional as TF
    from torchvision.transforms import InterpolationMode

    g = torch.Generator().manual_seed(3)
    image = torch.rand(2, 9, 11, generator=g)  # C, H, W
    cases = []
    for angle, translate, scale in [(30.0, [0, 0], 1.0), (-17.5, [2, -1], 1.0), (0.0, [0, 0], 1.25), (45.0, [1, 2], 0.8)]:
        out = TF.affine(image, angle=angle, translate=translate, scale=scale, shear=[0.0, 0.0],
                        interpolation=InterpolationMode.BILINEAR)
        cases.append({'angle': angle, 'translate': translate, 'scale': scale, 'output': out.reshape(-1).tolist()})
    turns = [{'angle': a, 'output': TF.rotate(image, a, interpolation=InterpolationMode.BILINEAR).reshape(-1).tolist()}
             for a in (30.0, -75.0, 90.0)]
    small = torch.rand(1, 1, 5, 7, generator=g)
    large = torch.rand(1, 1, 8, 12, generator=g)
    result = {
        'image': image.reshape(-1).tolist(),
        'affine': cases,
        'rotate': turns,
        'hflip': TF.hflip(image).reshape(-1).tolist(),
        'vflip': TF.vflip(image).reshape(-1).tolist(),
        'small': small.reshape(-1).tolist(),
        'bilinear': F.interpolate(small, size=(9, 12), mode='bilinear', align_corners=False).reshape(-1).tolist(),
        'large': large.reshape(-1).tolist(),
        'area': F.interpolate(large, size=(4, 4), mode='area').reshape(-1).tolist(),
    }
    json.dump(result, sys.stdout)


if __name__ == '__main__':
    if sys.argv[1] == 'numpy':
        write_numpy(sys.argv[2])
    elif sys.argv[1] == 'tar':
        write_tars(sys.argv[2])
    else:
        geometry()
