// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface LogLine {
  'at_ms'?: (number | string | Long);
  'stream'?: (string);
  'text'?: (string);
}

export interface LogLine__Output {
  'at_ms': (number);
  'stream': (string);
  'text': (string);
}
