// Original file: proto/cluster.proto

import type { TaskRef as _clusterd_v1_TaskRef, TaskRef__Output as _clusterd_v1_TaskRef__Output } from '../../clusterd/v1/TaskRef.js';

export interface Revokes {
  'tasks'?: (_clusterd_v1_TaskRef)[];
}

export interface Revokes__Output {
  'tasks': (_clusterd_v1_TaskRef__Output)[];
}
