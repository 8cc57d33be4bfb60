/**
 * Thin gRPC handlers for what clusterctl calls. Each resolves the engine of the leading replica
 * (or fails with NOT_LEADER and the leader's address) and maps errors in one place.
 */
import type * as grpc from '@grpc/grpc-js';
import { ClusterError, invalid } from '../../core/errors.js';
import { checkParams, compileJob, isolated } from '../../core/job-spec.js';
import { toServiceError } from '../../proto/status.js';
import type { ClientServiceHandlers, RunStatus, ServerInfo, SubmitRequest__Output } from '../../proto/types.js';
import type { AgentRegistry } from '../dispatch/agent-registry.js';
import { nextTick, type CronSchedules } from '../flow/cron.js';
import type { ObjectReader } from '../flow/effect-runner.js';
import type { FlowEngine, SubmitInput } from '../flow/engine.js';
import { streamLogs } from './log-stream.js';
import { tasksOf, type RunState, type RunSummary, type TaskState } from '../flow/run-state.js';
import type { Placer } from '../placement/placer.js';
import type { ScheduleRecord, TokenRecord } from '../state/records.js';
import type { WriteOp } from '../state/state-store.js';
import { anonymous, mayTouch, requireProject, type Principal } from '../auth/access.js';
import type { AuditLog } from '../auth/audit-log.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { SubmitRate } from '../auth/submit-rate.js';
import { runStatus, summaryStatus, type TaskView } from './views.js';
import { JobCache } from './job-cache.js';
import { watchRun } from './run-watch.js';
import { serveSession } from './session.js';

export interface ClientServiceDeps {
  /** The engine when this replica leads; throws NOT_LEADER otherwise. */
  leader(): { engine: FlowEngine; registry: AgentRegistry; placer: Placer; schedules: CronSchedules; term: AbortSignal; commit: (ops: WriteOp[]) => Promise<void> };
  servers(): Promise<ServerInfo[]>;
  /** Reads chunk store objects (finished tasks' logs). */
  objects: ObjectReader;
  /** Who calls (the interceptor has checked the method's capability; projects are checked here). */
  auth: Authorizer;
  audit: AuditLog;
  submitRate: SubmitRate;
  /** Projects whose `run` steps always run isolated in processes (the operator's --isolate-project). */
  isolateProjects?: ReadonlySet<string>;
}

export function clientServiceHandlers(deps: ClientServiceDeps): ClientServiceHandlers {
  const unary = <Req, Res>(fn: (req: Req, caller: Principal) => Promise<Res> | Res): grpc.handleUnaryCall<Req, Res> =>
    (call, callback) => {
      Promise.resolve()
        .then(() => fn(call.request, deps.auth.principal(call)))
        .then((res) => callback(null, res), (err) => callback(toServiceError(err)));
    };
  /** A streaming call's set-up: what fails in it (no lead, an unknown run) ends the call with the error. */
  const opening = <Req, Res>(open: (call: grpc.ServerWritableStream<Req, Res>, caller: Principal) => Promise<void>): grpc.handleServerStreamingCall<Req, Res> =>
    (call) => {
      Promise.resolve()
        .then(() => open(call, deps.auth.principal(call)))
        .catch((err) => call.emit('error', toServiceError(err)));
    };
  /** The run's engine once `caller` may `what` in its project. */
  const runOf = (runId: string, caller: Principal, what: string) => {
    const leader = deps.leader();
    requireProject(caller, leader.engine.projectOf(runId), what);
    return leader;
  };
  /** A run's status listing the tasks `view` selects; a run dropped from memory is loaded back for it. */
  const status = async (runId: string, caller: Principal, view: TaskView = {}): Promise<RunStatus> => {
    const { engine, placer } = runOf(runId, caller, 'read runs');
    return runStatus(await engine.load(runId), (id) => placer.why(id), view);
  };
  const audit = (caller: Principal, action: string, target: string, project = '', detail = '') => {
    deps.audit.record(deps.leader().commit, caller, action, target, project, detail);
  };

  const jobs = new JobCache();
  /** A submitted job once `caller` may submit in its project, at its rate. */
  const inputOf = (req: SubmitRequest__Output, caller: Principal) => {
    const input = submitInput(req, jobs);
    requireProject(caller, input.spec.project, 'submit runs');
    deps.submitRate.take(caller);
    if (!deps.isolateProjects?.has(input.spec.project)) return input;
    // Rewritten in the document, which the run record keeps: it holds after a failover too.
    const job = isolated(input.job);
    return job === input.job ? input : { ...input, job, spec: compileJob(job, 'submitted job') };
  };

  return {
    Submit: unary(async (req, caller) => {
      const input = inputOf(req, caller);
      const runId = await deps.leader().engine.submit(input);
      audit(caller, 'submit', runId, input.spec.project, input.source);
      return { run_id: runId };
    }),

    Resume: unary(async (req, caller) => {
      if (!req.job) throw invalid('job: the job as it is now is required');
      const { engine } = runOf(req.run_id, caller, 'resume runs');
      const input = inputOf(req.job, caller);
      const runId = await engine.resume(req.run_id, { ...input, params: req.job.params_json ? input.params : undefined }, { fromStep: req.from_step || undefined, ignoreCode: req.ignore_code_change });
      audit(caller, 'resume', runId, input.spec.project, `from ${req.run_id}${req.from_step ? ` step ${req.from_step}` : ''}`);
      return { run_id: runId };
    }),

    AddSchedule: unary(async (req, caller) => {
      if (!req.job) throw invalid('job: required');
      const { schedules } = deps.leader();
      // The record keeps what firing needs, named field by field: not the request id, not the compiled job.
      const { job, params, codeDir, codePackage, codeDigest, source, spec } = inputOf(req.job, caller);
      const info = scheduleInfo(await schedules.add({ name: req.name, cron: req.cron, job, params, codeDir, codePackage, ...(codeDigest ? { codeDigest } : {}), source }));
      audit(caller, 'schedule.add', req.name, spec.project, req.cron);
      return info;
    }),

    ListSchedules: unary((_req, caller) => ({ schedules: deps.leader().schedules.list().filter((r) => mayTouch(caller, projectOfSchedule(r))).map(scheduleInfo) })),

    RemoveSchedule: unary(async (req, caller) => {
      const { schedules } = deps.leader();
      const existing = schedules.list().find((r) => r.name === req.name);
      if (existing) requireProject(caller, projectOfSchedule(existing), 'remove schedules');
      const info = scheduleInfo(await schedules.remove(req.name));
      audit(caller, 'schedule.remove', req.name, existing ? projectOfSchedule(existing) : '');
      return info;
    }),

    GetRun: unary((req, caller) => status(req.run_id, caller, req.tasks ?? {})),

    ListRuns: unary((req, caller) => {
      const { engine, placer } = deps.leader();
      const limit = req.limit > 0 ? req.limit : 20;
      const since = Number(req.since_ms);
      const listed = (r: RunState | RunSummary): boolean => {
        const project = 'job' in r ? r.job.project : r.project;
        const name = 'job' in r ? r.job.name : r.name;
        return (caller.projects === undefined || mayTouch(caller, project))
          && (!req.project || project === req.project) && (!req.name || name === req.name)
          && (!req.state || r.record.state === req.state) && (!since || r.record.createdAtMs >= since);
      };
      return { runs: engine.catalog.newestRuns(limit, listed).map((r) => ('job' in r ? runStatus(r, (id) => placer.why(id), null) : summaryStatus(r))) };
    }),

    Cancel: unary(async (req, caller) => {
      const { engine } = runOf(req.run_id, caller, 'cancel runs');
      await engine.cancel(req.run_id);
      audit(caller, 'cancel', req.run_id, engine.projectOf(req.run_id));
      return status(req.run_id, caller);
    }),

    Result: unary(async (req, caller) => {
      const { engine } = runOf(req.run_id, caller, 'read results');
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

    Drain: unary(async (req, caller) => {
      const agent = await deps.leader().registry.drain(req.agent_id, req.undo);
      audit(caller, req.undo ? 'drain.undo' : 'drain', req.agent_id);
      return agent;
    }),

    Servers: unary(async () => ({ servers: await deps.servers() })),

    Watch: opening(async (call, caller) => {
      const leader = runOf(call.request.run_id, caller, 'read runs');
      await leader.engine.load(call.request.run_id);
      const stop = watchRun(leader, call.request.run_id, {
        status: (s) => call.write(s),
        ended: (err) => (err ? call.emit('error', toServiceError(err)) : call.end()),
      }, { firstSummary: 'now', tasks: call.request.tasks ?? {} });
      call.on('cancelled', stop);
    }),

    Session: (call) => {
      let caller: Principal;
      try {
        caller = deps.auth.principal(call);
      } catch (err) {
        call.emit('error', toServiceError(err));
        return;
      }
      serveSession(call, deps.leader, (req) => {
        const input = inputOf(req, caller);
        audit(caller, 'submit', `request ${input.requestId || '-'}`, input.spec.project, input.source);
        return input;
      });
    },

    Logs: opening(async (call, caller) => {
      const req = call.request;
      const { engine } = runOf(req.run_id, caller, 'read logs');
      await engine.load(req.run_id);
      streamLogs(call, engine, selectTasks(engine, req.run_id, req.step, req.index), req.follow, deps.objects);
    }),

    CreateToken: unary(async (req, caller) => {
      const { record, token } = await deps.auth.tokens.create({ name: req.name, role: req.role, projects: req.projects }, caller.who, deps.leader().commit);
      audit(caller, 'token.create', record.id, '', `${record.name}: ${record.role}${record.projects.length ? ` of ${record.projects.join(',')}` : ''}`);
      return { info: tokenInfo(record), token };
    }),

    ListTokens: unary(() => ({ tokens: deps.auth.tokens.list().map(tokenInfo) })),

    RevokeToken: unary(async (req, caller) => {
      const record = await deps.auth.tokens.revoke(req.id, deps.leader().commit);
      audit(caller, 'token.revoke', record.id, '', record.name);
      return tokenInfo(record);
    }),

    // Called before any token exists, so by no one the cluster knows: recorded by address.
    BootstrapToken: (call, callback) => {
      const caller: Principal = { ...anonymous, who: `bootstrap from ${call.getPeer()}` };
      Promise.resolve()
        .then(async () => {
          if (!deps.auth.enabled) throw new ClusterError('INVALID_ARGUMENT', 'this cluster runs without authentication (start the scheduler with --auth tokens)');
          const { commit } = deps.leader();
          if (!deps.auth.tokens.empty) throw new ClusterError('PERMISSION_DENIED', 'the cluster has tokens already: bootstrap works only once; ask an admin for a token');
          const { record, token } = await deps.auth.tokens.create({ name: 'bootstrap', role: 'admin', projects: [] }, caller.who, commit);
          audit(caller, 'token.bootstrap', record.id);
          return { info: tokenInfo(record), token };
        })
        .then((res) => callback(null, res), (err) => callback(toServiceError(err)));
    },

    ListAudit: unary(async (req) => ({
      entries: (await deps.audit.list(req.limit > 0 ? Math.min(req.limit, 10_000) : 100)).map((e) => ({
        at_ms: e.atMs, who: e.who, action: e.action, target: e.target, project: e.project, detail: e.detail,
      })),
    })),
  };
}

function projectOfSchedule(r: ScheduleRecord): string {
  return (r.job as { project?: string }).project ?? 'default';
}

function tokenInfo(r: TokenRecord) {
  return { id: r.id, name: r.name, role: r.role, projects: r.projects, created_at_ms: r.createdAtMs, created_by: r.createdBy, revoked_at_ms: r.revokedAtMs ?? 0 };
}

function selectTasks(engine: FlowEngine, runId: string, step: string, index: number): TaskState[] {
  if (step && index >= 0) return [engine.task(runId, step, index)];
  const run = engine.get(runId);
  if (step && !run.steps.has(step)) throw new ClusterError('NOT_FOUND', `run ${runId} has no step "${step}"`);
  return [...tasksOf(run)].filter((t) => !step || t.step === step);
}

/** Sizes a submitted job may have: far above real jobs, far below what would hold the leader up. */
export const submitLimits = { jobBytes: 1 << 20, paramsBytes: 1 << 20, pathChars: 4096 };

function submitInput(req: SubmitRequest__Output, jobs: JobCache): SubmitInput & { spec: NonNullable<SubmitInput['spec']> } {
  if (req.job_json.length > submitLimits.jobBytes) throw invalid(`job_json: ${req.job_json.length} characters; a job may have at most ${submitLimits.jobBytes} (put data in params, inputs or the code package)`);
  if (req.params_json.length > submitLimits.paramsBytes) throw invalid(`params_json: ${req.params_json.length} characters; params may have at most ${submitLimits.paramsBytes} (put large data in a file of the code package)`);
  for (const [field, value] of [['code_dir', req.code_dir], ['source', req.source], ['code_package', req.code_package]] as const) {
    if (value.length > submitLimits.pathChars) throw invalid(`${field}: at most ${submitLimits.pathChars} characters`);
  }
  const params = req.params_json ? parseJson(req.params_json, 'params_json') : {};
  if (params === null || typeof params !== 'object' || Array.isArray(params)) throw invalid('params_json: must be a JSON object');
  if (req.request_id && !/^[a-z0-9-]{1,40}$/.test(req.request_id)) throw invalid('request_id: 1-40 characters of a-z, 0-9 and -');
  const { doc, spec } = jobs.compile(req.job_json, (text) => parseJson(text, 'job_json'), 'submitted job');
  if (req.params_json) checkParams(spec, params as Record<string, unknown>, 'params_json');
  return {
    requestId: req.request_id,
    job: doc,
    spec,
    params: params as Record<string, unknown>,
    codeDir: req.code_dir,
    codePackage: req.code_package,
    ...(req.code_digest ? { codeDigest: req.code_digest } : {}),
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
