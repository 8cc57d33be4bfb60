// Original file: proto/cluster.proto

import type { Registered as _clusterd_v1_Registered, Registered__Output as _clusterd_v1_Registered__Output } from '../../clusterd/v1/Registered.js';
import type { Assignments as _clusterd_v1_Assignments, Assignments__Output as _clusterd_v1_Assignments__Output } from '../../clusterd/v1/Assignments.js';
import type { Cancels as _clusterd_v1_Cancels, Cancels__Output as _clusterd_v1_Cancels__Output } from '../../clusterd/v1/Cancels.js';
import type { Acks as _clusterd_v1_Acks, Acks__Output as _clusterd_v1_Acks__Output } from '../../clusterd/v1/Acks.js';
import type { NotLeader as _clusterd_v1_NotLeader, NotLeader__Output as _clusterd_v1_NotLeader__Output } from '../../clusterd/v1/NotLeader.js';
import type { Heartbeat as _clusterd_v1_Heartbeat, Heartbeat__Output as _clusterd_v1_Heartbeat__Output } from '../../clusterd/v1/Heartbeat.js';
import type { Revokes as _clusterd_v1_Revokes, Revokes__Output as _clusterd_v1_Revokes__Output } from '../../clusterd/v1/Revokes.js';

export interface SchedulerMessage {
  'registered'?: (_clusterd_v1_Registered | null);
  'assign'?: (_clusterd_v1_Assignments | null);
  'cancel'?: (_clusterd_v1_Cancels | null);
  'ack'?: (_clusterd_v1_Acks | null);
  'not_leader'?: (_clusterd_v1_NotLeader | null);
  'heartbeat'?: (_clusterd_v1_Heartbeat | null);
  'revoke'?: (_clusterd_v1_Revokes | null);
  'body'?: "registered"|"assign"|"cancel"|"ack"|"not_leader"|"heartbeat"|"revoke";
}

export interface SchedulerMessage__Output {
  'registered'?: (_clusterd_v1_Registered__Output | null);
  'assign'?: (_clusterd_v1_Assignments__Output | null);
  'cancel'?: (_clusterd_v1_Cancels__Output | null);
  'ack'?: (_clusterd_v1_Acks__Output | null);
  'not_leader'?: (_clusterd_v1_NotLeader__Output | null);
  'heartbeat'?: (_clusterd_v1_Heartbeat__Output | null);
  'revoke'?: (_clusterd_v1_Revokes__Output | null);
  'body'?: "registered"|"assign"|"cancel"|"ack"|"not_leader"|"heartbeat"|"revoke";
}
