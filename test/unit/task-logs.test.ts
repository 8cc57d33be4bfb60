// The live log buffer per task: bounded in lines, characters and characters per second, with
// what was left out said so (the agent's stored log keeps every line).
import { describe, expect, it } from 'vitest';
import { logLimits, TaskLogs } from '../../scheduler/flow/task-logs.js';

const line = (text: string) => ({ at_ms: 1, stream: 'log', text });

describe('TaskLogs', () => {
  it('cuts a line longer than the limit, saying how much was cut', () => {
    const logs = new TaskLogs(() => 0);
    logs.append('t', [line('x'.repeat(logLimits.lineChars + 10))]);
    const [kept] = logs.lines('t');
    expect(kept!.text).toMatch(/^x+… \[10 more characters cut\]$/);
  });

  it('keeps at most its characters, dropping the oldest lines and saying so', () => {
    let now = 0;
    const logs = new TaskLogs(() => now);
    const chunk = 'y'.repeat(1024);
    for (let i = 0; i < 3 * 1024; i++) {
      now += 1_000; // slow enough never to be throttled
      logs.append('t', [line(`${i} ${chunk}`)]);
    }
    const lines = logs.lines('t');
    const kept = lines.slice(1);
    expect(kept.reduce((n, l) => n + l.text!.length, 0)).toBeLessThanOrEqual(logLimits.charsPerTask);
    expect(kept.at(-1)!.text!.startsWith('3071 ')).toBe(true);
    expect(lines[0]!.text).toMatch(/^\[\d+ earlier lines dropped/);
  });

  it('refuses lines over the rate until time refills it, and counts them', () => {
    let now = 0;
    const logs = new TaskLogs(() => now);
    const big = 'z'.repeat(16_000); // under the line limit: not cut
    const throttledNow = () => Number(/^\[(\d+) lines not shown live: over 256 Ki characters\/s/.exec(logs.lines('t').find((l) => l.text!.includes('not shown live'))?.text ?? '')?.[1] ?? 0);
    logs.append('t', Array.from({ length: 100 }, () => line(big))); // 1.6 M characters at once: over the 1 Mi burst
    const passed = Math.floor(logLimits.charsPerTask / big.length);
    expect(throttledNow()).toBe(100 - passed);
    now += 1_000; // a second refills 256 Ki (plus what the burst left): 16 more lines pass
    logs.append('t', Array.from({ length: 20 }, () => line(big)));
    expect(throttledNow()).toBe(100 - passed + 4);
  });

  it('gives followers each line it keeps, and null at the end', () => {
    const logs = new TaskLogs(() => 0);
    const seen: Array<string | null> = [];
    logs.follow('t', (l) => seen.push(l ? l.text! : null));
    logs.append('t', [line('a'), line('b')]);
    logs.end('t');
    expect(seen).toEqual(['a', 'b', null]);
  });
});
