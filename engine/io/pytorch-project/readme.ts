// The exported project's README.md: what each file is and how to train on one machine, one GPU per process,
// or many machines, and how to bring the result back into NeuroCanvas.

export interface ReadmeFacts {
  projectName: string;
  className: string;
  /** `data.npz` in the folder, or the path the user gave. */
  data: string;
  embedded: boolean;
  batchSize: number;
  epochs: number;
  optimizer: string;
}

export function readmeText(f: ReadmeFacts): string {
  const data = f.embedded
    ? '`data.npz`: the data set (uint8 images N x C x H x W, int64 labels, class names) and the exact train/validation split NeuroCanvas used (`train_indices`, `holdout_indices`).'
    : `The data set is not in the folder: settings.json points at \`${f.data}\` (an .npz with \`images\`, \`labels\`, \`classes\` and, for NeuroCanvas's own split, \`train_indices\` and \`holdout_indices\`). Pass another with \`--data PATH\`.`;
  return `# ${f.projectName}: training in PyTorch

Exported from NeuroCanvas. The network is \`${f.className}\` in \`model.py\`; \`train.py\` trains it with the
settings NeuroCanvas used (${f.optimizer}, batch ${f.batchSize}, ${f.epochs} epochs, its learning-rate schedule,
seed, augmentation and normalisation; see \`settings.json\`).

| file | what it is |
| --- | --- |
| \`model.py\` | the network as a \`torch.nn.Module\` |
| \`weights.pt\` | the weights at export (a \`state_dict\`): training starts from them |
| \`train.py\` | the training loop: one process, or one process per GPU under \`torchrun\` (DDP) |
| \`data.py\` | reading the data and preparing batches (scale to 0-1, augmentation, normalisation) |
| \`settings.json\` | NeuroCanvas's training settings |
| \`requirements.txt\` | \`torch\` and \`numpy\` |

${data}

## One machine

\`\`\`sh
pip install -r requirements.txt
python train.py                       # CUDA if present, else Apple MPS, else CPU
python train.py --device cpu --epochs 2
\`\`\`

Every epoch prints the training loss and accuracy and the validation loss and accuracy, appends them to
\`runs/metrics.jsonl\`, and replaces \`runs/checkpoint.pt\` (written to a \`.partial\` file first, then renamed).

## Several GPUs on one machine

\`\`\`sh
torchrun --nproc_per_node 4 train.py
\`\`\`

One process per GPU with DistributedDataParallel (\`nccl\` on CUDA, \`gloo\` on CPU; MPS is used only in a single
process). Each process takes \`--batch-size\` images per step (default ${f.batchSize}, NeuroCanvas's batch), so
the global batch is batch size x processes and an epoch has that many times fewer steps. To keep NeuroCanvas's
global batch, divide: \`torchrun --nproc_per_node 4 train.py --batch-size ${Math.max(1, Math.floor(f.batchSize / 4))}\`; to
keep the per-process batch and train faster, consider raising \`--lr\` with it.

## Several machines

Run the same command on every machine, with the first machine's address:

\`\`\`sh
# machine 0 (its address: 10.0.0.1)
torchrun --nnodes 2 --node_rank 0 --nproc_per_node 8 --master_addr 10.0.0.1 --master_port 29500 train.py
# machine 1
torchrun --nnodes 2 --node_rank 1 --nproc_per_node 8 --master_addr 10.0.0.1 --master_port 29500 train.py
\`\`\`

Every machine needs this folder (or the data at the same path). Only rank 0 writes checkpoints.

## Resuming and coming back to NeuroCanvas

\`python train.py --resume runs/checkpoint.pt\` continues with the weights, optimizer state, epoch and step
it holds. The checkpoint is \`{'model', 'optimizer', 'epoch', 'step', 'settings'}\` with the model's own keys
(no DDP \`module.\` prefix): open it in NeuroCanvas on the same graph (Load weights), or
\`neurocanvas export graph.json --format pt --weights runs/checkpoint.pt\`.

Augmentation draws its own random numbers here, so runs match NeuroCanvas in settings, not image for image.
Quick checks: \`--max-steps N\` stops after N steps; \`--no-shuffle\` and \`--no-augment\` make the first batches
predictable; \`--log-every 1\` prints each step's loss.
`;
}
