/**
 * The ChunkStore gRPC service over one backend. Every scheduler replica hosts it over the same
 * backend; it holds no state of its own, so any replica can answer any call.
 *
 * Guarantees on top of the backend's: every uploaded chunk is verified against its id before it
 * is kept; a Put is acknowledged only when all its chunks are durable; a manifest is accepted
 * only when every chunk it lists is held, so an object id never names a partial object.
 */
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { ClusterError, invalid } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { proto } from '../proto/load.js';
import { toServiceError } from '../proto/status.js';
import type { Chunk } from '../proto/generated/clusterd/v1/Chunk.js';
import type { PutChunk__Output } from '../proto/generated/clusterd/v1/PutChunk.js';
import type { ChunkStoreHandlers } from '../proto/types.js';
import type { ChunkBackend, PutOutcome } from './backend.js';
import { assertChunkId, verifyChunk, type VerifiedChunk } from './chunk-codec.js';
import { InFlight, throwIfAborted } from './concurrency.js';
import { collectGarbage, storeStats } from './gc.js';
import { decodeManifest, loadManifest } from './manifest.js';

export interface ChunkStoreServiceOptions {
  backend: ChunkBackend;
  /** Root objects for garbage collection: every object the host still references. */
  roots: () => Promise<Iterable<string>>;
  /** Unreachable chunks younger than this survive a collection; must exceed the longest upload. Default 6 h. */
  gcGraceMs?: number;
  /** Chunks of one Put stream verified and written at once (overlaps fsyncs). Default 16. */
  putConcurrency?: number;
  /** Chunks read ahead of the one being sent by Get. Default 4. */
  readAhead?: number;
  logger?: Logger;
  /** Told the wire bytes of each chunk received by Put and sent by Get (the host's metrics). */
  onBytes?: (direction: 'in' | 'out', bytes: number) => void;
}

/** Largest id list one Missing call may carry (the client batches far below it). */
const maxIdsPerCall = 16_384;

/** Adds the ChunkStore service, serving `opts.backend`, to a server not yet started. */
export function addChunkStoreService(server: grpc.Server, opts: ChunkStoreServiceOptions): void {
  server.addService(proto.ChunkStore.service, chunkStoreHandlers(opts));
}

/** An AbortSignal that fires when the client cancels the call or goes away. */
function callSignal(call: { on(event: 'cancelled', fn: () => void): unknown }): AbortSignal {
  const abort = new AbortController();
  call.on('cancelled', () => abort.abort(new ClusterError('CANCELLED', 'client cancelled the call')));
  return abort.signal;
}

function toWire(chunk: VerifiedChunk): Chunk {
  return { id: chunk.id, data: chunk.data, compressed: chunk.compressed, raw_size: chunk.rawSize };
}

function chunkStoreHandlers(opts: ChunkStoreServiceOptions): ChunkStoreHandlers {
  const { backend } = opts;
  const graceMs = opts.gcGraceMs ?? 6 * 3600_000;
  const putConcurrency = opts.putConcurrency ?? 16;
  const readAhead = opts.readAhead ?? 4;
  const counted = opts.onBytes ?? (() => {});
  const log = (opts.logger ?? silentLogger).child({ component: 'chunk-store', backend: backend.name });
  let gcRunning = false;

  const unary = <Req, Res>(fn: (req: Req, signal: AbortSignal) => Promise<Res>): grpc.handleUnaryCall<Req, Res> =>
    (call, callback) => {
      const signal = callSignal(call);
      Promise.resolve()
        .then(() => fn(call.request, signal))
        .then((res) => callback(null, res), (err) => callback(toServiceError(err)));
    };

  /** Verifies and stores one uploaded chunk; a manifest only once all it lists is held. */
  async function putOne(msg: PutChunk__Output, signal: AbortSignal): Promise<PutOutcome> {
    const chunk = verifyChunk({ id: msg.id, data: msg.data, compressed: msg.compressed, rawSize: msg.raw_size });
    if (chunk.manifest) {
      const listed = [...new Set(decodeManifest(chunk.raw, chunk.id).chunks.map((c) => c.id))];
      const absent = await backend.missing(listed, signal);
      if (absent.length > 0) {
        throw new ClusterError('NOT_FOUND', `object ${chunk.id}: its manifest lists ${absent.length} chunk(s) the store does not hold (first ${absent[0]}); upload them first`);
      }
    }
    return backend.put(chunk, signal);
  }

  async function receivePut(call: grpc.ServerReadableStream<PutChunk__Output, unknown>, signal: AbortSignal): Promise<{ stored: number; present: number }> {
    const counts = { stored: 0, present: 0 };
    const inFlight = new InFlight(putConcurrency);
    for await (const msg of call as AsyncIterable<PutChunk__Output>) {
      throwIfAborted(signal);
      counted('in', msg.data.length);
      await inFlight.add(putOne(msg, signal).then((outcome) => { counts[outcome]++; }));
    }
    await inFlight.drain();
    // A cancelled client never sees the reply; without this check a stream cut short by a
    // cancel could look like a complete upload in the logs.
    throwIfAborted(signal);
    return counts;
  }

  async function sendObject(call: grpc.ServerWritableStream<{ object_id: string }, Chunk>, signal: AbortSignal): Promise<void> {
    const id = call.request.object_id;
    assertChunkId(id, 'object_id');
    const head = await backend.get(id, signal);
    if (!head.manifest) throw invalid(`${id} is a data chunk, not an object`);
    const ids = decodeManifest(head.raw, id).chunks.map((c) => c.id);
    const send = async (chunk: VerifiedChunk): Promise<void> => {
      counted('out', chunk.data.length);
      if (!call.write(toWire(chunk))) await once(call, 'drain', { signal });
    };
    await send(head);
    const pending: Promise<VerifiedChunk>[] = [];
    let next = 0;
    const fill = (): void => {
      while (pending.length < readAhead && next < ids.length) {
        const read = backend.get(ids[next++]!, signal);
        read.catch(() => {}); // awaited below in order; this only stops an early failure being "unhandled"
        pending.push(read);
      }
    };
    fill();
    while (pending.length > 0) {
      const chunk = await pending.shift()!;
      fill();
      await send(chunk);
    }
  }

  return {
    Missing: unary(async (req, signal) => {
      if (req.ids.length > maxIdsPerCall) throw invalid(`ids: ${req.ids.length} ids in one call, at most ${maxIdsPerCall}`);
      req.ids.forEach((id) => assertChunkId(id));
      return { ids: await backend.missing(req.ids, signal) };
    }),

    Put: (call, callback) => {
      const signal = callSignal(call);
      // A cancelled call's stream may never end: destroying it ends the read loop.
      signal.addEventListener('abort', () => call.destroy(), { once: true });
      receivePut(call, signal).then(
        (counts) => callback(null, counts),
        (err) => {
          log.debug({ err }, 'put refused');
          callback(toServiceError(err));
        },
      );
    },

    Get: (call) => {
      const signal = callSignal(call);
      sendObject(call, signal).then(
        () => call.end(),
        (err) => {
          if (!signal.aborted) call.emit('error', toServiceError(err));
        },
      );
    },

    Stat: unary(async (req, signal) => {
      assertChunkId(req.object_id, 'object_id');
      const m = await loadManifest(backend, req.object_id, signal);
      return { object_id: req.object_id, size_bytes: m.sizeBytes, chunks: m.chunks.length, kind: m.kind };
    }),

    Stats: unary(async (_req, signal) => {
      const s = await storeStats(backend, signal);
      return { objects: s.objects, chunks: s.chunks, logical_bytes: s.logicalBytes, stored_bytes: s.storedBytes, dedup_ratio: s.dedupRatio };
    }),

    Gc: unary(async (req, signal) => {
      if (gcRunning) throw new ClusterError('QUEUE_FULL', 'a garbage collection is already running', { retryable: true });
      gcRunning = true;
      try {
        const r = await collectGarbage(backend, { roots: opts.roots, graceMs, dryRun: req.dry_run, signal });
        log.info({ ...r, missingRoots: r.missingRoots.length, dryRun: req.dry_run }, 'garbage collected');
        return { removed_chunks: r.removedChunks, removed_bytes: r.removedBytes, kept_chunks: r.keptChunks };
      } finally {
        gcRunning = false;
      }
    }),
  };
}
