/**
 * Checks what agents send before the scheduler acts on it. An agent that sends nonsense is
 * disconnected with INVALID_ARGUMENT naming the field; the scheduler and other agents go on.
 */
import { ClusterError } from '../../core/errors.js';
import type { Register__Output, TaskRef__Output, TaskUpdate__Output } from '../../proto/types.js';

const knownExecutors = new Set(['thread', 'container']);
const maxIdLength = 200;

function bad(field: string, what: string): ClusterError {
  return new ClusterError('INVALID_ARGUMENT', `register.${field}: ${what}`);
}

export function validateRegister(reg: Register__Output): Register__Output {
  if (!reg.agent_id || reg.agent_id.length > maxIdLength || !/^[\w.:@-]+$/.test(reg.agent_id)) {
    throw bad('agent_id', 'must be 1-200 characters of letters, digits and ._:@-');
  }
  const cap = reg.capacity;
  if (!cap) throw bad('capacity', 'is missing');
  if (!Number.isSafeInteger(Number(cap.cpu_milli)) || Number(cap.cpu_milli) <= 0) throw bad('capacity.cpu_milli', 'must be a positive integer');
  if (!Number.isSafeInteger(Number(cap.memory_bytes)) || Number(cap.memory_bytes) <= 0) throw bad('capacity.memory_bytes', 'must be a positive integer');
  const indices = cap.gpus.map((g) => g.index);
  if (indices.some((i) => !Number.isInteger(i) || i < 0) || new Set(indices).size !== indices.length) {
    throw bad('capacity.gpus', 'GPU indices must be distinct non-negative integers');
  }
  if (reg.executors.length === 0 || reg.executors.some((e) => !knownExecutors.has(e))) {
    throw bad('executors', `must list some of ${[...knownExecutors].join(', ')}`);
  }
  validateRefs(reg.running, 'register.running');
  return reg;
}

export function validateRefs<T extends TaskRef__Output>(refs: readonly T[], field: string): readonly T[] {
  for (const ref of refs) {
    if (!ref.task_id || ref.attempt < 1) throw new ClusterError('INVALID_ARGUMENT', `${field}: every task needs a task_id and an attempt >= 1`);
  }
  return refs;
}

type UpdateKind = NonNullable<TaskUpdate__Output['kind']>;
const updateKinds = new Set<string>(['started', 'log', 'finished', 'returned'] satisfies UpdateKind[]);

export function validateUpdates(updates: readonly TaskUpdate__Output[]): Array<TaskUpdate__Output & { kind: UpdateKind }> {
  return updates.map((u, i) => {
    if (!u.task_id || u.attempt < 1) throw new ClusterError('INVALID_ARGUMENT', `updates[${i}]: needs a task_id and an attempt >= 1`);
    if (!u.kind || !updateKinds.has(u.kind)) {
      throw new ClusterError('INVALID_ARGUMENT', `updates[${i}]: must be started, log, finished or returned`);
    }
    return u as TaskUpdate__Output & { kind: UpdateKind };
  });
}
