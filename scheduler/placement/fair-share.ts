/**
 * Fair sharing between projects by dominant resource fairness (DRF, Ghodsi et al. 2011):
 *
 *   share_p = max over d in { cpu, memory, gpu } of usage_p,d / cluster_total_d
 *
 * Each placement goes to the project with the lowest dominant share that still has a task that
 * can be tried in this pass; ties go to the project whose next task was submitted first. A
 * 10,000-task sweep therefore cannot starve a 5-task job of another project submitted after it:
 * as soon as room frees, the small project's share (near 0) is the lowest. A GPU-heavy project
 * and a CPU-heavy one are compared on what each uses most of, not on one resource.
 */
import type { Resources } from '../../core/resources.js';

export function dominantShare(usage: Resources, totals: Resources): number {
  let share = 0;
  if (totals.cpuMilli > 0) share = Math.max(share, usage.cpuMilli / totals.cpuMilli);
  if (totals.memoryBytes > 0) share = Math.max(share, usage.memoryBytes / totals.memoryBytes);
  if (totals.gpus > 0) share = Math.max(share, usage.gpus / totals.gpus);
  return share;
}

interface Turn<T> {
  item: T;
  share: number;
  nextSeq: number;
}

/** A binary min-heap of projects' turns by (dominant share, seq of their next task). */
export class FairShareHeap<T> {
  private readonly turns: Array<Turn<T>> = [];

  get size(): number {
    return this.turns.length;
  }

  push(item: T, share: number, nextSeq: number): void {
    const turns = this.turns;
    turns.push({ item, share, nextSeq });
    let i = turns.length - 1;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!before(turns[i]!, turns[parent]!)) break;
      [turns[i], turns[parent]] = [turns[parent]!, turns[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const turns = this.turns;
    const top = turns[0];
    const last = turns.pop();
    if (!top || !last) return undefined;
    if (turns.length > 0) {
      turns[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < turns.length && before(turns[left]!, turns[smallest]!)) smallest = left;
        if (right < turns.length && before(turns[right]!, turns[smallest]!)) smallest = right;
        if (smallest === i) break;
        [turns[i], turns[smallest]] = [turns[smallest]!, turns[i]!];
        i = smallest;
      }
    }
    return top.item;
  }
}

function before<T>(a: Turn<T>, b: Turn<T>): boolean {
  return a.share !== b.share ? a.share < b.share : a.nextSeq < b.nextSeq;
}
