// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface ProcessHealth {
  'loop_delay_p99_ms'?: (number | string);
  'loop_delay_max_ms'?: (number | string);
  'rss_bytes'?: (number | string | Long);
  'heap_used_bytes'?: (number | string | Long);
  'pid'?: (number);
}

export interface ProcessHealth__Output {
  'loop_delay_p99_ms': (number);
  'loop_delay_max_ms': (number);
  'rss_bytes': (number);
  'heap_used_bytes': (number);
  'pid': (number);
}
