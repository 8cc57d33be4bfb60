// clusterctl agents, drain, servers: the cluster's members.
import type { Command } from 'commander';
import { formatBytes, formatCpu } from '../../core/units.js';
import type { AgentInfo__Output } from '../../proto/types.js';
import { clientFor, fail } from '../context.js';
import { age, parseFormat, printJson, table } from '../output.js';

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
        fail(err);
      }
    });

  program
    .command('drain')
    .description('stop placing new tasks on an agent; what it runs finishes')
    .argument('<agent>', 'agent id')
    .action(async (agentId: string, _flags: unknown, cmd: Command) => {
      try {
        const client = clientFor(cmd);
        const agent = await client.call('Drain', { agent_id: agentId });
        client.close();
        process.stdout.write(`${agent.agent_id} ${agent.state}\n`);
      } catch (err) {
        fail(err);
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
        const { servers } = await client.call('Servers', {});
        client.close();
        if (format === 'json') printJson(servers);
        else process.stdout.write(`${table([['ID', 'ADDRESS', 'ROLE'], ...servers.map((s) => [s.id, s.addr, s.leader ? 'leader' : 'follower'])])}\n`);
      } catch (err) {
        fail(err);
      }
    });
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
