// Original file: proto/cluster.proto

import type { SubmitRequest as _clusterd_v1_SubmitRequest, SubmitRequest__Output as _clusterd_v1_SubmitRequest__Output } from '../../clusterd/v1/SubmitRequest.js';

export interface ResumeRequest {
  'run_id'?: (string);
  'from_step'?: (string);
  'job'?: (_clusterd_v1_SubmitRequest | null);
  'ignore_code_change'?: (boolean);
}

export interface ResumeRequest__Output {
  'run_id': (string);
  'from_step': (string);
  'job': (_clusterd_v1_SubmitRequest__Output | null);
  'ignore_code_change': (boolean);
}
