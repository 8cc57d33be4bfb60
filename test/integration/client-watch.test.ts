// ClusterClient.submitAndWatch over real gRPC: it hands back a run's final status as soon as
// it arrives, without waiting for the call's end, and says so when a stream ends mid-run.
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../cli/client.js';
import { proto, serverOptions } from '../../proto/load.js';
import type { RunStatus } from '../../proto/types.js';

const status = (state: string): RunStatus => ({ run_id: 'r-1', name: 'j', project: 'default', state, steps: [] });
const request = { job_json: '{}', params_json: '{}', code_dir: '', code_package: '', source: 'test', request_id: 'req-1' };

describe('submitAndWatch', () => {
  let server: grpc.Server | undefined;
  let client: ClusterClient | undefined;
  afterEach(() => {
    client?.close();
    server?.forceShutdown();
  });

  /** A ClientService whose SubmitAndWatch writes `states` and ends the call only if `end`. */
  async function serve(states: string[], end: boolean): Promise<{ addr: string; calls: grpc.ServerWritableStream<unknown, RunStatus>[] }> {
    const calls: grpc.ServerWritableStream<unknown, RunStatus>[] = [];
    server = new grpc.Server(serverOptions);
    server.addService(proto.ClientService.service, {
      SubmitAndWatch: (call: grpc.ServerWritableStream<unknown, RunStatus>) => {
        calls.push(call);
        for (const s of states) call.write(status(s));
        if (end) call.end();
      },
    });
    const port = await new Promise<number>((resolve, reject) => server!.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    return { addr: `127.0.0.1:${port}`, calls };
  }

  it('resolves with the final status while the call is still open', async () => {
    const { addr, calls } = await serve(['running', 'succeeded'], false);
    client = new ClusterClient([addr]);
    const seen: string[] = [];
    const last = await client.submitAndWatch(request, (s) => seen.push(s.state));
    expect(last.state).toBe('succeeded');
    expect(seen).toEqual(['running', 'succeeded']);
    // The server never ended the call: resolving did not wait for it.
    expect(calls).toHaveLength(1);
    expect(calls[0]!.writable).toBe(true);
  });

  it('fails saying so when the stream ends while the run still runs', async () => {
    const { addr } = await serve(['running'], true);
    client = new ClusterClient([addr]);
    await expect(client.submitAndWatch(request)).rejects.toThrow(/lost track of run r-1/);
  });
});
