// Original file: proto/cluster.proto

import type { TaskPage as _clusterd_v1_TaskPage, TaskPage__Output as _clusterd_v1_TaskPage__Output } from '../../clusterd/v1/TaskPage.js';

export interface RunRef {
  'run_id'?: (string);
  'tasks'?: (_clusterd_v1_TaskPage | null);
}

export interface RunRef__Output {
  'run_id': (string);
  'tasks': (_clusterd_v1_TaskPage__Output | null);
}
