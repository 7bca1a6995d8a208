// Data tasks run one at a time, the last one asked for winning: data a project opened at launch imports is not
// replaced by the built-in digits the app loads at start, in the store or in the worker. The real worker host over
// a MessageChannel, with a built-in load slow enough to be overtaken.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { DataItem } from '../../renderer/src/platform/drops.ts';
import { importData, startEngine } from '../../renderer/src/session/data.ts';
import { connect, setEngineClient } from '../../renderer/src/session/engine.ts';
import { sessionStore } from '../../renderer/src/session/store.ts';
import type { Port } from '../../renderer/src/worker/client.ts';
import { type HostPort, serveEngine } from '../../renderer/src/worker/host.ts';

const ROOT = join(import.meta.dirname, '../..');
const digits = new Uint8Array(readFileSync(join(ROOT, 'engine/data/assets/mnist-10k.bin')));

let builtinCalls = 0;
const { port1, port2 } = new MessageChannel();
serveEngine(port2 as unknown as HostPort, {
  openGpu: async () => {
    throw new Error('no GPU in this test');
  },
  builtinMnist: async () => {
    builtinCalls++;
    await new Promise((resolve) => setTimeout(resolve, 400));
    return digits;
  },
});
const client = connect(port1 as unknown as Port, sessionStore());
setEngineClient(client);
afterAll(() => {
  client.terminate();
  port1.close();
  port2.close();
});

/** A CSV of `rows` 4x4 grey images, labels cycling over three classes. */
function csv(rows: number): DataItem {
  const lines = [`label,${Array.from({ length: 16 }, (_, i) => `p${i}`).join(',')}`];
  for (let r = 0; r < rows; r++)
    lines.push(
      `${['a', 'b', 'c'][r % 3]},${Array.from({ length: 16 }, (_, i) => (r * 7 + i) % 256).join(',')}`,
    );
  const bytes = new TextEncoder().encode(lines.join('\n'));
  return { relativePath: 'shapes.csv', size: bytes.length, read: async () => bytes.buffer as ArrayBuffer };
}

describe('data tasks at start', () => {
  it('keeps the data a project opened at launch imports, though the built-in digits started loading first', async () => {
    const starting = startEngine('cpu');
    // The project's data is asked for while the digits still load (the built-in load takes 400 ms here).
    await new Promise((resolve) => setTimeout(resolve, 100));
    const imported = await importData({ name: 'shapes.csv', items: [csv(30)] });
    await starting;
    expect(imported).toBe(true);
    const data = sessionStore().getState().data;
    expect(data?.name).toBe('shapes.csv');
    expect(data?.count).toBe(30);
    // The worker holds the same data: its samples are the CSV's 4x4 images.
    const samples = await client.call('data.samples', { indices: [0] });
    expect(samples.shape).toEqual([1, 4, 4]);
    expect(sessionStore().getState().dataTask).toBeNull();
    expect(sessionStore().getState().dataError).toBeNull();
  });

  it('does not start the built-in digits over data that is already loading', async () => {
    sessionStore().setState({ data: null });
    const before = builtinCalls;
    const importing = importData({ name: 'more.csv', items: [csv(12)] });
    await startEngine('cpu');
    expect(await importing).toBe(true);
    expect(builtinCalls).toBe(before);
    expect(sessionStore().getState().data?.count).toBe(12);
  });
});
