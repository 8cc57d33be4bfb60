// Original file: proto/cluster.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage as _clusterd_v1_AgentMessage, AgentMessage__Output as _clusterd_v1_AgentMessage__Output } from '../../clusterd/v1/AgentMessage.js';
import type { SchedulerMessage as _clusterd_v1_SchedulerMessage, SchedulerMessage__Output as _clusterd_v1_SchedulerMessage__Output } from '../../clusterd/v1/SchedulerMessage.js';

export interface AgentServiceClient extends grpc.Client {
  Connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_clusterd_v1_AgentMessage, _clusterd_v1_SchedulerMessage__Output>;
  Connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_clusterd_v1_AgentMessage, _clusterd_v1_SchedulerMessage__Output>;
  connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_clusterd_v1_AgentMessage, _clusterd_v1_SchedulerMessage__Output>;
  connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_clusterd_v1_AgentMessage, _clusterd_v1_SchedulerMessage__Output>;
  
}

export interface AgentServiceHandlers extends grpc.UntypedServiceImplementation {
  Connect: grpc.handleBidiStreamingCall<_clusterd_v1_AgentMessage__Output, _clusterd_v1_SchedulerMessage>;
  
}

export interface AgentServiceDefinition extends grpc.ServiceDefinition {
  Connect: MethodDefinition<_clusterd_v1_AgentMessage, _clusterd_v1_SchedulerMessage, _clusterd_v1_AgentMessage__Output, _clusterd_v1_SchedulerMessage__Output>
}
