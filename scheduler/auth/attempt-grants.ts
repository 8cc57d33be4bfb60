/**
 * Signed assignments. Which agent was given which task attempt is not written to the state store
 * (a write per dispatch would cost the throughput of a sweep), so a leader that takes over cannot
 * tell from its records whether an agent that says "I run task T" or "T finished" was ever given
 * T. The leader signs each group of tasks it sends an agent (HMAC-SHA256 of the agent id and each
 * task's id and attempt: one signature per StepAssignment, not per task) with a key every replica
 * reads from the state store; the agent keeps the signature with the tasks and shows it again
 * when it registers. A leader takes an agent's word about a task it has no record of giving that
 * agent only with a valid signature.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AssignmentGrant__Output } from '../../proto/types.js';
import { keys } from '../state/records.js';
import type { StateStore, WriteOp } from '../state/state-store.js';

/** A task's id and attempt as the wire has them (a message being built may leave either unset). */
export interface GrantedAttempt {
  task_id?: string;
  attempt?: number;
}

export class AttemptGrants {
  private key: Buffer | undefined;

  /** Until a key is set nothing is signed and no signature is valid. */
  useKey(key: Uint8Array): void {
    this.key = Buffer.from(key);
  }

  /** The signature of giving `tasks` to `agentId`; empty without a key. */
  sign(agentId: string, tasks: readonly GrantedAttempt[]): Buffer {
    return this.key ? this.mac(this.key, agentId, tasks) : Buffer.alloc(0);
  }

  /** `task_id#attempt` of every task the valid signatures among `grants` give `agentId`. */
  granted(agentId: string, grants: readonly AssignmentGrant__Output[]): Set<string> {
    const out = new Set<string>();
    if (!this.key) return out;
    for (const g of grants) {
      const expected = this.mac(this.key, agentId, g.tasks);
      if (g.grant.length !== expected.length || !timingSafeEqual(g.grant, expected)) continue;
      for (const t of g.tasks) out.add(attemptKey(t.task_id, t.attempt));
    }
    return out;
  }

  private mac(key: Buffer, agentId: string, tasks: readonly GrantedAttempt[]): Buffer {
    // Each field with its length first, so no two lists of ids read as the same text.
    const hmac = createHmac('sha256', key).update(`${agentId.length}:${agentId}`);
    for (const t of tasks) {
      const id = t.task_id ?? '';
      hmac.update(`${id.length}:${id}#${t.attempt ?? 0};`);
    }
    return hmac.digest().subarray(0, 16);
  }
}

export const attemptKey = (taskId: string, attempt: number): string => `${taskId}#${attempt}`;

/**
 * The cluster's signing key: read from the state store, or made and written by the first leader
 * (through its fenced write, so two leaders never write different keys).
 */
export async function loadGrantKey(store: StateStore, persist: (ops: WriteOp[]) => Promise<void>): Promise<Uint8Array> {
  const stored = await store.get(keys.grantKey);
  if (stored && stored.byteLength >= 32) return stored;
  const key = randomBytes(32);
  await persist([{ op: 'put', key: keys.grantKey, value: key }]);
  return key;
}
