// Original file: proto/cluster.proto

import type { TaskStarted as _clusterd_v1_TaskStarted, TaskStarted__Output as _clusterd_v1_TaskStarted__Output } from '../../clusterd/v1/TaskStarted.js';
import type { TaskLog as _clusterd_v1_TaskLog, TaskLog__Output as _clusterd_v1_TaskLog__Output } from '../../clusterd/v1/TaskLog.js';
import type { TaskFinished as _clusterd_v1_TaskFinished, TaskFinished__Output as _clusterd_v1_TaskFinished__Output } from '../../clusterd/v1/TaskFinished.js';

export interface TaskUpdate {
  'task_id'?: (string);
  'attempt'?: (number);
  'started'?: (_clusterd_v1_TaskStarted | null);
  'log'?: (_clusterd_v1_TaskLog | null);
  'finished'?: (_clusterd_v1_TaskFinished | null);
  'kind'?: "started"|"log"|"finished";
}

export interface TaskUpdate__Output {
  'task_id': (string);
  'attempt': (number);
  'started'?: (_clusterd_v1_TaskStarted__Output | null);
  'log'?: (_clusterd_v1_TaskLog__Output | null);
  'finished'?: (_clusterd_v1_TaskFinished__Output | null);
  'kind'?: "started"|"log"|"finished";
}
