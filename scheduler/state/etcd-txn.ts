/**
 * Turns a StateStore batch into the operations of one etcd transaction. A batch has sequential
 * meaning (later operations win), but etcd refuses a transaction that touches a key twice or
 * puts a key inside a range it deletes. So the batch is reduced to its net effect: one put or
 * delete per key, and delete ranges merged and split around keys a later put sets.
 */
import type { IRequestOp } from 'etcd3';
import type { WriteOp } from './state-store.js';

type Range = { start: Buffer; end: Buffer };

/** etcd's "prefix end": the smallest key greater than every key starting with `prefix`. */
export function prefixEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i]! += 1;
      return end;
    }
  }
  return Buffer.from([0]); // every byte is 0xff: the range runs to the end of the keyspace
}

/** The net effect of `ops` as non-overlapping etcd request ops, keys absolute under `prefix`. */
export function txnOps(prefix: string, ops: readonly WriteOp[]): IRequestOp[] {
  const keyed = new Map<string, Uint8Array | null>(); // null: deleted
  const ranges: Range[] = [];
  for (const op of ops) {
    if (op.op === 'put') keyed.set(op.key, op.value);
    else if (op.op === 'delete') keyed.set(op.key, null);
    else {
      for (const key of keyed.keys()) if (key.startsWith(op.prefix)) keyed.delete(key);
      const start = Buffer.from(prefix + op.prefix);
      ranges.push({ start, end: prefixEnd(start) });
    }
  }
  const puts: Buffer[] = [];
  const out: IRequestOp[] = [];
  for (const [key, value] of keyed) {
    const abs = Buffer.from(prefix + key);
    if (value !== null) {
      puts.push(abs);
      out.push({ request_put: { key: abs, value: Buffer.from(value.buffer, value.byteOffset, value.byteLength) } });
    } else if (!ranges.some((r) => inRange(abs, r))) {
      out.push({ request_delete_range: { key: abs } });
    }
  }
  for (const r of splitAround(merge(ranges), puts)) out.push({ request_delete_range: { key: r.start, range_end: r.end } });
  return out;
}

function inRange(key: Buffer, r: Range): boolean {
  return Buffer.compare(key, r.start) >= 0 && (isOpenEnd(r.end) || Buffer.compare(key, r.end) < 0);
}

const isOpenEnd = (end: Buffer) => end.length === 1 && end[0] === 0;

function merge(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => Buffer.compare(a.start, b.start));
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && (isOpenEnd(last.end) || Buffer.compare(r.start, last.end) <= 0)) {
      if (!isOpenEnd(last.end) && (isOpenEnd(r.end) || Buffer.compare(r.end, last.end) > 0)) last.end = r.end;
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/** Cuts each range so it no longer contains any of `keys`: [s, k) and [k\0, e). */
function splitAround(ranges: Range[], keys: Buffer[]): Range[] {
  const sortedKeys = [...keys].sort(Buffer.compare);
  const out: Range[] = [];
  for (const r of ranges) {
    let start = r.start;
    for (const key of sortedKeys) {
      if (!inRange(key, { start, end: r.end })) continue;
      if (Buffer.compare(start, key) < 0) out.push({ start, end: key });
      start = Buffer.concat([key, Buffer.from([0])]);
    }
    if (isOpenEnd(r.end) || Buffer.compare(start, r.end) < 0) out.push({ start, end: r.end });
  }
  return out;
}
