// Original file: proto/cluster.proto

import type { ThreadSpec as _clusterd_v1_ThreadSpec, ThreadSpec__Output as _clusterd_v1_ThreadSpec__Output } from '../../clusterd/v1/ThreadSpec.js';
import type { ContainerSpec as _clusterd_v1_ContainerSpec, ContainerSpec__Output as _clusterd_v1_ContainerSpec__Output } from '../../clusterd/v1/ContainerSpec.js';
import type { Resources as _clusterd_v1_Resources, Resources__Output as _clusterd_v1_Resources__Output } from '../../clusterd/v1/Resources.js';
import type { TaskAssignment as _clusterd_v1_TaskAssignment, TaskAssignment__Output as _clusterd_v1_TaskAssignment__Output } from '../../clusterd/v1/TaskAssignment.js';
import type { InputRef as _clusterd_v1_InputRef, InputRef__Output as _clusterd_v1_InputRef__Output } from '../../clusterd/v1/InputRef.js';
import type { Long } from '@grpc/proto-loader';

export interface StepAssignment {
  'run_id'?: (string);
  'step'?: (string);
  'executor'?: (string);
  'thread'?: (_clusterd_v1_ThreadSpec | null);
  'container'?: (_clusterd_v1_ContainerSpec | null);
  'resources'?: (_clusterd_v1_Resources | null);
  'timeout_ms'?: (number | string | Long);
  'params'?: (Buffer | Uint8Array | string);
  'code_dir'?: (string);
  'code_package'?: (string);
  'tasks'?: (_clusterd_v1_TaskAssignment)[];
  'input'?: (Buffer | Uint8Array | string);
  'input_ref'?: (_clusterd_v1_InputRef | null);
  'grant'?: (Buffer | Uint8Array | string);
}

export interface StepAssignment__Output {
  'run_id': (string);
  'step': (string);
  'executor': (string);
  'thread': (_clusterd_v1_ThreadSpec__Output | null);
  'container': (_clusterd_v1_ContainerSpec__Output | null);
  'resources': (_clusterd_v1_Resources__Output | null);
  'timeout_ms': (number);
  'params': (Buffer);
  'code_dir': (string);
  'code_package': (string);
  'tasks': (_clusterd_v1_TaskAssignment__Output)[];
  'input': (Buffer);
  'input_ref': (_clusterd_v1_InputRef__Output | null);
  'grant': (Buffer);
}
