/**
 * ChunkBackend: where chunks live. Implementations: fs-backend.ts (a directory, local or a
 * shared mount for several replicas) and memory-backend.ts (tests, `clusterctl dev` without
 * --data). Both pass test/conformance/chunk-backend.test.ts; a new backend (S3) must too.
 *
 * Contract:
 * - Chunks are immutable and keyed by id. Writing an id that is held changes nothing.
 * - `put` takes only a VerifiedChunk (chunk-codec.ts `verifyChunk`): what is stored always
 *   matched its id when it arrived. It resolves only once the chunk is durable (survives a
 *   crash or power loss of this host) and visible to `get`/`missing` of every process sharing
 *   the backend; before that nothing is visible, and an aborted or failed put leaves nothing
 *   visible either (leftovers are removed by `sweep`). Concurrent puts of the same id, from
 *   this process or another, all succeed and leave one good copy.
 * - `get` verifies what it reads. A chunk that no longer matches its id is never returned: it is
 *   set aside (so `missing` reports it and the next upload replaces it) and CORRUPT is thrown.
 *   An absent chunk throws NOT_FOUND.
 * - `missing` also refreshes the age of every chunk it finds: a client that was told a chunk is
 *   held will reference it, so garbage collection must not take it within its grace period.
 *   `put` of a held chunk refreshes it the same way.
 * - `list` yields every held chunk once (order unspecified); chunks put or deleted during the
 *   listing may or may not appear.
 * - `delete` is only for garbage collection. It re-reads the chunk's age and keeps a chunk
 *   refreshed at or after `cutoffMs` (a client may have just been told it is held); it resolves
 *   whether it removed the chunk. This narrows, not closes, the race with `missing`: the
 *   server's check that a manifest's chunks exist (service.ts) catches what slips through.
 * - Every method may be called concurrently. `close` is idempotent.
 */
import type { VerifiedChunk } from './chunk-codec.js';

export interface ChunkInfo {
  id: string;
  /** Bytes the backend holds for the chunk (compressed size plus any framing). */
  storedBytes: number;
  rawBytes: number;
  /** The chunk is an object manifest. */
  manifest: boolean;
  /** Last write or refresh (`missing`, `put` of a held chunk), ms since the epoch. */
  touchedMs: number;
}

export type PutOutcome = 'stored' | 'present';

export interface ChunkBackend {
  /** A short description for logs, e.g. `fs:/var/lib/clusterd/store`. */
  readonly name: string;
  /** The ids among `ids` this backend does not hold, in the order given; refreshes the rest. */
  missing(ids: readonly string[], signal?: AbortSignal): Promise<string[]>;
  put(chunk: VerifiedChunk, signal?: AbortSignal): Promise<PutOutcome>;
  get(id: string, signal?: AbortSignal): Promise<VerifiedChunk>;
  list(signal?: AbortSignal): AsyncIterable<ChunkInfo>;
  delete(id: string, cutoffMs: number): Promise<boolean>;
  /** Removes leftovers of interrupted writes older than `olderThanMs`; returns how many. */
  sweep(olderThanMs: number): Promise<number>;
  close(): Promise<void>;
}
