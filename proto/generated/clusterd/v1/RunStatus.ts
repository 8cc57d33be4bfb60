// Original file: proto/cluster.proto

import type { StepStatus as _clusterd_v1_StepStatus, StepStatus__Output as _clusterd_v1_StepStatus__Output } from '../../clusterd/v1/StepStatus.js';
import type { TaskError as _clusterd_v1_TaskError, TaskError__Output as _clusterd_v1_TaskError__Output } from '../../clusterd/v1/TaskError.js';
import type { Long } from '@grpc/proto-loader';

export interface RunStatus {
  'run_id'?: (string);
  'name'?: (string);
  'project'?: (string);
  'state'?: (string);
  'created_at_ms'?: (number | string | Long);
  'finished_at_ms'?: (number | string | Long);
  'steps'?: (_clusterd_v1_StepStatus)[];
  'error'?: (_clusterd_v1_TaskError | null);
  'source'?: (string);
  'resumed_from'?: (string);
  'code_digest'?: (string);
  'resume_ignored_code'?: (boolean);
}

export interface RunStatus__Output {
  'run_id': (string);
  'name': (string);
  'project': (string);
  'state': (string);
  'created_at_ms': (number);
  'finished_at_ms': (number);
  'steps': (_clusterd_v1_StepStatus__Output)[];
  'error': (_clusterd_v1_TaskError__Output | null);
  'source': (string);
  'resumed_from': (string);
  'code_digest': (string);
  'resume_ignored_code': (boolean);
}
