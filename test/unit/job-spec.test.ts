import { describe, expect, it } from 'vitest';
import { applyParamOverrides, checkParams, compileJob, foreachItems, isolated } from '../../core/job-spec.js';

const run = { module: './m.mjs', export: 'f' };
const job = (steps: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: 'j', steps, ...extra });

describe('compileJob', () => {
  it('normalises a chain with defaults and human units', () => {
    const spec = compileJob(job({
      start: { run, resources: { cpu: '500m', memory: '1Gi', gpu: 1 }, next: 'end', timeout: '90s', retry: { times: 2, backoff: '2s' } },
      end: { run: { module: './m.mjs' } },
    }), 'job.yaml');
    expect(spec.project).toBe('default');
    expect(spec.steps.start).toMatchObject({
      executor: 'thread', next: ['end'], timeoutMs: 90_000,
      resources: { cpuMilli: 500, memoryBytes: 2 ** 30, gpus: 1 },
      retry: { times: 2, backoffMs: 2000, maxBackoffMs: 60_000 },
    });
    expect(spec.steps.end).toMatchObject({ run: { module: './m.mjs', export: 'default' }, resources: { cpuMilli: 1000, memoryBytes: 256 * 2 ** 20, gpus: 0 } });
  });

  it.each([
    ['no start step', job({ other: { run } }), /job\.yaml: steps: needs a step named "start"/],
    ['an unknown field', job({ start: { run, retries: 1 } }), /steps\.start: unknown field "retries"/],
    ['an unknown top-level field', job({ start: { run } }, { owner: 'me' }), /\(top level\): unknown field "owner"/],
    ['a bad memory size', job({ start: { run, resources: { memory: 'lots' } } }), /steps\.start\.resources\.memory: "lots" is not a size/],
    ['a bad timeout', job({ start: { run, timeout: 'soon' } }), /steps\.start\.timeout: "soon" is not a duration/],
    ['an unknown next', job({ start: { run, next: 'nowhere' } }), /steps\.start\.next: unknown step "nowhere"/],
    ['a cycle', job({ start: { run, next: 'a' }, a: { run, next: 'b' }, b: { run, next: 'a' } }), /the steps "a", "b" form a cycle/],
    ['an unreachable step', job({ start: { run }, orphan: { run } }), /steps\.orphan: is never reached/],
    ['run and container', job({ start: { run, container: { image: 'x' } } }), /steps\.start: needs exactly one of "run"/],
    ['a join without foreach', job({ start: { run, next: 'j' }, j: { run, join: true } }), /steps\.j\.join: a join needs a foreach step before it/],
    ['a foreach never joined', job({ start: { run, foreach: [1, 2] } }), /steps\.start: ends inside the foreach of "start"/],
    ['nested foreach', job({ start: { run, foreach: [1], next: 'b' }, b: { run, foreach: [2], next: 'j' }, j: { run, join: true } }), /nested foreach/],
    ['an empty foreach', job({ start: { run, foreach: [], next: 'j' }, j: { run, join: true } }), /steps\.start\.foreach: an empty list/],
    ['a bad from', job({ start: { run, next: 'b' }, b: { run, foreach: { from: 'start' }, next: 'j' }, j: { run, join: true } }), /foreach\.from: give STEP\.field/],
    ['a bad name', { name: 'has space', steps: { start: { run } } }, /name: a name of letters/],
  ])('refuses %s with the field path', (_what, doc, message) => {
    expect(() => compileJob(doc, 'job.yaml')).toThrow(message);
  });

  it('accepts branches that meet again, and foreach scopes closed by a join', () => {
    const spec = compileJob(job({
      start: { run, next: ['a', 'b'] },
      a: { run, next: 'sweep' },
      b: { run, next: 'sweep' },
      sweep: { run, foreach: { lr: [0.1, 0.01], depth: [3, 5] }, next: 'score' },
      score: { run, next: 'pick' },
      pick: { run, join: true },
    }), 'job.yaml');
    expect(Object.keys(spec.steps)).toHaveLength(6);
  });
});

describe('foreachItems', () => {
  it('expands a grid as nested loops, first key outermost', () => {
    // 2 × 2 = 4 items: lr varies slowest.
    expect(foreachItems({ kind: 'grid', axes: [['lr', [0.1, 0.01]], ['depth', [3, 5]]] })).toEqual([
      { lr: 0.1, depth: 3 }, { lr: 0.1, depth: 5 }, { lr: 0.01, depth: 3 }, { lr: 0.01, depth: 5 },
    ]);
  });
});

describe('applyParamOverrides', () => {
  const params = { epochs: 3, name: 'x', fast: false, layers: [1, 2] };
  it('reads each value as the type of the file value', () => {
    expect(applyParamOverrides(params, ['epochs=5', 'name=y', 'fast=true', 'layers=[4]'], 'job.yaml')).toEqual({ epochs: 5, name: 'y', fast: true, layers: [4] });
  });
  it.each([
    ['epochs=many', /expected a number/],
    ['fast=yes', /expected true or false/],
    ['layers=[', /expected JSON/],
    ['nope=1', /job\.yaml has no param "nope" \(it has epochs, name, fast, layers\)/],
    ['epochs', /give key=value/],
  ])('refuses -p %s', (pair, message) => {
    expect(() => applyParamOverrides(params, [pair], 'job.yaml')).toThrow(message);
  });
});

describe('container steps', () => {
  it('normalises a container step', () => {
    const spec = compileJob(job({ start: { container: { image: 'busybox', command: ['sh', '-c', 'echo'], env: { A: '1' } } } }), 'job.yaml');
    expect(spec.steps.start).toMatchObject({ executor: 'container', container: { image: 'busybox', command: ['sh', '-c', 'echo'], env: { A: '1' }, network: false } });
  });
  it.each(['privileged', 'volumes', 'binds', 'devices'])('refuses container.%s by name', (field) => {
    expect(() => compileJob(job({ start: { container: { image: 'busybox', [field]: true } } }), 'job.yaml'))
      .toThrow(new RegExp(`job\\.yaml: steps\\.start\\.container\\.${field}: not allowed`));
  });
});

describe('isolation', () => {
  const job = (start: Record<string, unknown>) => ({ name: 'j', steps: { start: { ...start, next: 'other' }, other: { container: { image: 'busybox' } } } });

  it('makes a run step with isolation: process a process task, and refuses it on a container step', () => {
    expect(compileJob(job({ run: { module: './m.mjs' }, isolation: 'process' }), 'job.yaml').steps.start!.executor).toBe('process');
    expect(compileJob(job({ run: { module: './m.mjs' } }), 'job.yaml').steps.start!.executor).toBe('thread');
    expect(() => compileJob({ name: 'j', steps: { s: { container: { image: 'b' }, isolation: 'process' } } }, 'job.yaml')).toThrow('job.yaml: steps.s.isolation: is for "run" steps');
    expect(() => compileJob(job({ run: { module: './m.mjs' }, isolation: 'vm' }), 'job.yaml')).toThrow(/steps\.start\.isolation/);
  });

  it('isolates every run step of a document for a project its operator isolates, leaving containers and the original alone', () => {
    const doc = job({ run: { module: './m.mjs' } });
    const rewritten = isolated(doc) as typeof doc;
    expect(compileJob(rewritten, 'x').steps.start!.executor).toBe('process');
    expect(rewritten.steps.other).toEqual({ container: { image: 'busybox' } });
    expect(doc.steps.start).toEqual({ run: { module: './m.mjs' }, next: 'other' });
    expect(isolated(rewritten)).toBe(rewritten);
  });
});

describe('params declared in the long form', () => {
  const withParams = (params: Record<string, unknown>) => compileJob({ name: 'p', params, steps: { start: { run: { module: './m.mjs' } } } }, 'job.yaml');

  it('takes the default, keeps the rule, and leaves plain values (objects too) as they were', () => {
    const job = withParams({ n: { default: 3, type: 'integer', min: 1, max: 10 }, opt: { default: 'adam', choices: ['adam', 'sgd'] }, lr: 0.1, grid: { a: 1 } });
    expect(job.params).toEqual({ n: 3, opt: 'adam', lr: 0.1, grid: { a: 1 } });
    expect(job.paramRules).toEqual({ n: { type: 'integer', min: 1, max: 10 }, opt: { choices: ['adam', 'sgd'] } });
  });

  it('refuses a default its own rule refuses, and a rule that cannot hold, naming the param', () => {
    expect(() => withParams({ n: { default: 0, min: 1 } })).toThrow('job.yaml: params.n.default: 0 is below the minimum 1');
    expect(() => withParams({ n: { default: 5, min: 6, max: 2 } })).toThrow('job.yaml: params.n: min 6 is above max 2');
    expect(() => withParams({ n: { default: 'x', type: 'float' } })).toThrow(/job\.yaml: params\.n\.type/);
  });

  it('checks -p overrides and submitted params against the rules', () => {
    const job = withParams({ n: { default: 3, type: 'integer', min: 1, max: 10 }, opt: { default: 'adam', choices: ['adam', 'sgd'] } });
    expect(applyParamOverrides(job.params, ['n=7', 'opt=sgd'], 'job.yaml', job.paramRules)).toEqual({ n: 7, opt: 'sgd' });
    expect(() => applyParamOverrides(job.params, ['n=-5'], 'job.yaml', job.paramRules)).toThrow('-p n=-5: -5 is below the minimum 1 (params.n of job.yaml)');
    expect(() => applyParamOverrides(job.params, ['n=2.5'], 'job.yaml', job.paramRules)).toThrow('2.5 is not a whole number');
    expect(() => applyParamOverrides(job.params, ['opt=rmsprop'], 'job.yaml', job.paramRules)).toThrow('"rmsprop" is not one of "adam", "sgd"');
    expect(() => checkParams(job, { n: 11 }, 'params_json')).toThrow('params_json: params.n: 11 is above the maximum 10');
    expect(() => checkParams(job, { n: 4, opt: 'sgd' }, 'params_json')).not.toThrow();
  });
});
