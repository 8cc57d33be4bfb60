// The computed sweep's steps: a list of items, a task per item that computes for `work_ms` of
// CPU (0: none) and returns its item, and a join that checks every item came back in order.

/** @param {any} ctx */
export function items(ctx) {
  return { items: Array.from({ length: ctx.params.items }, (_, i) => i) };
}

/** @param {any} ctx */
export function work(ctx) {
  const end = performance.now() + ctx.params.work_ms;
  while (performance.now() < end) { /* computing */ }
  return ctx.item;
}

/** @param {any} ctx */
export function total(ctx) {
  const wrong = ctx.input.findIndex((/** @type {number} */ v, /** @type {number} */ i) => v !== i);
  if (wrong >= 0) throw new Error(`item ${wrong} came back as ${JSON.stringify(ctx.input[wrong])}`);
  return { items: ctx.input.length };
}
