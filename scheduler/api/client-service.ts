/**
 * Thin gRPC handlers for what clusterctl calls. Each resolves the engine of the leading replica
 * (or fails with NOT_LEADER and the leader's address) and maps errors in one place.
 */
import type * as grpc from '@grpc/grpc-js';
import { ClusterError, invalid } from '../../core/errors.js';
import { toServiceError } from '../../proto/status.js';
import type { ClientServiceHandlers, LogLine, RunStatus, ServerInfo } from '../../proto/types.js';
import type { AgentRegistry } from '../dispatch/agent-registry.js';
import type { FlowEngine } from '../flow/engine.js';
import { isTerminal, tasksOf, type TaskState } from '../flow/run-state.js';
import type { Placer } from '../placement/placer.js';
import { runStatus } from './views.js';

export interface ClientServiceDeps {
  /** The engine when this replica leads; throws NOT_LEADER otherwise. */
  leader(): { engine: FlowEngine; registry: AgentRegistry; placer: Placer };
  servers(): Promise<ServerInfo[]>;
}

const watchIntervalMs = 100;

export function clientServiceHandlers(deps: ClientServiceDeps): ClientServiceHandlers {
  const unary = <Req, Res>(fn: (req: Req) => Promise<Res> | Res): grpc.handleUnaryCall<Req, Res> =>
    (call, callback) => {
      Promise.resolve()
        .then(() => fn(call.request))
        .then((res) => callback(null, res), (err) => callback(toServiceError(err)));
    };
  const status = (runId: string, withTasks = true): RunStatus => {
    const { engine, placer } = deps.leader();
    return runStatus(engine.get(runId), (id) => placer.why(id), withTasks);
  };

  return {
    Submit: unary(async (req) => {
      const job = parseJson(req.job_json, 'job_json');
      const params = req.params_json ? parseJson(req.params_json, 'params_json') : {};
      if (params === null || typeof params !== 'object' || Array.isArray(params)) throw invalid('params_json: must be a JSON object');
      const runId = await deps.leader().engine.submit({
        job, params: params as Record<string, unknown>, codeDir: req.code_dir, codePackage: req.code_package, source: req.source,
      });
      return { run_id: runId };
    }),

    Resume: unary(async (req) => {
      const job = req.job;
      if (!job) throw invalid('job: the job as it is now is required');
      const params = job.params_json ? parseJson(job.params_json, 'params_json') : undefined;
      if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) throw invalid('params_json: must be a JSON object');
      const runId = await deps.leader().engine.resume(req.run_id, {
        job: parseJson(job.job_json, 'job_json'),
        ...(params ? { params: params as Record<string, unknown> } : {}),
        codeDir: job.code_dir,
        codePackage: job.code_package,
        source: job.source,
      }, req.from_step || undefined);
      return { run_id: runId };
    }),

    GetRun: unary((req) => status(req.run_id)),

    ListRuns: unary((req) => {
      const { engine, placer } = deps.leader();
      const limit = req.limit > 0 ? req.limit : 20;
      const runs = [...engine.runs.values()].sort((a, b) => b.record.seq - a.record.seq).slice(0, limit);
      return { runs: runs.map((r) => runStatus(r, (id) => placer.why(id), false)) };
    }),

    Cancel: unary(async (req) => {
      const { engine } = deps.leader();
      await engine.cancel(req.run_id);
      return status(req.run_id);
    }),

    Result: unary((req) => {
      const task = deps.leader().engine.task(req.run_id, req.step, req.index);
      return {
        task_id: task.id,
        result: task.result ?? Buffer.alloc(0),
        state: task.state,
        error: task.error ?? null,
        artifacts: [],
        result_object: '',
      };
    }),

    ListAgents: unary(() => ({ agents: deps.leader().registry.list() })),

    Drain: unary((req) => deps.leader().registry.drain(req.agent_id)),

    Servers: unary(async () => ({ servers: await deps.servers() })),

    Watch: (call) => {
      let engine: FlowEngine;
      try {
        engine = deps.leader().engine;
        call.write(status(call.request.run_id, false));
      } catch (err) {
        call.emit('error', toServiceError(err));
        return;
      }
      const runId = call.request.run_id;
      let timer: NodeJS.Timeout | undefined;
      // Summaries (counts per step) while the run goes on; the full status once it has ended.
      const send = () => {
        timer = undefined;
        const ended = engine.get(runId).record.state !== 'running';
        call.write(status(runId, ended));
        if (ended) stop(true);
      };
      const unsubscribe = engine.onRunChanged((id) => {
        if (id === runId && !timer) timer = setTimeout(send, watchIntervalMs);
      });
      const stop = (end: boolean) => {
        unsubscribe();
        clearTimeout(timer);
        if (end) call.end();
      };
      call.on('cancelled', () => stop(false));
      if (engine.get(runId).record.state !== 'running') send();
    },

    Logs: (call) => {
      const req = call.request;
      let tasks: TaskState[];
      let engine: FlowEngine;
      try {
        engine = deps.leader().engine;
        tasks = selectTasks(engine, req.run_id, req.step, req.index);
      } catch (err) {
        call.emit('error', toServiceError(err));
        return;
      }
      const label = (t: TaskState) => (tasks.length > 1 ? `[${t.step}/${t.index}] ` : '');
      const prefixed = (t: TaskState, line: LogLine): LogLine => ({ ...line, text: label(t) + line.text });
      for (const t of tasks) for (const line of engine.logs.lines(t.id)) call.write(prefixed(t, line));
      if (!req.follow) {
        call.end();
        return;
      }
      let open = 0;
      const unsubscribes: Array<() => void> = [];
      for (const t of tasks) {
        if (isTerminal(t.state)) continue;
        open++;
        unsubscribes.push(engine.logs.follow(t.id, (line) => {
          if (line) {
            call.write(prefixed(t, line));
            return;
          }
          if (--open === 0) call.end();
        }));
      }
      if (open === 0) call.end();
      call.on('cancelled', () => unsubscribes.forEach((u) => u()));
    },
  };
}

function selectTasks(engine: FlowEngine, runId: string, step: string, index: number): TaskState[] {
  if (step && index >= 0) return [engine.task(runId, step, index)];
  const run = engine.get(runId);
  if (step && !run.steps.has(step)) throw new ClusterError('NOT_FOUND', `run ${runId} has no step "${step}"`);
  return [...tasksOf(run)].filter((t) => !step || t.step === step);
}

function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(`${field}: not valid JSON (${(err as Error).message})`);
  }
}
