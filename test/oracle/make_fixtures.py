#!/usr/bin/python3
# Writes the engine's golden fixtures from PyTorch 1.13: per op, per optimizer, and LeNet-5 / small ResNet.
#
# Run with Debian's torch: /usr/bin/python3 test/oracle/make_fixtures.py [out_dir]
# (default out_dir: test/fixtures/engine). Deterministic: fixed seeds, one thread, deterministic
# algorithms, and a small pure-Python safetensors writer, so a rerun writes byte-identical files.
# Each fixture is NAME.safetensors (every tensor) plus NAME.json (cases, attributes, tensor names).

import json
import os
import struct
import sys

# NOTE: pin the SIMD code paths before torch loads, so a machine with AVX-512 writes the same bytes.
os.environ["ATEN_CPU_CAPABILITY"] = "avx2"
os.environ["DNNL_MAX_CPU_ISA"] = "AVX2"

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

DTYPES = {torch.float32: "F32", torch.int32: "I32", torch.int64: "I64"}


class Store:
    """Tensors by name, in insertion order, written as one safetensors file."""

    def __init__(self):
        self.tensors = {}

    def put(self, name, tensor):
        assert name not in self.tensors, name
        t = tensor.detach().clone().contiguous()  # NOTE: a copy; state_dict() tensors change as training goes on
        if t.dim() == 0:
            t = t.reshape(1)  # NOTE: scalars travel as shape [1]
        assert t.dtype in DTYPES, (name, t.dtype)
        self.tensors[name] = t
        return name

    def write(self, path):
        header, chunks, offset = {}, [], 0
        for name, t in self.tensors.items():
            data = t.numpy().tobytes()  # little-endian on every machine we run on
            header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
            chunks.append(data)
            offset += len(data)
        text = json.dumps(header, separators=(",", ":")).encode()
        text += b" " * (-len(text) % 8)  # pad the header so the data starts 8-byte aligned
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for chunk in chunks:
                f.write(chunk)


def randn(g, *shape, scale=1.0):
    return torch.randn(*shape, generator=g) * scale


def pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


class OpCases:
    """Collects op cases: inputs, output, saved state after forward, and gradients for a fixed upstream gradient."""

    def __init__(self):
        self.store = Store()
        self.cases = []

    def add(self, name, op, attrs, inputs, forward, training=True, mutated=()):
        """inputs: name -> tensor or list of tensors; float tensors with requires_grad get gradients."""
        g = torch.Generator().manual_seed(1000 + len(self.cases))
        leaves = {}
        entry = {"name": name, "op": op, "attrs": attrs, "training": training, "inputs": {}, "grads": {}, "after": {}}
        for key, value in inputs.items():
            if isinstance(value, list):
                leaves[key] = [v.clone().requires_grad_(True) for v in value]
                entry["inputs"][key] = [self.store.put(f"{name}/{key}.{i}", v) for i, v in enumerate(value)]
            else:
                leaf = value.clone()
                if leaf.is_floating_point() and key not in mutated:
                    leaf.requires_grad_(True)
                leaves[key] = leaf
                entry["inputs"][key] = self.store.put(f"{name}/{key}", value)
        out = forward(leaves)
        entry["output"] = self.store.put(f"{name}/output", out.to(torch.int32) if not out.is_floating_point() else out)
        for key in mutated:
            entry["after"][key] = self.store.put(f"{name}/{key}.after", leaves[key])
        if out.is_floating_point() and out.requires_grad:
            grad_out = randn(g, *out.shape) if out.dim() > 0 else torch.tensor(1.3)
            entry["gradOutput"] = self.store.put(f"{name}/gradOutput", grad_out)
            out.backward(grad_out)
            for key, leaf in leaves.items():
                if isinstance(leaf, list):
                    entry["grads"][key] = [self.store.put(f"{name}/grad.{key}.{i}", v.grad) for i, v in enumerate(leaf)]
                elif leaf.requires_grad and leaf.grad is not None:
                    entry["grads"][key] = self.store.put(f"{name}/grad.{key}", leaf.grad)
        self.cases.append(entry)


def conv_cases(c, specs=None):
    specs = specs or [
        # name, N, C, H, W, O, kernel, stride, padding, dilation, groups, bias
        ("basic", 2, 3, 7, 6, 4, 3, 1, 1, 1, 1, True),
        ("stride2_odd", 2, 3, 9, 8, 5, 3, 2, 0, 1, 1, True),
        ("dilation2", 1, 2, 9, 9, 3, 3, 1, 2, 2, 1, True),
        ("groups2_rect", 2, 4, 7, 5, 6, (3, 2), (2, 1), (1, 0), 1, 2, True),
        ("pointwise_nobias", 3, 4, 6, 6, 8, 1, 2, 0, 1, 1, False),
        ("depthwise", 2, 4, 5, 5, 8, 3, 1, 1, 1, 4, True),
        ("k5_pad2", 2, 1, 12, 12, 3, 5, 1, 2, 1, 1, True),
    ]
    for name, n, ci, h, w, o, k, s, p, d, groups, bias in specs:
        g = torch.Generator().manual_seed(len(c.cases) + 1)
        kh, kw = pair(k)
        inputs = {"x": randn(g, n, ci, h, w), "weight": randn(g, o, ci // groups, kh, kw, scale=0.3)}
        if bias:
            inputs["bias"] = randn(g, o, scale=0.1)
        attrs = {"stride": pair(s), "padding": pair(p), "dilation": pair(d), "groups": groups, "bias": bias}
        c.add(f"conv2d/{name}", "conv2d", attrs, inputs,
              lambda t, s=s, p=p, d=d, groups=groups: F.conv2d(t["x"], t["weight"], t.get("bias"), s, p, d, groups))


def wide_conv_cases(c):
    # More than 4 channels per group in and out: blocks of 8 in the GPU's channels-last weight gradient, two
    # channel blocks (wide_strided), padding channels (6 and 5 of 8). Last in the file, so the seeds of the
    # cases before them stay as they were.
    conv_cases(c, [
        ("wide_groups_dilation", 2, 12, 9, 8, 10, 3, 1, 2, 2, 2, True),
        ("wide_strided", 2, 9, 8, 7, 16, (3, 2), (2, 1), (1, 0), 1, 1, True),
    ])


def linear_cases(c):
    for name, n, fin, fout, bias in [("basic", 3, 5, 4, True), ("nobias", 4, 7, 3, False), ("wide", 2, 33, 10, True)]:
        g = torch.Generator().manual_seed(len(c.cases) + 1)
        inputs = {"x": randn(g, n, fin), "weight": randn(g, fout, fin, scale=0.3)}
        if bias:
            inputs["bias"] = randn(g, fout, scale=0.1)
        c.add(f"linear/{name}", "linear", {"bias": bias}, inputs, lambda t: F.linear(t["x"], t["weight"], t.get("bias")))


def pool_cases(c):
    maxes = [
        # name, shape, kernel, stride, padding, dilation, ceil
        ("k2s2", (2, 3, 6, 6), 2, 2, 0, 1, False),
        ("k3s2p1", (2, 2, 7, 7), 3, 2, 1, 1, False),
        ("ceil", (1, 2, 8, 8), 3, 2, 0, 1, True),
        ("ceil_pad", (1, 2, 7, 6), 3, 2, 1, 1, True),
        ("dilation2", (1, 2, 7, 7), 2, 1, 0, 2, False),
        ("rect_floor", (2, 2, 7, 5), (3, 2), (2, 1), 0, 1, False),
    ]
    for name, shape, k, s, p, d, ceil in maxes:
        g = torch.Generator().manual_seed(len(c.cases) + 1)
        attrs = {"kernelSize": pair(k), "stride": pair(s), "padding": pair(p), "dilation": pair(d), "ceilMode": ceil}
        c.add(f"max_pool2d/{name}", "max_pool2d", attrs, {"x": randn(g, *shape)},
              lambda t, k=k, s=s, p=p, d=d, ceil=ceil: F.max_pool2d(t["x"], k, s, p, d, ceil_mode=ceil))
    # Ties: after a ReLU many windows hold several zeros; PyTorch routes the gradient to the first maximum.
    g = torch.Generator().manual_seed(77)
    x = torch.relu(randn(g, 2, 2, 6, 6)).round()
    attrs = {"kernelSize": [2, 2], "stride": [2, 2], "padding": [0, 0], "dilation": [1, 1], "ceilMode": False}
    c.add("max_pool2d/ties", "max_pool2d", attrs, {"x": x}, lambda t: F.max_pool2d(t["x"], 2, 2))

    avgs = [
        # name, shape, kernel, stride, padding, ceil, count_include_pad
        ("k2s2", (2, 3, 6, 6), 2, 2, 0, False, True),
        ("k3s2p1_incl", (2, 2, 7, 7), 3, 2, 1, False, True),
        ("k3s2p1_excl", (2, 2, 7, 7), 3, 2, 1, False, False),
        ("ceil_pad_incl", (1, 2, 7, 6), 3, 2, 1, True, True),
        ("ceil_pad_excl", (1, 2, 7, 6), 3, 2, 1, True, False),
        ("ceil_nopad", (1, 2, 8, 8), 3, 2, 0, True, True),
    ]
    for name, shape, k, s, p, ceil, incl in avgs:
        g = torch.Generator().manual_seed(len(c.cases) + 1)
        attrs = {"kernelSize": pair(k), "stride": pair(s), "padding": pair(p), "ceilMode": ceil, "countIncludePad": incl}
        c.add(f"avg_pool2d/{name}", "avg_pool2d", attrs, {"x": randn(g, *shape)},
              lambda t, k=k, s=s, p=p, ceil=ceil, incl=incl: F.avg_pool2d(t["x"], k, s, p, ceil, incl))

    for name, shape, size in [("to3x2", (2, 3, 7, 5), (3, 2)), ("global", (2, 4, 8, 8), (1, 1)), ("up", (1, 2, 3, 3), (5, 4))]:
        g = torch.Generator().manual_seed(len(c.cases) + 1)
        c.add(f"adaptive_avg_pool2d/{name}", "adaptive_avg_pool2d", {"outputSize": list(size)}, {"x": randn(g, *shape)},
              lambda t, size=size: F.adaptive_avg_pool2d(t["x"], size))


def batch_norm_cases(c):
    specs = [
        # name, shape, training, affine, track, eps, momentum
        ("2d_train", (4, 3, 5, 5), True, True, True, 1e-5, 0.1),
        ("2d_eval", (4, 3, 5, 5), False, True, True, 1e-5, 0.1),
        ("2d_train_m03_eps1e3", (3, 2, 4, 3), True, True, True, 1e-3, 0.3),
        ("2d_noaffine", (2, 3, 4, 4), True, False, True, 1e-5, 0.1),
        ("2d_notrack_eval", (2, 3, 4, 4), False, True, False, 1e-5, 0.1),
        ("1d_nc_train", (6, 5), True, True, True, 1e-5, 0.1),
        ("1d_nc_eval", (6, 5), False, True, True, 1e-5, 0.1),
        ("1d_ncl_train", (3, 4, 7), True, True, True, 1e-5, 0.1),
    ]
    for name, shape, training, affine, track, eps, momentum in specs:
        g = torch.Generator().manual_seed(len(c.cases) + 1)
        ch = shape[1]
        inputs = {"x": randn(g, *shape) * 2 + 0.5}
        if affine:
            inputs["weight"] = 1 + randn(g, ch, scale=0.2)
            inputs["bias"] = randn(g, ch, scale=0.2)
        if track:
            inputs["running_mean"] = randn(g, ch, scale=0.3)
            inputs["running_var"] = 1 + torch.rand(ch, generator=g)
            inputs["num_batches_tracked"] = torch.tensor(3, dtype=torch.int32)
        attrs = {"eps": eps, "momentum": momentum, "affine": affine, "trackRunningStats": track}

        def forward(t, training=training, eps=eps, momentum=momentum, track=track, dims=len(shape)):
            module = (nn.BatchNorm2d if dims == 4 else nn.BatchNorm1d)(ch, eps, momentum, affine, track)
            module.train(training)
            if affine:
                module.weight, module.bias = nn.Parameter(t["weight"]), nn.Parameter(t["bias"])
                t["weight"], t["bias"] = module.weight, module.bias
            if track:
                module.running_mean.copy_(t["running_mean"])
                module.running_var.copy_(t["running_var"])
                module.num_batches_tracked.fill_(int(t["num_batches_tracked"]))
            out = module(t["x"])
            if track:
                t["running_mean"], t["running_var"] = module.running_mean, module.running_var
                t["num_batches_tracked"] = module.num_batches_tracked.to(torch.int32)
            return out

        mutated = ("running_mean", "running_var", "num_batches_tracked") if track else ()
        c.add(f"batch_norm/{name}", "batch_norm", attrs, inputs, forward, training=training, mutated=mutated)


def elementwise_cases(c):
    g = torch.Generator().manual_seed(500)
    x = randn(g, 2, 3, 4, 5)
    x[0, 0, 0, :2] = 0.0  # ReLU's gradient at exactly 0 is 0
    c.add("relu/basic", "relu", {}, {"x": x}, lambda t: torch.relu(t["x"]))
    c.add("relu/flat", "relu", {}, {"x": randn(g, 4, 9)}, lambda t: torch.relu(t["x"]))
    # NOTE: torch cannot draw our dropout mask (another generator), so the fixtures pin what must agree:
    # p = 0 in training passes values and gradients through; eval mode is the identity whatever p is.
    # The mask itself is checked against its pinned hash values in test/unit/engine-dropout.test.ts.
    key = torch.tensor([7, 3], dtype=torch.int32)
    c.add("dropout/train_p0", "dropout", {"p": 0.0, "stream": 11}, {"x": randn(g, 2, 3, 4, 4), "key": key},
          lambda t: F.dropout(t["x"], 0.0, training=True))
    c.add("dropout/eval", "dropout", {"p": 0.5, "stream": 11}, {"x": randn(g, 3, 10), "key": key},
          lambda t: F.dropout(t["x"], 0.5, training=False), training=False)
    xs = [randn(g, 2, 3, 4, 4) for _ in range(3)]
    c.add("add/three", "add", {}, {"xs": xs}, lambda t: t["xs"][0] + t["xs"][1] + t["xs"][2])
    xs = [randn(g, 2, 2, 3, 3), randn(g, 2, 3, 3, 3), randn(g, 2, 1, 3, 3)]
    c.add("concat/channels", "concat", {}, {"xs": xs}, lambda t: torch.cat(t["xs"], 1))
    xs = [randn(g, 3, 4), randn(g, 3, 2)]
    c.add("concat/flat", "concat", {}, {"xs": xs}, lambda t: torch.cat(t["xs"], 1))


def loss_cases(c):
    g = torch.Generator().manual_seed(600)
    for name, n, k, smoothing in [("basic", 5, 7, 0.0), ("smoothing", 6, 4, 0.1), ("large_logits", 4, 10, 0.0)]:
        logits = randn(g, n, k, scale=30.0 if name == "large_logits" else 2.0)
        labels = torch.randint(0, k, (n,), generator=g, dtype=torch.int32)
        c.add(f"cross_entropy/{name}", "cross_entropy", {"labelSmoothing": smoothing}, {"logits": logits, "labels": labels},
              lambda t, s=smoothing: F.cross_entropy(t["logits"], t["labels"].long(), label_smoothing=s))
    logits = randn(g, 9, 5)
    logits[0] = 0.0  # a row of ties: argmax is the first index
    labels = torch.randint(0, 5, (9,), generator=g, dtype=torch.int32)
    labels[:3] = logits[:3].argmax(1).to(torch.int32)
    c.add("accuracy/basic", "accuracy", {}, {"logits": logits, "labels": labels},
          lambda t: (t["logits"].argmax(1) == t["labels"].long()).sum())


def activation_cases(c):
    # NOTE: appended after the older families, so their generator seeds (by case count) and bytes stay the same.
    g = torch.Generator().manual_seed(700)
    x = randn(g, 2, 3, 4, 5, scale=4.0)
    x[0, 0, 0, :2] = 0.0
    x[1, 2, 3, :2] = torch.tensor([30.0, -30.0])  # saturated tails: tanh must not overflow
    c.add("sigmoid/basic", "sigmoid", {}, {"x": x}, lambda t: torch.sigmoid(t["x"]))
    c.add("sigmoid/flat", "sigmoid", {}, {"x": randn(g, 3, 7, scale=2.0)}, lambda t: torch.sigmoid(t["x"]))
    c.add("tanh/basic", "tanh", {}, {"x": x}, lambda t: torch.tanh(t["x"]))
    c.add("tanh/flat", "tanh", {}, {"x": randn(g, 5, 3)}, lambda t: torch.tanh(t["x"]))
    c.add("leaky_relu/default", "leaky_relu", {"negativeSlope": 0.01}, {"x": x},
          lambda t: F.leaky_relu(t["x"], 0.01))
    c.add("leaky_relu/slope0.2_flat", "leaky_relu", {"negativeSlope": 0.2}, {"x": randn(g, 4, 9)},
          lambda t: F.leaky_relu(t["x"], 0.2))
    c.add("softmax/flat", "softmax", {}, {"x": randn(g, 4, 7, scale=3.0)}, lambda t: torch.softmax(t["x"], 1))
    c.add("softmax/channels", "softmax", {}, {"x": randn(g, 2, 5, 3, 4, scale=3.0)},
          lambda t: torch.softmax(t["x"], 1))
    specs = [
        # name, shape, mode, size, scale, align_corners
        ("nearest_x2", (2, 3, 4, 5), "nearest", None, 2.0, False),
        ("nearest_x1.5_odd", (1, 2, 5, 7), "nearest", None, 1.5, False),
        ("nearest_size", (2, 2, 3, 5), "nearest", (7, 8), None, False),
        ("bilinear_x2", (2, 3, 4, 5), "bilinear", None, 2.0, False),
        ("bilinear_x2_align", (2, 3, 4, 5), "bilinear", None, 2.0, True),
        ("bilinear_x1.5_odd", (1, 2, 5, 7), "bilinear", None, 1.5, False),
        ("bilinear_size", (1, 3, 5, 7), "bilinear", (8, 11), None, False),
        ("bilinear_size_align", (1, 3, 5, 7), "bilinear", (8, 11), None, True),
        ("bilinear_down_align", (1, 2, 7, 9), "bilinear", (4, 5), None, True),
    ]
    for name, shape, mode, size, scale, align in specs:
        x = randn(g, *shape)
        out = size if size else (int(shape[2] * scale), int(shape[3] * scale))
        attrs = {"mode": mode, "size": list(out), "scale": [scale, scale] if scale else None, "alignCorners": align}
        kwargs = {"mode": mode}
        if mode == "bilinear":
            kwargs["align_corners"] = align
        kwargs.update({"size": list(size)} if size else {"scale_factor": scale})
        c.add(f"upsample/{name}", "upsample", attrs, {"x": x}, lambda t, kw=kwargs: F.interpolate(t["x"], **kw))

    for name, n, k, smoothing in [("weighted", 6, 4, 0.0), ("weighted_smoothing", 7, 5, 0.2)]:
        logits = randn(g, n, k, scale=2.0)
        labels = torch.randint(0, k, (n,), generator=g, dtype=torch.int32)
        weights = torch.rand(k, generator=g) * 2 + 0.1
        attrs = {"labelSmoothing": smoothing, "classWeights": [float(v) for v in weights]}
        c.add(f"cross_entropy/{name}", "cross_entropy", attrs, {"logits": logits, "labels": labels},
              lambda t, s=smoothing, w=weights: F.cross_entropy(t["logits"], t["labels"].long(), weight=w,
                                                                label_smoothing=s))


def conv_transpose_cases(c):
    specs = [
        # name, N, C_in, H, W, C_out, kernel, stride, padding, output_padding, dilation, groups, bias
        ("basic", 2, 3, 4, 5, 4, 3, 1, 0, 0, 1, 1, True),
        ("stride2_outpad", 2, 3, 4, 5, 2, 3, 2, 1, 1, 1, 1, True),
        ("groups2_rect", 1, 4, 3, 5, 6, (3, 2), (2, 1), (1, 0), (1, 0), 1, 2, True),
        ("depthwise_nobias", 2, 4, 5, 5, 4, 3, 2, 1, 0, 1, 4, False),
        ("dilation2_outpad", 1, 2, 4, 4, 3, 3, 1, 1, 1, 2, 1, True),
        ("k4_s2_p1", 2, 3, 3, 3, 2, 4, 2, 1, 0, 1, 1, True),
    ]
    for name, n, ci, h, w, co, k, s, p, op, d, groups, bias in specs:
        g = torch.Generator().manual_seed(800 + len(c.cases))
        kh, kw = pair(k)
        inputs = {"x": randn(g, n, ci, h, w), "weight": randn(g, ci, co // groups, kh, kw, scale=0.3)}
        if bias:
            inputs["bias"] = randn(g, co, scale=0.1)
        attrs = {"stride": pair(s), "padding": pair(p), "outputPadding": pair(op), "dilation": pair(d),
                 "groups": groups, "bias": bias}
        c.add(f"conv_transpose2d/{name}", "conv_transpose2d", attrs, inputs,
              lambda t, s=s, p=p, op=op, d=d, groups=groups:
              F.conv_transpose2d(t["x"], t["weight"], t.get("bias"), s, p, op, groups, d))


def optimizer_cases(store):
    """A few steps of each optimizer on one tensor with a given gradient per step."""
    cases = []
    configs = [
        ("sgd_plain", "sgd", dict(lr=0.1)),
        ("sgd_momentum_wd", "sgd", dict(lr=0.05, momentum=0.9, weight_decay=5e-4)),
        ("sgd_dampening", "sgd", dict(lr=0.05, momentum=0.8, dampening=0.3)),
        ("sgd_nesterov", "sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)),
        ("adam", "adam", dict(lr=1e-3)),
        ("adam_wd_betas", "adam", dict(lr=1e-2, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.01)),
        ("adamw", "adamw", dict(lr=1e-2, weight_decay=0.05)),
    ]
    for i, (name, kind, options) in enumerate(configs):
        g = torch.Generator().manual_seed(700 + i)
        p = nn.Parameter(randn(g, 3, 7))
        store.put(f"{name}/param", p)
        opt = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[kind]([p], **options)
        grads = []
        for step in range(4):
            grad = randn(g, 3, 7, scale=0.5)
            grad[0, :2] = 1e-9 * (step + 1)  # tiny gradients, where Adam's eps matters
            grads.append(store.put(f"{name}/grad.{step}", grad))
            p.grad = grad.clone()
            opt.step()
            store.put(f"{name}/param.{step}", p)
        cases.append({"name": name, "optimizer": kind, "options": options, "steps": len(grads)})
    return cases


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class ResBlk(nn.Module):
    """The course's residual block: no ReLU after the add; a 1x1 conv + BN shortcut when channels differ."""

    def __init__(self, ch_in, ch_out):
        super().__init__()
        self.conv1 = nn.Conv2d(ch_in, ch_out, 3, 1, 1)
        self.bn1 = nn.BatchNorm2d(ch_out)
        self.conv2 = nn.Conv2d(ch_out, ch_out, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(ch_out)
        self.extra = nn.Sequential()
        if ch_out != ch_in:
            self.extra = nn.Sequential(nn.Conv2d(ch_in, ch_out, 1, 1), nn.BatchNorm2d(ch_out))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.extra(x) + out


class ResNet(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1), nn.BatchNorm2d(16))
        self.blk1 = ResBlk(16, 16)
        self.blk2 = ResBlk(16, 32)
        self.outlayer = nn.Linear(32 * size * size, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = self.blk2(self.blk1(x))
        return self.outlayer(x.view(x.size(0), -1))


def network_fixture(make, input_shape, batch, seed, adam):
    """Initial state, a batch, train/eval forward, one SGD-momentum step and three Adam steps (options `adam`)."""
    store = Store()
    torch.manual_seed(seed)
    model = make()
    init = {k: v.clone() for k, v in model.state_dict().items()}
    g = torch.Generator().manual_seed(seed + 1)
    images = randn(g, batch, *input_shape)
    labels = torch.randint(0, 10, (batch,), generator=g)
    store.put("images", images)
    store.put("labels", labels.to(torch.int32))
    for k, v in init.items():
        store.put(f"init.{k}", v)

    sgd = dict(lr=0.05, momentum=0.9, weight_decay=5e-4)
    model.train()
    opt = torch.optim.SGD(model.parameters(), **sgd)
    logits = model(images)
    loss = F.cross_entropy(logits, labels)
    store.put("train.logits", logits)
    store.put("train.correct", (logits.argmax(1) == labels).sum().to(torch.int32))
    opt.zero_grad()
    loss.backward()
    opt.step()
    store.put("sgd.loss", loss)
    for k, v in model.state_dict().items():
        store.put(f"sgd.{k}", v)
    model.eval()
    with torch.no_grad():
        store.put("eval.logits", model(images))  # after the SGD step: eval mode uses the updated running stats

    model.load_state_dict(init)
    model.train()
    opt = torch.optim.Adam(model.parameters(), **adam)
    losses = []
    for _ in range(3):
        loss = F.cross_entropy(model(images), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.detach())
    store.put("adam.loss", torch.stack(losses))
    for k, v in model.state_dict().items():
        store.put(f"adam.{k}", v)
    meta = {"inputShape": list(input_shape), "batchSize": batch, "keys": list(init.keys()), "sgd": sgd, "adam": adam}
    return store, meta


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "fixtures", "engine")
    os.makedirs(out, exist_ok=True)

    def save(name, store, meta):
        store.write(os.path.join(out, f"{name}.safetensors"))
        with open(os.path.join(out, f"{name}.json"), "w") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
            f.write("\n")

    ops = OpCases()
    for family in (conv_cases, linear_cases, pool_cases, batch_norm_cases, elementwise_cases, loss_cases,
                   activation_cases, conv_transpose_cases, wide_conv_cases):
        family(ops)
    save("ops", ops.store, {"torch": torch.__version__, "cases": ops.cases})

    store = Store()
    save("optimizers", store, {"torch": torch.__version__, "cases": optimizer_cases(store)})

    store, meta = network_fixture(LeNet, (1, 28, 28), 8, 11, dict(lr=1e-3))
    save("lenet", store, {"torch": torch.__version__, **meta})
    size = 6  # the course uses 32 x 32 images; 6 x 6 keeps the CPU tests fast and the fixture small
    # NOTE: a conv bias that feeds a BatchNorm has a true gradient of 0 (the BatchNorm subtracts it again), so
    # without weight decay its computed gradient is float32 noise (~1e-8) on the scale of Adam's eps, and the
    # noise picks the step's direction differently on each backend. weight_decay makes the gradient
    # weight_decay * bias (>= 1e-6 for the smallest bias here, 1e-4), which the noise cannot flip.
    store, meta = network_fixture(lambda: ResNet(size), (3, size, size), 8, 21, dict(lr=1e-3, weight_decay=1e-2))
    save("resnet", store, {"torch": torch.__version__, **meta})


if __name__ == "__main__":
    main()
