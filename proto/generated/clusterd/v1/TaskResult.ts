// Original file: proto/cluster.proto

import type { TaskError as _clusterd_v1_TaskError, TaskError__Output as _clusterd_v1_TaskError__Output } from '../../clusterd/v1/TaskError.js';
import type { Artifact as _clusterd_v1_Artifact, Artifact__Output as _clusterd_v1_Artifact__Output } from '../../clusterd/v1/Artifact.js';

export interface TaskResult {
  'task_id'?: (string);
  'result'?: (Buffer | Uint8Array | string);
  'state'?: (string);
  'error'?: (_clusterd_v1_TaskError | null);
  'artifacts'?: (_clusterd_v1_Artifact)[];
  'result_object'?: (string);
}

export interface TaskResult__Output {
  'task_id': (string);
  'result': (Buffer);
  'state': (string);
  'error': (_clusterd_v1_TaskError__Output | null);
  'artifacts': (_clusterd_v1_Artifact__Output)[];
  'result_object': (string);
}
