// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface TokenInfo {
  'id'?: (string);
  'name'?: (string);
  'role'?: (string);
  'projects'?: (string)[];
  'created_at_ms'?: (number | string | Long);
  'created_by'?: (string);
  'revoked_at_ms'?: (number | string | Long);
}

export interface TokenInfo__Output {
  'id': (string);
  'name': (string);
  'role': (string);
  'projects': (string)[];
  'created_at_ms': (number);
  'created_by': (string);
  'revoked_at_ms': (number);
}
