// Original file: proto/cluster.proto

import type { TaskUpdate as _clusterd_v1_TaskUpdate, TaskUpdate__Output as _clusterd_v1_TaskUpdate__Output } from '../../clusterd/v1/TaskUpdate.js';

export interface TaskUpdates {
  'updates'?: (_clusterd_v1_TaskUpdate)[];
}

export interface TaskUpdates__Output {
  'updates': (_clusterd_v1_TaskUpdate__Output)[];
}
