// Original file: proto/cluster.proto

import type { ThreadSpec as _clusterd_v1_ThreadSpec, ThreadSpec__Output as _clusterd_v1_ThreadSpec__Output } from '../../clusterd/v1/ThreadSpec.js';
import type { ContainerSpec as _clusterd_v1_ContainerSpec, ContainerSpec__Output as _clusterd_v1_ContainerSpec__Output } from '../../clusterd/v1/ContainerSpec.js';
import type { Resources as _clusterd_v1_Resources, Resources__Output as _clusterd_v1_Resources__Output } from '../../clusterd/v1/Resources.js';
import type { Long } from '@grpc/proto-loader';

export interface Assignment {
  'task_id'?: (string);
  'attempt'?: (number);
  'run_id'?: (string);
  'step'?: (string);
  'index'?: (number);
  'executor'?: (string);
  'thread'?: (_clusterd_v1_ThreadSpec | null);
  'container'?: (_clusterd_v1_ContainerSpec | null);
  'resources'?: (_clusterd_v1_Resources | null);
  'gpu_indices'?: (number)[];
  'timeout_ms'?: (number | string | Long);
  'input'?: (Buffer | Uint8Array | string);
  'params'?: (Buffer | Uint8Array | string);
  'item'?: (Buffer | Uint8Array | string);
  'code_dir'?: (string);
  'code_package'?: (string);
}

export interface Assignment__Output {
  'task_id': (string);
  'attempt': (number);
  'run_id': (string);
  'step': (string);
  'index': (number);
  'executor': (string);
  'thread': (_clusterd_v1_ThreadSpec__Output | null);
  'container': (_clusterd_v1_ContainerSpec__Output | null);
  'resources': (_clusterd_v1_Resources__Output | null);
  'gpu_indices': (number)[];
  'timeout_ms': (number);
  'input': (Buffer);
  'params': (Buffer);
  'item': (Buffer);
  'code_dir': (string);
  'code_package': (string);
}
