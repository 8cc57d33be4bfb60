import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue, ownBytes, spliceArray, spliceMap } from '../../core/codec.js';

describe('codec splicing', () => {
  it.each([0, 1, 15, 16, 70_000])('splices %d encoded values into the array they would encode as', (n) => {
    const values = Array.from({ length: n }, (_, i) => ({ i, name: `v${i}` }));
    expect(decodeValue(spliceArray(values.map(encodeValue)))).toEqual(values);
  });

  it('splices named values into a map, empty ones as null', () => {
    const map = spliceMap([['a', encodeValue([1, 2])], ['b', new Uint8Array(0)], ['c', encodeValue('x')]]);
    expect(decodeValue(map)).toEqual({ a: [1, 2], b: null, c: 'x' });
  });

  it('round-trips plain values without records', () => {
    const value = { n: 1.5, big: 2 ** 40, list: [true, null, 'z'], nested: { deep: [1] } };
    expect(decodeValue(encodeValue(value))).toEqual(value);
  });
});

describe('ownBytes', () => {
  it('copies a view into a larger buffer to memory of its own, and keeps bytes that own theirs', () => {
    const pooled = Buffer.from([1, 2, 3]); // small Buffers are views into Node's shared pool
    expect(pooled.buffer.byteLength).toBeGreaterThan(3);
    const own = ownBytes(pooled);
    expect([...own]).toEqual([1, 2, 3]);
    expect(own.buffer.byteLength).toBe(3);
    const whole = new Uint8Array([4, 5]);
    expect(ownBytes(whole)).toBe(whole);
  });
});
