"""PyTorch oracle for the templates: prints each model's state_dict (key, shape, dtype, in order), parameter total
and the output shape of every leaf module on one sample, as JSON.

Run with Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14); never pip. Usage: torchvision_state.py [id ...]
"""

import json
import sys
import warnings

import torch
import torch.nn as nn
import torchvision
from reference_models import MLP, ChapterResNet, DenseNetCifar, LeNet5, ResNetCifar, VggCifar

M = torchvision.models
CIFAR = [3, 32, 32]
IMAGENET = [3, 224, 224]
# Template id -> (model factory, shape of one input sample).
MODELS = {
    "lenet5": (LeNet5, [1, 28, 28]),
    "mlp": (MLP, [784]),
    "resnet_chapter": (ChapterResNet, CIFAR),
    "resnet_cifar": (ResNetCifar, CIFAR),
    "vgg_cifar": (VggCifar, CIFAR),
    "densenet_cifar": (DenseNetCifar, CIFAR),
    "alexnet": (lambda: M.alexnet(), IMAGENET),
    "vgg11": (lambda: M.vgg11(), IMAGENET),
    "vgg16": (lambda: M.vgg16(), IMAGENET),
    "googlenet": (lambda: M.googlenet(aux_logits=False, init_weights=False), IMAGENET),
    "resnet18": (lambda: M.resnet18(), IMAGENET),
    "resnet50": (lambda: M.resnet50(), IMAGENET),
    "densenet121": (lambda: M.densenet121(), IMAGENET),
}

# NOTE: weights are never read, only names and shapes; skipping the random init makes the big models instant.
for name in ["uniform_", "normal_", "kaiming_uniform_", "kaiming_normal_", "trunc_normal_", "constant_", "zeros_", "ones_"]:
    setattr(nn.init, name, lambda tensor, *args, **kwargs: tensor)


def leaf_output_shapes(model, sample_shape):
    """Output shape (without the batch) of every leaf module, from its first call in an eval-mode forward."""
    shapes, hooks = {}, []
    for path, module in model.named_modules():
        if path and not list(module.children()):

            def hook(_module, _inputs, output, path=path):
                shapes.setdefault(path, list(output.shape[1:]))

            hooks.append(module.register_forward_hook(hook))
    model.eval()
    with torch.no_grad():
        logits = model(torch.zeros([1, *sample_shape]))
    for h in hooks:
        h.remove()
    return shapes, list(logits.shape[1:])


def describe(model, sample_shape):
    outputs, logits = leaf_output_shapes(model, sample_shape)
    return {
        "state": [[key, list(t.shape), str(t.dtype).replace("torch.", "")] for key, t in model.state_dict().items()],
        "params": sum(p.numel() for p in model.parameters()),
        "input": sample_shape,
        "outputs": outputs,
        "logits": logits,
    }


def main(ids):
    warnings.simplefilter("ignore")
    torch.set_num_threads(max(1, min(8, torch.get_num_threads())))
    result = {"torch": torch.__version__, "torchvision": torchvision.__version__, "models": {}}
    for model_id in ids or MODELS:
        factory, sample_shape = MODELS[model_id]
        result["models"][model_id] = describe(factory(), sample_shape)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
