/**
 * The embedded store's durable log: one record per commit, appended with a single positional
 * write and fdatasync, replayed on open.
 *
 *   file   = magic "CLDLOG01" record*
 *   record = u32le payloadLength  u32le checksum(payload)  payload
 *   payload = msgpack of the commit's WriteOp[]
 *
 * A crash can only tear the last record (nothing is written after an unacknowledged one), so a
 * short or mis-checksummed record that ends exactly at EOF is dropped and truncated away; a bad
 * record anywhere else is corruption and refuses to open. A snapshot is the same format holding
 * only puts of the live data, written to a temp file, fsynced and renamed over the log.
 */
import { createHash } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Packr } from 'msgpackr';
import { ClusterError } from '../../core/errors.js';
import type { WriteOp } from './state-store.js';

const magic = Buffer.from('CLDLOG01');
const headerBytes = 8;
const packr = new Packr({ useRecords: false, moreTypes: false });

export interface Replayed {
  groups: WriteOp[][];
  /** Bytes of the valid log (after any torn tail was cut). */
  sizeBytes: number;
  tornTailBytes: number;
}

export class CommitLog {
  private constructor(private readonly path: string, private fh: FileHandle, private size: number) {}

  get sizeBytes(): number {
    return this.size;
  }

  /** Opens (creating) the log and returns it with the commits it holds, oldest first. */
  static async open(path: string): Promise<{ log: CommitLog; replayed: Replayed }> {
    const fh = await openOrCreate(path);
    try {
      const bytes = await fh.readFile();
      if (bytes.length === 0) {
        await writeFully(fh, magic, 0);
        await fh.sync();
        await syncDir(dirname(path));
        return { log: new CommitLog(path, fh, magic.length), replayed: { groups: [], sizeBytes: magic.length, tornTailBytes: 0 } };
      }
      const replayed = parse(bytes, path);
      if (replayed.tornTailBytes > 0) {
        await fh.truncate(replayed.sizeBytes);
        await fh.datasync();
      }
      return { log: new CommitLog(path, fh, replayed.sizeBytes), replayed };
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Appends one commit durably. On failure the file is cut back so no torn record stays. */
  async append(ops: readonly WriteOp[]): Promise<void> {
    const record = encodeRecord(ops);
    try {
      await writeFully(this.fh, record, this.size);
      await this.fh.datasync();
    } catch (err) {
      await this.fh.truncate(this.size).catch(() => undefined);
      throw new ClusterError('UNAVAILABLE', `state log ${this.path}: append failed: ${String(err)}`, { cause: err });
    }
    this.size += record.length;
  }

  /** Replaces the log with a snapshot of `groups` (temp + fsync + rename + dir fsync). */
  async rewrite(groups: Iterable<readonly WriteOp[]>): Promise<void> {
    const temp = join(dirname(this.path), `.${basename(this.path)}.compacting`);
    // The temp file's handle becomes the log's: after the rename it is the same inode, so there
    // is no moment where appends could go to a file that is no longer the log.
    const out = await open(temp, 'w+');
    let size = 0;
    try {
      size += await writeFully(out, magic, size);
      for (const ops of groups) size += await writeFully(out, encodeRecord(ops), size);
      await out.sync();
      await rename(temp, this.path);
    } catch (err) {
      await out.close();
      await unlink(temp).catch(() => undefined);
      throw new ClusterError('UNAVAILABLE', `state log ${this.path}: compaction failed: ${String(err)}`, { cause: err });
    }
    const previous = this.fh;
    this.fh = out;
    this.size = size;
    await previous.close();
    await syncDir(dirname(this.path));
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

function encodeRecord(ops: readonly WriteOp[]): Buffer {
  const payload = packr.pack(ops);
  const record = Buffer.allocUnsafe(headerBytes + payload.length);
  record.writeUInt32LE(payload.length, 0);
  record.writeUInt32LE(checksum(payload), 4);
  payload.copy(record, headerBytes);
  return record;
}

function parse(bytes: Buffer, path: string): Replayed {
  if (bytes.length < magic.length || !bytes.subarray(0, magic.length).equals(magic)) {
    throw new ClusterError('CORRUPT', `${path} is not a clusterd state log`);
  }
  const groups: WriteOp[][] = [];
  let offset = magic.length;
  while (offset < bytes.length) {
    const end = offset + headerBytes + (bytes.length - offset >= headerBytes ? bytes.readUInt32LE(offset) : 0);
    const complete = bytes.length - offset >= headerBytes && end <= bytes.length;
    const payload = complete ? bytes.subarray(offset + headerBytes, end) : undefined;
    if (!payload || checksum(payload) !== bytes.readUInt32LE(offset + 4)) {
      if (!complete || end === bytes.length) return { groups, sizeBytes: offset, tornTailBytes: bytes.length - offset };
      throw new ClusterError('CORRUPT', `${path}: damaged record at byte ${offset} (not the tail)`);
    }
    groups.push(packr.unpack(payload) as WriteOp[]);
    offset = end;
  }
  return { groups, sizeBytes: offset, tornTailBytes: 0 };
}

function checksum(payload: Uint8Array): number {
  return createHash('sha256').update(payload).digest().readUInt32LE(0);
}

async function writeFully(fh: FileHandle, buf: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
  return done;
}

async function openOrCreate(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return open(path, 'w+');
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
