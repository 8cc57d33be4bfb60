/**
 * Chunk store benchmark:
 * - upload throughput of a mixed corpus (text, random, repeated) through the real gRPC path
 *   (StoreClient → loopback → service → fs backend with fsync, and a memory backend to show the
 *   disk's share), beside the single-core limit of chunking + sha256 + lz4 on the same bytes;
 * - dedup of 10 checkpoints of 64 MiB, each differing from the previous in 1% of its bytes,
 *   for three chunk-size settings (the evidence for defaultChunkSizes);
 * - sha256 against BLAKE3 on 64 KiB chunks, when a BLAKE3 binding is installed.
 *
 * "1% of bytes at random places" is taken as runs of 4 KiB at random offsets (a changed slice
 * of a tensor). 1% of single bytes scattered uniformly would put an edit every ~100 bytes, so
 * every chunk of any content-defined size would change and nothing could dedup.
 *
 * Run: `node dist/bench/store.js [sizeMiB]` prints the result as JSON.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { compressSync } from 'lz4-napi';
import { verifyChunk } from '../store/chunk-codec.js';
import { chunkStream, defaultChunkSizes, type ChunkSizes } from '../store/chunker.js';
import { StoreClient } from '../store/client.js';
import { storeStats } from '../store/gc.js';
import { MemoryBackend } from '../store/memory-backend.js';
import { encodeChunks, uploadObject } from '../store/uploader.js';
import { median, round } from './stats.js';
import { blocksOf, checkpoints, mixedCorpus } from './store-data.js';
import { startStoreWorker, type BenchBackend } from './store-worker.js';

export interface StoreBenchOptions {
  /** Mixed corpus size; default 1 GiB. */
  sizeBytes?: number;
  log?: (line: string) => void;
  /** Repeats of each throughput figure; the median is reported. Default 3. */
  runs?: number;
}

const MiB = 1024 * 1024;
const mbps = (bytes: number, ms: number): number => round(bytes / MiB / (ms / 1000), 1);
const sizeLabel = (s: ChunkSizes): string => [s.minBytes, s.avgBytes, s.maxBytes].map((b) => (b >= MiB ? `${b / MiB}M` : `${b / 1024}K`)).join('/');
const candidateSizes: ChunkSizes[] = [
  defaultChunkSizes,
  { minBytes: 64 * 1024, avgBytes: 256 * 1024, maxBytes: MiB },
  { minBytes: 256 * 1024, avgBytes: MiB, maxBytes: 4 * MiB },
];

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function medianMBps(runs: number, bytes: number, fn: () => Promise<unknown> | unknown): Promise<{ median: number; runs: number[] }> {
  const all: number[] = [];
  for (let i = 0; i < runs; i++) all.push(mbps(bytes, await timed(fn)));
  return { median: median(all), runs: all };
}

/** Single-core costs of each upload stage on the corpus. */
async function pipelineLimits(corpus: Buffer, runs: number) {
  const chunks: Buffer[] = [];
  for await (const c of chunkStream(blocksOf(corpus))) chunks.push(c);
  const chunk = await medianMBps(runs, corpus.length, async () => { for await (const _ of chunkStream(blocksOf(corpus))); });
  const sha256 = await medianMBps(runs, corpus.length, () => { for (const c of chunks) createHash('sha256').update(c).digest('hex'); });
  const blake3 = await loadBlake3();
  const blake = blake3 ? await medianMBps(runs, corpus.length, () => { for (const c of chunks) blake3(c).toString('hex'); }) : undefined;
  const lz4Every = await medianMBps(runs, corpus.length, () => { for (const c of chunks) compressSync(c); });
  const limit = await medianMBps(runs, corpus.length, async () => { for await (const _ of encodeChunks(blocksOf(corpus))); });
  return {
    chunks: chunks.length,
    meanChunkBytes: Math.round(corpus.length / chunks.length),
    chunkMBps: chunk.median,
    sha256MBps: sha256.median,
    blake3MBps: blake?.median ?? null,
    lz4EveryChunkMBps: lz4Every.median,
    singleCoreLimitMBps: limit.median,
  };
}

/** BLAKE3 from @napi-rs/blake-hash if installed (not a dependency: measured, not used). */
async function loadBlake3(): Promise<((b: Buffer) => Buffer) | undefined> {
  const name = '@napi-rs/blake-hash';
  try {
    return ((await import(name)) as { blake3: (b: Buffer) => Buffer }).blake3;
  } catch {
    return undefined;
  }
}

/** One upload (and download) of the corpus through gRPC into a fresh store served by another thread. */
async function grpcRun(corpus: Buffer, kind: BenchBackend, chunkSizes?: ChunkSizes) {
  const server = await startStoreWorker(kind);
  const client = new StoreClient(server.addr, chunkSizes ? { chunkSizes } : {});
  try {
    let id = '';
    const upMs = await timed(async () => { id = await client.putObject(blocksOf(corpus), 'blob'); });
    let back: Buffer = Buffer.alloc(0);
    const downMs = await timed(async () => { back = await client.getObject(id); });
    if (!back.equals(corpus)) throw new Error('store bench: downloaded bytes differ from the upload');
    return { uploadMBps: mbps(corpus.length, upMs), downloadMBps: mbps(corpus.length, downMs), storedBytes: (await client.stats()).storedBytes };
  } finally {
    await client.close();
    await server.close();
  }
}

async function grpcThroughput(corpus: Buffer, kind: BenchBackend, runs: number, chunkSizes?: ChunkSizes) {
  const all = [];
  for (let i = 0; i < runs; i++) all.push(await grpcRun(corpus, kind, chunkSizes));
  return {
    uploadMBps: median(all.map((r) => r.uploadMBps)),
    downloadMBps: median(all.map((r) => r.downloadMBps)),
    uploadRunsMBps: all.map((r) => r.uploadMBps),
    storedBytes: all[0]!.storedBytes,
  };
}

/** Stores 10 checkpoints in one store (in process: bytes, not speed, are measured here). */
async function checkpointDedup(sizes: ChunkSizes, checkpointBytes: number) {
  const backend = new MemoryBackend();
  const direct = {
    missing: (ids: string[]) => backend.missing(ids),
    put: async (chunks: Parameters<typeof verifyChunk>[0][]) => { for (const c of chunks) await backend.put(verifyChunk(c)); },
  };
  const newBytes: number[] = [];
  for (const cp of checkpoints({ count: 10, sizeBytes: checkpointBytes, changedShare: 0.01, editRunBytes: 4096 })) {
    newBytes.push((await uploadObject(blocksOf(cp), 'blob', direct, { chunkSizes: sizes })).sentBytes);
  }
  const s = await storeStats(backend);
  return {
    chunkSizes: sizeLabel(sizes),
    logicalBytes: s.logicalBytes,
    storedBytes: s.storedBytes,
    dedupRatio: round(s.dedupRatio, 2),
    /** Median bytes sent per checkpoint after the first. */
    newBytesPerCheckpoint: median(newBytes.slice(1)),
  };
}

export async function runStoreBench(opts: StoreBenchOptions = {}) {
  const sizeBytes = opts.sizeBytes ?? 1024 * MiB;
  const runs = opts.runs ?? 3;
  const log = opts.log ?? (() => {});
  const corpus = mixedCorpus(sizeBytes);
  log(`store: corpus ${round(sizeBytes / MiB, 0)} MiB (text, random, repeated), ${runs} runs each, medians`);

  const pipeline = await pipelineLimits(corpus, runs);
  log(`store: single core: chunk ${pipeline.chunkMBps} MB/s, sha256 ${pipeline.sha256MBps}, blake3 ${pipeline.blake3MBps ?? 'n/a'}, lz4 on every chunk ${pipeline.lz4EveryChunkMBps}; chunk+hash+lz4 ${pipeline.singleCoreLimitMBps} MB/s`);

  const fsUpload = await grpcThroughput(corpus, 'fs', runs);
  const memUpload = await grpcThroughput(corpus, 'memory', runs);
  const ratio = round(fsUpload.uploadMBps / pipeline.singleCoreLimitMBps, 2);
  log(`store: gRPC upload fs ${fsUpload.uploadMBps} MB/s (memory backend ${memUpload.uploadMBps}), ${ratio}x the single-core limit; download fs ${fsUpload.downloadMBps} MB/s`);

  const checkpointBytes = Math.min(64 * MiB, Math.max(4 * MiB, Math.floor(sizeBytes / 16)));
  const bySize = [];
  for (const sizes of candidateSizes) {
    const dedup = await checkpointDedup(sizes, checkpointBytes);
    const slice = corpus.subarray(0, Math.min(corpus.length, 256 * MiB));
    const upload = await grpcThroughput(slice, 'memory', runs, sizes);
    bySize.push({ ...dedup, grpcUploadMBps: upload.uploadMBps });
    log(`store: chunks ${dedup.chunkSizes}: 10 checkpoints ${round(dedup.logicalBytes / MiB, 0)} MiB logical -> ${round(dedup.storedBytes / MiB, 1)} MiB stored (x${dedup.dedupRatio}), ${round(dedup.newBytesPerCheckpoint / MiB, 2)} MiB new per checkpoint; gRPC upload ${upload.uploadMBps} MB/s`);
  }

  return {
    corpusBytes: sizeBytes,
    runs,
    cpus: os.cpus().length,
    pipeline,
    upload: {
      fs: fsUpload,
      memory: memUpload,
      /** gRPC upload to the fs backend over the single-core chunk+hash+lz4 limit. */
      ratioToSingleCore: ratio,
    },
    checkpoints: { count: 10, checkpointBytes, changedShare: 0.01, editRunBytes: 4096, bySize },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizeMiB = Number(process.argv[2] ?? 1024);
  runStoreBench({ sizeBytes: sizeMiB * MiB, log: (line) => process.stderr.write(`${line}\n`) })
    .then((result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exitCode = 1;
    });
}
