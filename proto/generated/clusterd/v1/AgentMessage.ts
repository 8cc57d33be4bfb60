// Original file: proto/cluster.proto

import type { Register as _clusterd_v1_Register, Register__Output as _clusterd_v1_Register__Output } from '../../clusterd/v1/Register.js';
import type { Heartbeat as _clusterd_v1_Heartbeat, Heartbeat__Output as _clusterd_v1_Heartbeat__Output } from '../../clusterd/v1/Heartbeat.js';
import type { TaskUpdates as _clusterd_v1_TaskUpdates, TaskUpdates__Output as _clusterd_v1_TaskUpdates__Output } from '../../clusterd/v1/TaskUpdates.js';
import type { Leaving as _clusterd_v1_Leaving, Leaving__Output as _clusterd_v1_Leaving__Output } from '../../clusterd/v1/Leaving.js';

export interface AgentMessage {
  'register'?: (_clusterd_v1_Register | null);
  'heartbeat'?: (_clusterd_v1_Heartbeat | null);
  'updates'?: (_clusterd_v1_TaskUpdates | null);
  'leaving'?: (_clusterd_v1_Leaving | null);
  'body'?: "register"|"heartbeat"|"updates"|"leaving";
}

export interface AgentMessage__Output {
  'register'?: (_clusterd_v1_Register__Output | null);
  'heartbeat'?: (_clusterd_v1_Heartbeat__Output | null);
  'updates'?: (_clusterd_v1_TaskUpdates__Output | null);
  'leaving'?: (_clusterd_v1_Leaving__Output | null);
  'body'?: "register"|"heartbeat"|"updates"|"leaving";
}
