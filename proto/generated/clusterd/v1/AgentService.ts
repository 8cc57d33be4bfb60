// Original file: proto/cluster.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage as _clusterd_v1_AgentMessage, AgentMessage__Output as _clusterd_v1_AgentMessage__Output } from '../../clusterd/v1/AgentMessage.js';
import type { InputChunk as _clusterd_v1_InputChunk, InputChunk__Output as _clusterd_v1_InputChunk__Output } from '../../clusterd/v1/InputChunk.js';
import type { InputRef as _clusterd_v1_InputRef, InputRef__Output as _clusterd_v1_InputRef__Output } from '../../clusterd/v1/InputRef.js';
import type { SchedulerMessage as _clusterd_v1_SchedulerMessage, SchedulerMessage__Output as _clusterd_v1_SchedulerMessage__Output } from '../../clusterd/v1/SchedulerMessage.js';

export interface AgentServiceClient extends grpc.Client {
  Connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_clusterd_v1_AgentMessage, _clusterd_v1_SchedulerMessage__Output>;
  Connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_clusterd_v1_AgentMessage, _clusterd_v1_SchedulerMessage__Output>;
  connect(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_clusterd_v1_AgentMessage, _clusterd_v1_SchedulerMessage__Output>;
  connect(options?: grpc.CallOptions): grpc.ClientDuplexStream<_clusterd_v1_AgentMessage, _clusterd_v1_SchedulerMessage__Output>;
  
  GetInput(argument: _clusterd_v1_InputRef, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_InputChunk__Output>;
  GetInput(argument: _clusterd_v1_InputRef, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_InputChunk__Output>;
  getInput(argument: _clusterd_v1_InputRef, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_InputChunk__Output>;
  getInput(argument: _clusterd_v1_InputRef, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_InputChunk__Output>;
  
}

export interface AgentServiceHandlers extends grpc.UntypedServiceImplementation {
  Connect: grpc.handleBidiStreamingCall<_clusterd_v1_AgentMessage__Output, _clusterd_v1_SchedulerMessage>;
  
  GetInput: grpc.handleServerStreamingCall<_clusterd_v1_InputRef__Output, _clusterd_v1_InputChunk>;
  
}

export interface AgentServiceDefinition extends grpc.ServiceDefinition {
  Connect: MethodDefinition<_clusterd_v1_AgentMessage, _clusterd_v1_SchedulerMessage, _clusterd_v1_AgentMessage__Output, _clusterd_v1_SchedulerMessage__Output>
  GetInput: MethodDefinition<_clusterd_v1_InputRef, _clusterd_v1_InputChunk, _clusterd_v1_InputRef__Output, _clusterd_v1_InputChunk__Output>
}
