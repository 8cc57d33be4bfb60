// Original file: proto/cluster.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentInfo as _clusterd_v1_AgentInfo, AgentInfo__Output as _clusterd_v1_AgentInfo__Output } from '../../clusterd/v1/AgentInfo.js';
import type { AgentList as _clusterd_v1_AgentList, AgentList__Output as _clusterd_v1_AgentList__Output } from '../../clusterd/v1/AgentList.js';
import type { AuditList as _clusterd_v1_AuditList, AuditList__Output as _clusterd_v1_AuditList__Output } from '../../clusterd/v1/AuditList.js';
import type { AuditQuery as _clusterd_v1_AuditQuery, AuditQuery__Output as _clusterd_v1_AuditQuery__Output } from '../../clusterd/v1/AuditQuery.js';
import type { DrainRequest as _clusterd_v1_DrainRequest, DrainRequest__Output as _clusterd_v1_DrainRequest__Output } from '../../clusterd/v1/DrainRequest.js';
import type { Empty as _clusterd_v1_Empty, Empty__Output as _clusterd_v1_Empty__Output } from '../../clusterd/v1/Empty.js';
import type { ListRunsRequest as _clusterd_v1_ListRunsRequest, ListRunsRequest__Output as _clusterd_v1_ListRunsRequest__Output } from '../../clusterd/v1/ListRunsRequest.js';
import type { LogLine as _clusterd_v1_LogLine, LogLine__Output as _clusterd_v1_LogLine__Output } from '../../clusterd/v1/LogLine.js';
import type { LogsRequest as _clusterd_v1_LogsRequest, LogsRequest__Output as _clusterd_v1_LogsRequest__Output } from '../../clusterd/v1/LogsRequest.js';
import type { ResumeRequest as _clusterd_v1_ResumeRequest, ResumeRequest__Output as _clusterd_v1_ResumeRequest__Output } from '../../clusterd/v1/ResumeRequest.js';
import type { RunList as _clusterd_v1_RunList, RunList__Output as _clusterd_v1_RunList__Output } from '../../clusterd/v1/RunList.js';
import type { RunRef as _clusterd_v1_RunRef, RunRef__Output as _clusterd_v1_RunRef__Output } from '../../clusterd/v1/RunRef.js';
import type { RunStatus as _clusterd_v1_RunStatus, RunStatus__Output as _clusterd_v1_RunStatus__Output } from '../../clusterd/v1/RunStatus.js';
import type { ScheduleInfo as _clusterd_v1_ScheduleInfo, ScheduleInfo__Output as _clusterd_v1_ScheduleInfo__Output } from '../../clusterd/v1/ScheduleInfo.js';
import type { ScheduleList as _clusterd_v1_ScheduleList, ScheduleList__Output as _clusterd_v1_ScheduleList__Output } from '../../clusterd/v1/ScheduleList.js';
import type { ScheduleRef as _clusterd_v1_ScheduleRef, ScheduleRef__Output as _clusterd_v1_ScheduleRef__Output } from '../../clusterd/v1/ScheduleRef.js';
import type { ScheduleSpec as _clusterd_v1_ScheduleSpec, ScheduleSpec__Output as _clusterd_v1_ScheduleSpec__Output } from '../../clusterd/v1/ScheduleSpec.js';
import type { ServerList as _clusterd_v1_ServerList, ServerList__Output as _clusterd_v1_ServerList__Output } from '../../clusterd/v1/ServerList.js';
import type { SessionEvent as _clusterd_v1_SessionEvent, SessionEvent__Output as _clusterd_v1_SessionEvent__Output } from '../../clusterd/v1/SessionEvent.js';
import type { SessionRequest as _clusterd_v1_SessionRequest, SessionRequest__Output as _clusterd_v1_SessionRequest__Output } from '../../clusterd/v1/SessionRequest.js';
import type { SubmitReply as _clusterd_v1_SubmitReply, SubmitReply__Output as _clusterd_v1_SubmitReply__Output } from '../../clusterd/v1/SubmitReply.js';
import type { SubmitRequest as _clusterd_v1_SubmitRequest, SubmitRequest__Output as _clusterd_v1_SubmitRequest__Output } from '../../clusterd/v1/SubmitRequest.js';
import type { TaskResult as _clusterd_v1_TaskResult, TaskResult__Output as _clusterd_v1_TaskResult__Output } from '../../clusterd/v1/TaskResult.js';
import type { TaskSelector as _clusterd_v1_TaskSelector, TaskSelector__Output as _clusterd_v1_TaskSelector__Output } from '../../clusterd/v1/TaskSelector.js';
import type { TokenCreated as _clusterd_v1_TokenCreated, TokenCreated__Output as _clusterd_v1_TokenCreated__Output } from '../../clusterd/v1/TokenCreated.js';
import type { TokenInfo as _clusterd_v1_TokenInfo, TokenInfo__Output as _clusterd_v1_TokenInfo__Output } from '../../clusterd/v1/TokenInfo.js';
import type { TokenList as _clusterd_v1_TokenList, TokenList__Output as _clusterd_v1_TokenList__Output } from '../../clusterd/v1/TokenList.js';
import type { TokenRef as _clusterd_v1_TokenRef, TokenRef__Output as _clusterd_v1_TokenRef__Output } from '../../clusterd/v1/TokenRef.js';
import type { TokenSpec as _clusterd_v1_TokenSpec, TokenSpec__Output as _clusterd_v1_TokenSpec__Output } from '../../clusterd/v1/TokenSpec.js';

export interface ClientServiceClient extends grpc.Client {
  AddSchedule(argument: _clusterd_v1_ScheduleSpec, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  AddSchedule(argument: _clusterd_v1_ScheduleSpec, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  AddSchedule(argument: _clusterd_v1_ScheduleSpec, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  AddSchedule(argument: _clusterd_v1_ScheduleSpec, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  addSchedule(argument: _clusterd_v1_ScheduleSpec, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  addSchedule(argument: _clusterd_v1_ScheduleSpec, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  addSchedule(argument: _clusterd_v1_ScheduleSpec, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  addSchedule(argument: _clusterd_v1_ScheduleSpec, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  
  BootstrapToken(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  BootstrapToken(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  BootstrapToken(argument: _clusterd_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  BootstrapToken(argument: _clusterd_v1_Empty, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  bootstrapToken(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  bootstrapToken(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  bootstrapToken(argument: _clusterd_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  bootstrapToken(argument: _clusterd_v1_Empty, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  
  Cancel(argument: _clusterd_v1_RunRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  Cancel(argument: _clusterd_v1_RunRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  Cancel(argument: _clusterd_v1_RunRef, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  Cancel(argument: _clusterd_v1_RunRef, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  cancel(argument: _clusterd_v1_RunRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  cancel(argument: _clusterd_v1_RunRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  cancel(argument: _clusterd_v1_RunRef, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  cancel(argument: _clusterd_v1_RunRef, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  
  CreateToken(argument: _clusterd_v1_TokenSpec, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  CreateToken(argument: _clusterd_v1_TokenSpec, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  CreateToken(argument: _clusterd_v1_TokenSpec, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  CreateToken(argument: _clusterd_v1_TokenSpec, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  createToken(argument: _clusterd_v1_TokenSpec, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  createToken(argument: _clusterd_v1_TokenSpec, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  createToken(argument: _clusterd_v1_TokenSpec, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  createToken(argument: _clusterd_v1_TokenSpec, callback: grpc.requestCallback<_clusterd_v1_TokenCreated__Output>): grpc.ClientUnaryCall;
  
  Drain(argument: _clusterd_v1_DrainRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  Drain(argument: _clusterd_v1_DrainRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  Drain(argument: _clusterd_v1_DrainRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  Drain(argument: _clusterd_v1_DrainRequest, callback: grpc.requestCallback<_clusterd_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  drain(argument: _clusterd_v1_DrainRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  drain(argument: _clusterd_v1_DrainRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  drain(argument: _clusterd_v1_DrainRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  drain(argument: _clusterd_v1_DrainRequest, callback: grpc.requestCallback<_clusterd_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  
  GetRun(argument: _clusterd_v1_RunRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  GetRun(argument: _clusterd_v1_RunRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  GetRun(argument: _clusterd_v1_RunRef, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  GetRun(argument: _clusterd_v1_RunRef, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  getRun(argument: _clusterd_v1_RunRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  getRun(argument: _clusterd_v1_RunRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  getRun(argument: _clusterd_v1_RunRef, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  getRun(argument: _clusterd_v1_RunRef, callback: grpc.requestCallback<_clusterd_v1_RunStatus__Output>): grpc.ClientUnaryCall;
  
  ListAgents(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_AgentList__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_AgentList__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _clusterd_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_AgentList__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _clusterd_v1_Empty, callback: grpc.requestCallback<_clusterd_v1_AgentList__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_AgentList__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_AgentList__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _clusterd_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_AgentList__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _clusterd_v1_Empty, callback: grpc.requestCallback<_clusterd_v1_AgentList__Output>): grpc.ClientUnaryCall;
  
  ListAudit(argument: _clusterd_v1_AuditQuery, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_AuditList__Output>): grpc.ClientUnaryCall;
  ListAudit(argument: _clusterd_v1_AuditQuery, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_AuditList__Output>): grpc.ClientUnaryCall;
  ListAudit(argument: _clusterd_v1_AuditQuery, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_AuditList__Output>): grpc.ClientUnaryCall;
  ListAudit(argument: _clusterd_v1_AuditQuery, callback: grpc.requestCallback<_clusterd_v1_AuditList__Output>): grpc.ClientUnaryCall;
  listAudit(argument: _clusterd_v1_AuditQuery, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_AuditList__Output>): grpc.ClientUnaryCall;
  listAudit(argument: _clusterd_v1_AuditQuery, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_AuditList__Output>): grpc.ClientUnaryCall;
  listAudit(argument: _clusterd_v1_AuditQuery, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_AuditList__Output>): grpc.ClientUnaryCall;
  listAudit(argument: _clusterd_v1_AuditQuery, callback: grpc.requestCallback<_clusterd_v1_AuditList__Output>): grpc.ClientUnaryCall;
  
  ListRuns(argument: _clusterd_v1_ListRunsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_RunList__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _clusterd_v1_ListRunsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_RunList__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _clusterd_v1_ListRunsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_RunList__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _clusterd_v1_ListRunsRequest, callback: grpc.requestCallback<_clusterd_v1_RunList__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _clusterd_v1_ListRunsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_RunList__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _clusterd_v1_ListRunsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_RunList__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _clusterd_v1_ListRunsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_RunList__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _clusterd_v1_ListRunsRequest, callback: grpc.requestCallback<_clusterd_v1_RunList__Output>): grpc.ClientUnaryCall;
  
  ListSchedules(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ScheduleList__Output>): grpc.ClientUnaryCall;
  ListSchedules(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_ScheduleList__Output>): grpc.ClientUnaryCall;
  ListSchedules(argument: _clusterd_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ScheduleList__Output>): grpc.ClientUnaryCall;
  ListSchedules(argument: _clusterd_v1_Empty, callback: grpc.requestCallback<_clusterd_v1_ScheduleList__Output>): grpc.ClientUnaryCall;
  listSchedules(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ScheduleList__Output>): grpc.ClientUnaryCall;
  listSchedules(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_ScheduleList__Output>): grpc.ClientUnaryCall;
  listSchedules(argument: _clusterd_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ScheduleList__Output>): grpc.ClientUnaryCall;
  listSchedules(argument: _clusterd_v1_Empty, callback: grpc.requestCallback<_clusterd_v1_ScheduleList__Output>): grpc.ClientUnaryCall;
  
  ListTokens(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenList__Output>): grpc.ClientUnaryCall;
  ListTokens(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_TokenList__Output>): grpc.ClientUnaryCall;
  ListTokens(argument: _clusterd_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenList__Output>): grpc.ClientUnaryCall;
  ListTokens(argument: _clusterd_v1_Empty, callback: grpc.requestCallback<_clusterd_v1_TokenList__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenList__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_TokenList__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _clusterd_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenList__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _clusterd_v1_Empty, callback: grpc.requestCallback<_clusterd_v1_TokenList__Output>): grpc.ClientUnaryCall;
  
  Logs(argument: _clusterd_v1_LogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_LogLine__Output>;
  Logs(argument: _clusterd_v1_LogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_LogLine__Output>;
  logs(argument: _clusterd_v1_LogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_LogLine__Output>;
  logs(argument: _clusterd_v1_LogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_LogLine__Output>;
  
  RemoveSchedule(argument: _clusterd_v1_ScheduleRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  RemoveSchedule(argument: _clusterd_v1_ScheduleRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  RemoveSchedule(argument: _clusterd_v1_ScheduleRef, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  RemoveSchedule(argument: _clusterd_v1_ScheduleRef, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  removeSchedule(argument: _clusterd_v1_ScheduleRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  removeSchedule(argument: _clusterd_v1_ScheduleRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  removeSchedule(argument: _clusterd_v1_ScheduleRef, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  removeSchedule(argument: _clusterd_v1_ScheduleRef, callback: grpc.requestCallback<_clusterd_v1_ScheduleInfo__Output>): grpc.ClientUnaryCall;
  
  Result(argument: _clusterd_v1_TaskSelector, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  Result(argument: _clusterd_v1_TaskSelector, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  Result(argument: _clusterd_v1_TaskSelector, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  Result(argument: _clusterd_v1_TaskSelector, callback: grpc.requestCallback<_clusterd_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  result(argument: _clusterd_v1_TaskSelector, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  result(argument: _clusterd_v1_TaskSelector, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  result(argument: _clusterd_v1_TaskSelector, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  result(argument: _clusterd_v1_TaskSelector, callback: grpc.requestCallback<_clusterd_v1_TaskResult__Output>): grpc.ClientUnaryCall;
  
  Resume(argument: _clusterd_v1_ResumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  Resume(argument: _clusterd_v1_ResumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  Resume(argument: _clusterd_v1_ResumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  Resume(argument: _clusterd_v1_ResumeRequest, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  resume(argument: _clusterd_v1_ResumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  resume(argument: _clusterd_v1_ResumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  resume(argument: _clusterd_v1_ResumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  resume(argument: _clusterd_v1_ResumeRequest, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  
  RevokeToken(argument: _clusterd_v1_TokenRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenInfo__Output>): grpc.ClientUnaryCall;
  RevokeToken(argument: _clusterd_v1_TokenRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_TokenInfo__Output>): grpc.ClientUnaryCall;
  RevokeToken(argument: _clusterd_v1_TokenRef, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenInfo__Output>): grpc.ClientUnaryCall;
  RevokeToken(argument: _clusterd_v1_TokenRef, callback: grpc.requestCallback<_clusterd_v1_TokenInfo__Output>): grpc.ClientUnaryCall;
  revokeToken(argument: _clusterd_v1_TokenRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenInfo__Output>): grpc.ClientUnaryCall;
  revokeToken(argument: _clusterd_v1_TokenRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_TokenInfo__Output>): grpc.ClientUnaryCall;
  revokeToken(argument: _clusterd_v1_TokenRef, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_TokenInfo__Output>): grpc.ClientUnaryCall;
  revokeToken(argument: _clusterd_v1_TokenRef, callback: grpc.requestCallback<_clusterd_v1_TokenInfo__Output>): grpc.ClientUnaryCall;
  
  Servers(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ServerList__Output>): grpc.ClientUnaryCall;
  Servers(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_ServerList__Output>): grpc.ClientUnaryCall;
  Servers(argument: _clusterd_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ServerList__Output>): grpc.ClientUnaryCall;
  Servers(argument: _clusterd_v1_Empty, callback: grpc.requestCallback<_clusterd_v1_ServerList__Output>): grpc.ClientUnaryCall;
  servers(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ServerList__Output>): grpc.ClientUnaryCall;
  servers(argument: _clusterd_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_ServerList__Output>): grpc.ClientUnaryCall;
  servers(argument: _clusterd_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_ServerList__Output>): grpc.ClientUnaryCall;
  servers(argument: _clusterd_v1_Empty, callback: grpc.requestCallback<_clusterd_v1_ServerList__Output>): grpc.ClientUnaryCall;
  
  Session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_clusterd_v1_SessionRequest, _clusterd_v1_SessionEvent__Output>;
  Session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_clusterd_v1_SessionRequest, _clusterd_v1_SessionEvent__Output>;
  session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_clusterd_v1_SessionRequest, _clusterd_v1_SessionEvent__Output>;
  session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_clusterd_v1_SessionRequest, _clusterd_v1_SessionEvent__Output>;
  
  Submit(argument: _clusterd_v1_SubmitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  Submit(argument: _clusterd_v1_SubmitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  Submit(argument: _clusterd_v1_SubmitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  Submit(argument: _clusterd_v1_SubmitRequest, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  submit(argument: _clusterd_v1_SubmitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  submit(argument: _clusterd_v1_SubmitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  submit(argument: _clusterd_v1_SubmitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  submit(argument: _clusterd_v1_SubmitRequest, callback: grpc.requestCallback<_clusterd_v1_SubmitReply__Output>): grpc.ClientUnaryCall;
  
  Watch(argument: _clusterd_v1_RunRef, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_RunStatus__Output>;
  Watch(argument: _clusterd_v1_RunRef, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_RunStatus__Output>;
  watch(argument: _clusterd_v1_RunRef, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_RunStatus__Output>;
  watch(argument: _clusterd_v1_RunRef, options?: grpc.CallOptions): grpc.ClientReadableStream<_clusterd_v1_RunStatus__Output>;
  
}

export interface ClientServiceHandlers extends grpc.UntypedServiceImplementation {
  AddSchedule: grpc.handleUnaryCall<_clusterd_v1_ScheduleSpec__Output, _clusterd_v1_ScheduleInfo>;
  
  BootstrapToken: grpc.handleUnaryCall<_clusterd_v1_Empty__Output, _clusterd_v1_TokenCreated>;
  
  Cancel: grpc.handleUnaryCall<_clusterd_v1_RunRef__Output, _clusterd_v1_RunStatus>;
  
  CreateToken: grpc.handleUnaryCall<_clusterd_v1_TokenSpec__Output, _clusterd_v1_TokenCreated>;
  
  Drain: grpc.handleUnaryCall<_clusterd_v1_DrainRequest__Output, _clusterd_v1_AgentInfo>;
  
  GetRun: grpc.handleUnaryCall<_clusterd_v1_RunRef__Output, _clusterd_v1_RunStatus>;
  
  ListAgents: grpc.handleUnaryCall<_clusterd_v1_Empty__Output, _clusterd_v1_AgentList>;
  
  ListAudit: grpc.handleUnaryCall<_clusterd_v1_AuditQuery__Output, _clusterd_v1_AuditList>;
  
  ListRuns: grpc.handleUnaryCall<_clusterd_v1_ListRunsRequest__Output, _clusterd_v1_RunList>;
  
  ListSchedules: grpc.handleUnaryCall<_clusterd_v1_Empty__Output, _clusterd_v1_ScheduleList>;
  
  ListTokens: grpc.handleUnaryCall<_clusterd_v1_Empty__Output, _clusterd_v1_TokenList>;
  
  Logs: grpc.handleServerStreamingCall<_clusterd_v1_LogsRequest__Output, _clusterd_v1_LogLine>;
  
  RemoveSchedule: grpc.handleUnaryCall<_clusterd_v1_ScheduleRef__Output, _clusterd_v1_ScheduleInfo>;
  
  Result: grpc.handleUnaryCall<_clusterd_v1_TaskSelector__Output, _clusterd_v1_TaskResult>;
  
  Resume: grpc.handleUnaryCall<_clusterd_v1_ResumeRequest__Output, _clusterd_v1_SubmitReply>;
  
  RevokeToken: grpc.handleUnaryCall<_clusterd_v1_TokenRef__Output, _clusterd_v1_TokenInfo>;
  
  Servers: grpc.handleUnaryCall<_clusterd_v1_Empty__Output, _clusterd_v1_ServerList>;
  
  Session: grpc.handleBidiStreamingCall<_clusterd_v1_SessionRequest__Output, _clusterd_v1_SessionEvent>;
  
  Submit: grpc.handleUnaryCall<_clusterd_v1_SubmitRequest__Output, _clusterd_v1_SubmitReply>;
  
  Watch: grpc.handleServerStreamingCall<_clusterd_v1_RunRef__Output, _clusterd_v1_RunStatus>;
  
}

export interface ClientServiceDefinition extends grpc.ServiceDefinition {
  AddSchedule: MethodDefinition<_clusterd_v1_ScheduleSpec, _clusterd_v1_ScheduleInfo, _clusterd_v1_ScheduleSpec__Output, _clusterd_v1_ScheduleInfo__Output>
  BootstrapToken: MethodDefinition<_clusterd_v1_Empty, _clusterd_v1_TokenCreated, _clusterd_v1_Empty__Output, _clusterd_v1_TokenCreated__Output>
  Cancel: MethodDefinition<_clusterd_v1_RunRef, _clusterd_v1_RunStatus, _clusterd_v1_RunRef__Output, _clusterd_v1_RunStatus__Output>
  CreateToken: MethodDefinition<_clusterd_v1_TokenSpec, _clusterd_v1_TokenCreated, _clusterd_v1_TokenSpec__Output, _clusterd_v1_TokenCreated__Output>
  Drain: MethodDefinition<_clusterd_v1_DrainRequest, _clusterd_v1_AgentInfo, _clusterd_v1_DrainRequest__Output, _clusterd_v1_AgentInfo__Output>
  GetRun: MethodDefinition<_clusterd_v1_RunRef, _clusterd_v1_RunStatus, _clusterd_v1_RunRef__Output, _clusterd_v1_RunStatus__Output>
  ListAgents: MethodDefinition<_clusterd_v1_Empty, _clusterd_v1_AgentList, _clusterd_v1_Empty__Output, _clusterd_v1_AgentList__Output>
  ListAudit: MethodDefinition<_clusterd_v1_AuditQuery, _clusterd_v1_AuditList, _clusterd_v1_AuditQuery__Output, _clusterd_v1_AuditList__Output>
  ListRuns: MethodDefinition<_clusterd_v1_ListRunsRequest, _clusterd_v1_RunList, _clusterd_v1_ListRunsRequest__Output, _clusterd_v1_RunList__Output>
  ListSchedules: MethodDefinition<_clusterd_v1_Empty, _clusterd_v1_ScheduleList, _clusterd_v1_Empty__Output, _clusterd_v1_ScheduleList__Output>
  ListTokens: MethodDefinition<_clusterd_v1_Empty, _clusterd_v1_TokenList, _clusterd_v1_Empty__Output, _clusterd_v1_TokenList__Output>
  Logs: MethodDefinition<_clusterd_v1_LogsRequest, _clusterd_v1_LogLine, _clusterd_v1_LogsRequest__Output, _clusterd_v1_LogLine__Output>
  RemoveSchedule: MethodDefinition<_clusterd_v1_ScheduleRef, _clusterd_v1_ScheduleInfo, _clusterd_v1_ScheduleRef__Output, _clusterd_v1_ScheduleInfo__Output>
  Result: MethodDefinition<_clusterd_v1_TaskSelector, _clusterd_v1_TaskResult, _clusterd_v1_TaskSelector__Output, _clusterd_v1_TaskResult__Output>
  Resume: MethodDefinition<_clusterd_v1_ResumeRequest, _clusterd_v1_SubmitReply, _clusterd_v1_ResumeRequest__Output, _clusterd_v1_SubmitReply__Output>
  RevokeToken: MethodDefinition<_clusterd_v1_TokenRef, _clusterd_v1_TokenInfo, _clusterd_v1_TokenRef__Output, _clusterd_v1_TokenInfo__Output>
  Servers: MethodDefinition<_clusterd_v1_Empty, _clusterd_v1_ServerList, _clusterd_v1_Empty__Output, _clusterd_v1_ServerList__Output>
  Session: MethodDefinition<_clusterd_v1_SessionRequest, _clusterd_v1_SessionEvent, _clusterd_v1_SessionRequest__Output, _clusterd_v1_SessionEvent__Output>
  Submit: MethodDefinition<_clusterd_v1_SubmitRequest, _clusterd_v1_SubmitReply, _clusterd_v1_SubmitRequest__Output, _clusterd_v1_SubmitReply__Output>
  Watch: MethodDefinition<_clusterd_v1_RunRef, _clusterd_v1_RunStatus, _clusterd_v1_RunRef__Output, _clusterd_v1_RunStatus__Output>
}
