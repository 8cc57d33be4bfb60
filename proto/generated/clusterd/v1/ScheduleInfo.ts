// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface ScheduleInfo {
  'name'?: (string);
  'cron'?: (string);
  'source'?: (string);
  'created_at_ms'?: (number | string | Long);
  'last_tick_ms'?: (number | string | Long);
  'last_run_id'?: (string);
  'next_tick_ms'?: (number | string | Long);
}

export interface ScheduleInfo__Output {
  'name': (string);
  'cron': (string);
  'source': (string);
  'created_at_ms': (number);
  'last_tick_ms': (number);
  'last_run_id': (string);
  'next_tick_ms': (number);
}
