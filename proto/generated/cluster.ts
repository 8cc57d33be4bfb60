import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Acks as _clusterd_v1_Acks, Acks__Output as _clusterd_v1_Acks__Output } from './clusterd/v1/Acks.js';
import type { AgentInfo as _clusterd_v1_AgentInfo, AgentInfo__Output as _clusterd_v1_AgentInfo__Output } from './clusterd/v1/AgentInfo.js';
import type { AgentList as _clusterd_v1_AgentList, AgentList__Output as _clusterd_v1_AgentList__Output } from './clusterd/v1/AgentList.js';
import type { AgentMessage as _clusterd_v1_AgentMessage, AgentMessage__Output as _clusterd_v1_AgentMessage__Output } from './clusterd/v1/AgentMessage.js';
import type { AgentServiceClient as _clusterd_v1_AgentServiceClient, AgentServiceDefinition as _clusterd_v1_AgentServiceDefinition } from './clusterd/v1/AgentService.js';
import type { Artifact as _clusterd_v1_Artifact, Artifact__Output as _clusterd_v1_Artifact__Output } from './clusterd/v1/Artifact.js';
import type { AssignmentGrant as _clusterd_v1_AssignmentGrant, AssignmentGrant__Output as _clusterd_v1_AssignmentGrant__Output } from './clusterd/v1/AssignmentGrant.js';
import type { Assignments as _clusterd_v1_Assignments, Assignments__Output as _clusterd_v1_Assignments__Output } from './clusterd/v1/Assignments.js';
import type { AttemptStatus as _clusterd_v1_AttemptStatus, AttemptStatus__Output as _clusterd_v1_AttemptStatus__Output } from './clusterd/v1/AttemptStatus.js';
import type { AuditEntry as _clusterd_v1_AuditEntry, AuditEntry__Output as _clusterd_v1_AuditEntry__Output } from './clusterd/v1/AuditEntry.js';
import type { AuditList as _clusterd_v1_AuditList, AuditList__Output as _clusterd_v1_AuditList__Output } from './clusterd/v1/AuditList.js';
import type { AuditQuery as _clusterd_v1_AuditQuery, AuditQuery__Output as _clusterd_v1_AuditQuery__Output } from './clusterd/v1/AuditQuery.js';
import type { CallError as _clusterd_v1_CallError, CallError__Output as _clusterd_v1_CallError__Output } from './clusterd/v1/CallError.js';
import type { Cancels as _clusterd_v1_Cancels, Cancels__Output as _clusterd_v1_Cancels__Output } from './clusterd/v1/Cancels.js';
import type { Capacity as _clusterd_v1_Capacity, Capacity__Output as _clusterd_v1_Capacity__Output } from './clusterd/v1/Capacity.js';
import type { Chunk as _clusterd_v1_Chunk, Chunk__Output as _clusterd_v1_Chunk__Output } from './clusterd/v1/Chunk.js';
import type { ChunkIds as _clusterd_v1_ChunkIds, ChunkIds__Output as _clusterd_v1_ChunkIds__Output } from './clusterd/v1/ChunkIds.js';
import type { ChunkStoreClient as _clusterd_v1_ChunkStoreClient, ChunkStoreDefinition as _clusterd_v1_ChunkStoreDefinition } from './clusterd/v1/ChunkStore.js';
import type { ClientServiceClient as _clusterd_v1_ClientServiceClient, ClientServiceDefinition as _clusterd_v1_ClientServiceDefinition } from './clusterd/v1/ClientService.js';
import type { ContainerSpec as _clusterd_v1_ContainerSpec, ContainerSpec__Output as _clusterd_v1_ContainerSpec__Output } from './clusterd/v1/ContainerSpec.js';
import type { DrainRequest as _clusterd_v1_DrainRequest, DrainRequest__Output as _clusterd_v1_DrainRequest__Output } from './clusterd/v1/DrainRequest.js';
import type { Empty as _clusterd_v1_Empty, Empty__Output as _clusterd_v1_Empty__Output } from './clusterd/v1/Empty.js';
import type { GcReply as _clusterd_v1_GcReply, GcReply__Output as _clusterd_v1_GcReply__Output } from './clusterd/v1/GcReply.js';
import type { GcRequest as _clusterd_v1_GcRequest, GcRequest__Output as _clusterd_v1_GcRequest__Output } from './clusterd/v1/GcRequest.js';
import type { Gpu as _clusterd_v1_Gpu, Gpu__Output as _clusterd_v1_Gpu__Output } from './clusterd/v1/Gpu.js';
import type { Heartbeat as _clusterd_v1_Heartbeat, Heartbeat__Output as _clusterd_v1_Heartbeat__Output } from './clusterd/v1/Heartbeat.js';
import type { InputChunk as _clusterd_v1_InputChunk, InputChunk__Output as _clusterd_v1_InputChunk__Output } from './clusterd/v1/InputChunk.js';
import type { InputRef as _clusterd_v1_InputRef, InputRef__Output as _clusterd_v1_InputRef__Output } from './clusterd/v1/InputRef.js';
import type { Leaving as _clusterd_v1_Leaving, Leaving__Output as _clusterd_v1_Leaving__Output } from './clusterd/v1/Leaving.js';
import type { ListRunsRequest as _clusterd_v1_ListRunsRequest, ListRunsRequest__Output as _clusterd_v1_ListRunsRequest__Output } from './clusterd/v1/ListRunsRequest.js';
import type { LogLine as _clusterd_v1_LogLine, LogLine__Output as _clusterd_v1_LogLine__Output } from './clusterd/v1/LogLine.js';
import type { LogsRequest as _clusterd_v1_LogsRequest, LogsRequest__Output as _clusterd_v1_LogsRequest__Output } from './clusterd/v1/LogsRequest.js';
import type { NotLeader as _clusterd_v1_NotLeader, NotLeader__Output as _clusterd_v1_NotLeader__Output } from './clusterd/v1/NotLeader.js';
import type { ObjectRef as _clusterd_v1_ObjectRef, ObjectRef__Output as _clusterd_v1_ObjectRef__Output } from './clusterd/v1/ObjectRef.js';
import type { ObjectStat as _clusterd_v1_ObjectStat, ObjectStat__Output as _clusterd_v1_ObjectStat__Output } from './clusterd/v1/ObjectStat.js';
import type { ProcessHealth as _clusterd_v1_ProcessHealth, ProcessHealth__Output as _clusterd_v1_ProcessHealth__Output } from './clusterd/v1/ProcessHealth.js';
import type { PutChunk as _clusterd_v1_PutChunk, PutChunk__Output as _clusterd_v1_PutChunk__Output } from './clusterd/v1/PutChunk.js';
import type { PutReply as _clusterd_v1_PutReply, PutReply__Output as _clusterd_v1_PutReply__Output } from './clusterd/v1/PutReply.js';
import type { Register as _clusterd_v1_Register, Register__Output as _clusterd_v1_Register__Output } from './clusterd/v1/Register.js';
import type { Registered as _clusterd_v1_Registered, Registered__Output as _clusterd_v1_Registered__Output } from './clusterd/v1/Registered.js';
import type { Resources as _clusterd_v1_Resources, Resources__Output as _clusterd_v1_Resources__Output } from './clusterd/v1/Resources.js';
import type { ResumeRequest as _clusterd_v1_ResumeRequest, ResumeRequest__Output as _clusterd_v1_ResumeRequest__Output } from './clusterd/v1/ResumeRequest.js';
import type { Revokes as _clusterd_v1_Revokes, Revokes__Output as _clusterd_v1_Revokes__Output } from './clusterd/v1/Revokes.js';
import type { RunList as _clusterd_v1_RunList, RunList__Output as _clusterd_v1_RunList__Output } from './clusterd/v1/RunList.js';
import type { RunRef as _clusterd_v1_RunRef, RunRef__Output as _clusterd_v1_RunRef__Output } from './clusterd/v1/RunRef.js';
import type { RunStatus as _clusterd_v1_RunStatus, RunStatus__Output as _clusterd_v1_RunStatus__Output } from './clusterd/v1/RunStatus.js';
import type { ScheduleInfo as _clusterd_v1_ScheduleInfo, ScheduleInfo__Output as _clusterd_v1_ScheduleInfo__Output } from './clusterd/v1/ScheduleInfo.js';
import type { ScheduleList as _clusterd_v1_ScheduleList, ScheduleList__Output as _clusterd_v1_ScheduleList__Output } from './clusterd/v1/ScheduleList.js';
import type { ScheduleRef as _clusterd_v1_ScheduleRef, ScheduleRef__Output as _clusterd_v1_ScheduleRef__Output } from './clusterd/v1/ScheduleRef.js';
import type { ScheduleSpec as _clusterd_v1_ScheduleSpec, ScheduleSpec__Output as _clusterd_v1_ScheduleSpec__Output } from './clusterd/v1/ScheduleSpec.js';
import type { SchedulerMessage as _clusterd_v1_SchedulerMessage, SchedulerMessage__Output as _clusterd_v1_SchedulerMessage__Output } from './clusterd/v1/SchedulerMessage.js';
import type { ServerInfo as _clusterd_v1_ServerInfo, ServerInfo__Output as _clusterd_v1_ServerInfo__Output } from './clusterd/v1/ServerInfo.js';
import type { ServerList as _clusterd_v1_ServerList, ServerList__Output as _clusterd_v1_ServerList__Output } from './clusterd/v1/ServerList.js';
import type { SessionEvent as _clusterd_v1_SessionEvent, SessionEvent__Output as _clusterd_v1_SessionEvent__Output } from './clusterd/v1/SessionEvent.js';
import type { SessionRequest as _clusterd_v1_SessionRequest, SessionRequest__Output as _clusterd_v1_SessionRequest__Output } from './clusterd/v1/SessionRequest.js';
import type { StepAssignment as _clusterd_v1_StepAssignment, StepAssignment__Output as _clusterd_v1_StepAssignment__Output } from './clusterd/v1/StepAssignment.js';
import type { StepStatus as _clusterd_v1_StepStatus, StepStatus__Output as _clusterd_v1_StepStatus__Output } from './clusterd/v1/StepStatus.js';
import type { StoreStats as _clusterd_v1_StoreStats, StoreStats__Output as _clusterd_v1_StoreStats__Output } from './clusterd/v1/StoreStats.js';
import type { SubmitReply as _clusterd_v1_SubmitReply, SubmitReply__Output as _clusterd_v1_SubmitReply__Output } from './clusterd/v1/SubmitReply.js';
import type { SubmitRequest as _clusterd_v1_SubmitRequest, SubmitRequest__Output as _clusterd_v1_SubmitRequest__Output } from './clusterd/v1/SubmitRequest.js';
import type { TaskAssignment as _clusterd_v1_TaskAssignment, TaskAssignment__Output as _clusterd_v1_TaskAssignment__Output } from './clusterd/v1/TaskAssignment.js';
import type { TaskError as _clusterd_v1_TaskError, TaskError__Output as _clusterd_v1_TaskError__Output } from './clusterd/v1/TaskError.js';
import type { TaskFinished as _clusterd_v1_TaskFinished, TaskFinished__Output as _clusterd_v1_TaskFinished__Output } from './clusterd/v1/TaskFinished.js';
import type { TaskLog as _clusterd_v1_TaskLog, TaskLog__Output as _clusterd_v1_TaskLog__Output } from './clusterd/v1/TaskLog.js';
import type { TaskPage as _clusterd_v1_TaskPage, TaskPage__Output as _clusterd_v1_TaskPage__Output } from './clusterd/v1/TaskPage.js';
import type { TaskRef as _clusterd_v1_TaskRef, TaskRef__Output as _clusterd_v1_TaskRef__Output } from './clusterd/v1/TaskRef.js';
import type { TaskResult as _clusterd_v1_TaskResult, TaskResult__Output as _clusterd_v1_TaskResult__Output } from './clusterd/v1/TaskResult.js';
import type { TaskReturned as _clusterd_v1_TaskReturned, TaskReturned__Output as _clusterd_v1_TaskReturned__Output } from './clusterd/v1/TaskReturned.js';
import type { TaskSelector as _clusterd_v1_TaskSelector, TaskSelector__Output as _clusterd_v1_TaskSelector__Output } from './clusterd/v1/TaskSelector.js';
import type { TaskStarted as _clusterd_v1_TaskStarted, TaskStarted__Output as _clusterd_v1_TaskStarted__Output } from './clusterd/v1/TaskStarted.js';
import type { TaskStatus as _clusterd_v1_TaskStatus, TaskStatus__Output as _clusterd_v1_TaskStatus__Output } from './clusterd/v1/TaskStatus.js';
import type { TaskUpdate as _clusterd_v1_TaskUpdate, TaskUpdate__Output as _clusterd_v1_TaskUpdate__Output } from './clusterd/v1/TaskUpdate.js';
import type { TaskUpdates as _clusterd_v1_TaskUpdates, TaskUpdates__Output as _clusterd_v1_TaskUpdates__Output } from './clusterd/v1/TaskUpdates.js';
import type { ThreadSpec as _clusterd_v1_ThreadSpec, ThreadSpec__Output as _clusterd_v1_ThreadSpec__Output } from './clusterd/v1/ThreadSpec.js';
import type { TokenCreated as _clusterd_v1_TokenCreated, TokenCreated__Output as _clusterd_v1_TokenCreated__Output } from './clusterd/v1/TokenCreated.js';
import type { TokenInfo as _clusterd_v1_TokenInfo, TokenInfo__Output as _clusterd_v1_TokenInfo__Output } from './clusterd/v1/TokenInfo.js';
import type { TokenList as _clusterd_v1_TokenList, TokenList__Output as _clusterd_v1_TokenList__Output } from './clusterd/v1/TokenList.js';
import type { TokenRef as _clusterd_v1_TokenRef, TokenRef__Output as _clusterd_v1_TokenRef__Output } from './clusterd/v1/TokenRef.js';
import type { TokenSpec as _clusterd_v1_TokenSpec, TokenSpec__Output as _clusterd_v1_TokenSpec__Output } from './clusterd/v1/TokenSpec.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  clusterd: {
    v1: {
      Acks: MessageTypeDefinition<_clusterd_v1_Acks, _clusterd_v1_Acks__Output>
      AgentInfo: MessageTypeDefinition<_clusterd_v1_AgentInfo, _clusterd_v1_AgentInfo__Output>
      AgentList: MessageTypeDefinition<_clusterd_v1_AgentList, _clusterd_v1_AgentList__Output>
      AgentMessage: MessageTypeDefinition<_clusterd_v1_AgentMessage, _clusterd_v1_AgentMessage__Output>
      AgentService: SubtypeConstructor<typeof grpc.Client, _clusterd_v1_AgentServiceClient> & { service: _clusterd_v1_AgentServiceDefinition }
      Artifact: MessageTypeDefinition<_clusterd_v1_Artifact, _clusterd_v1_Artifact__Output>
      AssignmentGrant: MessageTypeDefinition<_clusterd_v1_AssignmentGrant, _clusterd_v1_AssignmentGrant__Output>
      Assignments: MessageTypeDefinition<_clusterd_v1_Assignments, _clusterd_v1_Assignments__Output>
      AttemptStatus: MessageTypeDefinition<_clusterd_v1_AttemptStatus, _clusterd_v1_AttemptStatus__Output>
      AuditEntry: MessageTypeDefinition<_clusterd_v1_AuditEntry, _clusterd_v1_AuditEntry__Output>
      AuditList: MessageTypeDefinition<_clusterd_v1_AuditList, _clusterd_v1_AuditList__Output>
      AuditQuery: MessageTypeDefinition<_clusterd_v1_AuditQuery, _clusterd_v1_AuditQuery__Output>
      CallError: MessageTypeDefinition<_clusterd_v1_CallError, _clusterd_v1_CallError__Output>
      Cancels: MessageTypeDefinition<_clusterd_v1_Cancels, _clusterd_v1_Cancels__Output>
      Capacity: MessageTypeDefinition<_clusterd_v1_Capacity, _clusterd_v1_Capacity__Output>
      Chunk: MessageTypeDefinition<_clusterd_v1_Chunk, _clusterd_v1_Chunk__Output>
      ChunkIds: MessageTypeDefinition<_clusterd_v1_ChunkIds, _clusterd_v1_ChunkIds__Output>
      ChunkStore: SubtypeConstructor<typeof grpc.Client, _clusterd_v1_ChunkStoreClient> & { service: _clusterd_v1_ChunkStoreDefinition }
      ClientService: SubtypeConstructor<typeof grpc.Client, _clusterd_v1_ClientServiceClient> & { service: _clusterd_v1_ClientServiceDefinition }
      ContainerSpec: MessageTypeDefinition<_clusterd_v1_ContainerSpec, _clusterd_v1_ContainerSpec__Output>
      DrainRequest: MessageTypeDefinition<_clusterd_v1_DrainRequest, _clusterd_v1_DrainRequest__Output>
      Empty: MessageTypeDefinition<_clusterd_v1_Empty, _clusterd_v1_Empty__Output>
      GcReply: MessageTypeDefinition<_clusterd_v1_GcReply, _clusterd_v1_GcReply__Output>
      GcRequest: MessageTypeDefinition<_clusterd_v1_GcRequest, _clusterd_v1_GcRequest__Output>
      Gpu: MessageTypeDefinition<_clusterd_v1_Gpu, _clusterd_v1_Gpu__Output>
      Heartbeat: MessageTypeDefinition<_clusterd_v1_Heartbeat, _clusterd_v1_Heartbeat__Output>
      InputChunk: MessageTypeDefinition<_clusterd_v1_InputChunk, _clusterd_v1_InputChunk__Output>
      InputRef: MessageTypeDefinition<_clusterd_v1_InputRef, _clusterd_v1_InputRef__Output>
      Leaving: MessageTypeDefinition<_clusterd_v1_Leaving, _clusterd_v1_Leaving__Output>
      ListRunsRequest: MessageTypeDefinition<_clusterd_v1_ListRunsRequest, _clusterd_v1_ListRunsRequest__Output>
      LogLine: MessageTypeDefinition<_clusterd_v1_LogLine, _clusterd_v1_LogLine__Output>
      LogsRequest: MessageTypeDefinition<_clusterd_v1_LogsRequest, _clusterd_v1_LogsRequest__Output>
      NotLeader: MessageTypeDefinition<_clusterd_v1_NotLeader, _clusterd_v1_NotLeader__Output>
      ObjectRef: MessageTypeDefinition<_clusterd_v1_ObjectRef, _clusterd_v1_ObjectRef__Output>
      ObjectStat: MessageTypeDefinition<_clusterd_v1_ObjectStat, _clusterd_v1_ObjectStat__Output>
      ProcessHealth: MessageTypeDefinition<_clusterd_v1_ProcessHealth, _clusterd_v1_ProcessHealth__Output>
      PutChunk: MessageTypeDefinition<_clusterd_v1_PutChunk, _clusterd_v1_PutChunk__Output>
      PutReply: MessageTypeDefinition<_clusterd_v1_PutReply, _clusterd_v1_PutReply__Output>
      Register: MessageTypeDefinition<_clusterd_v1_Register, _clusterd_v1_Register__Output>
      Registered: MessageTypeDefinition<_clusterd_v1_Registered, _clusterd_v1_Registered__Output>
      Resources: MessageTypeDefinition<_clusterd_v1_Resources, _clusterd_v1_Resources__Output>
      ResumeRequest: MessageTypeDefinition<_clusterd_v1_ResumeRequest, _clusterd_v1_ResumeRequest__Output>
      Revokes: MessageTypeDefinition<_clusterd_v1_Revokes, _clusterd_v1_Revokes__Output>
      RunList: MessageTypeDefinition<_clusterd_v1_RunList, _clusterd_v1_RunList__Output>
      RunRef: MessageTypeDefinition<_clusterd_v1_RunRef, _clusterd_v1_RunRef__Output>
      RunStatus: MessageTypeDefinition<_clusterd_v1_RunStatus, _clusterd_v1_RunStatus__Output>
      ScheduleInfo: MessageTypeDefinition<_clusterd_v1_ScheduleInfo, _clusterd_v1_ScheduleInfo__Output>
      ScheduleList: MessageTypeDefinition<_clusterd_v1_ScheduleList, _clusterd_v1_ScheduleList__Output>
      ScheduleRef: MessageTypeDefinition<_clusterd_v1_ScheduleRef, _clusterd_v1_ScheduleRef__Output>
      ScheduleSpec: MessageTypeDefinition<_clusterd_v1_ScheduleSpec, _clusterd_v1_ScheduleSpec__Output>
      SchedulerMessage: MessageTypeDefinition<_clusterd_v1_SchedulerMessage, _clusterd_v1_SchedulerMessage__Output>
      ServerInfo: MessageTypeDefinition<_clusterd_v1_ServerInfo, _clusterd_v1_ServerInfo__Output>
      ServerList: MessageTypeDefinition<_clusterd_v1_ServerList, _clusterd_v1_ServerList__Output>
      SessionEvent: MessageTypeDefinition<_clusterd_v1_SessionEvent, _clusterd_v1_SessionEvent__Output>
      SessionRequest: MessageTypeDefinition<_clusterd_v1_SessionRequest, _clusterd_v1_SessionRequest__Output>
      StepAssignment: MessageTypeDefinition<_clusterd_v1_StepAssignment, _clusterd_v1_StepAssignment__Output>
      StepStatus: MessageTypeDefinition<_clusterd_v1_StepStatus, _clusterd_v1_StepStatus__Output>
      StoreStats: MessageTypeDefinition<_clusterd_v1_StoreStats, _clusterd_v1_StoreStats__Output>
      SubmitReply: MessageTypeDefinition<_clusterd_v1_SubmitReply, _clusterd_v1_SubmitReply__Output>
      SubmitRequest: MessageTypeDefinition<_clusterd_v1_SubmitRequest, _clusterd_v1_SubmitRequest__Output>
      TaskAssignment: MessageTypeDefinition<_clusterd_v1_TaskAssignment, _clusterd_v1_TaskAssignment__Output>
      TaskError: MessageTypeDefinition<_clusterd_v1_TaskError, _clusterd_v1_TaskError__Output>
      TaskFinished: MessageTypeDefinition<_clusterd_v1_TaskFinished, _clusterd_v1_TaskFinished__Output>
      TaskLog: MessageTypeDefinition<_clusterd_v1_TaskLog, _clusterd_v1_TaskLog__Output>
      TaskPage: MessageTypeDefinition<_clusterd_v1_TaskPage, _clusterd_v1_TaskPage__Output>
      TaskRef: MessageTypeDefinition<_clusterd_v1_TaskRef, _clusterd_v1_TaskRef__Output>
      TaskResult: MessageTypeDefinition<_clusterd_v1_TaskResult, _clusterd_v1_TaskResult__Output>
      TaskReturned: MessageTypeDefinition<_clusterd_v1_TaskReturned, _clusterd_v1_TaskReturned__Output>
      TaskSelector: MessageTypeDefinition<_clusterd_v1_TaskSelector, _clusterd_v1_TaskSelector__Output>
      TaskStarted: MessageTypeDefinition<_clusterd_v1_TaskStarted, _clusterd_v1_TaskStarted__Output>
      TaskStatus: MessageTypeDefinition<_clusterd_v1_TaskStatus, _clusterd_v1_TaskStatus__Output>
      TaskUpdate: MessageTypeDefinition<_clusterd_v1_TaskUpdate, _clusterd_v1_TaskUpdate__Output>
      TaskUpdates: MessageTypeDefinition<_clusterd_v1_TaskUpdates, _clusterd_v1_TaskUpdates__Output>
      ThreadSpec: MessageTypeDefinition<_clusterd_v1_ThreadSpec, _clusterd_v1_ThreadSpec__Output>
      TokenCreated: MessageTypeDefinition<_clusterd_v1_TokenCreated, _clusterd_v1_TokenCreated__Output>
      TokenInfo: MessageTypeDefinition<_clusterd_v1_TokenInfo, _clusterd_v1_TokenInfo__Output>
      TokenList: MessageTypeDefinition<_clusterd_v1_TokenList, _clusterd_v1_TokenList__Output>
      TokenRef: MessageTypeDefinition<_clusterd_v1_TokenRef, _clusterd_v1_TokenRef__Output>
      TokenSpec: MessageTypeDefinition<_clusterd_v1_TokenSpec, _clusterd_v1_TokenSpec__Output>
    }
  }
}

