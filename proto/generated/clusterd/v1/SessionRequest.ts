// Original file: proto/cluster.proto

import type { SubmitRequest as _clusterd_v1_SubmitRequest, SubmitRequest__Output as _clusterd_v1_SubmitRequest__Output } from '../../clusterd/v1/SubmitRequest.js';
import type { TaskPage as _clusterd_v1_TaskPage, TaskPage__Output as _clusterd_v1_TaskPage__Output } from '../../clusterd/v1/TaskPage.js';
import type { Long } from '@grpc/proto-loader';

export interface SessionRequest {
  'tag'?: (number | string | Long);
  'submit'?: (_clusterd_v1_SubmitRequest | null);
  'summary_only'?: (boolean);
  'tasks'?: (_clusterd_v1_TaskPage | null);
}

export interface SessionRequest__Output {
  'tag': (number);
  'submit': (_clusterd_v1_SubmitRequest__Output | null);
  'summary_only': (boolean);
  'tasks': (_clusterd_v1_TaskPage__Output | null);
}
