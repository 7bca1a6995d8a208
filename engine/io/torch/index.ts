// PyTorch checkpoint IO: the public entry points for reading and writing .pt files.

export { CHECKPOINT_PROBLEMS, CheckpointError, type CheckpointProblem } from './errors.ts';
export {
  PyFloat,
  type PyKey,
  PyOrderedDict,
  type PyRecord,
  PyTuple,
  type PyValue,
  pyFloat,
  pyTuple,
} from './python-values.ts';
export {
  type CheckpointContents,
  findStateDict,
  type ReadOptions,
  readCheckpoint,
  readPickledValue,
  STATE_DICT_KEYS,
} from './read.ts';
export {
  type AdamHyperParameters,
  type AdamParameterState,
  type OptimizerState,
  optimizerStateDict,
  type SgdHyperParameters,
  type SgdParameterState,
  type TrainingCheckpoint,
  writeTrainingCheckpoint,
} from './training-checkpoint.ts';
export { type WriteOptions, writeCheckpoint, writeStateDict } from './write.ts';
