/**
 * The job file (DESIGN.md "User contract: the job file"): schema, normalisation and the checks
 * of the step graph. The CLI runs it on the file before anything is submitted; the scheduler
 * runs it again on what arrives over the wire. Errors name the field path.
 */
import { z } from 'zod';
import { ClusterError, errorMessage } from './errors.js';
import type { Resources } from './resources.js';
import { parseBytes, parseCpuMilli, parseDurationMs } from './units.js';

const amount = z.union([z.number(), z.string()]);

const resourcesSchema = z.strictObject({
  cpu: amount.optional(),
  memory: amount.optional(),
  gpu: z.number().int().min(0).optional(),
});

const stepSchema = z.strictObject({
  run: z.strictObject({ module: z.string().min(1), export: z.string().min(1).optional() }).optional(),
  /** How a `run` step's function runs: in a worker thread of the agent (default), or isolated in a process of its own. */
  isolation: z.enum(['thread', 'process']).optional(),
  container: z.strictObject({
    image: z.string().min(1),
    command: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    network: z.boolean().optional(),
  }).optional(),
  resources: resourcesSchema.optional(),
  next: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  foreach: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
  join: z.boolean().optional(),
  retry: z.strictObject({ times: z.number().int().min(0).max(100), backoff: amount.optional(), maxBackoff: amount.optional() }).optional(),
  timeout: amount.optional(),
  catch: z.boolean().optional(),
  fail_fast: z.boolean().optional(),
  constraints: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  spread: z.boolean().optional(),
});

const jobSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'a name of letters, digits, "_", "." and "-"'),
  project: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'a name of letters, digits, "_", "." and "-"').optional(),
  priority: z.number().int().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  steps: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'a step name of letters, digits, "_" and "-"'), stepSchema),
});

export type Foreach =
  | { kind: 'list'; items: unknown[] }
  /** The product of named lists; items are objects, first key outermost. */
  | { kind: 'grid'; axes: Array<[string, unknown[]]> }
  /** A list computed at run time: `field` of the result of `step`. */
  | { kind: 'from'; step: string; field: string };

export interface StepSpec {
  name: string;
  executor: 'thread' | 'process' | 'container';
  run?: { module: string; export: string };
  container?: { image: string; command: string[]; env: Record<string, string>; network: boolean };
  resources: Resources;
  next: string[];
  foreach?: Foreach;
  join: boolean;
  retry: { times: number; backoffMs: number; maxBackoffMs: number };
  timeoutMs: number;
  catch: boolean;
  /** In a foreach: a failed item (no catch) cancels its siblings at once instead of letting them finish. */
  failFast: boolean;
  constraints: Record<string, string>;
  spread: boolean;
}

/**
 * What a param declared in the long form (`{ default, type, min, max, choices }`) may be. A
 * param written as a plain value has no rule but its default's type.
 */
export interface ParamRule {
  type?: 'number' | 'integer' | 'string' | 'boolean';
  min?: number;
  max?: number;
  choices?: unknown[];
}

export interface JobSpec {
  name: string;
  project: string;
  priority: number;
  /** Each param's default. */
  params: Record<string, unknown>;
  /** The rules of params declared in the long form. */
  paramRules: Record<string, ParamRule>;
  steps: Record<string, StepSpec>;
}

export const defaultStepResources: Readonly<Resources> = Object.freeze({ cpuMilli: 1000, memoryBytes: 256 * 2 ** 20, gpus: 0 });

/** A job file error: where (file and field path) and what. */
export function specError(where: string, path: readonly (string | number | symbol)[], message: string): ClusterError {
  const field = path.length ? path.map(String).join('.') : '(top level)';
  return new ClusterError('INVALID_ARGUMENT', `${where}: ${field}: ${message}`);
}

/**
 * Validates a parsed job document and returns its normalised spec. `where` names the source in
 * error messages (the job file path, or "submitted job").
 */
export function compileJob(doc: unknown, where: string): JobSpec {
  refuseUnsafeContainers(doc, where);
  const parsed = jobSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw specError(where, issue.path, describeIssue(issue));
  }
  const raw = parsed.data;
  const steps: Record<string, StepSpec> = {};
  for (const [name, step] of Object.entries(raw.steps)) {
    steps[name] = compileStep(name, step, where);
  }
  const { defaults, rules } = compileParams(raw.params ?? {}, where);
  const job: JobSpec = {
    name: raw.name,
    project: raw.project ?? 'default',
    priority: raw.priority ?? 0,
    params: defaults,
    paramRules: rules,
    steps,
  };
  checkGraph(job, where);
  return job;
}

const unsafeContainerFields = ['privileged', 'volumes', 'mounts', 'binds', 'devices', 'capAdd', 'cap_add', 'user', 'hostNetwork', 'pid'];

/** Containers run unprivileged with no host mounts but their own in/out folders: asking otherwise is refused by name. */
function refuseUnsafeContainers(doc: unknown, where: string): void {
  const steps = (doc as { steps?: unknown } | null)?.steps;
  if (!steps || typeof steps !== 'object') return;
  for (const [name, step] of Object.entries(steps as Record<string, unknown>)) {
    const container = (step as { container?: unknown } | null)?.container;
    if (!container || typeof container !== 'object') continue;
    for (const field of unsafeContainerFields) {
      if (field in container) {
        throw specError(where, ['steps', name, 'container', field], 'not allowed: containers run unprivileged, with all capabilities dropped and no host paths but /cluster/in and /cluster/out');
      }
    }
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_union') return 'has the wrong form (see the job file reference in README.md)';
  return issue.message;
}

function compileStep(name: string, step: z.infer<typeof stepSchema>, where: string): StepSpec {
  const at = (...path: string[]) => ['steps', name, ...path];
  const convert = <T>(path: string[], fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw specError(where, at(...path), errorMessage(err));
    }
  };
  if (!step.run === !step.container) throw specError(where, at(), 'needs exactly one of "run" (a thread task) or "container"');
  if (step.isolation && !step.run) throw specError(where, at('isolation'), 'is for "run" steps: a container is isolated already');
  const resources: Resources = {
    cpuMilli: step.resources?.cpu === undefined ? defaultStepResources.cpuMilli : convert(['resources', 'cpu'], () => parseCpuMilli(step.resources!.cpu!)),
    memoryBytes: step.resources?.memory === undefined ? defaultStepResources.memoryBytes : convert(['resources', 'memory'], () => parseBytes(step.resources!.memory!)),
    gpus: step.resources?.gpu ?? 0,
  };
  const backoffMs = step.retry?.backoff === undefined ? 1000 : convert(['retry', 'backoff'], () => parseDurationMs(step.retry!.backoff!));
  const spec: StepSpec = {
    name,
    executor: step.run ? (step.isolation === 'process' ? 'process' : 'thread') : 'container',
    resources,
    next: step.next === undefined ? [] : Array.isArray(step.next) ? step.next : [step.next],
    join: step.join ?? false,
    retry: {
      times: step.retry?.times ?? 0,
      backoffMs,
      maxBackoffMs: step.retry?.maxBackoff === undefined ? Math.max(backoffMs, 60_000) : convert(['retry', 'maxBackoff'], () => parseDurationMs(step.retry!.maxBackoff!)),
    },
    timeoutMs: step.timeout === undefined ? 0 : convert(['timeout'], () => parseDurationMs(step.timeout!)),
    catch: step.catch ?? false,
    failFast: step.fail_fast ?? false,
    constraints: Object.fromEntries(Object.entries(step.constraints ?? {}).map(([k, v]) => [k, String(v)])),
    spread: step.spread ?? false,
  };
  if (step.run) spec.run = { module: step.run.module, export: step.run.export ?? 'default' };
  if (step.container) {
    spec.container = {
      image: step.container.image,
      command: step.container.command ?? [],
      env: step.container.env ?? {},
      network: step.container.network ?? false,
    };
  }
  if (step.foreach !== undefined) spec.foreach = compileForeach(step.foreach, at('foreach'), where);
  return spec;
}

function compileForeach(value: unknown[] | Record<string, unknown>, path: string[], where: string): Foreach {
  if (Array.isArray(value)) {
    if (value.length === 0) throw specError(where, path, 'an empty list: give at least one item');
    return { kind: 'list', items: value };
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'from') {
    const from = value.from;
    const m = typeof from === 'string' ? /^([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_$][\w$.]*)$/.exec(from) : null;
    if (!m) throw specError(where, [...path, 'from'], 'give STEP.field, e.g. from: start.configs');
    return { kind: 'from', step: m[1]!, field: m[2]! };
  }
  if (keys.length === 0) throw specError(where, path, 'an empty grid: give at least one named list');
  const axes: Array<[string, unknown[]]> = [];
  for (const key of keys) {
    const axis = value[key];
    if (!Array.isArray(axis) || axis.length === 0) throw specError(where, [...path, key], 'a grid axis must be a non-empty list');
    axes.push([key, axis]);
  }
  return { kind: 'grid', axes };
}

/**
 * The step graph: a DAG rooted at `start`, every step reachable, foreach scopes not nested, and
 * every join closing a foreach. A step after a foreach and before its join runs once per item.
 */
function checkGraph(job: JobSpec, where: string): void {
  const { steps } = job;
  if (!steps.start) throw specError(where, ['steps'], 'needs a step named "start" (it runs first)');
  for (const step of Object.values(steps)) {
    step.next.forEach((n, i) => {
      if (!steps[n]) throw specError(where, ['steps', step.name, 'next', ...(step.next.length > 1 ? [String(i)] : [])], `unknown step "${n}"`);
      if (n === 'start') throw specError(where, ['steps', step.name, 'next'], '"start" runs first and cannot follow another step');
    });
  }
  const order = topologicalOrder(job, where);
  const reachable = new Set(['start']);
  for (const name of order) if (reachable.has(name)) for (const n of steps[name]!.next) reachable.add(n);
  for (const name of Object.keys(steps)) {
    if (!reachable.has(name)) throw specError(where, ['steps', name], 'is never reached from "start" (no step names it in "next")');
  }
  scopes(job, order, where);
}

export function parentsOf(job: JobSpec): Map<string, string[]> {
  const parents = new Map<string, string[]>(Object.keys(job.steps).map((n) => [n, []]));
  for (const step of Object.values(job.steps)) for (const n of step.next) parents.get(n)!.push(step.name);
  return parents;
}

/** Kahn's algorithm; a leftover step means a cycle, reported with the steps on it. */
export function topologicalOrder(job: JobSpec, where = 'job'): string[] {
  const parents = parentsOf(job);
  const indegree = new Map([...parents].map(([n, p]) => [n, p.length]));
  const ready = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
  const order: string[] = [];
  while (ready.length) {
    const name = ready.shift()!;
    order.push(name);
    for (const n of job.steps[name]!.next) {
      const d = indegree.get(n)! - 1;
      indegree.set(n, d);
      if (d === 0) ready.push(n);
    }
  }
  if (order.length !== indegree.size) {
    const cycle = [...indegree].filter(([, d]) => d > 0).map(([n]) => n);
    throw specError(where, ['steps', cycle[0]!, 'next'], `the steps ${cycle.map((c) => `"${c}"`).join(', ')} form a cycle`);
  }
  return order;
}

/**
 * The foreach scope of every step: the foreach step whose items it runs over, or null.
 * A foreach opens a scope, a join closes it, other steps inherit their parents' scope.
 */
export function scopes(job: JobSpec, order = topologicalOrder(job), where = 'job'): Map<string, string | null> {
  const parents = parentsOf(job);
  const scope = new Map<string, string | null>();
  for (const name of order) {
    const step = job.steps[name]!;
    const parentScopes = new Set(parents.get(name)!.map((p) => scope.get(p)!));
    if (parentScopes.size > 1) throw specError(where, ['steps', name], 'its parents run over different foreach items; join them first');
    const inherited = parentScopes.size ? [...parentScopes][0]! : null;
    if (step.join) {
      if (inherited === null) throw specError(where, ['steps', name, 'join'], 'a join needs a foreach step before it');
      if (parents.get(name)!.length !== 1) throw specError(where, ['steps', name, 'join'], 'a join takes exactly one parent step');
      if (step.foreach) throw specError(where, ['steps', name, 'foreach'], 'a join step cannot also fan out');
      scope.set(name, null);
    } else if (step.foreach) {
      if (inherited !== null) throw specError(where, ['steps', name, 'foreach'], `nested foreach (inside the foreach of "${inherited}") is not supported; join first`);
      if (step.foreach.kind === 'from' && !parents.get(name)!.includes(step.foreach.step)) {
        throw specError(where, ['steps', name, 'foreach', 'from'], `"${step.foreach.step}" is not a parent of this step`);
      }
      scope.set(name, name);
    } else {
      scope.set(name, inherited);
    }
  }
  const open = [...scope].filter(([n, s]) => s !== null && job.steps[n]!.next.length === 0);
  if (open.length) throw specError(where, ['steps', open[0]![0]], `ends inside the foreach of "${open[0]![1]}": add a join step after it`);
  return scope;
}

/** How many items a list or grid foreach has, without listing them. */
export function foreachCount(foreach: Exclude<Foreach, { kind: 'from' }>): number {
  return foreach.kind === 'list' ? foreach.items.length : foreach.axes.reduce((n, [, values]) => n * values.length, 1);
}

/** The items of a list or grid foreach, in order (grid: nested loops, first key outermost). */
export function foreachItems(foreach: Exclude<Foreach, { kind: 'from' }>): unknown[] {
  if (foreach.kind === 'list') return foreach.items;
  let items: Array<Record<string, unknown>> = [{}];
  for (const [key, values] of foreach.axes) {
    items = items.flatMap((partial) => values.map((v) => ({ ...partial, [key]: v })));
  }
  return items;
}

/**
 * Applies `-p k=v` overrides. A key must exist in the job's params; the value is read as the
 * type of the file's value (number, boolean, string, or JSON for lists and objects).
 */
const paramRuleSchema = z.strictObject({
  default: z.unknown(),
  type: z.enum(['number', 'integer', 'string', 'boolean']).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  choices: z.array(z.unknown()).min(1).optional(),
  description: z.string().optional(),
});
const ruleKeys = new Set(Object.keys(paramRuleSchema.shape));

/**
 * A param is declared in the long form when it is a mapping with a `default` and nothing but
 * rule keys; any other value is a plain default (as before the long form existed).
 */
function compileParams(raw: Record<string, unknown>, where: string): { defaults: Record<string, unknown>; rules: Record<string, ParamRule> } {
  const defaults: Record<string, unknown> = {};
  const rules: Record<string, ParamRule> = {};
  for (const [name, value] of Object.entries(raw)) {
    const keys = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
    if (!keys.includes('default') || !keys.every((k) => ruleKeys.has(k))) {
      defaults[name] = value;
      continue;
    }
    const parsed = paramRuleSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw specError(where, ['params', name, ...issue.path], describeIssue(issue));
    }
    const { default: fallback, description: _description, ...rule } = parsed.data;
    if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) throw specError(where, ['params', name], `min ${rule.min} is above max ${rule.max}`);
    defaults[name] = fallback;
    rules[name] = rule;
    const broken = ruleBroken(rule, fallback);
    if (broken) throw specError(where, ['params', name, 'default'], broken);
  }
  return { defaults, rules };
}

/** What is wrong with `value` under `rule`, or undefined. */
function ruleBroken(rule: ParamRule, value: unknown): string | undefined {
  const shown = JSON.stringify(value);
  const type = rule.type;
  if ((type === 'number' || type === 'integer') && (typeof value !== 'number' || !Number.isFinite(value))) return `${shown} is not a number`;
  if (type === 'integer' && !Number.isInteger(value)) return `${shown} is not a whole number`;
  if (type === 'string' && typeof value !== 'string') return `${shown} is not a string`;
  if (type === 'boolean' && typeof value !== 'boolean') return `${shown} is not true or false`;
  if (rule.min !== undefined && !(typeof value === 'number' && value >= rule.min)) return `${shown} is below the minimum ${rule.min}`;
  if (rule.max !== undefined && !(typeof value === 'number' && value <= rule.max)) return `${shown} is above the maximum ${rule.max}`;
  if (rule.choices && !rule.choices.some((c) => JSON.stringify(c) === shown)) return `${shown} is not one of ${rule.choices.map((c) => JSON.stringify(c)).join(', ')}`;
  return undefined;
}

/** Checks every param of `params` that has a rule; `where` names where they came from. */
export function checkParams(job: JobSpec, params: Record<string, unknown>, where: string): void {
  for (const [name, rule] of Object.entries(job.paramRules)) {
    if (!(name in params)) continue;
    const broken = ruleBroken(rule, params[name]);
    if (broken) throw new ClusterError('INVALID_ARGUMENT', `${where}: params.${name}: ${broken}`);
  }
}

export function applyParamOverrides(params: Record<string, unknown>, overrides: readonly string[], where: string, rules: Record<string, ParamRule> = {}): Record<string, unknown> {
  const out = { ...params };
  for (const pair of overrides) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ClusterError('INVALID_ARGUMENT', `-p ${pair}: give key=value`);
    const key = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    if (!(key in params)) {
      const known = Object.keys(params);
      throw new ClusterError('INVALID_ARGUMENT', `-p ${pair}: ${where} has no param "${key}"${known.length ? ` (it has ${known.join(', ')})` : ''}`);
    }
    out[key] = convertParam(params[key], text, `-p ${pair}`);
    const rule = rules[key];
    const broken = rule && ruleBroken(rule, out[key]);
    if (broken) throw new ClusterError('INVALID_ARGUMENT', `-p ${pair}: ${broken} (params.${key} of ${where})`);
  }
  return out;
}

function convertParam(current: unknown, text: string, what: string): unknown {
  const fail = (kind: string) => new ClusterError('INVALID_ARGUMENT', `${what}: expected ${kind} like the job file's value ${JSON.stringify(current)}`);
  switch (typeof current) {
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw fail('a number');
      return n;
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw fail('true or false');
      return text === 'true';
    case 'string':
      return text;
    default:
      try {
        return JSON.parse(text);
      } catch {
        throw fail('JSON');
      }
  }
}

/**
 * The job document with every `run` step isolated in a process of its own: what the scheduler
 * submits for a project its operator isolates (`--isolate-project`). Returns `doc` itself when
 * nothing changes.
 */
export function isolated(doc: unknown): unknown {
  const steps = (doc as { steps?: Record<string, { run?: unknown; isolation?: string }> }).steps ?? {};
  if (Object.values(steps).every((step) => !step.run || step.isolation === 'process')) return doc;
  return {
    ...(doc as object),
    steps: Object.fromEntries(Object.entries(steps).map(([name, step]) => [name, step.run ? { ...step, isolation: 'process' } : step])),
  };
}
