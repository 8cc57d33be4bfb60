/**
 * How a process reaches the cluster or serves it: plaintext, or TLS with both sides
 * authenticated by the cluster's own CA, plus a bearer token sent with every call.
 *
 * A TLS folder (made by `clusterctl tls init`) holds:
 *
 *   ca.crt                     the cluster's CA: every side trusts it and nothing else
 *   scheduler.crt, .key        the replicas' certificate (server and client use; names from --host)
 *   agent.crt, .key            agents' client certificate: OU=agent, so it joins without a token
 *   client.crt, .key           clusterctl's client certificate: transport only, a token says who
 *   ca.key                     signs more certificates; keep it off the cluster's machines
 *
 * Each process reads ca.crt and the pair of its role, so one folder can be copied whole to a
 * test machine, or only `ca.crt` + `agent.*` to an agent box.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ClusterError, errorMessage } from '../core/errors.js';

export type TlsRole = 'scheduler' | 'agent' | 'client';

export interface TlsFiles {
  dir: string;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** The metadata key a token travels in, as `Bearer TOKEN`. */
export const tokenHeader = 'authorization';

/** Reads the CA and `role`'s certificate pair from `dir`; a missing file is named with how to make it. */
export function loadTlsFiles(dir: string, role: TlsRole): TlsFiles {
  const read = (name: string): Buffer => {
    const file = path.join(dir, name);
    try {
      return readFileSync(file);
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      throw new ClusterError('INVALID_ARGUMENT', missing
        ? `${file}: no such file (make the folder with: clusterctl tls init ${dir})`
        : `${file}: ${errorMessage(err)}`);
    }
  };
  return { dir, ca: read('ca.crt'), cert: read(`${role}.crt`), key: read(`${role}.key`) };
}

/** What a client connects with: TLS files or plaintext, and an optional token. */
export class ClusterCredentials {
  static readonly plaintext = new ClusterCredentials();

  constructor(readonly tls?: TlsFiles, readonly token?: string) {
    if (token !== undefined && !/^[\x21-\x7e]{1,512}$/.test(token)) {
      throw new ClusterError('INVALID_ARGUMENT', 'the token must be 1-512 printable characters without spaces (as `clusterctl token create` prints it)');
    }
  }

  /** The same files, another token (a token created for agents, a bootstrap admin). */
  withToken(token: string | undefined): ClusterCredentials {
    return new ClusterCredentials(this.tls, token);
  }

  get secure(): boolean {
    return this.tls !== undefined;
  }

  /**
   * What a client of `target` (host:port, or grpc-js's `ipv4:a:p,b:p`) is made with: `base`
   * options plus, with a token, an interceptor that sends it on every call. An interceptor
   * rather than call credentials: those cannot be combined with a plaintext channel, and
   * `clusterctl dev` may use tokens on loopback without TLS.
   */
  forTarget(target: string, base: grpc.ChannelOptions): { credentials: grpc.ChannelCredentials; options: grpc.ClientOptions } {
    const options: grpc.ClientOptions = { ...base };
    let credentials = grpc.credentials.createInsecure();
    if (this.tls) {
      const ips = ipHostsOf(target);
      if (ips.length === 0) {
        credentials = grpc.credentials.createSsl(this.tls.ca, this.tls.key, this.tls.cert);
      } else {
        // TLS forbids an IP address as the server name (SNI), and Node warns when grpc-js sends
        // one: send a fixed name instead and check the certificate against the address itself.
        options['grpc.ssl_target_name_override'] = 'clusterd';
        credentials = grpc.credentials.createSsl(this.tls.ca, this.tls.key, this.tls.cert, {
          checkServerIdentity: (_name, cert) => {
            const errors = ips.map((ip) => checkServerIdentity(ip, cert));
            return errors.includes(undefined) ? undefined : errors[0];
          },
        });
      }
    }
    const token = this.token;
    if (token) {
      const bearer: grpc.Interceptor = (callOptions, nextCall) => new grpc.InterceptingCall(nextCall(callOptions), {
        start(metadata, listener, next) {
          metadata.set(tokenHeader, `Bearer ${token}`);
          next(metadata, listener);
        },
      });
      options.interceptors = [bearer];
    }
    return { credentials, options };
  }
}

/** The IP literals a target names (none for a host name). */
function ipHostsOf(target: string): string[] {
  const list = target.startsWith('ipv4:') || target.startsWith('ipv6:') ? target.slice(5).split(',') : [target];
  return list.map((hostPort) => hostPort.slice(0, hostPort.lastIndexOf(':')).replace(/^\[|\]$/g, '')).filter((host) => isIP(host) !== 0);
}

/** A server's credentials: TLS requiring a client certificate the same CA signed, or plaintext. */
export function serverCredentials(tls: TlsFiles | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(tls.ca, [{ private_key: tls.key, cert_chain: tls.cert }], true);
}
