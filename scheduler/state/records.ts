/**
 * What the scheduler keeps durable, and under which keys. Only what cannot be re-derived is
 * written: a run at submit and when it ends, a task when it ends or when an attempt fails (so
 * retries survive a failover). Dispatch is not written: a new leader learns what runs from the
 * agents. Values are msgpack.
 *
 * Task records travel in segments (see flow/task-record-log.ts): `tasks/RUN/SEQ` holds the
 * records of that run written together (positional arrays, see encodeRecord), and a later
 * segment's record of a task supersedes an earlier one. A single record under
 * `tasks/RUN/STEP/INDEX` (how earlier versions wrote them) is read the same way.
 */
import { Packr } from 'msgpackr';
import { spliceArray } from '../../core/codec.js';
import { ClusterError, type ErrorInfo } from '../../core/errors.js';
import type { WriteOp } from './state-store.js';

const packr = new Packr({ useRecords: false, moreTypes: false });

export type RunStateName = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface RunRecord {
  id: string;
  /** The job document as submitted (re-validated on load). */
  job: unknown;
  params: Record<string, unknown>;
  codeDir: string;
  codePackage: string;
  /** The package's files but the job file, hashed by the client (see store/code-package.ts codeDigest). */
  codeDigest?: string;
  source: string;
  /** Global submission order, for queue order across a failover. */
  seq: number;
  createdAtMs: number;
  state: RunStateName;
  finishedAtMs?: number;
  error?: ErrorInfo;
  /** Resume: the run whose succeeded tasks this one reuses, and the step to re-run from. */
  resumedFrom?: string;
  resumeFromStep?: string;
  /** Resume reused tasks even where the code digest differed (`resume --ignore-code-change`). */
  resumeIgnoresCode?: boolean;
  /**
   * Compacted: the run's task records were moved out of the state store into this chunk store
   * object, which may hold other runs' too (see flow/compaction.ts); its `tasks/RUN/` keys are gone.
   */
  tasksObject?: string;
  /** Compacted: counts per step, so a new leader lists the run without reading its tasks. */
  steps?: StepSummary[];
}

/** One step of a finished run in numbers (see RunRecord.steps). */
export interface StepSummary {
  name: string;
  state: string;
  total: number;
  succeeded: number;
  failed: number;
  running: number;
  cancelled: number;
  /** Tasks that took an earlier run's result (resume); unset: none. */
  reused?: number;
}

export type { ErrorInfo };

export interface AttemptRecord {
  attempt: number;
  agentId: string;
  startedAtMs: number;
  finishedAtMs: number;
  error?: ErrorInfo;
  /** Lost with its agent: not counted against the step's retries. */
  lost?: boolean;
  /** The chunk store object holding this attempt's whole log (msgpack LogLine[]). */
  logObject?: string;
}

export interface ArtifactRef {
  name: string;
  objectId: string;
  sizeBytes: number;
}

export type TaskEnd = 'succeeded' | 'failed' | 'cancelled';

export interface TaskRecord {
  runId: string;
  step: string;
  index: number;
  /** Absent while the task still has attempts to go (a failed attempt was recorded). */
  state?: TaskEnd;
  attempts: AttemptRecord[];
  /** A small result (msgpack) inline; a larger one is the chunk store object `resultObject`. */
  result?: Uint8Array;
  resultObject?: string;
  /** Named artifacts the last attempt saved, in the chunk store. */
  artifacts?: ArtifactRef[];
  error?: ErrorInfo;
  /** Recorded as failed but the step has catch: the flow went on. */
  caught?: boolean;
  /** The result is the one of this task in that earlier run (resume). */
  reusedFrom?: string;
}

export interface ScheduleRecord {
  name: string;
  cron: string;
  job: unknown;
  params: Record<string, unknown>;
  codeDir: string;
  codePackage: string;
  codeDigest?: string;
  source: string;
  createdAtMs: number;
  /** The last tick that fired a run; written in the same commit as that run. */
  lastTickMs: number;
  lastRunId: string;
}

/** A member agent of the cluster (see dispatch/agent-members.ts). */
export interface AgentRecord {
  id: string;
  hostname: string;
  joinedAtMs: number;
  /** Drained by an operator (`clusterctl drain`): nothing new is placed on it until undone. */
  drained?: boolean;
  /** Who registered the id (`token:ID`, `cert:CN`): another identity cannot take it over. */
  identity?: string;
}

/** A bearer token: only the SHA-256 of its secret is kept. */
export interface TokenRecord {
  id: string;
  name: string;
  role: 'read' | 'submit' | 'admin' | 'agent';
  /** Projects it may touch; empty: every project. */
  projects: string[];
  secretHash: string;
  createdAtMs: number;
  createdBy: string;
  revokedAtMs?: number;
}

/** One entry of the audit log: who did what to which run, agent, schedule or token. */
export interface AuditRecord {
  atMs: number;
  who: string;
  action: string;
  target: string;
  project: string;
  detail: string;
}

type KeptRecord = RunRecord | TaskRecord | ScheduleRecord | AgentRecord | TokenRecord | AuditRecord;

export const keys = {
  run: (runId: string) => `runs/${runId}`,
  runs: 'runs/',
  task: (runId: string, step: string, index: number) => `tasks/${runId}/${step}/${index}`,
  /** A segment of task records: its number, zero-padded so keys sort in the order written. */
  taskSegment: (runId: string, seq: number) => `tasks/${runId}/${String(seq).padStart(12, '0')}`,
  tasksOf: (runId: string) => `tasks/${runId}/`,
  seq: 'meta/seq',
  /** The key leaders sign assignments with (auth/attempt-grants.ts). */
  grantKey: 'meta/grant-key',
  schedule: (name: string) => `schedules/${name}`,
  schedules: 'schedules/',
  agent: (agentId: string) => `agents/${agentId}`,
  agents: 'agents/',
  token: (id: string) => `tokens/${id}`,
  tokens: 'tokens/',
  /** Time first, zero-padded, so the log lists in the order written. */
  audit: (atMs: number, seq: number) => `audit/${String(atMs).padStart(15, '0')}-${String(seq).padStart(6, '0')}`,
  audits: 'audit/',
};

/**
 * Every chunk store object a record refers to: the roots the store's garbage collection keeps.
 * A compacted run's tasks object refers to more (its tasks' results, artifacts and logs): the
 * collector reads it and adds `objectsOf` of each task inside.
 */
export function objectsOf(value: RunRecord | TaskRecord | ScheduleRecord): string[] {
  const ids: string[] = [];
  if ('codePackage' in value && value.codePackage) ids.push(value.codePackage);
  if ('tasksObject' in value && value.tasksObject) ids.push(value.tasksObject);
  if ('attempts' in value) {
    if (value.resultObject) ids.push(value.resultObject);
    for (const a of value.artifacts ?? []) ids.push(a.objectId);
    for (const a of value.attempts) if (a.logObject) ids.push(a.logObject);
  }
  return ids;
}

export function putRecord(key: string, value: KeptRecord): WriteOp {
  return { op: 'put', key, value: packr.pack(value) };
}

/*
 * Task records as stored. A segment is an array of its run's id and then its records, each a
 * positional array, not a map: a map's field names were ~75 of a record's ~180 bytes, and a
 * sweep writes a record per task (to etcd or the commit log, and later into its tasks object).
 *
 *   record:  [step, index, state, attempts, result, resultObject, artifacts, error, caught, reusedFrom]
 *   attempt: [attempt, agentId, startedAtMs, finishedAtMs, error, lost, logObject]
 *
 * An absent field is nil, and trailing absent fields are left off. Earlier versions wrote maps
 * (an array of them per segment, or one per key): those still decode.
 */
type StoredAttempt = [number, string, number, number, ErrorInfo?, boolean?, string?];
type StoredTask = [string, number, TaskEnd?, StoredAttempt[]?, Uint8Array?, string?, ArtifactRef[]?, ErrorInfo?, boolean?, string?];

/** Drops the trailing undefined entries of a positional array (they would encode as nils). */
function trimmed<T extends unknown[]>(fields: T): T {
  let n = fields.length;
  while (n > 0 && fields[n - 1] === undefined) n--;
  fields.length = n;
  return fields;
}

function storedAttempt(a: AttemptRecord): StoredAttempt {
  return trimmed<StoredAttempt>([a.attempt, a.agentId, a.startedAtMs, a.finishedAtMs, a.error, a.lost, a.logObject]);
}

function attemptOf(a: StoredAttempt): AttemptRecord {
  const attempt: AttemptRecord = { attempt: a[0], agentId: a[1], startedAtMs: a[2], finishedAtMs: a[3] };
  if (a[4]) attempt.error = a[4];
  if (a[5]) attempt.lost = a[5];
  if (a[6]) attempt.logObject = a[6];
  return attempt;
}

/** A task record encoded as it goes into a segment (its run's id is the segment's). */
export function encodeRecord(r: TaskRecord): Uint8Array {
  return packr.pack(trimmed<StoredTask>([r.step, r.index, r.state, r.attempts.map(storedAttempt), r.result, r.resultObject, r.artifacts, r.error, r.caught, r.reusedFrom]));
}

/** A segment: the run's id, then the records (each from encodeRecord), as one array. */
export function encodeSegment(runId: string, records: readonly Uint8Array[]): Uint8Array {
  return spliceArray([packr.pack(runId), ...records]);
}

function recordOf(runId: string, t: StoredTask): TaskRecord {
  const record: TaskRecord = { runId, step: t[0], index: t[1], attempts: (t[3] ?? []).map(attemptOf) };
  if (t[2]) record.state = t[2];
  if (t[4]) record.result = t[4];
  if (t[5]) record.resultObject = t[5];
  if (t[6]) record.artifacts = t[6];
  if (t[7]) record.error = t[7];
  if (t[8]) record.caught = t[8];
  if (t[9]) record.reusedFrom = t[9];
  return record;
}

/** The records of one decoded value under `tasks/` or in a tasks object, in any layout. */
function recordsOfValue(value: unknown): TaskRecord[] {
  if (Array.isArray(value)) {
    if (typeof value[0] === 'string') return value.slice(1).map((t) => recordOf(value[0] as string, t as StoredTask));
    return value as TaskRecord[]; // a segment of maps (earlier versions)
  }
  if (value !== null && typeof value === 'object') return [value as TaskRecord]; // one record per key (the oldest layout)
  throw new ClusterError('CORRUPT', 'a task records value holds something other than task records');
}

export function decodeRecord<T extends KeptRecord>(bytes: Uint8Array): T {
  return packr.unpack(bytes) as T;
}

/**
 * A tasks object: the task records of the runs compacted together (see flow/compaction.ts), as
 * the segments they were stored in one after another, in the order written; with `runId`, only
 * that run's. Each task's last record is the one that counts (see latestTaskRecords).
 */
export function decodeTaskRecords(bytes: Uint8Array, runId?: string): TaskRecord[] {
  // One or more values: arrays of records (one per segment, or the whole object as earlier
  // versions wrote it), or single records of the older layout.
  const values = packr.unpackMultiple(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as unknown[];
  const tasks: TaskRecord[] = [];
  for (const value of values) for (const t of recordsOfValue(value)) tasks.push(t);
  return latestTaskRecords(runId === undefined ? tasks : tasks.filter((t) => t.runId === runId));
}

/** The records a value under `tasks/` holds: a segment, or one record of the oldest layout. */
export function decodeTaskValue(bytes: Uint8Array): TaskRecord[] {
  return recordsOfValue(packr.unpack(bytes));
}

/** Each task's last record among `records` (in the order they were written), in that order. */
export function latestTaskRecords(records: readonly TaskRecord[]): TaskRecord[] {
  const latest = new Map<string, TaskRecord>();
  for (const r of records) {
    const key = `${r.runId}/${r.step}/${r.index}`;
    latest.delete(key); // re-inserted last: the order is the order of last writes
    latest.set(key, r);
  }
  return latest.size === records.length ? [...records] : [...latest.values()];
}

/** The segment number of a key under `tasks/RUN/`, or undefined for a key of the older layout. */
export function segmentNumber(key: string): number | undefined {
  const last = key.slice(key.lastIndexOf('/') + 1);
  return /^\d{12}$/.test(last) ? Number(last) : undefined;
}
