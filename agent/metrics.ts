/**
 * The agent's Prometheus metrics, served on its health port at /metrics (cli/health-server.ts):
 * what it offers, what it holds now, and results it keeps until the scheduler acknowledges
 * them, read from the agent when scraped; the process's own figures are prom-client's defaults.
 */
import client from 'prom-client';
import type { AgentCapacity } from './fingerprint/capacity.js';

export interface AgentView {
  capacity: AgentCapacity;
  /** Tasks it runs or holds to run next (prefetched). */
  tasksHeld(): number;
  /** Of those, the ones it has begun. */
  tasksStarted(): number;
  gpusInUse(): number;
  /** Finished results not yet acknowledged by a scheduler. */
  resultsUnacknowledged(): number;
  registered(): boolean;
}

/** A registry for one agent: defaults plus gauges read from `agent` on each scrape. */
export function agentMetrics(agent: AgentView): client.Registry {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string, value: () => number) => new client.Gauge({ name, help, registers: [registry], collect() { this.set(value()); } });
  gauge('clusterd_agent_cpu_millicores', 'CPU the agent offers, in millicores', () => agent.capacity.cpuMilli);
  gauge('clusterd_agent_memory_bytes', 'Memory the agent offers', () => agent.capacity.memoryBytes);
  gauge('clusterd_agent_gpus', 'GPUs the agent offers', () => agent.capacity.gpus.length);
  gauge('clusterd_agent_tasks_held', 'Tasks the agent runs or holds to run next (prefetched)', () => agent.tasksHeld());
  gauge('clusterd_agent_tasks_started', 'Tasks the agent has begun and not finished: its slots in use', () => agent.tasksStarted());
  gauge('clusterd_agent_gpus_in_use', 'GPUs given to the tasks the agent holds', () => agent.gpusInUse());
  gauge('clusterd_agent_results_unacknowledged', 'Finished results kept until a scheduler acknowledges them', () => agent.resultsUnacknowledged());
  gauge('clusterd_agent_registered', '1 while registered with a scheduler', () => (agent.registered() ? 1 : 0));
  return registry;
}
