"""PyTorch side of the interop tests: loads what NeuroCanvas exported, saves what torchvision makes, and resumes
NeuroCanvas training checkpoints. Prints one JSON object.

Run with Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14); never pip.
Usage: interop_torch.py export|torchvision|resume|files <job.json>
"""

import importlib.util
import json
import struct
import sys
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
import torchvision.models as M


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_f32(path, shape):
    return torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(shape))


def write_f32(tensor, path):
    tensor.detach().numpy().astype("<f4").tofile(path)


def attempt(action):
    try:
        return "ok", action()
    except Exception as error:  # the test shows torch's message
        return f"{type(error).__name__}: {error}", None


def export(job):
    """Each template's .pt: torch.load(weights_only=True), model.py strict load, eval outputs on the input."""
    results = {}
    for model_id, entry in job["models"].items():
        started = time.time()
        result = {}
        result["weights_only"], state = attempt(lambda: torch.load(entry["weights"], weights_only=True))
        if state is None:
            results[model_id] = result
            continue
        model = getattr(load_module(entry["model"], "model_" + model_id), entry["class"])()
        result["strict"], _ = attempt(lambda: model.load_state_dict(state, strict=True))
        model.eval()
        with torch.no_grad():
            y = model(read_f32(entry["input"], entry["shape"]))
        write_f32(y, entry["output"])
        result["shape"] = list(y.shape)
        result["seconds"] = round(time.time() - started, 2)
        results[model_id] = result
    return results


TORCHVISION = {
    "alexnet": lambda: M.alexnet(),
    "vgg11": lambda: M.vgg11(),
    "vgg16": lambda: M.vgg16(),
    "googlenet": lambda: M.googlenet(aux_logits=False, init_weights=True),
    "resnet18": lambda: M.resnet18(),
    "resnet50": lambda: M.resnet50(),
    "densenet121": lambda: M.densenet121(),
}


def randomize_batch_norm(model):
    """BatchNorm starts as an identity in eval mode; random affine and statistics make every tensor matter."""
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            with torch.no_grad():
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0, 0.1)
                module.running_mean.normal_(0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.num_batches_tracked.fill_(11)


def torchvision_models(job):
    """torchvision's own models, random init: torch.save(state_dict), and their eval outputs on the input."""
    results = {}
    for model_id, entry in job["models"].items():
        started = time.time()
        torch.manual_seed(entry["seed"])
        model = TORCHVISION[model_id]()
        randomize_batch_norm(model)
        model.eval()
        torch.save(model.state_dict(), entry["weights"])
        with torch.no_grad():
            y = model(read_f32(entry["input"], entry["shape"]))
        write_f32(y, entry["output"])
        results[model_id] = {"shape": list(y.shape), "seconds": round(time.time() - started, 2)}
    return results


def make_optimizer(kind, parameters, hyper):
    if kind == "sgd":
        return torch.optim.SGD(parameters, lr=hyper["lr"], momentum=hyper["momentum"], weight_decay=hyper["weight_decay"])
    if kind == "adam":
        return torch.optim.Adam(parameters, lr=hyper["lr"], weight_decay=hyper["weight_decay"])
    return torch.optim.AdamW(parameters, lr=hyper["lr"], weight_decay=hyper["weight_decay"])


def resume(job):
    """Loads model and optimizer state from a NeuroCanvas training checkpoint, takes one step on the batch, saves
    the state_dict; also the same step with a fresh optimizer, to show the loaded state matters."""
    results = {}
    for case_id, case in job["cases"].items():
        checkpoint = torch.load(case["checkpoint"], weights_only=False)
        module = load_module(case["model"], "model_" + case_id)
        x = read_f32(case["input"], case["shape"])
        y = torch.from_numpy(np.array(case["labels"], dtype=np.int64))

        def step(load_optimizer):
            model = getattr(module, case["class"])()
            model.load_state_dict(checkpoint["model"], strict=True)
            optimizer = make_optimizer(case["kind"], model.parameters(), case["hyper"])
            if load_optimizer:
                optimizer.load_state_dict(checkpoint["optimizer"])
            model.train()
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            return model, float(loss)

        model, loss = step(True)
        torch.save(model.state_dict(), case["output"])
        fresh, _ = step(False)
        apart = max(float((a - b).abs().max()) for a, b in zip(model.state_dict().values(), fresh.state_dict().values()))
        group = checkpoint["optimizer"]["param_groups"][0]
        results[case_id] = {
            "loss": loss,
            "epoch": checkpoint["epoch"],
            "step": checkpoint["step"],
            "fresh_optimizer_difference": apart,
            "param_group": {k: v for k, v in group.items() if k != "params"},
            "state_steps": sorted({float(s["step"]) for s in checkpoint["optimizer"]["state"].values() if "step" in s}),
        }
    return results


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    header.pop("__metadata__", None)
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = {"F32": "<f4", "I64": "<i8"}[entry["dtype"]]
        array = np.frombuffer(data[8 + size + begin : 8 + size + end], dtype=dtype).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


def files(job):
    """What `neurocanvas export` wrote, per case: the .pt (weights_only), model.py, safetensors and checkpoint."""
    results = {}
    for case_id, case in job["cases"].items():
        out = {}
        out["weights_only"], state = attempt(lambda: torch.load(case["pt"], weights_only=True))
        model = getattr(load_module(case["py"], "exported_" + case_id), case["class"])()
        out["strict"], _ = attempt(lambda: model.load_state_dict(state, strict=True))
        tensors = read_safetensors(case["safetensors"])
        out["safetensors_same"] = list(tensors) == list(state) and all(torch.equal(tensors[k], state[k]) for k in state)
        checkpoint = torch.load(case["checkpoint"], weights_only=False)
        out["checkpoint_keys"] = list(checkpoint)
        out["checkpoint_same"] = all(torch.equal(checkpoint["model"][k], state[k]) for k in state)
        optimizer = make_optimizer(case["optimizer"], model.parameters(), {"lr": 0.1, "momentum": 0.9, "weight_decay": 0})
        out["optimizer_loads"], _ = attempt(lambda: optimizer.load_state_dict(checkpoint["optimizer"]))
        results[case_id] = out
    return results


def main(mode, job_path):
    warnings.simplefilter("ignore")
    torch.set_num_threads(max(1, min(4, torch.get_num_threads())))
    with open(job_path) as f:
        job = json.load(f)
    run = {"export": export, "torchvision": torchvision_models, "resume": resume, "files": files}[mode]
    json.dump({"torch": torch.__version__, "result": run(job)}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
