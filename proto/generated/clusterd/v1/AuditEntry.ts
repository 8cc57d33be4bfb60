// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface AuditEntry {
  'at_ms'?: (number | string | Long);
  'who'?: (string);
  'action'?: (string);
  'target'?: (string);
  'project'?: (string);
  'detail'?: (string);
}

export interface AuditEntry__Output {
  'at_ms': (number);
  'who': (string);
  'action': (string);
  'target': (string);
  'project': (string);
  'detail': (string);
}
