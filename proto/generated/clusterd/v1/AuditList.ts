// Original file: proto/cluster.proto

import type { AuditEntry as _clusterd_v1_AuditEntry, AuditEntry__Output as _clusterd_v1_AuditEntry__Output } from '../../clusterd/v1/AuditEntry.js';

export interface AuditList {
  'entries'?: (_clusterd_v1_AuditEntry)[];
}

export interface AuditList__Output {
  'entries': (_clusterd_v1_AuditEntry__Output)[];
}
