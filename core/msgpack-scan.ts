/**
 * Finding values inside encoded MessagePack without decoding them: where the value at a map path
 * is, and where each item of an encoded array starts. A `foreach: { from: STEP.field }` over a
 * million items takes its items as views into the producer's result this way: decoding the list
 * and encoding each item again cost ~0.5 s for a million, on the scheduler's event loop.
 */
import { ClusterError } from './errors.js';

/** An encoded value: `bytes[start, end)`. */
export interface EncodedRange {
  start: number;
  end: number;
}

/** Offset just past the value that starts at `at`. */
export function valueEnd(bytes: Uint8Array, at: number): number {
  let pending = 1; // values still to skip: containers add their elements
  let i = at;
  while (pending > 0) {
    if (i >= bytes.length) throw truncated(at);
    const b = bytes[i]!;
    pending--;
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) i += 1;
    else if (b <= 0x8f) { pending += 2 * (b & 0x0f); i += 1; }
    else if (b <= 0x9f) { pending += b & 0x0f; i += 1; }
    else if (b <= 0xbf) i += 1 + (b & 0x1f);
    else {
      switch (b) {
        case 0xc4: case 0xd9: i += 2 + uint(bytes, i + 1, 1); break; // bin8, str8
        case 0xc5: case 0xda: i += 3 + uint(bytes, i + 1, 2); break; // bin16, str16
        case 0xc6: case 0xdb: i += 5 + uint(bytes, i + 1, 4); break; // bin32, str32
        case 0xc7: i += 3 + uint(bytes, i + 1, 1); break; // ext8
        case 0xc8: i += 4 + uint(bytes, i + 1, 2); break; // ext16
        case 0xc9: i += 6 + uint(bytes, i + 1, 4); break; // ext32
        case 0xca: case 0xce: case 0xd2: i += 5; break; // float32, uint32, int32
        case 0xcb: case 0xcf: case 0xd3: i += 9; break; // float64, uint64, int64
        case 0xcc: case 0xd0: i += 2; break; // uint8, int8
        case 0xcd: case 0xd1: i += 3; break; // uint16, int16
        case 0xd4: i += 3; break; case 0xd5: i += 4; break; case 0xd6: i += 6; break; case 0xd7: i += 10; break; case 0xd8: i += 18; break; // fixext
        case 0xdc: pending += uint(bytes, i + 1, 2); i += 3; break; // array16
        case 0xdd: pending += uint(bytes, i + 1, 4); i += 5; break; // array32
        case 0xde: pending += 2 * uint(bytes, i + 1, 2); i += 3; break; // map16
        case 0xdf: pending += 2 * uint(bytes, i + 1, 4); i += 5; break; // map32
        default: throw new ClusterError('INVALID_ARGUMENT', `not MessagePack: byte 0x${b.toString(16)} at offset ${i}`);
      }
    }
  }
  if (i > bytes.length) throw truncated(at);
  return i;
}

/** The value at `path` (map keys, outermost first), or undefined where some key is missing or a value on the way is not a map. */
export function fieldRange(bytes: Uint8Array, path: readonly string[], from: EncodedRange = { start: 0, end: bytes.length }): EncodedRange | undefined {
  let range = from;
  for (const key of path) {
    const header = containerHeader(bytes, range.start);
    if (header?.kind !== 'map') return undefined;
    let at = header.first;
    let found: EncodedRange | undefined;
    for (let k = 0; k < header.count && !found; k++) {
      const keyEnd = valueEnd(bytes, at);
      const valueStart = keyEnd;
      const valueStop = valueEnd(bytes, valueStart);
      if (stringAt(bytes, at, keyEnd) === key) found = { start: valueStart, end: valueStop };
      at = valueStop;
    }
    if (!found) return undefined;
    range = found;
  }
  return range;
}

/**
 * The items of the array encoded at `start`, or undefined when the value there is not an array.
 * Its items are found as they are asked for, up to the highest asked so far, not all at once:
 * one scan of a million items held the event loop ~20 ms (longer for items that are maps), and
 * a sweep asks for them a slice at a time as it places its tasks.
 */
export function arrayItems(bytes: Uint8Array, start: number): EncodedArray | undefined {
  const header = containerHeader(bytes, start);
  return header?.kind === 'array' ? new EncodedArray(bytes, header.count, header.first) : undefined;
}

export class EncodedArray {
  /** Where item i starts, for i < found; offsets[count] is where the array ends. */
  private readonly offsets: Uint32Array;
  private found = 1;

  constructor(private readonly bytes: Uint8Array, readonly count: number, first: number) {
    this.offsets = new Uint32Array(count + 1);
    this.offsets[0] = first;
  }

  /** Item `i`'s encoding: a view into the array's bytes. */
  at(i: number): Uint8Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`item ${i} of an array of ${this.count}`);
    for (; this.found <= i + 1; this.found++) this.offsets[this.found] = valueEnd(this.bytes, this.offsets[this.found - 1]!);
    return this.bytes.subarray(this.offsets[i]!, this.offsets[i + 1]!);
  }
}

/** What kind of value starts at `at`, for the error of a field that is not a list. */
export function describeValueAt(bytes: Uint8Array, at: number): string {
  const b = bytes[at];
  if (b === undefined) return 'nothing';
  if (b === 0xc0) return 'null';
  if (b === 0xc2 || b === 0xc3) return 'boolean';
  if ((b >= 0x80 && b <= 0x8f) || b === 0xde || b === 0xdf) return 'object';
  if ((b >= 0xa0 && b <= 0xbf) || b === 0xd9 || b === 0xda || b === 0xdb) return 'string';
  if (b >= 0xc4 && b <= 0xc6) return 'bytes';
  return 'number';
}

function containerHeader(bytes: Uint8Array, at: number): { kind: 'map' | 'array'; count: number; first: number } | undefined {
  const b = bytes[at];
  if (b === undefined) return undefined;
  if (b >= 0x80 && b <= 0x8f) return { kind: 'map', count: b & 0x0f, first: at + 1 };
  if (b >= 0x90 && b <= 0x9f) return { kind: 'array', count: b & 0x0f, first: at + 1 };
  if (b === 0xde) return { kind: 'map', count: uint(bytes, at + 1, 2), first: at + 3 };
  if (b === 0xdf) return { kind: 'map', count: uint(bytes, at + 1, 4), first: at + 5 };
  if (b === 0xdc) return { kind: 'array', count: uint(bytes, at + 1, 2), first: at + 3 };
  if (b === 0xdd) return { kind: 'array', count: uint(bytes, at + 1, 4), first: at + 5 };
  return undefined;
}

/** The string encoded in `bytes[start, end)`, or undefined when that is not a string. */
function stringAt(bytes: Uint8Array, start: number, end: number): string | undefined {
  const b = bytes[start]!;
  const skip = b >= 0xa0 && b <= 0xbf ? 1 : b === 0xd9 ? 2 : b === 0xda ? 3 : b === 0xdb ? 5 : -1;
  if (skip < 0) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset + start + skip, end - start - skip).toString('utf8');
}

function uint(bytes: Uint8Array, at: number, size: 1 | 2 | 4): number {
  if (at + size > bytes.length) throw truncated(at);
  let n = 0;
  for (let k = 0; k < size; k++) n = n * 256 + bytes[at + k]!;
  return n;
}

function truncated(at: number): ClusterError {
  return new ClusterError('INVALID_ARGUMENT', `not MessagePack: the value at offset ${at} is cut short`);
}
