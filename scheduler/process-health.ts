/**
 * ProcessHealth: how this process is doing, as `clusterctl servers -o json` and the benchmarks
 * report it: the event loop's delay (perf_hooks.monitorEventLoopDelay) over the last one or two
 * windows, and memory. A window is `windowMs` long; when it closes its figures are kept and a
 * new one starts, so what is reported always covers between one and two windows.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { ProcessHealth } from '../proto/types.js';

const nsPerMs = 1e6;

export class ProcessHealthMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private previous = { p99Ms: 0, maxMs: 0 };
  private readonly timer: NodeJS.Timeout;

  constructor(windowMs = 10_000) {
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.previous = this.current();
      this.histogram.reset();
    }, windowMs);
    this.timer.unref();
  }

  health(): ProcessHealth {
    const current = this.current();
    const memory = process.memoryUsage();
    return {
      loop_delay_p99_ms: round(Math.max(current.p99Ms, this.previous.p99Ms)),
      loop_delay_max_ms: round(Math.max(current.maxMs, this.previous.maxMs)),
      rss_bytes: memory.rss,
      heap_used_bytes: memory.heapUsed,
      pid: process.pid,
    };
  }

  close(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  /** The delay beyond the sampling resolution (monitorEventLoopDelay counts the 10 ms timer in). */
  private current(): { p99Ms: number; maxMs: number } {
    if (this.histogram.count === 0) return { p99Ms: 0, maxMs: 0 };
    return { p99Ms: Math.max(0, this.histogram.percentile(99) / nsPerMs - 10), maxMs: Math.max(0, this.histogram.max / nsPerMs - 10) };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
