// Original file: proto/cluster.proto


export interface AuditQuery {
  'limit'?: (number);
}

export interface AuditQuery__Output {
  'limit': (number);
}
