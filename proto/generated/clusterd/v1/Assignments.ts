// Original file: proto/cluster.proto

import type { StepAssignment as _clusterd_v1_StepAssignment, StepAssignment__Output as _clusterd_v1_StepAssignment__Output } from '../../clusterd/v1/StepAssignment.js';

export interface Assignments {
  'steps'?: (_clusterd_v1_StepAssignment)[];
}

export interface Assignments__Output {
  'steps': (_clusterd_v1_StepAssignment__Output)[];
}
