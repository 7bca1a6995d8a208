// The CPU backend's helper threads in Node (CLI, tests): worker_threads running HELPER_SOURCE. Unreferenced, so
// waiting helpers never keep a process alive.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Spawner } from './threads.ts';

export const nodeSpawner: Spawner = (source, data) => {
  const body = `const { parentPort, workerData } = require('node:worker_threads');
(${source})(workerData, () => parentPort.postMessage('ready'));`;
  const worker = new Worker(body, { eval: true, workerData: data });
  worker.unref();
  const ready = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { ready, stop: () => void worker.terminate() };
};

/** Helpers for this machine: one per core beyond the calling thread's. */
export const nodeHelpers = () => Math.max(0, Math.min(availableParallelism(), 8) - 1);
