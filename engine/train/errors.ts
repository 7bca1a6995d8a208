// The error a training run reports to the user (data that does not fit the network, a checkpoint that does not fit
// the run): a plain message to show as it is, unlike a bug, which keeps its stack.

export class TrainingError extends Error {
  override name = 'TrainingError';
}
