/**
 * Typed errors with stable codes. Compare `code`, never `instanceof`: errors cross worker
 * threads and the wire, where prototypes are lost. The mapping to and from gRPC status lives in
 * proto/status.ts alone.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'   // bad input from a user or a peer
  | 'NOT_FOUND'
  | 'UNSCHEDULABLE'      // no agent of the cluster could ever hold the task
  | 'UNAVAILABLE'        // the cluster cannot be reached
  | 'NOT_LEADER'         // this replica does not lead; the leader's address travels with it
  | 'LEASE_LOST'         // a write was refused because leadership was lost (fencing)
  | 'QUEUE_FULL'
  | 'CORRUPT'            // data does not match its hash
  | 'TASK_FAILED'        // the user's code threw or exited non-zero
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'OUT_OF_MEMORY'
  | 'WORKER_EXITED'
  | 'LOST'               // the agent running the task went away
  | 'RETURNED'           // the agent gave the task back unfinished as it shut down (graceful stop)
  | 'UNAUTHENTICATED'    // no valid token or client certificate
  | 'PERMISSION_DENIED'  // the caller's role or projects do not allow the call
  | 'INTERNAL';

export class ClusterError extends Error {
  readonly code: ErrorCode;
  /** Whether the same call may succeed if tried again later. */
  readonly retryable: boolean;
  /** Extra machine-readable detail, e.g. the leader's address for NOT_LEADER. */
  readonly detail: string | undefined;

  constructor(code: ErrorCode, message: string, opts: { retryable?: boolean; detail?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ClusterError';
    this.code = code;
    this.retryable = opts.retryable ?? (code === 'UNAVAILABLE' || code === 'NOT_LEADER');
    this.detail = opts.detail;
  }
}

export const invalid = (message: string): ClusterError => new ClusterError('INVALID_ARGUMENT', message);
export const notFound = (message: string): ClusterError => new ClusterError('NOT_FOUND', message);

export function errorCode(err: unknown): ErrorCode {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && isErrorCode(code) ? code : 'INTERNAL';
}

const codes = new Set<string>([
  'INVALID_ARGUMENT', 'NOT_FOUND', 'UNSCHEDULABLE', 'UNAVAILABLE', 'NOT_LEADER', 'LEASE_LOST',
  'QUEUE_FULL', 'CORRUPT', 'TASK_FAILED', 'TIMEOUT', 'CANCELLED', 'OUT_OF_MEMORY',
  'WORKER_EXITED', 'LOST', 'RETURNED', 'UNAUTHENTICATED', 'PERMISSION_DENIED', 'INTERNAL',
]);

function isErrorCode(code: string): code is ErrorCode {
  return codes.has(code);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** An error as plain data: how failures are recorded and sent. */
export interface ErrorInfo {
  code: string;
  message: string;
  stack?: string;
}
