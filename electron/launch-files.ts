// Project files handed over by the OS: on the command line (first launch, or a second launch forwarded by the
// single-instance lock) or through macOS `open-file`.

import { isAbsolute, resolve } from 'node:path';

export const PROJECT_FILE_PATTERN = /\.(ncproj|json)$/i;

/**
 * The project paths in `argv`, made absolute against `cwd`. Skips the executable, the script, Chromium and
 * Electron switches (`--x`), and anything that does not look like a project.
 */
export function projectPathsFromArgv(argv: readonly string[], cwd: string): string[] {
  return argv
    .slice(1)
    .filter((arg) => !arg.startsWith('-') && !arg.includes('\0') && PROJECT_FILE_PATTERN.test(arg))
    .filter((arg) => !/[\\/]electron[\\/]main\.c?js$/.test(arg))
    .map((arg) => (isAbsolute(arg) ? resolve(arg) : resolve(cwd, arg)));
}
