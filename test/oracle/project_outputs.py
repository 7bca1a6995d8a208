# Runs an exported project's model.py with a checkpoint train.py wrote, in eval mode, on a float32 input file.
# Usage: project_outputs.py PROJECT_DIR CHECKPOINT INPUT_F32 N C H W OUTPUT_F32 -> one line of JSON about it.

import importlib.util
import json
import sys
from pathlib import Path

import torch


def main():
    folder, checkpoint_path, input_path = sys.argv[1:4]
    n, c, h, w = (int(v) for v in sys.argv[4:8])
    output_path = sys.argv[8]
    settings = json.loads((Path(folder) / "settings.json").read_text())
    spec = importlib.util.spec_from_file_location("exported_model", str(Path(folder) / "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = getattr(module, settings["class_name"])()
    checkpoint = torch.load(checkpoint_path, map_location="cpu")
    model.load_state_dict(checkpoint["model"], strict=True)
    model.eval()
    x = torch.frombuffer(bytearray(Path(input_path).read_bytes()), dtype=torch.float32).reshape(n, c, h, w)
    with torch.no_grad():
        logits = model(x)
    Path(output_path).write_bytes(logits.contiguous().numpy().astype("<f4").tobytes())
    print(json.dumps({
        "torch": torch.__version__,
        "keys": list(checkpoint.keys()),
        "epoch": checkpoint["epoch"],
        "step": checkpoint["step"],
        "module_prefix": any(k.startswith("module.") for k in checkpoint["model"]),
        "optimizer_groups": len(checkpoint["optimizer"]["param_groups"]),
    }))


if __name__ == "__main__":
    main()
