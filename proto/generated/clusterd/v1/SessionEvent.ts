// Original file: proto/cluster.proto

import type { RunStatus as _clusterd_v1_RunStatus, RunStatus__Output as _clusterd_v1_RunStatus__Output } from '../../clusterd/v1/RunStatus.js';
import type { CallError as _clusterd_v1_CallError, CallError__Output as _clusterd_v1_CallError__Output } from '../../clusterd/v1/CallError.js';
import type { Long } from '@grpc/proto-loader';

export interface SessionEvent {
  'tag'?: (number | string | Long);
  'status'?: (_clusterd_v1_RunStatus | null);
  'error'?: (_clusterd_v1_CallError | null);
  'body'?: "status"|"error";
}

export interface SessionEvent__Output {
  'tag': (number);
  'status'?: (_clusterd_v1_RunStatus__Output | null);
  'error'?: (_clusterd_v1_CallError__Output | null);
  'body'?: "status"|"error";
}
