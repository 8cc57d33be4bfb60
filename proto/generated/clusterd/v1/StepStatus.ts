// Original file: proto/cluster.proto

import type { TaskStatus as _clusterd_v1_TaskStatus, TaskStatus__Output as _clusterd_v1_TaskStatus__Output } from '../../clusterd/v1/TaskStatus.js';

export interface StepStatus {
  'name'?: (string);
  'state'?: (string);
  'tasks'?: (_clusterd_v1_TaskStatus)[];
  'total'?: (number);
  'succeeded'?: (number);
  'failed'?: (number);
  'running'?: (number);
  'waiting'?: (number);
  'reused'?: (number);
}

export interface StepStatus__Output {
  'name': (string);
  'state': (string);
  'tasks': (_clusterd_v1_TaskStatus__Output)[];
  'total': (number);
  'succeeded': (number);
  'failed': (number);
  'running': (number);
  'waiting': (number);
  'reused': (number);
}
