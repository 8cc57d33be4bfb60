/**
 * The admin's credentials of a cluster this machine started (`clusterctl dev --secure`,
 * `clusterctl up`): the bootstrap token on its first start, the one DIR/client.env keeps on
 * later starts. client.env is written for `source` and readable by its owner only.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ClusterError, errorCode } from '../core/errors.js';
import { ClusterCredentials, loadTlsFiles } from '../proto/credentials.js';
import { ClusterClient } from './client.js';

/** DIR's certificates, made on the first secure start and kept after; returns DIR. */
export async function ensureCertificates(dir: string, host: string): Promise<string> {
  if (!existsSync(path.join(dir, 'ca.crt'))) {
    const { initTls } = await import('./tls-init.js'); // loads the x509 library only when needed
    await initTls(dir, host === '0.0.0.0' || host === '::' ? [] : [host]);
  }
  return dir;
}

/** Bootstraps (or finds again) an admin token for the cluster at `addrs`; writes `envFile`. */
export async function adminCredentials(addrs: string[], tlsDir: string, envFile: string): Promise<ClusterCredentials> {
  const files = loadTlsFiles(tlsDir, 'client');
  const client = new ClusterClient([...addrs], { credentials: new ClusterCredentials(files) });
  let token: string;
  try {
    token = (await client.call('BootstrapToken', {})).token;
  } catch (err) {
    const kept = existsSync(envFile) ? readClientEnv(envFile).CLUSTERCTL_TOKEN : undefined;
    if (errorCode(err) !== 'PERMISSION_DENIED' || !kept) throw err;
    token = kept;
  } finally {
    client.close();
  }
  const text = `export CLUSTERCTL_ADDR=${addrs.join(',')}\nexport CLUSTERCTL_TLS_DIR=${tlsDir}\nexport CLUSTERCTL_TOKEN=${token}\n`;
  writeFileSync(`${envFile}.tmp`, text, { mode: 0o600 });
  renameSync(`${envFile}.tmp`, envFile);
  return new ClusterCredentials(files, token);
}

/** The variables of a client.env. */
export function readClientEnv(envFile: string): Record<string, string> {
  return Object.fromEntries([...readFileSync(envFile, 'utf8').matchAll(/^export (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** The credentials a client.env names. */
export function credentialsOf(envFile: string): ClusterCredentials {
  const env = readClientEnv(envFile);
  if (!env.CLUSTERCTL_TLS_DIR) throw new ClusterError('INVALID_ARGUMENT', `${envFile}: no CLUSTERCTL_TLS_DIR`);
  return new ClusterCredentials(loadTlsFiles(env.CLUSTERCTL_TLS_DIR, 'client'), env.CLUSTERCTL_TOKEN);
}
