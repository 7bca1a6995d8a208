// The engine fixtures are reproducible: rerunning make_fixtures.py with torch 1.13 writes byte-identical files.
// NOTE: this test FAILS (does not skip) when /usr/bin/python3 or its torch is missing: CI installs them.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINE_FIXTURES } from '../support/fixtures.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./make_fixtures.py', import.meta.url));

describe('engine fixtures', () => {
  const out = mkdtempSync(join(tmpdir(), 'nc-engine-fixtures-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('regenerate byte for byte from make_fixtures.py', () => {
    const result = spawnSync(PYTHON, [SCRIPT, out], { encoding: 'utf8', timeout: 240_000 });
    expect(
      result.error === undefined && result.status === 0,
      `make_fixtures.py failed (needs ${PYTHON} with Debian's python3-torch 1.13): ${result.error?.message ?? result.stderr}`,
    ).toBe(true);
    const committed = readdirSync(ENGINE_FIXTURES).sort();
    expect(readdirSync(out).sort()).toEqual(committed);
    for (const name of committed) {
      const same = readFileSync(join(out, name)).equals(readFileSync(join(ENGINE_FIXTURES, name)));
      expect(
        same,
        `${name} differs from a fresh run of make_fixtures.py: rerun it and commit the result`,
      ).toBe(true);
    }
  });

  it('stay small', () => {
    const total = readdirSync(ENGINE_FIXTURES).reduce(
      (sum, name) => sum + readFileSync(join(ENGINE_FIXTURES, name)).length,
      0,
    );
    expect(total).toBeLessThan(1.5 * 2 ** 20);
  });
});
