/**
 * Whole-store passes over a backend: garbage collection (mark from the host's root objects,
 * sweep what is unreachable and older than the grace period), statistics and verification.
 *
 * Why the grace period makes collection safe while uploads run: a client first asks `missing`,
 * which refreshes every chunk it reports as held, then uploads the rest, then the manifest last.
 * Until the manifest lands, the object's chunks are unreachable, but all of them were written or
 * refreshed after the upload began, so they are younger than the grace as long as an upload
 * takes less than the grace. The manifest itself is young when it lands.
 */
import { errorCode } from '../core/errors.js';
import type { ChunkBackend } from './backend.js';
import { assertChunkId } from './chunk-codec.js';
import { mapLimit, throwIfAborted } from './concurrency.js';
import { decodeManifest } from './manifest.js';

export interface GcOptions {
  /** Every object the host still references (run results, artifacts, logs, code packages). */
  roots: () => Promise<Iterable<string>>;
  /** Chunks written or refreshed less than this long ago are kept even when unreachable. */
  graceMs: number;
  /** Count what would be removed, remove nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

export interface GcResult {
  removedChunks: number;
  removedBytes: number;
  keptChunks: number;
  /** Roots the store does not hold (reported, not fatal: the host may list one being uploaded). */
  missingRoots: string[];
  /** Leftovers of interrupted writes removed. */
  sweptTemp: number;
}

export interface StoreStats {
  objects: number;
  chunks: number;
  /** Sum of the sizes of all objects, as users see them (shared chunks counted once per object). */
  logicalBytes: number;
  /** Bytes the backend holds: unique chunks after lz4, manifests included. */
  storedBytes: number;
  /** logicalBytes / storedBytes: the combined gain of dedup and compression. */
  dedupRatio: number;
}

const manifestReads = 8;

/** The ids reachable from the roots: each root's manifest and its chunks. */
async function mark(backend: ChunkBackend, roots: Iterable<string>, signal?: AbortSignal): Promise<{ live: Set<string>; missing: string[] }> {
  const live = new Set<string>();
  const missing: string[] = [];
  const ids = [...new Set(roots)];
  ids.forEach((id) => assertChunkId(id, 'gc root'));
  await mapLimit(ids, manifestReads, async (id) => {
    throwIfAborted(signal);
    try {
      // A corrupt root throws and stops the collection: without its manifest we cannot know
      // which chunks it needs, and removal cannot be undone.
      const chunk = await backend.get(id, signal);
      live.add(id);
      if (chunk.manifest) for (const c of decodeManifest(chunk.raw, id).chunks) live.add(c.id);
    } catch (err) {
      if (errorCode(err) !== 'NOT_FOUND') throw err;
      missing.push(id);
    }
  });
  return { live, missing };
}

export async function collectGarbage(backend: ChunkBackend, opts: GcOptions): Promise<GcResult> {
  const cutoffMs = Date.now() - opts.graceMs;
  const { live, missing } = await mark(backend, await opts.roots(), opts.signal);
  const result: GcResult = { removedChunks: 0, removedBytes: 0, keptChunks: 0, missingRoots: missing, sweptTemp: 0 };
  for await (const info of backend.list(opts.signal)) {
    if (live.has(info.id) || info.touchedMs >= cutoffMs) {
      result.keptChunks++;
      continue;
    }
    if (opts.dryRun || (await backend.delete(info.id, cutoffMs))) {
      result.removedChunks++;
      result.removedBytes += info.storedBytes;
    } else {
      result.keptChunks++; // refreshed since it was listed
    }
  }
  if (!opts.dryRun) result.sweptTemp = await backend.sweep(opts.graceMs);
  return result;
}

export async function storeStats(backend: ChunkBackend, signal?: AbortSignal): Promise<StoreStats> {
  let chunks = 0;
  let storedBytes = 0;
  const manifests: string[] = [];
  for await (const info of backend.list(signal)) {
    chunks++;
    storedBytes += info.storedBytes;
    if (info.manifest) manifests.push(info.id);
  }
  const sizes = await mapLimit(manifests, manifestReads, async (id) => {
    try {
      const chunk = await backend.get(id, signal);
      return decodeManifest(chunk.raw, id).sizeBytes;
    } catch (err) {
      if (errorCode(err) === 'NOT_FOUND') return undefined; // collected since the listing
      throw err;
    }
  });
  const present = sizes.filter((s): s is number => s !== undefined);
  const logicalBytes = present.reduce((a, b) => a + b, 0);
  return { objects: present.length, chunks, logicalBytes, storedBytes, dedupRatio: storedBytes === 0 ? 1 : logicalBytes / storedBytes };
}

/** Reads and verifies every chunk; corrupt ones are set aside by the backend and listed here. */
export async function verifyStore(backend: ChunkBackend, signal?: AbortSignal): Promise<{ checked: number; corrupt: string[] }> {
  let checked = 0;
  const corrupt: string[] = [];
  for await (const info of backend.list(signal)) {
    checked++;
    try {
      await backend.get(info.id, signal);
    } catch (err) {
      const code = errorCode(err);
      if (code === 'CORRUPT') corrupt.push(info.id);
      else if (code !== 'NOT_FOUND') throw err;
    }
  }
  return { checked, corrupt };
}
