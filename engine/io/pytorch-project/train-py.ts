// The text of the exported project's train.py: NeuroCanvas's training settings (settings.json) in plain PyTorch,
// single-process or under torchrun with DDP, resuming from weights.pt or a checkpoint, checkpoints NeuroCanvas opens.

export const TRAIN_PY = String.raw`"""Trains the network as NeuroCanvas would, on one machine or many.

    python train.py                               # one process: CUDA, else Apple MPS, else CPU
    torchrun --nproc_per_node 4 train.py          # one process per GPU (DDP, nccl; gloo on CPU)

Settings come from settings.json (what NeuroCanvas used); flags override a few. --batch-size is per process:
the global batch is batch_size x world size. Checkpoints (rank 0, every epoch, written atomically) hold
{'model', 'optimizer', 'epoch', 'step', 'settings'}: NeuroCanvas opens them on the same graph.
"""
import argparse
import importlib
import json
import math
import os
import time
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler

import data

HERE = Path(__file__).resolve().parent


def arguments():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--settings", default=str(HERE / "settings.json"))
    p.add_argument("--data", help="a data.npz (default: the one settings.json names)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int, help="per process (default: NeuroCanvas's batch size)")
    p.add_argument("--lr", type=float)
    p.add_argument("--max-steps", type=int, help="stop after this many optimizer steps (for a quick check)")
    p.add_argument("--weights", default=str(HERE / "weights.pt"), help="start weights; 'none' for a fresh init")
    p.add_argument("--resume", help="a checkpoint: weights, optimizer state, epoch and step")
    p.add_argument("--out", default=str(HERE / "runs"), help="folder for checkpoint.pt and metrics.jsonl")
    p.add_argument("--device", default="auto", choices=["auto", "cuda", "mps", "cpu"])
    p.add_argument("--no-shuffle", action="store_true", help="keep the training order (for comparisons)")
    p.add_argument("--no-augment", action="store_true")
    p.add_argument("--log-every", type=int, default=0, help="print every N steps' loss as a JSON line")
    p.add_argument("--workers", type=int, default=0, help="DataLoader worker processes")
    return p.parse_args()


def learning_rate(s, step, epoch, total):
    """NeuroCanvas's schedule (engine/train/schedule.ts) for one optimizer step, warm-up multiplied in."""
    lr, kind = s["lr"], s["schedule"]["kind"]
    if kind == "step":
        rate = lr * s["schedule"]["gamma"] ** (epoch // s["schedule"]["step_size"])
    elif kind == "cosine":
        eta = s["schedule"]["eta_min"]
        rate = eta + (lr - eta) * (1 + math.cos(math.pi * step / total)) / 2
    elif kind == "onecycle":
        c = s["schedule"]
        initial = lr / c["div_factor"]
        phases = [(c["pct_start"] * total - 1, initial, lr), (total - 1, lr, initial / c["final_div_factor"])]
        start = 0
        for i, (end, high, low) in enumerate(phases):
            if step <= end or i == len(phases) - 1:
                pct = (step - start) / (end - start)
                rate = low + (high - low) / 2 * (math.cos(math.pi * pct) + 1)
                break
            start = end
    else:
        rate = lr
    warmup = s.get("warmup")
    if warmup:
        f = warmup["start_factor"]
        rate *= f + (1 - f) * min(step, warmup["steps"]) / warmup["steps"]
    return rate


def make_optimizer(s, parameters):
    if s["optimizer"] == "sgd":
        return torch.optim.SGD(parameters, lr=s["lr"], momentum=s["momentum"], weight_decay=s["weight_decay"],
                               nesterov=bool(s.get("nesterov")))
    kind = torch.optim.AdamW if s["optimizer"] == "adamw" else torch.optim.Adam
    return kind(parameters, lr=s["lr"], betas=tuple(s["betas"]), eps=s["eps"], weight_decay=s["weight_decay"])


def pick_device(choice, distributed, local_rank):
    if choice == "cuda" or (choice == "auto" and torch.cuda.is_available()):
        torch.cuda.set_device(local_rank)
        return torch.device("cuda", local_rank)
    mps = getattr(torch.backends, "mps", None)
    if choice == "mps" or (choice == "auto" and not distributed and mps is not None and mps.is_available()):
        return torch.device("mps")
    return torch.device("cpu")


def state_dict_of(checkpoint):
    """The state_dict in a checkpoint or plain state_dict, without DDP's "module." prefix."""
    for key in ("model", "state_dict", "model_state_dict"):
        if isinstance(checkpoint, dict) and key in checkpoint:
            checkpoint = checkpoint[key]
            break
    return {(k[7:] if k.startswith("module.") else k): v for k, v in checkpoint.items()}


def save_atomically(value, path):
    partial = path.with_name(path.name + ".partial")
    torch.save(value, partial)
    os.replace(partial, path)


def evaluate(model, part, s, batch, device, criterion):
    """Mean loss (the batches' losses weighted by their sizes) and accuracy over every sample of part (eval mode,
    never augmented)."""
    model.eval()
    loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for at in range(0, len(part["indices"]), batch):
            k = part["indices"][at : at + batch]
            x = data.prepare(part["images"][k], s["normalize"]).to(device)
            y = part["labels"][k].to(device)
            logits = model(x)
            loss += criterion(logits, y).item() * len(k)
            correct += (logits.argmax(1) == y).sum().item()
            count += len(k)
    model.train()
    return (loss / count, correct / count) if count else (None, None)


def main():
    args = arguments()
    s = json.loads(Path(args.settings).read_text())
    for name in ("epochs", "lr"):
        if getattr(args, name) is not None:
            s[name] = getattr(args, name)
    if args.batch_size:
        s["batch_size"] = args.batch_size
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank, local_rank = int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))
    distributed = world > 1
    device = pick_device(args.device, distributed, local_rank)
    if distributed:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    torch.manual_seed(s["seed"] + rank)
    main_process = rank == 0
    say = print if main_process else (lambda *a, **k: None)

    d = data.load(args.data or str(HERE / s["data"]), s["validation_split"], s["seed"])
    if s["normalize"] == "dataset":
        s["normalize"] = data.dataset_stats(d["images"][d["train"]])
    augment = None if args.no_augment else s.get("augment")
    B = s["batch_size"]
    sampler = DistributedSampler(data.ImageSet(d["images"], d["labels"], d["train"]), num_replicas=world,
                                 rank=rank, shuffle=not args.no_shuffle, seed=s["seed"], drop_last=True)
    loader = DataLoader(sampler.dataset, batch_size=B, sampler=sampler, drop_last=True, num_workers=args.workers)
    steps_per_epoch = len(loader)
    if steps_per_epoch == 0:
        raise SystemExit(f"{len(d['train'])} training images make no batch of {B} x {world} processes")
    total = steps_per_epoch * s["epochs"]

    model_module = importlib.import_module("model")
    model = getattr(model_module, s["class_name"])()
    epoch, step, history = 0, 0, []
    checkpoint = torch.load(args.resume, map_location="cpu") if args.resume else None
    if checkpoint is not None:
        model.load_state_dict(state_dict_of(checkpoint))
    elif args.weights != "none":
        model.load_state_dict(torch.load(args.weights, map_location="cpu"))
    model.to(device)
    optimizer = make_optimizer(s, model.parameters())
    if isinstance(checkpoint, dict) and "optimizer" in checkpoint:
        if (checkpoint.get("settings") or {}).get("optimizer", s["optimizer"]) == s["optimizer"]:
            optimizer.load_state_dict(checkpoint["optimizer"])
        epoch, step = int(checkpoint.get("epoch", 0)), int(checkpoint.get("step", 0))
        history = list(checkpoint.get("history") or [])
    net = DistributedDataParallel(model, device_ids=[local_rank] if device.type == "cuda" else None) \
        if distributed else model
    # The Output layer's loss: cross-entropy with its label smoothing and class weights (None: all weigh 1).
    weight = torch.tensor(s["class_weights"], dtype=torch.float32) if s.get("class_weights") else None
    criterion = nn.CrossEntropyLoss(weight=weight, label_smoothing=float(s.get("label_smoothing", 0.0))).to(device)
    generator = torch.Generator().manual_seed(s["seed"] * 1000 + rank)
    holdout = {"images": d["images"], "labels": d["labels"], "indices": d["holdout"]}
    out = Path(args.out)
    if main_process:
        out.mkdir(parents=True, exist_ok=True)
    say(f"{s['project']}: {len(d['train'])} training, {len(d['holdout'])} validation images; {world} process(es) "
        f"on {device.type}, batch {B} each (global {B * world}), {steps_per_epoch} steps per epoch")

    net.train()
    stopped = False
    while epoch < s["epochs"] and not stopped:
        sampler.set_epoch(epoch)
        started, loss_sum, correct, samples, steps = time.time(), 0.0, 0, 0, 0
        for images, labels in loader:
            if args.max_steps is not None and step >= args.max_steps:
                stopped = True
                break
            lr = learning_rate(s, step, epoch, total)
            for group in optimizer.param_groups:
                group["lr"] = lr
            x = data.prepare(images, s["normalize"], augment, generator).to(device)
            y = labels.to(device)
            logits = net(x)
            loss = criterion(logits, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if s.get("clip_grad_norm"):
                torch.nn.utils.clip_grad_norm_(net.parameters(), s["clip_grad_norm"])
            optimizer.step()
            step, steps = step + 1, steps + 1
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            samples += len(y)
            if args.log_every and step % args.log_every == 0:
                say(json.dumps({"step": step, "epoch": epoch + 1, "loss": loss.item(), "lr": lr}))
        totals = torch.tensor([loss_sum, correct, samples], dtype=torch.float64)
        if distributed:
            dist.all_reduce(totals)
        finished = not stopped
        epoch += 1 if finished else 0
        val_loss, val_accuracy = evaluate(model, holdout, s, B, device, criterion)
        record = {"epoch": epoch if finished else epoch + 1, "step": step, "lr": lr if steps else None,
                  "loss": totals[0].item() / max(1, totals[2].item()),
                  "accuracy": totals[1].item() / max(1, totals[2].item()),
                  "validation_loss": val_loss, "validation_accuracy": val_accuracy,
                  "seconds": time.time() - started, "complete": finished}
        history.append(record)
        say(json.dumps(record))
        if main_process:
            with open(out / "metrics.jsonl", "a") as f:
                f.write(json.dumps(record) + "\n")
            save_atomically({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch,
                             "step": step, "settings": s, "history": history,
                             "format": "neurocanvas-pytorch-project"}, out / "checkpoint.pt")
    if distributed:
        dist.barrier()
        dist.destroy_process_group()
    say(f"checkpoint: {out / 'checkpoint.pt'}")


if __name__ == "__main__":
    main()
`;
