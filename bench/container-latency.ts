/**
 * Container task start latency on a real Docker engine, clusterd beside a raw `docker run` of
 * the same image in the same run, over sequential tasks after a warm-up:
 * - clusterd (a): assignment to the container's process running. The agent is not instrumented:
 *   the assignment is when its task folder appears under <data>/tasks (the executor's first act),
 *   running is the engine's `start` event for the container labelled with the task id;
 * - clusterd (b): submit to result, the wall clock around SubmitAndWatch of a one-step
 *   container job that writes /cluster/out/result.json;
 * - raw: `docker run --rm IMAGE sh -c true` (wall clock, and from the command to the `start`
 *   event), and the same with a bind-mounted out dir, writing and reading back a result file,
 *   the fair peer of (b).
 * Each iteration runs one of each, so drift over the run touches all alike.
 *
 * Run: `node dist/bench/container-latency.js [tasks]` prints the result as JSON.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Docker from 'dockerode';
import { ClusterClient } from '../client/client.js';
import { decodeValue } from '../core/codec.js';
import { EngineEvents, FolderEntries, wallNowMs } from './container-timeline.js';
import { dockerdMissing, startDockerd, type Dockerd } from './dockerd.js';
import { startLocalCluster } from './local-cluster.js';
import { percentile, round } from './stats.js';
import { submitAndWait } from './workload.js';

export interface ContainerLatencyOptions {
  tasks: number;
  log?: (line: string) => void;
}

export interface Spread {
  p50: number;
  p99: number;
}

export interface ContainerLatencyResult {
  tasks: number;
  warmUp: number;
  engine: string;
  clusterd: {
    /** (a): the task folder appears, to the engine's `start` event. */
    assignToRunningMs: Spread;
    /** Of (a): the agent's work before the engine has the container (folders, input, image check, create). */
    assignToCreatedMs: Spread;
    /** Of (a): log attach and start. */
    createdToRunningMs: Spread;
    /** (b): SubmitAndWatch until the run has ended with the result recorded. */
    submitToResultMs: Spread;
    /** Of (b): the scheduler's share before the agent starts, and after the container exits. */
    submitToAssignMs: Spread;
    exitToResultMs: Spread;
  };
  raw: {
    /** `docker run --rm IMAGE sh -c true`, wall clock. */
    runMs: Spread;
    /** From spawning that `docker run` to its container's `start` event: the peer of (a). */
    commandToRunningMs: Spread;
    createdToRunningMs: Spread;
    /** With the out dir bind-mounted: write result.json, read it back: the peer of (b). */
    runWithResultMs: Spread;
  };
  /** clusterd / raw at the p50; the goal is at most 1.15. */
  ratio: { assignToRunning: number; submitToResult: number };
}

const image = 'clusterd-bench/busybox:1';
const warmUp = 3;
/** Raw containers carry this label, so their engine events can be told apart. */
const rawLabel = 'io.clusterd.bench';
const taskLabel = 'io.clusterd.task';
const writeResult = ['sh', '-c', `echo '{"ok":true}' > /cluster/out/result.json`];

const job = {
  name: 'bench-container',
  steps: { start: { container: { image, command: writeResult }, resources: { cpu: 1, memory: '128Mi' } } },
};

interface Samples {
  clusterd: { submitToResult: number; submitToAssign: number; assignToCreated: number; createdToRunning: number; assignToRunning: number; exitToResult: number };
  raw: { run: number; commandToRunning: number; createdToRunning: number; runWithResult: number };
}

export async function runContainerLatency(opts: ContainerLatencyOptions): Promise<ContainerLatencyResult | { skipped: string }> {
  const log = opts.log ?? (() => {});
  const missing = dockerdMissing();
  if (missing) return { skipped: missing };
  const work = await mkdtemp(join(tmpdir(), 'clusterd-bench-containers-'));
  const agentData = join(work, 'agent');
  // Created ahead so its new entries can be watched from the first task on.
  await mkdir(join(agentData, 'tasks'), { recursive: true });
  let dockerd: Dockerd | undefined;
  let cluster: Awaited<ReturnType<typeof startLocalCluster>> | undefined;
  let client: ClusterClient | undefined;
  let events: EngineEvents | undefined;
  let folders: FolderEntries | undefined;
  try {
    dockerd = await startDockerd();
    await dockerd.buildBusyboxImage(image);
    const engine = (await dockerd.docker(['version', '--format', '{{.Server.Version}}'])).stdout.trim();
    cluster = await startLocalCluster({ agents: 1, agentArgs: ['--docker-host', dockerd.host, '--data', agentData, '--cpu', '2', '--memory', '2Gi'] });
    client = new ClusterClient([cluster.addr]);
    events = await EngineEvents.open(new Docker({ socketPath: dockerd.socketPath }), [taskLabel, rawLabel]);
    folders = new FolderEntries(join(agentData, 'tasks'));
    const probe = { dockerd, client, events, folders, outDirs: join(work, 'raw') };
    log(`container latency: Docker ${engine}, ${warmUp} warm-up then ${opts.tasks} sequential tasks each: clusterd, docker run, docker run with a result file`);
    for (let i = 0; i < warmUp; i++) await iteration(probe, `warm-${i}`);
    await expectResult(client);
    const samples: Samples[] = [];
    for (let i = 0; i < opts.tasks; i++) samples.push(await iteration(probe, `n-${i}`));
    const result = summarize(opts.tasks, engine, samples);
    log(`container latency: clusterd assignment to running p50 ${result.clusterd.assignToRunningMs.p50} ms (raw command to running ${result.raw.commandToRunningMs.p50} ms, x${result.ratio.assignToRunning}); submit to result p50 ${result.clusterd.submitToResultMs.p50} ms (raw run with result file ${result.raw.runWithResultMs.p50} ms, x${result.ratio.submitToResult}); goal x1.15`);
    return result;
  } finally {
    events?.close();
    folders?.close();
    client?.close();
    await cluster?.stop();
    await dockerd?.stop();
    await rm(work, { recursive: true, force: true, maxRetries: 3 });
  }
}

interface Probe {
  dockerd: Dockerd;
  client: ClusterClient;
  events: EngineEvents;
  folders: FolderEntries;
  /** Where the raw runs' bind-mounted out dirs go. */
  outDirs: string;
}

async function iteration(p: Probe, key: string): Promise<Samples> {
  return { clusterd: await clusterdTask(p), raw: { ...(await rawRun(p, key)), runWithResult: await rawRunWithResult(p, key) } };
}

async function clusterdTask(p: Probe): Promise<Samples['clusterd']> {
  const submitted = wallNowMs();
  const end = await submitAndWait(p.client, job);
  const ended = wallNowMs();
  const taskId = end.steps[0]!.tasks[0]!.task_id;
  // The executor's folder name for the task (see ContainerExecutor.dirs).
  const assigned = await p.folders.at(taskId.replaceAll('/', '__'));
  const [created, running, exited] = await Promise.all([p.events.at(taskId, 'create'), p.events.at(taskId, 'start'), p.events.at(taskId, 'die')]);
  return {
    submitToResult: ended - submitted,
    submitToAssign: assigned - submitted,
    assignToCreated: created - assigned,
    createdToRunning: running - created,
    assignToRunning: running - assigned,
    exitToResult: ended - exited,
  };
}

async function rawRun(p: Probe, key: string): Promise<Omit<Samples['raw'], 'runWithResult'>> {
  const spawned = wallNowMs();
  await dockerRun(p, ['--label', `${rawLabel}=${key}`, image, 'sh', '-c', 'true']);
  const ended = wallNowMs();
  const [created, running] = await Promise.all([p.events.at(key, 'create'), p.events.at(key, 'start')]);
  return { run: ended - spawned, commandToRunning: running - spawned, createdToRunning: running - created };
}

async function rawRunWithResult(p: Probe, key: string): Promise<number> {
  const outDir = join(p.outDirs, key);
  const started = wallNowMs();
  await mkdir(outDir, { recursive: true });
  await dockerRun(p, ['-v', `${outDir}:/cluster/out`, image, ...writeResult]);
  const result = JSON.parse(await readFile(join(outDir, 'result.json'), 'utf8')) as unknown;
  const ended = wallNowMs();
  if (!isOk(result)) throw new Error(`container latency: the raw run wrote ${JSON.stringify(result)}, not {"ok":true}`);
  return ended - started;
}

async function dockerRun(p: Probe, args: string[]): Promise<void> {
  const res = await p.dockerd.docker(['run', '--rm', '--network', 'none', ...args]);
  if (res.code !== 0) throw new Error(`container latency: docker run ${args.join(' ')} exited ${res.code}: ${res.stderr}`);
}

/** The clusterd task's result is what its container wrote, so the timed path really read it. */
async function expectResult(client: ClusterClient): Promise<void> {
  const [last] = (await client.call('ListRuns', { limit: 1 })).runs;
  const res = await client.call('Result', { run_id: last!.run_id, step: 'start', index: 0 });
  const value = decodeValue(res.result);
  if (!isOk(value)) throw new Error(`container latency: run ${last!.run_id} recorded ${JSON.stringify(value)}, not {"ok":true}`);
}

const isOk = (v: unknown): boolean => typeof v === 'object' && v !== null && (v as { ok?: unknown }).ok === true;

function spread(values: number[]): Spread {
  return { p50: round(percentile(values, 50), 2), p99: round(percentile(values, 99), 2) };
}

function summarize(tasks: number, engine: string, samples: Samples[]): ContainerLatencyResult {
  const c = (k: keyof Samples['clusterd']) => spread(samples.map((s) => s.clusterd[k]));
  const r = (k: keyof Samples['raw']) => spread(samples.map((s) => s.raw[k]));
  const clusterd = {
    assignToRunningMs: c('assignToRunning'),
    assignToCreatedMs: c('assignToCreated'),
    createdToRunningMs: c('createdToRunning'),
    submitToResultMs: c('submitToResult'),
    submitToAssignMs: c('submitToAssign'),
    exitToResultMs: c('exitToResult'),
  };
  const raw = { runMs: r('run'), commandToRunningMs: r('commandToRunning'), createdToRunningMs: r('createdToRunning'), runWithResultMs: r('runWithResult') };
  return {
    tasks,
    warmUp,
    engine,
    clusterd,
    raw,
    ratio: {
      assignToRunning: round(clusterd.assignToRunningMs.p50 / raw.commandToRunningMs.p50, 2),
      submitToResult: round(clusterd.submitToResultMs.p50 / raw.runWithResultMs.p50, 2),
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runContainerLatency({ tasks: Number(process.argv[2] ?? 30), log: (line) => process.stderr.write(`${line}\n`) })
    .then((result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exitCode = 1;
    });
}
