/**
 * Thin gRPC handlers for what clusterctl calls. Each resolves the engine of the leading replica
 * (or fails with NOT_LEADER and the leader's address) and maps errors in one place.
 */
import type * as grpc from '@grpc/grpc-js';
import { ClusterError, invalid } from '../../core/errors.js';
import { toServiceError } from '../../proto/status.js';
import type { ClientServiceHandlers, RunStatus, ServerInfo, SubmitRequest__Output } from '../../proto/types.js';
import type { AgentRegistry } from '../dispatch/agent-registry.js';
import { nextTick, type CronSchedules } from '../flow/cron.js';
import type { ObjectReader } from '../flow/effect-runner.js';
import type { FlowEngine, SubmitInput } from '../flow/engine.js';
import { streamLogs } from './log-stream.js';
import { tasksOf, type TaskState } from '../flow/run-state.js';
import type { Placer } from '../placement/placer.js';
import type { ScheduleRecord } from '../state/records.js';
import { runStatus, summaryStatus, type TaskView } from './views.js';
import { JobCache } from './job-cache.js';
import { watchRun } from './run-watch.js';
import { serveSession } from './session.js';

export interface ClientServiceDeps {
  /** The engine when this replica leads; throws NOT_LEADER otherwise. */
  leader(): { engine: FlowEngine; registry: AgentRegistry; placer: Placer; schedules: CronSchedules; term: AbortSignal };
  servers(): Promise<ServerInfo[]>;
  /** Reads chunk store objects (finished tasks' logs). */
  objects: ObjectReader;
}

export function clientServiceHandlers(deps: ClientServiceDeps): ClientServiceHandlers {
  const unary = <Req, Res>(fn: (req: Req) => Promise<Res> | Res): grpc.handleUnaryCall<Req, Res> =>
    (call, callback) => {
      Promise.resolve()
        .then(() => fn(call.request))
        .then((res) => callback(null, res), (err) => callback(toServiceError(err)));
    };
  /** A streaming call's set-up: what fails in it (no lead, an unknown run) ends the call with the error. */
  const opening = <Req, Res>(open: (call: grpc.ServerWritableStream<Req, Res>) => Promise<void>): grpc.handleServerStreamingCall<Req, Res> =>
    (call) => {
      open(call).catch((err) => call.emit('error', toServiceError(err)));
    };
  /** A run's status listing the tasks `view` selects; a run dropped from memory is loaded back for it. */
  const status = async (runId: string, view: TaskView = {}): Promise<RunStatus> => {
    const { engine, placer } = deps.leader();
    return runStatus(await engine.load(runId), (id) => placer.why(id), view);
  };

  const jobs = new JobCache();
  const inputOf = (req: SubmitRequest__Output) => submitInput(req, jobs);

  return {
    Submit: unary(async (req) => ({ run_id: await deps.leader().engine.submit(inputOf(req)) })),

    Resume: unary(async (req) => {
      if (!req.job) throw invalid('job: the job as it is now is required');
      const input = inputOf(req.job);
      const runId = await deps.leader().engine.resume(req.run_id, { ...input, params: req.job.params_json ? input.params : undefined }, req.from_step || undefined);
      return { run_id: runId };
    }),

    AddSchedule: unary(async (req) => {
      if (!req.job) throw invalid('job: required');
      const { schedules } = deps.leader();
      // The record keeps what firing needs, named field by field: not the request id, not the compiled job.
      const { job, params, codeDir, codePackage, source } = inputOf(req.job);
      return scheduleInfo(await schedules.add({ name: req.name, cron: req.cron, job, params, codeDir, codePackage, source }));
    }),

    ListSchedules: unary(() => ({ schedules: deps.leader().schedules.list().map(scheduleInfo) })),

    RemoveSchedule: unary(async (req) => scheduleInfo(await deps.leader().schedules.remove(req.name))),

    GetRun: unary((req) => status(req.run_id, req.tasks ?? {})),

    ListRuns: unary((req) => {
      const { engine, placer } = deps.leader();
      const limit = req.limit > 0 ? req.limit : 20;
      return { runs: engine.catalog.newestRuns(limit).map((r) => ('job' in r ? runStatus(r, (id) => placer.why(id), null) : summaryStatus(r))) };
    }),

    Cancel: unary(async (req) => {
      const { engine } = deps.leader();
      await engine.cancel(req.run_id);
      return status(req.run_id);
    }),

    Result: unary(async (req) => {
      const { engine } = deps.leader();
      await engine.load(req.run_id);
      const task = engine.task(req.run_id, req.step, req.index);
      return {
        task_id: task.id,
        // A result kept as an object is fetched from the store by the caller, not sent here.
        result: task.resultObject ? Buffer.alloc(0) : task.result ?? Buffer.alloc(0),
        state: task.state,
        error: task.error ?? null,
        artifacts: (task.artifacts ?? []).map((a) => ({ name: a.name, object_id: a.objectId, size_bytes: a.sizeBytes })),
        result_object: task.resultObject ?? '',
      };
    }),

    ListAgents: unary(() => ({ agents: deps.leader().registry.list() })),

    Drain: unary((req) => deps.leader().registry.drain(req.agent_id, req.undo)),

    Servers: unary(async () => ({ servers: await deps.servers() })),

    Watch: opening(async (call) => {
      const leader = deps.leader();
      await leader.engine.load(call.request.run_id);
      const stop = watchRun(leader, call.request.run_id, {
        status: (s) => call.write(s),
        ended: (err) => (err ? call.emit('error', toServiceError(err)) : call.end()),
      }, { firstSummary: 'now', tasks: call.request.tasks ?? {} });
      call.on('cancelled', stop);
    }),

    Session: (call) => serveSession(call, deps.leader, inputOf),

    Logs: opening(async (call) => {
      const req = call.request;
      const { engine } = deps.leader();
      await engine.load(req.run_id);
      streamLogs(call, engine, selectTasks(engine, req.run_id, req.step, req.index), req.follow, deps.objects);
    }),
  };
}

function selectTasks(engine: FlowEngine, runId: string, step: string, index: number): TaskState[] {
  if (step && index >= 0) return [engine.task(runId, step, index)];
  const run = engine.get(runId);
  if (step && !run.steps.has(step)) throw new ClusterError('NOT_FOUND', `run ${runId} has no step "${step}"`);
  return [...tasksOf(run)].filter((t) => !step || t.step === step);
}

function submitInput(req: SubmitRequest__Output, jobs: JobCache): SubmitInput {
  const params = req.params_json ? parseJson(req.params_json, 'params_json') : {};
  if (params === null || typeof params !== 'object' || Array.isArray(params)) throw invalid('params_json: must be a JSON object');
  if (req.request_id && !/^[a-z0-9-]{1,40}$/.test(req.request_id)) throw invalid('request_id: 1-40 characters of a-z, 0-9 and -');
  const { doc, spec } = jobs.compile(req.job_json, (text) => parseJson(text, 'job_json'), 'submitted job');
  return {
    requestId: req.request_id,
    job: doc,
    spec,
    params: params as Record<string, unknown>,
    codeDir: req.code_dir,
    codePackage: req.code_package,
    source: req.source,
  };
}

function scheduleInfo(r: ScheduleRecord) {
  return {
    name: r.name,
    cron: r.cron,
    source: r.source,
    created_at_ms: r.createdAtMs,
    last_tick_ms: r.lastTickMs,
    last_run_id: r.lastRunId,
    next_tick_ms: nextTick(r.cron, Date.now()),
  };
}

function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(`${field}: not valid JSON (${(err as Error).message})`);
  }
}
