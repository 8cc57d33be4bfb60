// What an agent is sent to run one attempt of a task.
import type { Assignment } from '../../proto/types.js';
import { buildInput, type RunState, type TaskState } from './run-state.js';

export function buildAssignment(run: RunState, task: TaskState): Assignment {
  const step = run.steps.get(task.step)!.spec;
  return {
    task_id: task.id,
    attempt: task.attempt,
    run_id: run.record.id,
    step: task.step,
    index: task.index,
    executor: step.executor,
    thread: step.run ? { module: step.run.module, export: step.run.export } : null,
    container: step.container ?? null,
    resources: { cpu_milli: step.resources.cpuMilli, memory_bytes: step.resources.memoryBytes, gpus: step.resources.gpus },
    gpu_indices: task.gpuIndices,
    timeout_ms: step.timeoutMs,
    input: buildInput(run, task),
    params: run.paramsEncoded,
    item: task.item,
    code_dir: run.record.codeDir,
    code_package: run.record.codePackage,
  };
}
