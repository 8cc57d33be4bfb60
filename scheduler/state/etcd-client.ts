/**
 * One place that builds etcd clients and maps etcd failures to ClusterError codes, shared by the
 * etcd state store and leader election (which must use the same etcd, usually the same client).
 */
import { Etcd3, GRPCDeadlineExceededError, GRPCUnavailableError, isRecoverableError } from 'etcd3';
import { ClusterError, errorMessage } from '../../core/errors.js';

export interface EtcdClientOptions {
  /** Client URLs, e.g. `http://10.0.0.5:2379`. */
  endpoints: string[];
  /** How long connecting may take before a call fails. Default 2 s. */
  dialTimeoutMs?: number;
  /**
   * Deadline of each unary call. A stopped or partitioned etcd then fails calls with
   * UNAVAILABLE instead of hanging them. Default 3 s.
   */
  callTimeoutMs?: number;
  /**
   * TLS to etcd: the CA that signed etcd's certificate (default: the system's roots) and, for an
   * etcd started with --client-cert-auth, this client's certificate and key. Endpoints without
   * a scheme are https:// then.
   */
  tls?: EtcdTls;
}

export interface EtcdTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * The endpoints as etcd3 takes them: `http://` added where no scheme is given, `https://` with
 * TLS. A plaintext endpoint beside TLS settings is refused rather than silently mixed.
 */
export function etcdEndpoints(list: string, tls: boolean): string[] {
  const endpoints = list.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (endpoints.length === 0) throw new ClusterError('INVALID_ARGUMENT', '--etcd: no endpoints given');
  return endpoints.map((e) => {
    if (!e.includes('://')) return `${tls ? 'https' : 'http'}://${e}`;
    if (!/^https?:\/\//.test(e)) throw new ClusterError('INVALID_ARGUMENT', `--etcd: ${e}: use http:// or https:// (or host:port)`);
    if (tls && e.startsWith('http://')) throw new ClusterError('INVALID_ARGUMENT', `--etcd: ${e} is plaintext but --etcd-ca/--etcd-cert is given: use https://`);
    return e;
  });
}

export function createEtcdClient(opts: EtcdClientOptions): Etcd3 {
  if (opts.endpoints.length === 0) throw new ClusterError('INVALID_ARGUMENT', 'no etcd endpoints given');
  const callTimeoutMs = opts.callTimeoutMs ?? 3_000;
  const tls = opts.tls;
  if (tls && (tls.cert === undefined) !== (tls.key === undefined)) {
    throw new ClusterError('INVALID_ARGUMENT', 'an etcd client certificate needs its key and the key its certificate (--etcd-cert with --etcd-key)');
  }
  return new Etcd3({
    hosts: opts.endpoints,
    // grpc-js takes a missing root certificate as "the system's roots"; etcd3's type insists on one.
    credentials: tls ? { rootCertificate: tls.ca as Buffer, privateKey: tls.key, certChain: tls.cert } : undefined,
    dialTimeout: opts.dialTimeoutMs ?? 2_000,
    // Streams (watches, lease keep-alives) live long and must not carry a deadline.
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
    grpcOptions: {
      // Pages of `list` can be large; etcd itself sends up to its own request limit per value.
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    },
  });
}

/** Maps an etcd3 client error to a ClusterError with a stable code. */
export function etcdError(err: unknown, what: string): ClusterError {
  if (err instanceof ClusterError) return err;
  const message = `${what}: ${errorMessage(err)}`;
  const name = (err as { name?: unknown; constructor?: { name?: string } } | null)?.constructor?.name;
  if (
    err instanceof GRPCUnavailableError || err instanceof GRPCDeadlineExceededError ||
    name === 'BrokenCircuitError' || name === 'ClientClosedError' ||
    (err instanceof Error && isRecoverableError(err))
  ) {
    return new ClusterError('UNAVAILABLE', `etcd unreachable: ${message}`, { cause: err });
  }
  if (/too many operations|request is too large|duplicate key/i.test(message)) {
    return new ClusterError('INVALID_ARGUMENT', message, { cause: err });
  }
  return new ClusterError('INTERNAL', message, { cause: err });
}
