// Original file: proto/cluster.proto

import type { InputRef as _clusterd_v1_InputRef, InputRef__Output as _clusterd_v1_InputRef__Output } from '../../clusterd/v1/InputRef.js';

export interface TaskAssignment {
  'task_id'?: (string);
  'attempt'?: (number);
  'index'?: (number);
  'gpu_indices'?: (number)[];
  'input'?: (Buffer | Uint8Array | string);
  'item'?: (Buffer | Uint8Array | string);
  'input_ref'?: (_clusterd_v1_InputRef | null);
}

export interface TaskAssignment__Output {
  'task_id': (string);
  'attempt': (number);
  'index': (number);
  'gpu_indices': (number)[];
  'input': (Buffer);
  'item': (Buffer);
  'input_ref': (_clusterd_v1_InputRef__Output | null);
}
