// The benchmark's task: does nothing, so what is measured is clusterd's own cost per task.
export async function noop() {
  return 1;
}

/** @param {{ input: unknown }} ctx */
export async function count(ctx) {
  return Array.isArray(ctx.input) ? ctx.input.length : 0;
}
