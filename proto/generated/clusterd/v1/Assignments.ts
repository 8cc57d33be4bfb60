// Original file: proto/cluster.proto

import type { Assignment as _clusterd_v1_Assignment, Assignment__Output as _clusterd_v1_Assignment__Output } from '../../clusterd/v1/Assignment.js';

export interface Assignments {
  'tasks'?: (_clusterd_v1_Assignment)[];
}

export interface Assignments__Output {
  'tasks': (_clusterd_v1_Assignment__Output)[];
}
