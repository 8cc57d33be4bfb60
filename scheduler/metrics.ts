/**
 * The scheduler's Prometheus metrics, served on its health port at /metrics (cli/health-server.ts).
 * Counters and histograms are updated where things happen (the effect runner, the placement
 * pass, the group committer); what is a state rather than an event (queue depth, agents,
 * leadership) is read from the current leader term when scraped, so nothing is kept twice.
 * The process's own figures (RSS, CPU, heap, event-loop delay) are prom-client's defaults.
 */
import client from 'prom-client';
import type { AgentInfo } from '../proto/types.js';

/** What a scrape reads of the replica as it is now; `undefined` while it does not lead. */
export interface SchedulerView {
  queuedByProject(): Map<string, number>;
  agents(): AgentInfo[];
}

let view: () => SchedulerView | undefined = () => undefined;

/** Where scrapes read the queue and the agents from (the daemon's current leader term). */
export function observeScheduler(current: () => SchedulerView | undefined): void {
  view = current;
}

const registry = new client.Registry();
let processMetrics = false;

/**
 * The registry /metrics serves, with the process's own metrics added on first use rather than
 * at import (benchmarks and tests import this module and need no event-loop monitor of it).
 */
export function schedulerMetricsRegistry(): client.Registry {
  if (!processMetrics) client.collectDefaultMetrics({ register: registry });
  processMetrics = true;
  return registry;
}

/** Seconds, from a millisecond task to an hour-long one. */
const durationBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

export const schedulerMetrics = {
  tasksAssigned: new client.Counter({ name: 'clusterd_tasks_assigned_total', help: 'Task attempts sent to an agent', registers: [registry] }),
  attemptsFinished: new client.Counter({
    name: 'clusterd_task_attempts_finished_total',
    help: 'Task attempts recorded as ended: outcome succeeded, failed (the task failed) or retried (it runs again); reason is the error code',
    labelNames: ['outcome', 'reason'] as const,
    registers: [registry],
  }),
  taskStartSeconds: new client.Histogram({
    name: 'clusterd_task_start_seconds',
    help: 'From a task\'s assignment to its agent\'s report that it started (a prefetched task\'s wait in the agent\'s queue included; a task that ends before the agent\'s next report has no start of its own)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  }),
  storeBytes: new client.Counter({ name: 'clusterd_store_bytes_total', help: 'Chunk bytes on the wire to the chunk store (direction in: uploads) and from it (out: downloads)', labelNames: ['direction'] as const, registers: [registry] }),
  attemptSeconds: new client.Histogram({ name: 'clusterd_task_attempt_seconds', help: 'How long a succeeded attempt ran, on its agent\'s clock', buckets: durationBuckets, registers: [registry] }),
  placementPassSeconds: new client.Histogram({ name: 'clusterd_placement_pass_seconds', help: 'One placement pass, placements made into assignments', buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5], registers: [registry] }),
  commitSeconds: new client.Histogram({ name: 'clusterd_state_commit_seconds', help: 'One commit of the state store (a group of writes)', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1], registers: [registry] }),
  commitOps: new client.Histogram({ name: 'clusterd_state_commit_ops', help: 'Puts and deletes in one commit of the state store', buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500], registers: [registry] }),
};

new client.Gauge({
  name: 'clusterd_leader',
  help: '1 if this replica leads and has loaded the state, else 0',
  registers: [registry],
  collect() {
    this.set(view() ? 1 : 0);
  },
});

new client.Gauge({
  name: 'clusterd_queued_tasks',
  help: 'Tasks waiting for an agent, per project (the leader only)',
  labelNames: ['project'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [project, n] of view()?.queuedByProject() ?? []) this.set({ project }, n);
  },
});

new client.Gauge({
  name: 'clusterd_agents',
  help: 'Agents known to the leader, by state (ready, draining, disconnected)',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const a of view()?.agents() ?? []) this.inc({ state: a.state ?? 'unknown' });
  },
});

new client.Gauge({
  name: 'clusterd_agent_tasks_running',
  help: 'Tasks running on the agents, as the leader counts them',
  registers: [registry],
  collect() {
    this.set((view()?.agents() ?? []).reduce((n, a) => n + (a.running_tasks ?? 0), 0));
  },
});
