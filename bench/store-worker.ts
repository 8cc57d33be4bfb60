/**
 * The store server of the benchmark, in a worker thread: in the cluster the service runs in the
 * scheduler process, so measuring client and server on one event loop would charge the
 * server's verification to the client. `startStoreWorker` is the parent side.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { ChunkBackend } from '../store/backend.js';
import { FsBackend } from '../store/fs-backend.js';
import { MemoryBackend } from '../store/memory-backend.js';
import { startStoreServer } from '../store/standalone-server.js';

export type BenchBackend = 'fs' | 'memory';

export interface StoreWorker {
  addr: string;
  close(): Promise<void>;
}

/** Starts a store server on loopback in a worker thread over a fresh, empty backend. */
export async function startStoreWorker(backend: BenchBackend): Promise<StoreWorker> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { backend } });
  const addr = await new Promise<string>((resolve, reject) => {
    worker.once('message', (msg: { addr: string }) => resolve(msg.addr));
    worker.once('error', reject);
  });
  let closing: Promise<void> | undefined;
  return {
    addr,
    close() {
      closing ??= new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.postMessage('close');
      });
      return closing;
    },
  };
}

async function serve(kind: BenchBackend): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'store-bench-'));
  const backend: ChunkBackend = kind === 'fs' ? await FsBackend.open(dir) : new MemoryBackend();
  const server = await startStoreServer({ backend, roots: async () => [] });
  parentPort!.once('message', () => {
    void server.close().finally(() => fs.rm(dir, { recursive: true, force: true })).finally(() => process.exit(0));
  });
  parentPort!.postMessage({ addr: server.addr });
}

if (!isMainThread && (workerData as { backend?: BenchBackend } | undefined)?.backend) {
  // A failure to start rejects here, ends the worker, and reaches startStoreWorker as 'error'.
  void serve((workerData as { backend: BenchBackend }).backend);
}
