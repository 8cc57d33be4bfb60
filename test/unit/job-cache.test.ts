// Compiled jobs by their text: a repeated job is compiled once and shared frozen; bad jobs and
// large ones are not kept.
import { describe, expect, it, vi } from 'vitest';
import { JobCache } from '../../scheduler/api/job-cache.js';

const job = (name: string) => JSON.stringify({ name, steps: { start: { run: { module: './m.js' } } } });

describe('job cache', () => {
  it('compiles a job text once and hands every submission the same frozen job', () => {
    const cache = new JobCache();
    const parse = vi.fn((text: string) => JSON.parse(text) as unknown);
    const a = cache.compile(job('a'), parse, 'submitted job');
    const again = cache.compile(job('a'), parse, 'submitted job');
    expect(again).toBe(a);
    expect(parse).toHaveBeenCalledTimes(1);
    expect(a.spec.steps.start!.run).toEqual({ module: './m.js', export: 'default' });
    expect(() => {
      (a.spec.steps.start!.resources as { cpuMilli: number }).cpuMilli = 1;
    }).toThrow(TypeError);
    expect(() => {
      (a.doc as { name: string }).name = 'b';
    }).toThrow(TypeError);
  });

  it('refuses a bad job every time, saying where', () => {
    const cache = new JobCache();
    const bad = JSON.stringify({ name: 'bad', steps: { start: { run: { module: '' } } } });
    for (let i = 0; i < 2; i++) expect(() => cache.compile(bad, JSON.parse, 'submitted job')).toThrow(/submitted job.*steps\.start\.run\.module/);
  });

  it('keeps the most recently used jobs up to its size', () => {
    const cache = new JobCache(2);
    const parse = vi.fn((text: string) => JSON.parse(text) as unknown);
    const a = cache.compile(job('a'), parse, 'job');
    cache.compile(job('b'), parse, 'job');
    cache.compile(job('a'), parse, 'job'); // a is now the most recent
    cache.compile(job('c'), parse, 'job'); // evicts b
    expect(cache.compile(job('a'), parse, 'job')).toBe(a);
    cache.compile(job('b'), parse, 'job');
    expect(parse).toHaveBeenCalledTimes(4);
  });

  it('compiles a large job each time and leaves it unfrozen', () => {
    const cache = new JobCache(256, 100);
    const big = JSON.stringify({ name: 'big', steps: {
      start: { run: { module: './m.js' }, foreach: Array.from({ length: 50 }, (_, i) => i), next: 'join' },
      join: { run: { module: './m.js' }, join: true },
    } });
    const first = cache.compile(big, JSON.parse, 'job');
    expect(cache.compile(big, JSON.parse, 'job')).not.toBe(first);
    expect(Object.isFrozen(first.spec)).toBe(false);
  });
});
