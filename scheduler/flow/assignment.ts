// What an agent is sent to run one attempt of a task: what the task's step shares with its other
// tasks (sent once per group of them, see Assignments in cluster.proto), and the task's own part.
//
// Inputs travel once, and only while small: the tasks of a step with no parent in their foreach
// scope (a foreach over a computed list, a join) all get the same input, which goes in the
// shared part; an input larger than `inlineInputMaxBytes` is named (InputRef) and the agent
// fetches it with GetInput. Before this, each task of a 100,000-item `foreach: from` carried the
// whole list it was fanned out from: quadratic in the sweep's size.
import type { InputRef, StepAssignment, TaskAssignment } from '../../proto/types.js';
import { buildInput, inputExceeds, itemOf, sharesInput, type RunState, type TaskState } from './run-state.js';

/** Inputs up to this size travel in the assignment; larger ones are fetched with GetInput. */
export const inlineInputMaxBytes = 64 * 1024;

/** A StepAssignment without its tasks: one per step of a run, shared by all its assignments. */
export type StepShared = Omit<StepAssignment, 'tasks'>;

/** The shared part for `task`'s step, built at the step's first placement and kept with it. */
export function stepShared(run: RunState, task: TaskState): StepShared {
  const step = run.steps.get(task.step)!;
  step.shared ??= sharedOf(run, task);
  return step.shared;
}

function sharedOf(run: RunState, task: TaskState): StepShared {
  const spec = run.steps.get(task.step)!.spec;
  const shared: StepShared = {
    run_id: run.record.id,
    step: task.step,
    executor: spec.executor,
    thread: spec.run ? { module: spec.run.module, export: spec.run.export } : null,
    container: spec.container ?? null,
    resources: { cpu_milli: spec.resources.cpuMilli, memory_bytes: spec.resources.memoryBytes, gpus: spec.resources.gpus },
    timeout_ms: spec.timeoutMs,
    params: run.paramsEncoded,
    code_dir: run.record.codeDir,
    code_package: run.record.codePackage,
  };
  // Every task's parents have settled by the step's first placement: the shared input is final.
  if (sharesInput(run, task.step)) {
    if (inputExceeds(run, task, inlineInputMaxBytes)) shared.input_ref = inputRef(run, task.step, -1);
    else shared.input = buildInput(run, task);
  }
  return shared;
}

export function taskAssignment(run: RunState, task: TaskState): TaskAssignment {
  const assignment: TaskAssignment = {
    task_id: task.id,
    attempt: task.attempt,
    index: task.index,
    gpu_indices: task.gpuIndices,
    item: itemOf(run, task),
  };
  if (!sharesInput(run, task.step)) {
    if (inputExceeds(run, task, inlineInputMaxBytes)) assignment.input_ref = inputRef(run, task.step, task.index);
    else assignment.input = buildInput(run, task);
  }
  return assignment;
}

function inputRef(run: RunState, step: string, index: number): InputRef {
  return { run_id: run.record.id, step, index };
}
