// What an agent is sent to run one attempt of a task: what the task's step shares with its other
// tasks (sent once per group of them, see Assignments in cluster.proto), and the task's own part.
import type { StepAssignment, TaskAssignment } from '../../proto/types.js';
import { buildInput, type RunState, type TaskState } from './run-state.js';

/** A StepAssignment without its tasks: one per step of a run, shared by all its assignments. */
export type StepShared = Omit<StepAssignment, 'tasks'>;

/** The shared part for `task`'s step, built at the step's first placement and kept with it. */
export function stepShared(run: RunState, task: TaskState): StepShared {
  const step = run.steps.get(task.step)!;
  step.shared ??= sharedOf(run, task.step);
  return step.shared;
}

function sharedOf(run: RunState, name: string): StepShared {
  const spec = run.steps.get(name)!.spec;
  return {
    run_id: run.record.id,
    step: name,
    executor: spec.executor,
    thread: spec.run ? { module: spec.run.module, export: spec.run.export } : null,
    container: spec.container ?? null,
    resources: { cpu_milli: spec.resources.cpuMilli, memory_bytes: spec.resources.memoryBytes, gpus: spec.resources.gpus },
    timeout_ms: spec.timeoutMs,
    params: run.paramsEncoded,
    code_dir: run.record.codeDir,
    code_package: run.record.codePackage,
  };
}

export function taskAssignment(run: RunState, task: TaskState): TaskAssignment {
  return {
    task_id: task.id,
    attempt: task.attempt,
    index: task.index,
    gpu_indices: task.gpuIndices,
    input: buildInput(run, task),
    item: task.item,
  };
}
