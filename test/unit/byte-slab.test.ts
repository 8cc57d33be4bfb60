import { describe, expect, it } from 'vitest';
import { ByteSlab } from '../../core/byte-slab.js';

describe('ByteSlab', () => {
  it('keeps copies that do not change with their source, small ones sharing a slab', () => {
    const slab = new ByteSlab(16, 8);
    const source = Uint8Array.from([1, 2, 3]);
    const a = slab.keep(source);
    const b = slab.keep(Uint8Array.from([4, 5]));
    source[0] = 9;
    expect([...a]).toEqual([1, 2, 3]);
    expect([...b]).toEqual([4, 5]);
    expect(a.buffer).toBe(b.buffer);
  });

  it('starts a new slab when one is full, leaving what the old one holds intact', () => {
    const slab = new ByteSlab(4, 4);
    const a = slab.keep(Uint8Array.from([1, 2, 3]));
    const b = slab.keep(Uint8Array.from([4, 5]));
    expect(a.buffer).not.toBe(b.buffer);
    expect([...a, ...b]).toEqual([1, 2, 3, 4, 5]);
  });

  it('gives a byte string over the largest a slab takes a buffer of its own', () => {
    const slab = new ByteSlab(64, 4);
    const big = slab.keep(new Uint8Array(10).fill(7));
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(10);
    expect(slab.keep(new Uint8Array(0)).byteLength).toBe(0);
  });
});
