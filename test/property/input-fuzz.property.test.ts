// Inputs from outside, generated (fast-check, seeded): job files and what agents send on their
// stream. Whatever comes, the answer is a clear INVALID_ARGUMENT naming where (or the input is
// taken), never another error, never a crash of the handler; and after garbage the scheduler
// still serves a well-behaved agent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorCode } from '../../core/errors.js';
import { compileJob } from '../../core/job-spec.js';
import { silentLogger } from '../../core/logger.js';
import { parseYaml } from '../../client/yaml.js';
import type { AgentMessage } from '../../proto/types.js';
import { AgentRegistry, type AgentStream } from '../../scheduler/dispatch/agent-registry.js';
import { registerLimits } from '../../scheduler/dispatch/agent-messages.js';
import { FlowEngine } from '../../scheduler/flow/engine.js';
import { Placer } from '../../scheduler/placement/placer.js';
import { FakeStream } from '../support/fake-agent-stream.js';

const seed = 20261203;

/** Either taken, or refused with INVALID_ARGUMENT whose message starts with `where`. */
function takenOrRefused(fn: () => unknown, where: string): void {
  try {
    fn();
  } catch (err) {
    expect(errorCode(err), String(err)).toBe('INVALID_ARGUMENT');
    expect((err as Error).message.startsWith(where), (err as Error).message).toBe(true);
  }
}

const validJob = {
  name: 'sweep',
  params: { n: 3 },
  steps: {
    start: { run: { module: './m.mjs', export: 'start' }, next: 'each' },
    each: { foreach: { from: 'start' }, run: { module: './m.mjs', export: 'each' }, resources: { cpu: 1, memory: '64Mi' }, retry: { times: 2 }, next: 'join' },
    join: { join: true, run: { module: './m.mjs', export: 'join' } },
  },
};

/** The valid job with one value somewhere replaced by anything. */
const mutatedJob = fc.tuple(fc.nat(), fc.anything({ maxDepth: 3 })).map(([pick, value]) => {
  const doc = structuredClone(validJob) as Record<string, unknown>;
  const slots: Array<[Record<string, unknown>, string]> = [];
  const walk = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      slots.push([node as Record<string, unknown>, key]);
      walk((node as Record<string, unknown>)[key]);
    }
  };
  walk(doc);
  const [parent, key] = slots[pick % slots.length]!;
  parent[key] = value;
  return doc;
});

describe('job files, generated', () => {
  it('compile or are refused naming where, for any document', () => {
    fc.assert(fc.property(fc.oneof(fc.anything({ maxDepth: 4 }), mutatedJob), (doc) => {
      takenOrRefused(() => compileJob(doc, 'job.yaml'), 'job.yaml');
    }), { seed, numRuns: 2_000 });
  });

  it('parse or are refused naming the file, for any text', () => {
    const yamlish = fc.stringMatching(/^[a-z:{}[\], \n'"&*!|>#-]{0,80}$/);
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), yamlish), (text) => {
      takenOrRefused(() => compileJob(parseYaml(text, 'job.yaml'), 'job.yaml'), 'job.yaml');
    }), { seed, numRuns: 2_000 });
  });
});

const capacity = { cpu_milli: 2000, memory_bytes: 2 ** 31, gpus: [] };

/** Messages as grpc-js decodes them: sometimes well-formed, often not, some oversized. */
const agentMessage: fc.Arbitrary<AgentMessage> = fc.oneof(
  fc.record({
    register: fc.record({
      agent_id: fc.oneof(fc.constant('fuzz'), fc.string({ maxLength: 300 })),
      hostname: fc.string({ maxLength: 300 }),
      instance_id: fc.string({ maxLength: 20 }),
      version: fc.constant(''),
      capacity: fc.oneof(fc.constant(capacity), fc.record({ cpu_milli: fc.integer(), memory_bytes: fc.integer(), gpus: fc.array(fc.record({ index: fc.integer({ min: -2, max: 3 }) }), { maxLength: 4 }) })),
      labels: fc.oneof(fc.dictionary(fc.string({ maxLength: 70 }), fc.string({ maxLength: 300 }), { maxKeys: 5 }), fc.constant(Object.fromEntries(Array.from({ length: registerLimits.labels + 1 }, (_, i) => [`k${i}`, 'v'])))),
      executors: fc.array(fc.constantFrom('thread', 'container', 'fortran'), { maxLength: 3 }),
      running: fc.array(fc.record({ task_id: fc.string({ maxLength: 10 }), attempt: fc.integer({ min: -1, max: 3 }), gpu_indices: fc.constant([]) }), { maxLength: 3 }),
      unacknowledged: fc.constant([]),
    }),
  }),
  fc.record({ heartbeat: fc.record({ sent_at_ms: fc.integer() }) }),
  fc.record({
    updates: fc.record({
      updates: fc.array(fc.record({
        task_id: fc.oneof(fc.string({ maxLength: 12 }), fc.constant('x'.repeat(500))),
        attempt: fc.integer({ min: -1, max: 3 }),
        kind: fc.constantFrom('started', 'log', 'finished', 'returned', 'bogus', undefined),
        log: fc.constant({ lines: [{ at_ms: 1, stream: 'log', text: 'x'.repeat(100) }] }),
      }), { maxLength: 4 }),
    }),
  }),
  fc.record({ leaving: fc.record({ returned: fc.array(fc.record({ task_id: fc.string({ maxLength: 8 }), attempt: fc.integer({ min: 0, max: 2 }), gpu_indices: fc.constant([]) }), { maxLength: 2 }) }) }),
  fc.constant({} as AgentMessage),
) as fc.Arbitrary<AgentMessage>;

describe('the agent stream, generated', () => {
  it('drops a stream that sends nonsense with INVALID_ARGUMENT, and then serves a good agent', async () => {
    const placer = new Placer();
    const registry = new AgentRegistry({ placer, logger: silentLogger, agentTtlMs: 60_000, heartbeatIntervalMs: 1_000, schedulerId: 's' });
    const engine = new FlowEngine({ placer, objects: { read: () => Promise.reject(new Error('none')) }, persist: () => Promise.resolve(), dispatcher: registry, logger: silentLogger });
    registry.bind(engine);
    engine.setRecovering(false);
    fc.assert(fc.property(fc.array(agentMessage, { minLength: 1, maxLength: 6 }), (messages) => {
      const stream = new FakeStream();
      registry.attach(stream as unknown as AgentStream, 'token:fuzz');
      for (const m of messages) stream.say(m); // the handler must not throw, whatever it is sent
      for (const details of stream.errors()) expect(details, details).toMatch(/^(register|updates|leaving|the first message|register sent twice|an agent message|agent id|bad agent message)/);
      stream.emit('end');
    }), { seed, numRuns: 1_000 });

    const good = new FakeStream();
    registry.attach(good as unknown as AgentStream, 'token:good');
    good.say({ register: { agent_id: 'good', hostname: 'good', instance_id: 'good-1', version: '', labels: {}, running: [], unacknowledged: [], capacity, executors: ['thread'] } });
    expect(good.errors()).toEqual([]);
    await engine.submit({ job: { name: 'one', steps: { start: { run: { module: './m.mjs', export: 'x' }, resources: { cpu: 1, memory: '64Mi' } } } }, params: {}, codeDir: '', codePackage: '', source: 'job.yaml' });
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    // Every fuzzing stream ended (its agent, if it registered, is disconnected): the task is the good agent's.
    expect(good.assigned()).toHaveLength(1);
  });
});
