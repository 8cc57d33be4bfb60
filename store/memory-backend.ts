/**
 * ChunkBackend in memory, for tests and `clusterctl dev` without a data directory. "Durable"
 * here means held by this process. Several instances given the same `entries` map behave like
 * replicas sharing one directory.
 */
import { notFound } from '../core/errors.js';
import type { ChunkBackend, ChunkInfo, PutOutcome } from './backend.js';
import { verifyChunk, type VerifiedChunk } from './chunk-codec.js';
import { throwIfAborted } from './concurrency.js';

export interface MemoryEntry {
  data: Buffer;
  compressed: boolean;
  rawSize: number;
  manifest: boolean;
  touchedMs: number;
}

export interface MemoryBackendOptions {
  entries?: Map<string, MemoryEntry>;
  now?: () => number;
}

export class MemoryBackend implements ChunkBackend {
  readonly name = 'memory';
  private readonly entries: Map<string, MemoryEntry>;
  private readonly now: () => number;

  constructor(opts: MemoryBackendOptions = {}) {
    this.entries = opts.entries ?? new Map();
    this.now = opts.now ?? Date.now;
  }

  async missing(ids: readonly string[], signal?: AbortSignal): Promise<string[]> {
    throwIfAborted(signal);
    const now = this.now();
    return ids.filter((id) => {
      const entry = this.entries.get(id);
      if (entry) entry.touchedMs = now;
      return !entry;
    });
  }

  async put(chunk: VerifiedChunk, signal?: AbortSignal): Promise<PutOutcome> {
    throwIfAborted(signal);
    const held = this.entries.get(chunk.id);
    if (held) {
      held.touchedMs = this.now();
      return 'present';
    }
    // A copy: the caller's buffer may be a view into a larger one (a gRPC frame) or be reused.
    this.entries.set(chunk.id, {
      data: Buffer.from(chunk.data),
      compressed: chunk.compressed,
      rawSize: chunk.rawSize,
      manifest: chunk.manifest,
      touchedMs: this.now(),
    });
    return 'stored';
  }

  async get(id: string, signal?: AbortSignal): Promise<VerifiedChunk> {
    throwIfAborted(signal);
    const entry = this.entries.get(id);
    if (!entry) throw notFound(`chunk ${id} not found`);
    try {
      return verifyChunk({ id, data: Buffer.from(entry.data), compressed: entry.compressed, rawSize: entry.rawSize });
    } catch (err) {
      // Set aside so the next upload of this chunk replaces it.
      if (this.entries.get(id) === entry) this.entries.delete(id);
      throw err;
    }
  }

  async *list(signal?: AbortSignal): AsyncIterable<ChunkInfo> {
    for (const [id, e] of [...this.entries]) {
      throwIfAborted(signal);
      yield { id, storedBytes: e.data.length, rawBytes: e.rawSize, manifest: e.manifest, touchedMs: e.touchedMs };
    }
  }

  async delete(id: string, cutoffMs: number): Promise<boolean> {
    const entry = this.entries.get(id);
    return entry !== undefined && entry.touchedMs < cutoffMs && this.entries.delete(id);
  }

  async sweep(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {}
}
