// Original file: proto/cluster.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Chunk as _clusterd_v1_Chunk, Chunk__Output as _clusterd_v1_Chunk__Output } from '../../clusterd/v1/Chunk.js';
import type { ChunkIds as _clusterd_v1_ChunkIds, ChunkIds__Output as _clusterd_v1_ChunkIds__Output } from '../../clusterd/v1/ChunkIds.js';
import type { Empty as _clusterd_v1_Empty, Empty__Output as _clusterd_v1_Empty__Output } from '../../clusterd/v1/Empty.js';
import type { GcReply as _clusterd_v1_GcReply, GcReply__Output as _clusterd_v1_GcReply__Output } from '../../clusterd/v1/GcReply.js';
import type { GcRequest as _clusterd_v1_GcRequest, GcRequest__Output as _clusterd_v1_GcRequest__Output } from '../../clusterd/v1/GcRequest.js';
import type { ObjectRef as _clusterd_v1_ObjectRef, ObjectRef__Output as _clusterd_v1_ObjectRef__Output } from '../../clusterd/v1/ObjectRef.js';
import type { ObjectStat as _clusterd_v1_ObjectStat, ObjectStat__Output as _clusterd_v1_ObjectStat__Output } from '../../clusterd/v1/ObjectStat.js';
import type { PutChunk as _clusterd_v1_PutChunk, PutChunk__Output as _clusterd_v1_PutChunk__Output } from '../../clusterd/v1/PutChunk.js';
import type { PutReply as _clusterd_v1_PutReply, PutReply__Output as _clusterd_v1_PutReply__Output } from '../../clusterd/v1/PutReply.js';
import type { StoreStats as _clusterd_v1_StoreStats, StoreStats__Output as _clusterd_v1_StoreStats__Output } from '../../clusterd/v1/StoreStats.js';

export interface ChunkStoreClient extends grpc.Client {
  Gc(argument: _clusterd_v1_GcRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_GcReply__Output>): grpc.ClientUnaryCall;
  Gc(argument: _clusterd_v1_GcRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_GcReply__Output>): grpc.ClientUnaryCall;
  Gc(argument: _clusterd_v1_GcRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_GcReply__Output>): grpc.ClientUnaryCall;
  Gc(argument: _clusterd_v1_GcRequest, callback: grpc.requestCallback<_clusterd_v1_GcReply__Output>): grpc.ClientUnaryCall;
  gc(argument: _clusterd_v1_GcRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_GcReply__Output>): grpc.ClientUnaryCall;
  gc(argument: _clusterd_v1_GcRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_GcReply__Output>): grpc.ClientUnaryCall;
  gc(argument: _clusterd_v1_GcRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_GcReply__Output>): grpc.ClientUnaryCall;
  gc(argument: _clusterd_v1_GcRequest, callback: grpc.requestCallback<_clusterd_v1_GcReply__Output>): grpc.ClientUnaryCall;
  
  Get(argument: _clusterd_v1_ObjectRef, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_Chunk__Output>;
  Get(argument: _clusterd_v1_ObjectRef, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_Chunk__Output>;
  get(argument: _clusterd_v1_ObjectRef, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_Chunk__Output>;
  get(argument: _clusterd_v1_ObjectRef, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_Chunk__Output>;
  
  Missing(argument: _clusterd_v1_ChunkIds, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ChunkIds__Output>): grpc.ClientUnaryCall;
  Missing(argument: _clusterd_v1_ChunkIds, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_ChunkIds__Output>): grpc.ClientUnaryCall;
  Missing(argument: _clusterd_v1_ChunkIds, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ChunkIds__Output>): grpc.ClientUnaryCall;
  Missing(argument: _clusterd_v1_ChunkIds, callback: grpc.requestCallback<_clusterd_v1_ChunkIds__Output>): grpc.ClientUnaryCall;
  missing(argument: _clusterd_v1_ChunkIds, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ChunkIds__Output>): grpc.ClientUnaryCall;
  missing(argument: _clusterd_v1_ChunkIds, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_ChunkIds__Output>): grpc.ClientUnaryCall;
  missing(argument: _clusterd_v1_ChunkIds, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ChunkIds__Output>): grpc.ClientUnaryCall;
  missing(argument: _clusterd_v1_ChunkIds, callback: grpc.requestCallback<_clusterd_v1_ChunkIds__Output>): grpc.ClientUnaryCall;
  
  Put(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_PutReply__Output>): grpc.ClientWritableStream<_clusterd_v1_PutChunk>;
  Put(metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_PutReply__Output>): grpc.ClientWritableStream<_clusterd_v1_PutChunk>;
  Put(options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_PutReply__Output>): grpc.ClientWritableStream<_clusterd_v1_PutChunk>;
  Put(callback: grpc.requestCallback<_clusterd_v1_PutReply__Output>): grpc.ClientWritableStream<_clusterd_v1_PutChunk>;
  put(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_PutReply__Output>): grpc.ClientWritableStream<_clusterd_v1_PutChunk>;
  put(metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_PutReply__Output>): grpc.ClientWritableStream<_clusterd_v1_PutChunk>;
  put(options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_PutReply__Output>): grpc.ClientWritableStream<_clusterd_v1_PutChunk>;
  put(callback: grpc.requestCallback<_clusterd_v1_PutReply__Output>): grpc.ClientWritableStream<_clusterd_v1_PutChunk>;
  
  Stat(argument: _clusterd_v1_ObjectRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ObjectStat__Output>): grpc.ClientUnaryCall;
  Stat(argument: _clusterd_v1_ObjectRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_ObjectStat__Output>): grpc.ClientUnaryCall;
  Stat(argument: _clusterd_v1_ObjectRef, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ObjectStat__Output>): grpc.ClientUnaryCall;
  Stat(argument: _clusterd_v1_ObjectRef, callback: grpc.requestCallback<_clusterd_v1_ObjectStat__Output>): grpc.ClientUnaryCall;
  stat(argument: _clusterd_v1_ObjectRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ObjectStat__Output>): grpc.ClientUnaryCall;
  stat(argument: _clusterd_v1_ObjectRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_ObjectStat__Output>): grpc.ClientUnaryCall;
  stat(argument: _clusterd_v1_ObjectRef, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ObjectStat__Output>): grpc.ClientUnaryCall;
  stat(argument: _clusterd_v1_ObjectRef, callback: grpc.requestCallback<_clusterd_v1_ObjectStat__Output>): grpc.ClientUnaryCall;
  
  Stats(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_StoreStats__Output>): grpc.ClientUnaryCall;
  Stats(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_StoreStats__Output>): grpc.ClientUnaryCall;
  Stats(argument: _clusterd_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_StoreStats__Output>): grpc.ClientUnaryCall;
  Stats(argument: _clusterd_v1_Empty, callback: grpc.requestCallback<_clusterd_v1_StoreStats__Output>): grpc.ClientUnaryCall;
  stats(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_StoreStats__Output>): grpc.ClientUnaryCall;
  stats(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_StoreStats__Output>): grpc.ClientUnaryCall;
  stats(argument: _clusterd_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_StoreStats__Output>): grpc.ClientUnaryCall;
  stats(argument: _clusterd_v1_Empty, callback: grpc.requestCallback<_clusterd_v1_StoreStats__Output>): grpc.ClientUnaryCall;
  
}

export interface ChunkStoreHandlers extends grpc.UntypedServiceImplementation {
  Gc: grpc.handleUnaryCall<_clusterd_v1_GcRequest__Output, _clusterd_v1_GcReply>;
  
  Get: grpc.handleServerStreamingCall<_clusterd_v1_ObjectRef__Output, _clusterd_v1_Chunk>;
  
  Missing: grpc.handleUnaryCall<_clusterd_v1_ChunkIds__Output, _clusterd_v1_ChunkIds>;
  
  Put: grpc.handleClientStreamingCall<_clusterd_v1_PutChunk__Output, _clusterd_v1_PutReply>;
  
  Stat: grpc.handleUnaryCall<_clusterd_v1_ObjectRef__Output, _clusterd_v1_ObjectStat>;
  
  Stats: grpc.handleUnaryCall<_clusterd_v1_Empty__Output, _clusterd_v1_StoreStats>;
  
}

export interface ChunkStoreDefinition extends grpc.ServiceDefinition {
  Gc: MethodDefinition<_clusterd_v1_GcRequest, _clusterd_v1_GcReply, _clusterd_v1_GcRequest__Output, _clusterd_v1_GcReply__Output>
  Get: MethodDefinition<_clusterd_v1_ObjectRef, _clusterd_v1_Chunk, _clusterd_v1_ObjectRef__Output, _clusterd_v1_Chunk__Output>
  Missing: MethodDefinition<_clusterd_v1_ChunkIds, _clusterd_v1_ChunkIds, _clusterd_v1_ChunkIds__Output, _clusterd_v1_ChunkIds__Output>
  Put: MethodDefinition<_clusterd_v1_PutChunk, _clusterd_v1_PutReply, _clusterd_v1_PutChunk__Output, _clusterd_v1_PutReply__Output>
  Stat: MethodDefinition<_clusterd_v1_ObjectRef, _clusterd_v1_ObjectStat, _clusterd_v1_ObjectRef__Output, _clusterd_v1_ObjectStat__Output>
  Stats: MethodDefinition<_clusterd_v1_Empty, _clusterd_v1_StoreStats, _clusterd_v1_Empty__Output, _clusterd_v1_StoreStats__Output>
}
