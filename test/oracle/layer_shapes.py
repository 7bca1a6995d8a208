"""PyTorch oracle for layer shapes and state: reads a table of cases as JSON on stdin, writes results as JSON.

Each case: {"id", "kind", "torch": constructor text or "", "params": resolved params, "inputs": [shape, ...]}.
Each result: {"id", "output": shape or null, "error": text or null, "state": [...], "params": count}.
The module is built from NeuroCanvas's own constructor text, so the exported code is checked too.
Run with Debian's /usr/bin/python3 (python3-torch 1.13); exits 3 when torch cannot be imported.
"""

import json
import sys

try:
    import torch
    from torch import nn
except Exception as error:  # noqa: BLE001 - any import failure means no oracle
    sys.stderr.write(f"PyTorch is not importable from {sys.executable}: {error}\n")
    sys.exit(3)


class Reshape(nn.Module):
    """What NeuroCanvas exports for its Reshape node: x.view(x.size(0), *shape)."""

    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(x.size(0), *self.shape)


class Add(nn.Module):
    def forward(self, *xs):
        total = xs[0]
        for x in xs[1:]:
            total = total + x
        return total


class Concat(nn.Module):
    def forward(self, *xs):
        return torch.cat(xs, dim=1)


NAMESPACE = {"nn": nn, "torch": torch, "Reshape": Reshape}


def build(case):
    kind = case["kind"]
    if kind == "Add":
        return Add()
    if kind == "Concat":
        return Concat()
    if kind in ("Input", "Output"):
        return nn.Identity()
    text = case["torch"]
    if not text:
        raise ValueError(f"no constructor text for {kind}")
    return eval(text, NAMESPACE)  # noqa: S307 - text comes from our own test table


DTYPES = {torch.float32: "float32", torch.int64: "int64", torch.float64: "float64"}


def run(case):
    result = {"id": case["id"], "output": None, "error": None, "state": [], "params": 0}
    try:
        torch.manual_seed(0)
        module = build(case)
        module.eval()
        parameter_names = {name for name, _ in module.named_parameters()}
        for key, tensor in module.state_dict().items():
            values = tensor.double()
            result["state"].append(
                {
                    "key": key,
                    "shape": list(tensor.shape),
                    "dtype": DTYPES.get(tensor.dtype, str(tensor.dtype)),
                    "role": "parameter" if key in parameter_names else "buffer",
                    "min": values.min().item() if tensor.numel() else 0,
                    "max": values.max().item() if tensor.numel() else 0,
                    "numel": tensor.numel(),
                }
            )
        result["params"] = sum(p.numel() for p in module.parameters())
        shapes = [case["params"]["shape"]] if case["kind"] == "Input" else case["inputs"]
        xs = [torch.zeros(1, *shape) for shape in shapes]
        with torch.no_grad():
            y = module(*xs)
        result["output"] = list(y.shape)[1:]
    except Exception as error:  # noqa: BLE001 - the error is the answer for cases PyTorch rejects
        result["error"] = f"{type(error).__name__}: {error}"
    return result


def main():
    table = json.load(sys.stdin)
    results = [run(case) for case in table["cases"]]
    json.dump({"torch": torch.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
