// Original file: proto/cluster.proto

import type { TaskRef as _clusterd_v1_TaskRef, TaskRef__Output as _clusterd_v1_TaskRef__Output } from '../../clusterd/v1/TaskRef.js';

export interface Cancels {
  'tasks'?: (_clusterd_v1_TaskRef)[];
  'reason'?: (string);
}

export interface Cancels__Output {
  'tasks': (_clusterd_v1_TaskRef__Output)[];
  'reason': (string);
}
