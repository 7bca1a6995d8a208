// The catalogue of reasons a checkpoint file cannot be read or written, with stable codes.

export const CHECKPOINT_PROBLEMS = {
  notCheckpoint: { code: 'CK001', title: 'Not a PyTorch or safetensors file' },
  truncated: { code: 'CK002', title: 'File is cut short' },
  damaged: { code: 'CK003', title: 'File is damaged (checksum mismatch)' },
  unsupportedZip: { code: 'CK004', title: 'Zip feature not supported' },
  missingRecord: { code: 'CK005', title: 'Part of the checkpoint is missing' },
  forbiddenGlobal: { code: 'CK006', title: 'Checkpoint refers to code that is not allowed' },
  badPickle: { code: 'CK007', title: 'Checkpoint contents are malformed' },
  badTensor: { code: 'CK008', title: 'Tensor does not fit its storage' },
  tooLarge: { code: 'CK009', title: 'Checkpoint is too large' },
  tooDeep: { code: 'CK010', title: 'Checkpoint is nested too deeply' },
  noStateDict: { code: 'CK011', title: 'No state_dict found' },
  badSafetensors: { code: 'CK012', title: 'safetensors header is malformed' },
  cannotWrite: { code: 'CK013', title: 'Value cannot be written to a checkpoint' },
} as const;

export type CheckpointProblem = keyof typeof CHECKPOINT_PROBLEMS;

/** Why a checkpoint cannot be read (or a value cannot be written); the message is for the user. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
  readonly code: string;
  constructor(
    readonly problem: CheckpointProblem,
    message: string,
  ) {
    super(message);
    this.code = CHECKPOINT_PROBLEMS[problem].code;
  }
}

/**
 * Anything a reader throws, as a CheckpointError. NOTE: readers promise that a bad file only ever gives a
 * CheckpointError; an unexpected error (a bug, or memory running out) still reaches the user as one.
 */
export function toCheckpointError(error: unknown): CheckpointError {
  if (error instanceof CheckpointError) return error;
  if (error instanceof RangeError)
    return new CheckpointError(
      'tooLarge',
      `The file could not be read: it needs more memory than is available (${error.message}).`,
    );
  return new CheckpointError(
    'badPickle',
    `The file could not be read: ${(error as Error)?.message ?? String(error)}.`,
  );
}
