/**
 * The request that submits a job file: the validated document, its params, and its folder
 * uploaded as a code package (only chunks the store lacks travel, so an unchanged folder
 * uploads nothing). submit, resume and schedule add all send this.
 */
import path from 'node:path';
import { newRequestId } from '../core/ids.js';
import { formatBytes } from '../core/units.js';
import type { SubmitRequest } from '../proto/types.js';
import type { StoreClient } from '../store/client.js';
import { codeDigest, packageFiles, packFiles } from '../store/code-package.js';
import type { LoadedJob } from './job-file.js';

interface PackagedJob {
  request: SubmitRequest;
  /** What went into the package, and what of it the store did not hold yet. */
  files: number;
  bytes: number;
  sentBytes: number;
}

/**
 * The request for `job`, its folder uploaded through `store`, which is closed after. Unless
 * `quiet` (JSON output), one line on stderr says what went up; stdout stays the command's own.
 * `params` undefined leaves them to the scheduler (resume keeps the earlier run's).
 */
export async function submitRequest(job: LoadedJob, params: Record<string, unknown> | undefined, store: StoreClient, quiet: boolean): Promise<SubmitRequest> {
  try {
    const packaged = await packageJob(job, params, store);
    if (!quiet) process.stderr.write(describePackage(packaged));
    return packaged.request;
  } finally {
    await store.close();
  }
}

async function packageJob(job: LoadedJob, params: Record<string, unknown> | undefined, store: StoreClient): Promise<PackagedJob> {
  const files = await packageFiles(job.dir);
  const packed = new Map<string, string>();
  const upload = await store.upload(packFiles(files, packed), 'tar');
  return {
    request: {
      job_json: JSON.stringify(job.doc),
      params_json: params ? JSON.stringify(params) : '',
      code_dir: job.dir,
      code_package: upload.objectId,
      code_digest: await codeDigest(files, [path.relative(job.dir, job.file).split(path.sep).join('/')], packed),
      request_id: newRequestId(),
      source: job.file,
    },
    files: files.length,
    bytes: files.reduce((n, f) => n + f.size, 0),
    sentBytes: upload.sentBytes,
  };
}

function describePackage(p: PackagedJob): string {
  return `code package ${(p.request.code_package ?? '').slice(0, 12)}: ${p.files} files, ${formatBytes(p.bytes)}, ${formatBytes(p.sentBytes)} uploaded\n`;
}
