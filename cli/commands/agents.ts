// clusterctl agents, drain, servers: the cluster's members.
import type { Command } from 'commander';
import { ClusterError } from '../../core/errors.js';
import { formatBytes, formatCpu } from '../../core/units.js';
import type { AgentInfo__Output, ProcessHealth__Output, ServerInfo__Output } from '../../proto/types.js';
import { clientFor, fail } from '../context.js';
import { age, parseFormat, printJson, table } from '../output.js';

/**
 * How long `servers` waits for each replica. A healthy one answers in milliseconds even under a
 * large sweep (its event loop is never held long); one frozen or cut off is listed unreachable
 * after this instead of holding the listing for the client's 15 s call deadline.
 */
const serversDeadlineMs = 3_000;

export function agentsCommand(program: Command): void {
  program
    .command('agents')
    .description('agents with their capacity and use')
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (flags: { output?: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const client = clientFor(cmd);
        const { agents } = await client.call('ListAgents', {});
        client.close();
        if (format === 'json') printJson(agents);
        else printAgents(agents);
      } catch (err) {
        fail(err, cmd);
      }
    });

  program
    .command('drain')
    .description('stop placing new tasks on an agent (what it runs finishes); kept across failovers until undone or the agent leaves')
    .argument('<agent>', 'agent id')
    .option('--undo', 'place new tasks on the agent again')
    .action(async (agentId: string, flags: { undo?: boolean }, cmd: Command) => {
      try {
        const client = clientFor(cmd);
        const agent = await client.call('Drain', { agent_id: agentId, undo: flags.undo === true });
        client.close();
        process.stdout.write(`${agent.agent_id} ${agent.state}\n`);
      } catch (err) {
        fail(err, cmd);
      }
    });

  program
    .command('servers')
    .description('scheduler replicas and which one leads')
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (flags: { output?: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const client = clientFor(cmd);
        const answers = await client.each('Servers', {}, serversDeadlineMs);
        client.close();
        const servers = mergeServers(answers);
        if (!servers.some((s) => s.reachable)) throw noServerAnswered(answers);
        if (format === 'json') printJson(servers);
        else process.stdout.write(`${table([['ID', 'ADDRESS', 'ROLE', 'PID', 'LOOP DELAY P99/MAX', 'MEMORY'], ...servers.map(serverRow)])}\n`);
      } catch (err) {
        fail(err, cmd);
      }
    });
}

interface ServerRow {
  id: string;
  addr: string;
  leader: boolean;
  reachable: boolean;
  /** The replica's own process (event-loop delay, memory), when it answered itself. */
  health?: ProcessHealth__Output;
}

/** Each replica reports itself and the leader it knows; one row per address. */
/**
 * Why no replica answered: nothing listening anywhere says "no cluster at …" (see fail); a
 * replica that refused the call (a token) says so; else the replicas were there and silent.
 */
function noServerAnswered(answers: Array<{ addr: string; error?: ClusterError }>): ClusterError {
  const errors = answers.map((a) => a.error).filter((e): e is ClusterError => e !== undefined);
  if (errors.length > 0 && errors.every((e) => /No connection established|ECONNREFUSED/.test(e.message))) return errors[0]!;
  const refusal = errors.find((e) => e.code !== 'UNAVAILABLE');
  if (refusal) return refusal;
  return new ClusterError('UNAVAILABLE', `no scheduler answered at ${answers.map((a) => a.addr).join(',')} within ${serversDeadlineMs / 1000} s`);
}

function mergeServers(answers: Array<{ addr: string; reply?: { servers: ServerInfo__Output[] } }>): ServerRow[] {
  const rows = new Map<string, ServerRow>();
  for (const { addr, reply } of answers) {
    if (!reply) {
      if (!rows.has(addr)) rows.set(addr, { id: '', addr, leader: false, reachable: false });
      continue;
    }
    const [self, ...known] = reply.servers;
    if (self) rows.set(self.addr, { id: self.id, addr: self.addr, leader: self.leader, reachable: true, ...(self.health ? { health: self.health } : {}) });
    for (const k of known) if (!rows.get(k.addr)?.reachable) rows.set(k.addr, { id: k.id, addr: k.addr, leader: k.leader, reachable: true });
  }
  return [...rows.values()].sort((a, b) => (a.addr < b.addr ? -1 : 1));
}

function serverRow(s: ServerRow): string[] {
  const h = s.health;
  return [
    s.id || '-', s.addr, s.reachable ? (s.leader ? 'leader' : 'follower') : 'unreachable', h ? String(h.pid) : '-',
    h ? `${h.loop_delay_p99_ms}/${h.loop_delay_max_ms} ms` : '-', h ? formatBytes(Number(h.rss_bytes)) : '-',
  ];
}

function printAgents(agents: AgentInfo__Output[]): void {
  const rows = [['AGENT', 'STATE', 'CPU', 'MEMORY', 'GPUS', 'TASKS', 'EXECUTORS', 'SEEN']];
  for (const a of agents) {
    const cap = a.capacity!;
    const used = a.allocated!;
    rows.push([
      a.agent_id,
      a.state,
      `${formatCpu(Number(used.cpu_milli))}/${formatCpu(Number(cap.cpu_milli))}`,
      `${formatBytes(Number(used.memory_bytes))}/${formatBytes(Number(cap.memory_bytes))}`,
      `${used.gpus}/${cap.gpus.length}`,
      String(a.running_tasks),
      a.executors.join(','),
      `${age(Number(a.last_seen_ms))} ago`,
    ]);
  }
  process.stdout.write(`${table(rows)}\n`);
}
