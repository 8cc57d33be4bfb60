// The benchmark's task: does nothing, so what is measured is clusterd's own cost per task.
export async function noop() {
  return 1;
}

/** When it started, on the wall clock in fractional ms: the latency benchmark's submit-to-start. */
export async function started() {
  return performance.timeOrigin + performance.now();
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
