// Original file: proto/cluster.proto

import type { TaskError as _clusterd_v1_TaskError, TaskError__Output as _clusterd_v1_TaskError__Output } from '../../clusterd/v1/TaskError.js';
import type { AttemptStatus as _clusterd_v1_AttemptStatus, AttemptStatus__Output as _clusterd_v1_AttemptStatus__Output } from '../../clusterd/v1/AttemptStatus.js';
import type { Long } from '@grpc/proto-loader';

export interface TaskStatus {
  'task_id'?: (string);
  'index'?: (number);
  'state'?: (string);
  'attempt'?: (number);
  'agent_id'?: (string);
  'started_at_ms'?: (number | string | Long);
  'finished_at_ms'?: (number | string | Long);
  'error'?: (_clusterd_v1_TaskError | null);
  'waiting'?: (string);
  'item_json'?: (string);
  'reused_from'?: (string);
  'attempts'?: (_clusterd_v1_AttemptStatus)[];
}

export interface TaskStatus__Output {
  'task_id': (string);
  'index': (number);
  'state': (string);
  'attempt': (number);
  'agent_id': (string);
  'started_at_ms': (number);
  'finished_at_ms': (number);
  'error': (_clusterd_v1_TaskError__Output | null);
  'waiting': (string);
  'item_json': (string);
  'reused_from': (string);
  'attempts': (_clusterd_v1_AttemptStatus__Output)[];
}
