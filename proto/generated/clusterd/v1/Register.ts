// Original file: proto/cluster.proto

import type { Capacity as _clusterd_v1_Capacity, Capacity__Output as _clusterd_v1_Capacity__Output } from '../../clusterd/v1/Capacity.js';
import type { TaskRef as _clusterd_v1_TaskRef, TaskRef__Output as _clusterd_v1_TaskRef__Output } from '../../clusterd/v1/TaskRef.js';
import type { TaskUpdate as _clusterd_v1_TaskUpdate, TaskUpdate__Output as _clusterd_v1_TaskUpdate__Output } from '../../clusterd/v1/TaskUpdate.js';
import type { AssignmentGrant as _clusterd_v1_AssignmentGrant, AssignmentGrant__Output as _clusterd_v1_AssignmentGrant__Output } from '../../clusterd/v1/AssignmentGrant.js';

export interface Register {
  'agent_id'?: (string);
  'hostname'?: (string);
  'capacity'?: (_clusterd_v1_Capacity | null);
  'labels'?: ({[key: string]: string});
  'executors'?: (string)[];
  'running'?: (_clusterd_v1_TaskRef)[];
  'unacknowledged'?: (_clusterd_v1_TaskUpdate)[];
  'version'?: (string);
  'instance_id'?: (string);
  'grants'?: (_clusterd_v1_AssignmentGrant)[];
}

export interface Register__Output {
  'agent_id': (string);
  'hostname': (string);
  'capacity': (_clusterd_v1_Capacity__Output | null);
  'labels': ({[key: string]: string});
  'executors': (string)[];
  'running': (_clusterd_v1_TaskRef__Output)[];
  'unacknowledged': (_clusterd_v1_TaskUpdate__Output)[];
  'version': (string);
  'instance_id': (string);
  'grants': (_clusterd_v1_AssignmentGrant__Output)[];
}
