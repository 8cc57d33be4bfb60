/**
 * Checks what agents send before the scheduler acts on it. An agent that sends nonsense is
 * disconnected with INVALID_ARGUMENT naming the field; the scheduler and other agents go on.
 */
import { ClusterError } from '../../core/errors.js';
import type { Register__Output, TaskRef__Output, TaskUpdate__Output } from '../../proto/types.js';

const knownExecutors = new Set(['thread', 'process', 'container']);
const maxIdLength = 200;

/**
 * Sizes a registration may have. Far above any real agent; they keep one message from holding
 * the scheduler's loop (a register of 200,000 labels once froze it for ~15 s).
 */
export const registerLimits = {
  labels: 64,
  labelKeyLength: 63,
  labelValueLength: 253,
  hostnameLength: 253,
  gpus: 256,
  /** Tasks it runs and results not yet acknowledged, each. */
  tasks: 100_000,
};
const maxTaskIdLength = 400;

function bad(field: string, what: string): ClusterError {
  return new ClusterError('INVALID_ARGUMENT', `register.${field}: ${what}`);
}

export function validateRegister(reg: Register__Output): Register__Output {
  if (!reg.agent_id || reg.agent_id.length > maxIdLength || !/^[\w.:@-]+$/.test(reg.agent_id)) {
    throw bad('agent_id', 'must be 1-200 characters of letters, digits and ._:@-');
  }
  if (reg.hostname.length > registerLimits.hostnameLength) throw bad('hostname', `at most ${registerLimits.hostnameLength} characters`);
  if (reg.instance_id.length > maxIdLength || reg.version.length > maxIdLength) throw bad('instance_id', `instance_id and version: at most ${maxIdLength} characters each`);
  const labels = Object.entries(reg.labels);
  if (labels.length > registerLimits.labels) throw bad('labels', `at most ${registerLimits.labels}, not ${labels.length}`);
  for (const [key, value] of labels) {
    if (!key || key.length > registerLimits.labelKeyLength || value.length > registerLimits.labelValueLength) {
      throw bad('labels', `a key of 1-${registerLimits.labelKeyLength} characters and a value of at most ${registerLimits.labelValueLength} (${JSON.stringify(key.slice(0, 80))})`);
    }
  }
  const cap = reg.capacity;
  if (!cap) throw bad('capacity', 'is missing');
  if (cap.gpus.length > registerLimits.gpus) throw bad('capacity.gpus', `at most ${registerLimits.gpus} GPUs`);
  if (!Number.isSafeInteger(Number(cap.cpu_milli)) || Number(cap.cpu_milli) <= 0) throw bad('capacity.cpu_milli', 'must be a positive integer');
  if (!Number.isSafeInteger(Number(cap.memory_bytes)) || Number(cap.memory_bytes) <= 0) throw bad('capacity.memory_bytes', 'must be a positive integer');
  const indices = cap.gpus.map((g) => g.index);
  if (indices.some((i) => !Number.isInteger(i) || i < 0) || new Set(indices).size !== indices.length) {
    throw bad('capacity.gpus', 'GPU indices must be distinct non-negative integers');
  }
  if (reg.executors.length === 0 || reg.executors.some((e) => !knownExecutors.has(e))) {
    throw bad('executors', `must list some of ${[...knownExecutors].join(', ')}`);
  }
  if (reg.running.length > registerLimits.tasks || reg.unacknowledged.length > registerLimits.tasks) {
    throw bad('running', `running and unacknowledged: at most ${registerLimits.tasks} tasks each`);
  }
  validateRefs(reg.running, 'register.running');
  return reg;
}

export function validateRefs<T extends TaskRef__Output>(refs: readonly T[], field: string): readonly T[] {
  for (const ref of refs) {
    if (!ref.task_id || ref.task_id.length > maxTaskIdLength || !(ref.attempt >= 1)) throw new ClusterError('INVALID_ARGUMENT', `${field}: every task needs a task_id (at most ${maxTaskIdLength} characters) and an attempt >= 1`);
  }
  return refs;
}

type UpdateKind = NonNullable<TaskUpdate__Output['kind']>;
const updateKinds = new Set<string>(['started', 'log', 'finished', 'returned'] satisfies UpdateKind[]);

export function validateUpdates(updates: readonly TaskUpdate__Output[]): Array<TaskUpdate__Output & { kind: UpdateKind }> {
  return updates.map((u, i) => {
    if (!u.task_id || u.task_id.length > maxTaskIdLength || !(u.attempt >= 1)) throw new ClusterError('INVALID_ARGUMENT', `updates[${i}]: needs a task_id (at most ${maxTaskIdLength} characters) and an attempt >= 1`);
    if (!u.kind || !updateKinds.has(u.kind)) {
      throw new ClusterError('INVALID_ARGUMENT', `updates[${i}]: must be started, log, finished or returned`);
    }
    return u as TaskUpdate__Output & { kind: UpdateKind };
  });
}
