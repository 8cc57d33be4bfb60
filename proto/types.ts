// The message types the code uses, re-exported under short names. Inputs (what we send) are the
// generated `X`, outputs (what we receive, defaults filled in) are `X__Output`.
export type { AgentMessage, AgentMessage__Output } from './generated/clusterd/v1/AgentMessage.js';
export type { SchedulerMessage, SchedulerMessage__Output } from './generated/clusterd/v1/SchedulerMessage.js';
export type { Register__Output } from './generated/clusterd/v1/Register.js';
export type { Assignment, Assignment__Output } from './generated/clusterd/v1/Assignment.js';
export type { TaskUpdate, TaskUpdate__Output } from './generated/clusterd/v1/TaskUpdate.js';
export type { TaskFinished, TaskFinished__Output } from './generated/clusterd/v1/TaskFinished.js';
export type { TaskRef, TaskRef__Output } from './generated/clusterd/v1/TaskRef.js';
export type { TaskError, TaskError__Output } from './generated/clusterd/v1/TaskError.js';
export type { LogLine, LogLine__Output } from './generated/clusterd/v1/LogLine.js';
export type { Capacity, Capacity__Output } from './generated/clusterd/v1/Capacity.js';
export type { Gpu, Gpu__Output } from './generated/clusterd/v1/Gpu.js';
export type { RunStatus, RunStatus__Output } from './generated/clusterd/v1/RunStatus.js';
export type { StepStatus } from './generated/clusterd/v1/StepStatus.js';
export type { TaskStatus } from './generated/clusterd/v1/TaskStatus.js';
export type { AgentInfo, AgentInfo__Output } from './generated/clusterd/v1/AgentInfo.js';
export type { SubmitRequest__Output } from './generated/clusterd/v1/SubmitRequest.js';
export type { TaskResult, TaskResult__Output } from './generated/clusterd/v1/TaskResult.js';
export type { Artifact, Artifact__Output } from './generated/clusterd/v1/Artifact.js';
export type { ServerInfo } from './generated/clusterd/v1/ServerInfo.js';
export type { ClientServiceClient, ClientServiceHandlers } from './generated/clusterd/v1/ClientService.js';
export type { AgentServiceClient, AgentServiceHandlers } from './generated/clusterd/v1/AgentService.js';
export type { ChunkStoreClient, ChunkStoreHandlers } from './generated/clusterd/v1/ChunkStore.js';
