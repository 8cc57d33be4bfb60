// Original file: proto/cluster.proto

import type { TaskError as _clusterd_v1_TaskError, TaskError__Output as _clusterd_v1_TaskError__Output } from '../../clusterd/v1/TaskError.js';
import type { Artifact as _clusterd_v1_Artifact, Artifact__Output as _clusterd_v1_Artifact__Output } from '../../clusterd/v1/Artifact.js';
import type { Long } from '@grpc/proto-loader';

export interface TaskFinished {
  'ok'?: (boolean);
  'result'?: (Buffer | Uint8Array | string);
  'error'?: (_clusterd_v1_TaskError | null);
  'started_at_ms'?: (number | string | Long);
  'finished_at_ms'?: (number | string | Long);
  'artifacts'?: (_clusterd_v1_Artifact)[];
  'log_object'?: (string);
  'result_object'?: (string);
  'run_ms'?: (number | string);
}

export interface TaskFinished__Output {
  'ok': (boolean);
  'result': (Buffer);
  'error': (_clusterd_v1_TaskError__Output | null);
  'started_at_ms': (number);
  'finished_at_ms': (number);
  'artifacts': (_clusterd_v1_Artifact__Output)[];
  'log_object': (string);
  'result_object': (string);
  'run_ms': (number);
}
