// Original file: proto/cluster.proto

import type { ScheduleInfo as _clusterd_v1_ScheduleInfo, ScheduleInfo__Output as _clusterd_v1_ScheduleInfo__Output } from '../../clusterd/v1/ScheduleInfo.js';

export interface ScheduleList {
  'schedules'?: (_clusterd_v1_ScheduleInfo)[];
}

export interface ScheduleList__Output {
  'schedules': (_clusterd_v1_ScheduleInfo__Output)[];
}
