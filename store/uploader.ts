/**
 * The upload pipeline of an object: chunk → hash + lz4 → batch → ask which are missing → send
 * only those, a few batches in flight → the manifest last, once every data chunk is
 * acknowledged as durable. Memory stays near `maxInFlight × batchBytes` whatever the object size.
 */
import { chunkStream, type ChunkSizes } from './chunker.js';
import type { ChunkBackend } from './backend.js';
import { encodeChunk, verifyChunk, type StoredChunk } from './chunk-codec.js';
import { InFlight, throwIfAborted } from './concurrency.js';
import { encodeManifest, type ChunkRef, type Manifest, type ObjectKind } from './manifest.js';

/** What the pipeline needs from the store: the two upload calls. */
export interface UploadTransport {
  missing(ids: string[], signal?: AbortSignal): Promise<string[]>;
  /** Resolves once every chunk sent is durable in the store. */
  put(chunks: StoredChunk[], signal?: AbortSignal): Promise<void>;
}

export interface UploadOptions {
  /** Stored bytes per Missing + Put round. Default 4 MiB. */
  batchBytes?: number;
  /** Batches in flight at once. Default 4: enough to keep a loopback link busy while chunking. */
  maxInFlight?: number;
  chunkSizes?: ChunkSizes;
  signal?: AbortSignal;
}

export interface UploadResult {
  objectId: string;
  manifest: Manifest;
  /** Chunks and stored bytes actually sent (the rest the store already held). */
  sentChunks: number;
  sentBytes: number;
}

/** Chunks, hashes and compresses a byte stream: the CPU side of an upload, on its own. */
/** Chunks per batch at most: well under the server's Missing limit even when lz4 packs 256 KiB into 1 KiB. */
const maxBatchChunks = 1024;

export async function* encodeChunks(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, sizes?: ChunkSizes): AsyncGenerator<StoredChunk> {
  for await (const raw of chunkStream(source, sizes)) yield encodeChunk(raw);
}

export async function uploadObject(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, kind: ObjectKind, transport: UploadTransport, opts: UploadOptions = {}): Promise<UploadResult> {
  const { signal } = opts;
  const batchLimit = opts.batchBytes ?? 4 * 1024 * 1024;
  const inFlight = new InFlight(opts.maxInFlight ?? 4);
  const refs: ChunkRef[] = [];
  // Ids already queued in this upload: a chunk repeated inside one object is sent once.
  const queued = new Set<string>();
  const sent = { chunks: 0, bytes: 0 };

  const sendBatch = async (batch: StoredChunk[]): Promise<void> => {
    const absent = new Set(await transport.missing(batch.map((c) => c.id), signal));
    const toSend = batch.filter((c) => absent.has(c.id));
    if (toSend.length === 0) return;
    await transport.put(toSend, signal);
    sent.chunks += toSend.length;
    sent.bytes += toSend.reduce((n, c) => n + c.data.length, 0);
  };

  let batch: StoredChunk[] = [];
  let batchBytes = 0;
  let sizeBytes = 0;
  for await (const chunk of encodeChunks(source, opts.chunkSizes)) {
    throwIfAborted(signal, 'upload');
    refs.push({ id: chunk.id, sizeBytes: chunk.rawSize });
    sizeBytes += chunk.rawSize;
    if (queued.has(chunk.id)) continue;
    queued.add(chunk.id);
    batch.push(chunk);
    batchBytes += chunk.data.length;
    if (batchBytes >= batchLimit || batch.length >= maxBatchChunks) {
      await inFlight.add(sendBatch(batch));
      batch = [];
      batchBytes = 0;
    }
  }
  if (batch.length > 0) await inFlight.add(sendBatch(batch));
  await inFlight.drain();
  throwIfAborted(signal, 'upload');

  const manifest: Manifest = { kind, sizeBytes, chunks: refs };
  const head = encodeChunk(encodeManifest(manifest));
  await sendBatch([head]);
  return { objectId: head.id, manifest, sentChunks: sent.chunks, sentBytes: sent.bytes };
}

/**
 * Writes bytes (or a stream of them) as an object straight into a backend (the scheduler's own
 * writes, e.g. a compacted run's task records): the same chunks and manifest as an upload,
 * without the network.
 */
export async function writeObject(backend: ChunkBackend, data: Uint8Array | AsyncIterable<Uint8Array>, kind: ObjectKind): Promise<string> {
  const result = await uploadObject(data instanceof Uint8Array ? [data] : data, kind, {
    missing: (ids, signal) => backend.missing(ids, signal),
    put: async (chunks, signal) => {
      for (const chunk of chunks) await backend.put(verifyChunk(chunk), signal);
    },
  });
  return result.objectId;
}
