/**
 * Who may call what. A caller is a Principal: a token's role and projects, or an agent
 * certificate. Every gRPC method needs one capability (the table below, checked for every call
 * by the authorizer's interceptor); calls about runs also check the run's project (in the
 * handlers, which know it).
 *
 *   role     capabilities
 *   read     connect, read, store-read                 runs, results, logs of its projects
 *   submit   + submit, store-write                     submit, resume, cancel, schedules
 *   admin    + admin (every project)                   agents, drain, tokens, audit, store gc
 *   agent    connect, agent, store-read, store-write   the agent stream and task inputs
 */
import { ClusterError } from '../../core/errors.js';
import type { TokenRecord } from '../state/records.js';

export type Role = TokenRecord['role'];
export const roles: readonly Role[] = ['read', 'submit', 'admin', 'agent'];

export type Capability = 'connect' | 'read' | 'submit' | 'admin' | 'agent' | 'store-read' | 'store-write';

const capabilitiesOf: Record<Role, ReadonlySet<Capability>> = {
  read: new Set(['connect', 'read', 'store-read']),
  submit: new Set(['connect', 'read', 'submit', 'store-read', 'store-write']),
  admin: new Set(['connect', 'read', 'submit', 'admin', 'store-read', 'store-write']),
  agent: new Set(['connect', 'agent', 'store-read', 'store-write']),
};

export interface Principal {
  /** As the audit log and errors name it: `token:ID (NAME)`, `cert:CN`, or `anonymous`. */
  who: string;
  /** Stable identity an agent id is bound to: `token:ID` or `cert:CN`. */
  identity: string;
  capabilities: ReadonlySet<Capability>;
  /** Projects it may touch; undefined: every project. */
  projects: ReadonlySet<string> | undefined;
}

/** Every call allowed: a cluster started without authentication. */
export const anonymous: Principal = {
  who: 'anonymous',
  identity: 'anonymous',
  capabilities: new Set(['connect', 'read', 'submit', 'admin', 'agent', 'store-read', 'store-write']),
  projects: undefined,
};

export function principalOfToken(t: TokenRecord): Principal {
  return {
    who: `token:${t.id} (${t.name})`,
    identity: `token:${t.id}`,
    capabilities: capabilitiesOf[t.role],
    // Admins touch every project whatever their list says.
    projects: t.role === 'admin' || t.projects.length === 0 ? undefined : new Set(t.projects),
  };
}

/** A client certificate the cluster's CA signed for agents (OU=agent). */
export function principalOfAgentCertificate(commonName: string): Principal {
  return { who: `cert:${commonName}`, identity: `cert:${commonName}`, capabilities: capabilitiesOf.agent, projects: undefined };
}

/** Throws PERMISSION_DENIED unless `p` has `need`. */
export function requireCapability(p: Principal, need: Capability, what: string): void {
  if (!p.capabilities.has(need)) {
    throw new ClusterError('PERMISSION_DENIED', `${p.who} may not ${what}: it needs a token with the ${roleFor(need)} role`);
  }
}

export function mayTouch(p: Principal, project: string): boolean {
  return p.projects === undefined || p.projects.has(project);
}

/** Throws PERMISSION_DENIED unless `p` may touch `project`. */
export function requireProject(p: Principal, project: string, what: string): void {
  if (!mayTouch(p, project)) {
    throw new ClusterError('PERMISSION_DENIED', `${p.who} may not ${what} in project "${project}" (its projects: ${[...p.projects!].join(', ')})`);
  }
}

/** The least role that has a capability, to say which token would do. */
function roleFor(need: Capability): string {
  const role = roles.find((r) => capabilitiesOf[r].has(need));
  return need === 'store-write' ? 'submit (or agent)' : role ?? 'admin';
}

/** The capability each method needs; a method not listed needs admin. BootstrapToken needs none: it works only while no token exists. */
export const methodCapability: Readonly<Record<string, Capability | 'none'>> = {
  '/clusterd.v1.AgentService/Connect': 'agent',
  '/clusterd.v1.AgentService/GetInput': 'agent',
  '/clusterd.v1.ClientService/Submit': 'submit',
  '/clusterd.v1.ClientService/Resume': 'submit',
  '/clusterd.v1.ClientService/Session': 'submit',
  '/clusterd.v1.ClientService/Cancel': 'submit',
  '/clusterd.v1.ClientService/AddSchedule': 'submit',
  '/clusterd.v1.ClientService/RemoveSchedule': 'submit',
  '/clusterd.v1.ClientService/GetRun': 'read',
  '/clusterd.v1.ClientService/ListRuns': 'read',
  '/clusterd.v1.ClientService/Watch': 'read',
  '/clusterd.v1.ClientService/Logs': 'read',
  '/clusterd.v1.ClientService/Result': 'read',
  '/clusterd.v1.ClientService/ListSchedules': 'read',
  '/clusterd.v1.ClientService/Servers': 'connect',
  '/clusterd.v1.ClientService/BootstrapToken': 'none',
  '/clusterd.v1.ChunkStore/Missing': 'store-write',
  '/clusterd.v1.ChunkStore/Put': 'store-write',
  '/clusterd.v1.ChunkStore/Get': 'store-read',
  '/clusterd.v1.ChunkStore/Stat': 'store-read',
};

export function capabilityFor(method: string): Capability | 'none' {
  return methodCapability[method] ?? 'admin';
}
