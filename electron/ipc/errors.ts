// The catalogue of errors the desktop bridge can return, with stable codes and messages in the user's words.

import { basename } from 'node:path';

export const ERROR_CODES = [
  'invalid-request',
  'untrusted-sender',
  'path-not-absolute',
  'path-invalid',
  'path-not-granted',
  'too-large',
  'not-found',
  'not-a-file',
  'not-a-folder',
  'too-many-files',
  'permission-denied',
  'disk-full',
  'read-only',
  'file-busy',
  'stream-unknown',
  'io-failed',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface IpcError {
  code: ErrorCode;
  message: string;
}

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** An error meant for the user: its message is shown as is. */
export class UserError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

const MB = 1024 * 1024;

/** Messages for the errors raised by input checks. */
export const explain = {
  invalidRequest: (what: string) =>
    new UserError('invalid-request', `NeuroCanvas could not do that: ${what}. Please report this as a bug.`),
  untrustedSender: () =>
    new UserError(
      'untrusted-sender',
      'This request did not come from the NeuroCanvas window, so it was refused.',
    ),
  notAbsolute: () =>
    new UserError(
      'path-not-absolute',
      'NeuroCanvas needs the full location of the file, not a relative one.',
    ),
  badPath: () =>
    new UserError('path-invalid', 'That file location contains characters no file name can have.'),
  notGranted: (path: string) =>
    new UserError(
      'path-not-granted',
      `NeuroCanvas may only use files you chose yourself. Open or drop ${basename(path)} first.`,
    ),
  tooLarge: (what: string, bytes: number, limit: number) =>
    new UserError(
      'too-large',
      `${what} is ${(bytes / MB).toFixed(1)} MB, more than the ${Math.round(limit / MB)} MB NeuroCanvas can open or save.`,
    ),
  tooManyFiles: (limit: number) =>
    new UserError(
      'too-many-files',
      `That folder holds more than ${limit.toLocaleString('en')} files. Choose a smaller folder.`,
    ),
  notAFile: (path: string) =>
    new UserError('not-a-file', `${basename(path)} is a folder, not a file. Choose a file.`),
  notAFolderOrFile: (path: string) =>
    new UserError('not-a-folder', `${basename(path)} is neither a file nor a folder NeuroCanvas can read.`),
  unknownStream: () =>
    new UserError('stream-unknown', 'That data transfer has already finished or was cancelled.'),
};

/** Turns a Node file-system error into one the user can act on. */
export function fromFileSystemError(error: unknown, path: string, action: 'read' | 'write'): UserError {
  if (error instanceof UserError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const name = basename(path);
  switch (code) {
    case 'ENOENT':
      return action === 'read'
        ? new UserError('not-found', `${name} was not found. It may have been moved or deleted.`)
        : new UserError('not-found', `The folder for ${name} no longer exists. Choose another place.`);
    case 'EISDIR':
      return explain.notAFile(path);
    case 'EACCES':
    case 'EPERM':
      return new UserError(
        'permission-denied',
        action === 'read'
          ? `NeuroCanvas is not allowed to read ${name}. Check its permissions.`
          : `NeuroCanvas is not allowed to write ${name}. Choose another folder or check its permissions.`,
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new UserError(
        'disk-full',
        `The disk is full, so ${name} was not written. Free some space and try again.`,
      );
    case 'EROFS':
      return new UserError('read-only', `${name} is on a read-only disk. Choose another place.`);
    case 'EBUSY':
      return new UserError(
        'file-busy',
        `${name} is in use by another program. Close it there and try again.`,
      );
    default:
      return new UserError(
        'io-failed',
        `${name} could not be ${action === 'read' ? 'read' : 'written'} (${code ?? (error as Error)?.message ?? 'unknown error'}).`,
      );
  }
}

/** The `{ ok: false }` answer for any thrown value; unknown errors never leak a stack trace. */
export function failure(error: unknown): { ok: false; error: IpcError } {
  if (error instanceof UserError) return { ok: false, error: { code: error.code, message: error.message } };
  return {
    ok: false,
    error: {
      code: 'io-failed',
      message: `Something went wrong in NeuroCanvas: ${(error as Error)?.message ?? String(error)}`,
    },
  };
}
