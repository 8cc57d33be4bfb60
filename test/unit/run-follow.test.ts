// Waiting across broken calls: statuses count as answers, so patience runs from the last one.
import { describe, expect, it } from 'vitest';
import { ClusterError } from '../../core/errors.js';
import type { ClusterClient } from '../../client/client.js';
import { followRun } from '../../client/run-follow.js';
import type { RunStatus__Output } from '../../proto/types.js';

const status = (state: string) => ({ run_id: 'r-1', state, steps: [] }) as unknown as RunStatus__Output;

describe('followRun', () => {
  it('goes on after a watch that broke long after its last answer began, and ends with the run', async () => {
    let calls = 0;
    const client = {
      stream: async (_open: unknown, onMessage: (s: RunStatus__Output) => void) => {
        calls++;
        if (calls === 1) {
          // Statuses for longer than the patience, then the call breaks (the leader died).
          for (let i = 0; i < 4; i++) {
            onMessage(status('running'));
            await new Promise((r) => setTimeout(r, 50));
          }
          throw new ClusterError('UNAVAILABLE', 'connection dropped');
        }
        onMessage(status('succeeded'));
      },
    } as unknown as ClusterClient;
    const seen: string[] = [];
    const last = await followRun(client, 'r-1', { patienceMs: 120, onStatus: (s) => seen.push(s.state) });
    expect([last.state, calls]).toEqual(['succeeded', 2]);
    expect(seen).toEqual(['running', 'running', 'running', 'running', 'succeeded']);
  });

  it('gives up once nothing answered for its patience, naming the run', async () => {
    const client = { stream: () => Promise.reject(new ClusterError('UNAVAILABLE', 'refused')) } as unknown as ClusterClient;
    await expect(followRun(client, 'r-1', { patienceMs: 150 })).rejects.toThrow('no scheduler answered for 0.15 s while waiting for run r-1');
  });
});
