// Original file: proto/cluster.proto

import type { SubmitRequest as _clusterd_v1_SubmitRequest, SubmitRequest__Output as _clusterd_v1_SubmitRequest__Output } from '../../clusterd/v1/SubmitRequest.js';

export interface ScheduleSpec {
  'name'?: (string);
  'cron'?: (string);
  'job'?: (_clusterd_v1_SubmitRequest | null);
}

export interface ScheduleSpec__Output {
  'name': (string);
  'cron': (string);
  'job': (_clusterd_v1_SubmitRequest__Output | null);
}
