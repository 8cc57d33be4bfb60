/**
 * Selection: picks the agent for one task from the classes that match it.
 *
 * Tiers come first, scores second. A CPU-only task first looks at CPU agents and at the spare
 * room of GPU agents: the CPU and memory beyond what their free GPUs need, counting for each free
 * GPU its proportional share of the box (96 CPUs and 8 GPUs: 12 CPUs per free GPU). That room
 * can never be wanted by a GPU task of proportional size, so using it idles no GPU, and it lets
 * CPU tasks fill the cores left over on GPU-busy boxes instead of opening empty CPU agents. Only
 * when nothing in that tier fits does a CPU-only task take a GPU agent's share (the agents with
 * the fewest free GPUs first), so GPUs are not left idle for lack of the CPU or memory that CPU
 * tasks took on their boxes. Within a tier, each class's index yields a few fitting candidates
 * from its tightest (or, for spread, emptiest) bucket, and the highest score among them wins.
 */
import type { AgentPool, AgentState } from './agent-pool.js';
import { placementScore } from './scorers.js';
import type { TaskDemand } from './types.js';

/** Candidates scored per class: enough to pick a good fit on memory, few enough to stay cheap. */
const CANDIDATES_PER_CLASS = 8;

export function selectAgent(task: TaskDemand, pools: readonly AgentPool[], scratch: AgentState[] = []): AgentState | undefined {
  if (task.resources.gpus > 0) return bestInTier(task, pools, 'whole-agents', scratch);
  return bestInTier(task, pools, 'spare-room', scratch) ?? bestInTier(task, pools, 'gpu-shares', scratch);
}

/**
 * whole-agents: every class, everything free (GPU tasks); spare-room: CPU classes, and GPU
 * classes beyond their free GPUs' shares; gpu-shares: the rest, GPU classes only.
 */
type Tier = 'whole-agents' | 'spare-room' | 'gpu-shares';

function bestInTier(task: TaskDemand, pools: readonly AgentPool[], tier: Tier, scratch: AgentState[]): AgentState | undefined {
  let best: AgentState | undefined;
  let bestScore = -1;
  const keepGpuShares = tier === 'spare-room';
  for (const pool of pools) {
    if (tier === 'gpu-shares' && !pool.hasGpus) continue;
    scratch.length = 0;
    pool.collectFitting(task.resources, task.spread, CANDIDATES_PER_CLASS, scratch, keepGpuShares);
    for (const agent of scratch) {
      const score = placementScore(task, agent.node.capacity, agent.free);
      if (score > bestScore) {
        bestScore = score;
        best = agent;
      }
    }
  }
  scratch.length = 0;
  return best;
}
