/**
 * The one place that maps ClusterError codes to gRPC status and back. The code travels in the
 * `x-cluster-code` trailer so the receiver restores the exact code, not just the gRPC class.
 */
import * as grpc from '@grpc/grpc-js';
import { ClusterError, errorCode, errorMessage, type ErrorCode } from '../core/errors.js';

const toGrpc: Record<ErrorCode, grpc.status> = {
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  NOT_FOUND: grpc.status.NOT_FOUND,
  UNSCHEDULABLE: grpc.status.FAILED_PRECONDITION,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  NOT_LEADER: grpc.status.UNAVAILABLE,
  LEASE_LOST: grpc.status.UNAVAILABLE,
  QUEUE_FULL: grpc.status.RESOURCE_EXHAUSTED,
  CORRUPT: grpc.status.DATA_LOSS,
  TASK_FAILED: grpc.status.ABORTED,
  TIMEOUT: grpc.status.DEADLINE_EXCEEDED,
  CANCELLED: grpc.status.CANCELLED,
  OUT_OF_MEMORY: grpc.status.RESOURCE_EXHAUSTED,
  WORKER_EXITED: grpc.status.ABORTED,
  LOST: grpc.status.UNAVAILABLE,
  RETURNED: grpc.status.UNAVAILABLE,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  INTERNAL: grpc.status.INTERNAL,
};

const fromGrpc: Partial<Record<grpc.status, ErrorCode>> = {
  [grpc.status.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [grpc.status.NOT_FOUND]: 'NOT_FOUND',
  [grpc.status.FAILED_PRECONDITION]: 'UNSCHEDULABLE',
  [grpc.status.UNAVAILABLE]: 'UNAVAILABLE',
  [grpc.status.DEADLINE_EXCEEDED]: 'UNAVAILABLE',
  [grpc.status.RESOURCE_EXHAUSTED]: 'QUEUE_FULL',
  [grpc.status.DATA_LOSS]: 'CORRUPT',
  [grpc.status.CANCELLED]: 'CANCELLED',
  [grpc.status.UNAUTHENTICATED]: 'UNAUTHENTICATED',
  [grpc.status.PERMISSION_DENIED]: 'PERMISSION_DENIED',
};

/** A ClusterError (or anything thrown) as a gRPC error to hand to a callback or stream. */
export function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  const code = errorCode(err);
  const metadata = new grpc.Metadata();
  metadata.set('x-cluster-code', code);
  const detail = (err as { detail?: unknown }).detail;
  if (typeof detail === 'string') metadata.set('x-cluster-detail', detail);
  return { code: toGrpc[code], details: errorMessage(err), metadata };
}

/** A gRPC error as the ClusterError it was sent as. */
export function fromServiceError(err: unknown): ClusterError {
  const e = err as Partial<grpc.ServiceError>;
  const sent = e.metadata?.get('x-cluster-code')[0];
  const detail = e.metadata?.get('x-cluster-detail')[0];
  const code: ErrorCode = typeof sent === 'string' ? (sent as ErrorCode) : fromGrpc[e.code ?? grpc.status.UNKNOWN] ?? 'INTERNAL';
  const message = e.details || errorMessage(err);
  return new ClusterError(code, message, { cause: err, ...(typeof detail === 'string' ? { detail } : {}) });
}
