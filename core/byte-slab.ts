/**
 * Copies small byte strings into shared slabs, for data held by the hundred thousand: a copy
 * of its own costs a few-byte result ~200 bytes of heap in three objects (view, buffer, backing
 * store) that every garbage collection traces; a view into a slab costs one object of ~96.
 * A slab lives while any view into it does, so hold in one slab only what dies together
 * (a run's task results: they go when the run is compacted).
 */
export class ByteSlab {
  private slab = new Uint8Array(0);
  private used = 0;

  constructor(private readonly slabBytes = 64 * 1024, private readonly largest = 1024) {}

  /** A copy of `bytes` that shares nothing with them; in a slab when small, else of its own. */
  keep(bytes: Uint8Array): Uint8Array {
    const n = bytes.byteLength;
    if (n > this.largest) return new Uint8Array(bytes);
    if (this.used + n > this.slab.byteLength) {
      this.slab = new Uint8Array(this.slabBytes);
      this.used = 0;
    }
    const start = this.used;
    this.slab.set(bytes, start);
    this.used += n;
    return this.slab.subarray(start, this.used);
  }
}
