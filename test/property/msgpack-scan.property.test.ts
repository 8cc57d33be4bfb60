// Scanning encoded MessagePack (core/msgpack-scan.ts) against msgpackr: for any value, the scan
// ends where the encoding ends; an array's item offsets cut it into its items' encodings; a
// field path finds the encoding of the value at that path.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../../core/codec.js';
import { arrayItems, describeValueAt, fieldRange, valueEnd } from '../../core/msgpack-scan.js';

/** Values of every MessagePack form msgpackr writes: small and big ints, floats, long strings, bytes, nesting. */
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.integer(), fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null),
    fc.string(), fc.string({ minLength: 32, maxLength: 300 }), fc.uint8Array({ maxLength: 300 }),
  ),
  array: fc.array(tie('any'), { maxLength: 40 }),
  object: fc.dictionary(fc.string({ maxLength: 8 }), tie('any'), { maxKeys: 20 }),
  any: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('array'), tie('object')),
})).any;

describe('msgpack scan', () => {
  it('ends a value where its encoding ends', () => {
    fc.assert(fc.property(value, (v) => {
      const bytes = encodeValue(v);
      expect(valueEnd(bytes, 0)).toBe(bytes.length);
    }), { numRuns: 500 });
  });

  it('cuts an array into the encodings of its items', () => {
    fc.assert(fc.property(fc.array(value, { maxLength: 100 }), (items) => {
      const bytes = encodeValue(items);
      const list = arrayItems(bytes, 0)!;
      expect(list.count).toBe(items.length);
      // Asked out of order: a later item first, then the ones before it.
      if (items.length > 0) expect(decodeValue(list.at(items.length - 1))).toEqual(decodeValue(encodeValue(items.at(-1))));
      items.forEach((item, i) => expect(decodeValue(list.at(i))).toEqual(decodeValue(encodeValue(item))));
      if (items.length > 0) expect(list.at(items.length - 1).byteOffset + list.at(items.length - 1).byteLength - bytes.byteOffset).toBe(bytes.length);
      expect(() => list.at(items.length)).toThrow(RangeError);
    }), { numRuns: 300 });
  });

  it('finds the value at a field path', () => {
    fc.assert(fc.property(value, value, fc.string({ minLength: 1, maxLength: 6 }), (inner, other, key) => {
      const doc = { before: other, [key]: { list: inner }, after: other };
      const bytes = encodeValue(doc);
      const range = fieldRange(bytes, [key, 'list'])!;
      expect(decodeValue(bytes.subarray(range.start, range.end))).toEqual(decodeValue(encodeValue(inner)));
      expect(fieldRange(bytes, [key, 'nope'])).toBeUndefined();
    }), { numRuns: 300 });
  });

  it('handles arrays and maps of 16 and 65,536 entries (the wider headers)', () => {
    for (const n of [15, 16, 65_535, 65_536]) {
      const bytes = encodeValue({ items: Array.from({ length: n }, (_, i) => i * 3) });
      const range = fieldRange(bytes, ['items'])!;
      const list = arrayItems(bytes, range.start)!;
      expect(list.count).toBe(n);
      expect(decodeValue(list.at(n - 1))).toBe((n - 1) * 3);
    }
  });

  it('says what a value that is not a list is, and refuses bytes cut short', () => {
    expect(describeValueAt(encodeValue({ items: 'abc' }), fieldRange(encodeValue({ items: 'abc' }), ['items'])!.start)).toBe('string');
    expect(arrayItems(encodeValue(5), 0)).toBeUndefined();
    const bytes = encodeValue(['a long enough string value']);
    expect(() => valueEnd(bytes.subarray(0, bytes.length - 3), 0)).toThrow(/cut short/);
  });
});
