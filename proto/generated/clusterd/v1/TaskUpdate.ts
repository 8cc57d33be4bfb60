// Original file: proto/cluster.proto

import type { TaskStarted as _clusterd_v1_TaskStarted, TaskStarted__Output as _clusterd_v1_TaskStarted__Output } from '../../clusterd/v1/TaskStarted.js';
import type { TaskLog as _clusterd_v1_TaskLog, TaskLog__Output as _clusterd_v1_TaskLog__Output } from '../../clusterd/v1/TaskLog.js';
import type { TaskFinished as _clusterd_v1_TaskFinished, TaskFinished__Output as _clusterd_v1_TaskFinished__Output } from '../../clusterd/v1/TaskFinished.js';
import type { TaskReturned as _clusterd_v1_TaskReturned, TaskReturned__Output as _clusterd_v1_TaskReturned__Output } from '../../clusterd/v1/TaskReturned.js';

export interface TaskUpdate {
  'task_id'?: (string);
  'attempt'?: (number);
  'started'?: (_clusterd_v1_TaskStarted | null);
  'log'?: (_clusterd_v1_TaskLog | null);
  'finished'?: (_clusterd_v1_TaskFinished | null);
  'returned'?: (_clusterd_v1_TaskReturned | null);
  'kind'?: "started"|"log"|"finished"|"returned";
}

export interface TaskUpdate__Output {
  'task_id': (string);
  'attempt': (number);
  'started'?: (_clusterd_v1_TaskStarted__Output | null);
  'log'?: (_clusterd_v1_TaskLog__Output | null);
  'finished'?: (_clusterd_v1_TaskFinished__Output | null);
  'returned'?: (_clusterd_v1_TaskReturned__Output | null);
  'kind'?: "started"|"log"|"finished"|"returned";
}
