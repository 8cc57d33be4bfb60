// Original file: proto/cluster.proto

import type { TaskError as _clusterd_v1_TaskError, TaskError__Output as _clusterd_v1_TaskError__Output } from '../../clusterd/v1/TaskError.js';
import type { Long } from '@grpc/proto-loader';

export interface AttemptStatus {
  'attempt'?: (number);
  'agent_id'?: (string);
  'started_at_ms'?: (number | string | Long);
  'finished_at_ms'?: (number | string | Long);
  'outcome'?: (string);
  'error'?: (_clusterd_v1_TaskError | null);
}

export interface AttemptStatus__Output {
  'attempt': (number);
  'agent_id': (string);
  'started_at_ms': (number);
  'finished_at_ms': (number);
  'outcome': (string);
  'error': (_clusterd_v1_TaskError__Output | null);
}
