// Original file: proto/cluster.proto

import type { LogLine as _clusterd_v1_LogLine, LogLine__Output as _clusterd_v1_LogLine__Output } from '../../clusterd/v1/LogLine.js';

export interface TaskLog {
  'lines'?: (_clusterd_v1_LogLine)[];
}

export interface TaskLog__Output {
  'lines': (_clusterd_v1_LogLine__Output)[];
}
