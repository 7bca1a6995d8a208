# Loads a state_dict the app exported into the model.py it exported, and measures the accuracy on a holdout set
# given as raw bytes (uint8 images N x C x H x W scaled to 0-1, uint8 labels), in eval mode, as the app does.
# Usage: app-export-eval.py MODEL_PY CLASS_NAME WEIGHTS_PT IMAGES LABELS C H W  -> one line of JSON.

import importlib.util
import json
import sys

import torch


def main():
    model_py, class_name, weights, images_path, labels_path = sys.argv[1:6]
    c, h, w = (int(v) for v in sys.argv[6:9])
    spec = importlib.util.spec_from_file_location("exported_model", model_py)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = getattr(module, class_name)()
    # weights_only: the app's .pt holds tensors and an OrderedDict, nothing that needs arbitrary code.
    state = torch.load(weights, map_location="cpu", weights_only=True)
    result = model.load_state_dict(state, strict=True)
    model.eval()
    images = torch.frombuffer(bytearray(open(images_path, "rb").read()), dtype=torch.uint8)
    labels = torch.frombuffer(bytearray(open(labels_path, "rb").read()), dtype=torch.uint8).long()
    x = images.reshape(-1, c, h, w).float() / 255
    correct = 0
    with torch.no_grad():
        for at in range(0, x.shape[0], 250):
            logits = model(x[at : at + 250])
            correct += int((logits.argmax(dim=1) == labels[at : at + 250]).sum())
    print(
        json.dumps(
            {
                "keys": list(state.keys()),
                "missing": list(result.missing_keys),
                "unexpected": list(result.unexpected_keys),
                "samples": int(labels.shape[0]),
                "correct": correct,
                "accuracy": correct / int(labels.shape[0]),
            }
        )
    )


main()
