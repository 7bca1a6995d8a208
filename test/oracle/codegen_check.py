"""PyTorch oracle for the model.py exporter: imports every generated model.py, lists its state_dict, loads the
reference model's weights into it (strict) and compares outputs in eval mode; runs one file's __main__.

Run with Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14); never pip.
Usage: codegen_check.py MANIFEST.json, where the manifest is
  {"models": {id: {"file": path, "class": name, "input": [C, H, W]}}, "main": path, "checkpoint": path}.
Prints JSON: per model its state_dict (key, shape, dtype), the reference it was compared with, whether the
strict load worked, and the largest output difference; the __main__ run's output; where resnet18 was saved.
"""

import importlib.util
import json
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from reference_models import MLP, ChapterResNet, DenseNetCifar, LeNet5, ResNetCifar, VggCifar

class MixedReference(nn.Module):
    """The test's hand-made graph: Reshape, a numbered non-Sequential group joined by Concat, an unused branch,
    and a ReLU marked in-place whose input is also read by the Add (so it must not run in place)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.mix = nn.ModuleDict({"0": nn.Conv2d(8, 4, kernel_size=1)})
        self.side = nn.Conv2d(12, 2, kernel_size=1)
        self.fc = nn.Linear(12 * 28 * 28, 10)

    def forward(self, x):
        x = F.relu(self.conv(x.view(-1, 1, 28, 28)))
        y = torch.cat([self.mix["0"](x), torch.sigmoid(x)], 1)
        return self.fc(torch.flatten(F.relu(y) + y, 1))


M = torchvision.models
# Template id (or a test graph's) -> (reference description, factory). Every template has one.
REFERENCES = {
    "lenet5": ("hand-written LeNet5", LeNet5),
    "mlp": ("hand-written MLP", MLP),
    "resnet_chapter": ("hand-written ChapterResNet with the course's ResBlk", ChapterResNet),
    "resnet_cifar": ("ResNet-20 from torchvision's BasicBlock", ResNetCifar),
    "vgg_cifar": ("hand-written VGG for CIFAR", VggCifar),
    "densenet_cifar": ("DenseNet-BC from torchvision's _DenseBlock and _Transition", DenseNetCifar),
    "alexnet": ("torchvision.models.alexnet", lambda: M.alexnet()),
    "vgg11": ("torchvision.models.vgg11", lambda: M.vgg11()),
    "vgg16": ("torchvision.models.vgg16", lambda: M.vgg16()),
    "googlenet": ("torchvision.models.googlenet", lambda: M.googlenet(aux_logits=False, init_weights=True)),
    "resnet18": ("torchvision.models.resnet18", lambda: M.resnet18()),
    "resnet50": ("torchvision.models.resnet50", lambda: M.resnet50()),
    "densenet121": ("torchvision.models.densenet121", lambda: M.densenet121()),
    "mixed": ("hand-written MixedReference", MixedReference),
}


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def without_init():
    """Builds a model without its random init: the generated model's weights are all overwritten by the load."""
    names = ["uniform_", "normal_", "kaiming_uniform_", "kaiming_normal_", "trunc_normal_", "constant_", "zeros_", "ones_"]
    saved = {name: getattr(nn.init, name) for name in names}
    for name in names:
        setattr(nn.init, name, lambda tensor, *args, **kwargs: tensor)
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(nn.init, name, function)


def randomize_batch_norm(model):
    """BatchNorm starts as an identity in eval mode; random statistics make a swapped bn1/bn2 show."""
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            with torch.no_grad():
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0, 0.1)
                module.running_mean.normal_(0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.num_batches_tracked.fill_(7)


def check(model_id, entry):
    started = time.time()
    generated = load_module(entry["file"], "generated_" + model_id)
    with without_init():
        ours = getattr(generated, entry["class"])()
    state = [[key, list(t.shape), str(t.dtype).replace("torch.", "")] for key, t in ours.state_dict().items()]
    result = {"state": state, "reference": None, "strict_load": None, "max_difference": None, "output_scale": None}
    described, factory = REFERENCES[model_id]
    torch.manual_seed(1)
    reference = factory()
    randomize_batch_norm(reference)
    result["reference"] = described
    try:
        ours.load_state_dict(reference.state_dict(), strict=True)
        result["strict_load"] = "ok"
    except RuntimeError as error:
        result["strict_load"] = str(error)
        return result
    ours.eval()
    reference.eval()
    torch.manual_seed(2)
    x = torch.randn(2, *entry["input"])
    with torch.no_grad():
        expected = reference(x)
        got = ours(x)
    result["output_shape"] = list(got.shape)
    result["max_difference"] = float((expected - got).abs().max()) if expected.shape == got.shape else None
    result["output_scale"] = float(expected.abs().max())
    result["seconds"] = round(time.time() - started, 2)
    return result


def main(manifest_path):
    warnings.simplefilter("ignore")
    torch.set_num_threads(max(1, min(8, torch.get_num_threads())))
    with open(manifest_path) as f:
        manifest = json.load(f)
    out = {"torch": torch.__version__, "torchvision": torchvision.__version__, "models": {}}
    for model_id, entry in manifest["models"].items():
        out["models"][model_id] = check(model_id, entry)
    run = subprocess.run([sys.executable, manifest["main"]], capture_output=True, text=True, timeout=120)
    out["main"] = {"returncode": run.returncode, "stdout": run.stdout, "stderr": run.stderr[-2000:]}
    torch.manual_seed(3)
    torch.save(M.resnet18().state_dict(), manifest["checkpoint"])
    out["checkpoint"] = manifest["checkpoint"]
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
