// Original file: proto/cluster.proto

import type { TaskRef as _clusterd_v1_TaskRef, TaskRef__Output as _clusterd_v1_TaskRef__Output } from '../../clusterd/v1/TaskRef.js';

export interface AssignmentGrant {
  'tasks'?: (_clusterd_v1_TaskRef)[];
  'grant'?: (Buffer | Uint8Array | string);
}

export interface AssignmentGrant__Output {
  'tasks': (_clusterd_v1_TaskRef__Output)[];
  'grant': (Buffer);
}
