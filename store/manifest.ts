/**
 * An object's manifest: its kind, total size and the ids and sizes of its chunks in order. It is
 * itself stored as a chunk, and the object id is that chunk's id.
 *
 * Bytes: the magic "CDM\x01", then a msgpack map (records off, so any msgpack reader decodes it)
 * `{ kind, size, ids, sizes }` where `ids` is the binary digests concatenated (32 bytes each:
 * half the size of hex, and a manifest of a 1 GiB object stays near 0.5 MiB).
 */
import { Packr } from 'msgpackr';
import { ClusterError, invalid } from '../core/errors.js';
import type { ChunkBackend } from './backend.js';

export type ObjectKind = 'blob' | 'value' | 'tar';
export const objectKinds: readonly ObjectKind[] = ['blob', 'value', 'tar'];

export interface ChunkRef {
  id: string;
  sizeBytes: number;
}

export interface Manifest {
  kind: ObjectKind;
  sizeBytes: number;
  chunks: ChunkRef[];
}

const magic = Buffer.from('CDM\x01', 'latin1');
const digestBytes = 32;
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

interface Encoded {
  kind: unknown;
  size: unknown;
  ids: unknown;
  sizes: unknown;
}

export function encodeManifest(manifest: Manifest): Buffer {
  const ids = Buffer.alloc(manifest.chunks.length * digestBytes);
  manifest.chunks.forEach((c, i) => ids.write(c.id, i * digestBytes, 'hex'));
  const body = packr.pack({ kind: manifest.kind, size: manifest.sizeBytes, ids, sizes: manifest.chunks.map((c) => c.sizeBytes) });
  return Buffer.concat([magic, body]);
}

/** Decodes a manifest; throws CORRUPT (naming `id`) when the bytes are not a valid one. */
export function decodeManifest(raw: Buffer, id = '(unnamed)'): Manifest {
  const manifest = tryDecode(raw);
  if (typeof manifest === 'string') throw new ClusterError('CORRUPT', `object ${id}: not a valid manifest (${manifest})`);
  return manifest;
}

/** Whether raw chunk bytes are a valid manifest (data chunks almost never start with the magic). */
export function isManifestBytes(raw: Buffer): boolean {
  return raw.subarray(0, magic.length).equals(magic) && typeof tryDecode(raw) !== 'string';
}

/** The manifest, or why the bytes are not one. */
function tryDecode(raw: Buffer): Manifest | string {
  if (!raw.subarray(0, magic.length).equals(magic)) return 'no manifest magic';
  let body: Encoded;
  try {
    body = packr.unpack(raw.subarray(magic.length)) as Encoded;
  } catch (err) {
    return `msgpack: ${(err as Error).message}`;
  }
  if (body === null || typeof body !== 'object') return 'not a map';
  const { kind, size, ids, sizes } = body;
  if (typeof kind !== 'string' || !objectKinds.includes(kind as ObjectKind)) return `kind ${String(kind)} is not one of ${objectKinds.join(', ')}`;
  if (!Number.isSafeInteger(size) || (size as number) < 0) return `size ${String(size)} is not a byte count`;
  if (!(ids instanceof Uint8Array) || ids.length % digestBytes !== 0) return 'ids is not a list of 32-byte digests';
  if (!Array.isArray(sizes) || sizes.length !== ids.length / digestBytes) return 'sizes does not match ids';
  const idBuf = Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength);
  const chunks: ChunkRef[] = [];
  let total = 0;
  for (let i = 0; i < sizes.length; i++) {
    const s: unknown = sizes[i];
    if (!Number.isSafeInteger(s) || (s as number) <= 0) return `chunk ${i} has size ${String(s)}`;
    total += s as number;
    chunks.push({ id: idBuf.toString('hex', i * digestBytes, (i + 1) * digestBytes), sizeBytes: s as number });
  }
  if (total !== size) return `chunk sizes add up to ${total}, not ${String(size)}`;
  return { kind: kind as ObjectKind, sizeBytes: size as number, chunks };
}

/** Reads and decodes object `id` from a backend; INVALID_ARGUMENT when it is a plain chunk. */
export async function loadManifest(backend: ChunkBackend, id: string, signal?: AbortSignal): Promise<Manifest> {
  const chunk = await backend.get(id, signal);
  if (!chunk.manifest) throw invalid(`${id} is a data chunk, not an object`);
  return decodeManifest(chunk.raw, id);
}

/** Object `id`'s bytes read straight from a backend, every chunk verified (the scheduler's own reads). */
export async function readObject(backend: ChunkBackend, id: string, signal?: AbortSignal): Promise<Buffer> {
  const manifest = await loadManifest(backend, id, signal);
  const parts = await Promise.all(manifest.chunks.map(async (ref) => (await backend.get(ref.id, signal)).raw));
  return Buffer.concat(parts);
}
