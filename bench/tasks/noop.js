// The benchmark's task: does nothing, so what is measured is clusterd's own cost per task.
export async function noop() {
  return 1;
}

/**
 * When it started, in fractional ms, for the latency benchmark's submit-to-start: on the wall
 * clock, and on the machine's monotonic clock (the same for every process of one machine; the
 * wall clock of a process is read once at its start, so a clock step between the benchmark's
 * start and the worker's shifts every reading).
 */
export async function started() {
  return { wallMs: performance.timeOrigin + performance.now(), monotonicMs: Number(process.hrtime.bigint()) / 1e6 };
}

/** @param {{ input: unknown }} ctx */
export async function count(ctx) {
  return Array.isArray(ctx.input) ? ctx.input.length : 0;
}

/** A task that takes `params.ms`: keeps agents busy for as long as the failover benchmark needs. @param {{ params: { ms: number } }} ctx */
export async function pause(ctx) {
  await new Promise((resolve) => setTimeout(resolve, ctx.params.ms));
  return 1;
}

/** The failover sweep's list: 20,000 items. */
export async function items() {
  return { items: Array.from({ length: 20_000 }, (_, i) => i) };
}
