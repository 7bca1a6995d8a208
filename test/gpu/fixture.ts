// Test fixture: one GpuRuntime per test file, opened at first use, so a missing adapter fails every test.

import { afterAll } from 'vitest';
import type { GpuRuntime } from '../../engine/gpu/index.ts';
import { openNodeRuntime } from '../../engine/gpu/node-device.ts';

/**
 * Returns a getter for a runtime shared by the file's tests and closed after them.
 * NOTE: not beforeAll: when beforeAll throws, Vitest marks the tests skipped; here each test awaits the
 * runtime itself and fails with the GpuError (CI has SwiftShader, so no adapter is a real failure).
 */
export function sharedRuntime(
  open: () => Promise<GpuRuntime> = () => openNodeRuntime(),
): () => Promise<GpuRuntime> {
  let opened: Promise<GpuRuntime> | undefined;
  afterAll(async () => {
    const runtime = await opened?.catch(() => undefined);
    runtime?.close();
  });
  return () => {
    opened ??= open();
    return opened;
  };
}
