// The desktop app's atomic save: a new file appears whole, and a failure or a killed process mid-write leaves
// the old file exactly as it was.

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { temporaryPathFor, writeFileAtomic } from '../../electron/ipc/atomic-write.ts';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'neurocanvas-atomic-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const ROOT = resolve(import.meta.dirname, '../..');

describe('writeFileAtomic', () => {
  it('writes a new file and leaves no temporary file behind', async () => {
    const target = join(folder, 'net.ncproj');
    await writeFileAtomic(target, '{"name":"LeNet-5"}');
    expect(readFileSync(target, 'utf8')).toBe('{"name":"LeNet-5"}');
    expect(readdirSync(folder)).toEqual(['net.ncproj']);
  });

  it('replaces an existing file and keeps its permission bits', async () => {
    const target = join(folder, 'weights.pt');
    writeFileSync(target, 'old', { mode: 0o640 });
    await writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
    if (process.platform !== 'win32') expect(statSync(target).mode & 0o777).toBe(0o640);
  });

  it('keeps the old file intact when a step fails mid-write, and removes the temporary file', async () => {
    const target = join(folder, 'net.ncproj');
    writeFileSync(target, 'the old project');
    let temp = '';
    await expect(
      writeFileAtomic(target, 'x'.repeat(1_000_000), {
        afterWrite(path) {
          temp = path;
          throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        },
      }),
    ).rejects.toThrow('no space left');
    expect(temp.startsWith(join(folder, '.net.ncproj.'))).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('the old project');
    expect(readdirSync(folder)).toEqual(['net.ncproj']);
  });

  it('keeps the old file intact when the process is killed in the middle of a save', async () => {
    const target = join(folder, 'net.ncproj');
    writeFileSync(target, 'the old project');
    // A child process starts a 20 MB save, says so after the data is in the temporary file, and then hangs
    // before flushing and renaming; the test kills it there, as a crash or power cut would.
    const script = join(folder, 'child.mts');
    writeFileSync(
      script,
      `import { writeFileAtomic } from ${JSON.stringify(pathToFileURL(join(ROOT, 'electron/ipc/atomic-write.ts')).href)};
await writeFileAtomic(${JSON.stringify(target)}, 'n'.repeat(20_000_000), {
  afterWrite: (temp) => { process.stdout.write('WRITTEN ' + temp + '\\n'); return new Promise(() => {}); },
});`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (d) => {
      errors += String(d);
    });
    const temp = await new Promise<string>((done, fail) => {
      child.stdout.on('data', (d: Buffer) => {
        const match = /WRITTEN (.+)\n/.exec(String(d));
        if (match) done(match[1]!);
      });
      child.on('exit', (code) => fail(new Error(`the child exited (${code}) before writing: ${errors}`)));
    });
    expect(statSync(temp).size).toBe(20_000_000);
    const exited = new Promise((done) => child.on('exit', done));
    child.kill('SIGKILL');
    await exited;
    expect(readFileSync(target, 'utf8')).toBe('the old project');
    // The half-finished save is a hidden temporary file next to it, never the project itself.
    expect(readdirSync(folder).filter((f) => f.endsWith('.ncsave'))).toHaveLength(1);
  });

  it('names temporary files hidden, unique and next to the target', () => {
    const a = temporaryPathFor(join(folder, 'a.json'));
    const b = temporaryPathFor(join(folder, 'a.json'));
    expect(a).not.toBe(b);
    expect(a.startsWith(join(folder, '.a.json.'))).toBe(true);
    expect(a.endsWith('.ncsave')).toBe(true);
  });

  it('fails without touching anything when the folder does not exist', async () => {
    await expect(writeFileAtomic(join(folder, 'missing', 'x.json'), '{}')).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(readdirSync(folder)).toEqual([]);
  });
});
