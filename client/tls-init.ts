/**
 * `clusterctl tls init DIR`: a CA for one cluster and the certificates its parts need (see
 * proto/credentials.ts for the folder's layout). Keys are ECDSA P-256, made with node:crypto's
 * WebCrypto; the certificates are built by @peculiar/x509, as node:crypto reads X.509 but cannot
 * write it. Loaded only by the commands that make certificates.
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it before it loads
import { isIP } from 'node:net';
import { randomBytes, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { ClusterError } from '../core/errors.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const dayMs = 86_400_000;
/** The CA outlives the certificates it signs, so they can be re-issued under it. */
const caValidityDays = 3650;
const leafValidityDays = 825;

/** Names every replica's certificate holds besides those given: it serves on loopback too. */
const loopbackNames = ['localhost', '127.0.0.1', '::1'];

export interface TlsInitResult {
  dir: string;
  files: string[];
  hosts: string[];
}

/** Makes DIR's CA and certificates; refuses a folder that has a CA already (it would orphan every certificate it signed). */
export async function initTls(dir: string, hosts: readonly string[]): Promise<TlsInitResult> {
  const root = path.resolve(dir);
  if (existsSync(path.join(root, 'ca.crt'))) {
    throw new ClusterError('INVALID_ARGUMENT', `${path.join(root, 'ca.crt')} exists: this folder has a CA already (remove the folder to start over; every certificate it signed stops working)`);
  }
  for (const host of hosts) {
    if (!isIP(host) && !/^(?=.{1,253}$)[A-Za-z0-9*]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(host)) {
      throw new ClusterError('INVALID_ARGUMENT', `--host ${host}: not a host name or an IP address`);
    }
  }
  // Only the folder itself is private: parents made on the way (e.g. /etc/clusterd) keep the umask's mode.
  mkdirSync(path.dirname(root), { recursive: true });
  if (!existsSync(root)) mkdirSync(root, { mode: 0o700 });
  const names = [...new Set([...hosts, ...loopbackNames])];
  const ca = await makeCa();
  const files: Array<[string, string]> = [['ca.crt', pem(ca.cert)], ['ca.key', await keyPem(ca.keys)]];
  for (const [role, usages] of [['scheduler', [serverAuth, clientAuth]], ['agent', [clientAuth]], ['client', [clientAuth]]] as const) {
    const leaf = await makeLeaf(ca, role, role === 'scheduler' ? names : [], [...usages]);
    files.push([`${role}.crt`, pem(leaf.cert)], [`${role}.key`, await keyPem(leaf.keys)]);
  }
  // Each file whole or not at all: written aside, then renamed; keys readable by the owner only.
  for (const [name, text] of files) {
    const file = path.join(root, name);
    writeFileSync(`${file}.tmp`, text, { mode: name.endsWith('.key') ? 0o600 : 0o644 });
    renameSync(`${file}.tmp`, file);
  }
  return { dir: root, files: files.map(([name]) => name), hosts: names };
}

const serverAuth = x509.ExtendedKeyUsage.serverAuth;
const clientAuth = x509.ExtendedKeyUsage.clientAuth;

interface Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

async function makeCa(): Promise<Issued> {
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=clusterd CA ${randomBytes(4).toString('hex')}`,
    notBefore: new Date(now - 60_000), // a peer's clock a little behind still accepts it
    notAfter: new Date(now + caValidityDays * dayMs),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

/** A certificate whose OU is its role: the scheduler reads it to tell an agent from a client. */
async function makeLeaf(ca: Issued, role: string, names: readonly string[], usages: string[]): Promise<Issued> {
  const keys = await generateKeys();
  const now = Date.now();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
    new x509.ExtendedKeyUsageExtension(usages, false),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false),
  ];
  if (names.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(names.map((n) => ({ type: isIP(n) ? 'ip' as const : 'dns' as const, value: n }))));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=clusterd ${role}, OU=${role}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + leafValidityDays * dayMs),
    signingKey: ca.keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: algorithm,
    extensions,
  });
  return { cert, keys };
}

function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

/** A positive 16-byte serial number (the top bit clear, as DER integers are signed). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return bytes.toString('hex');
}

function pem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem')}\n`;
}

async function keyPem(keys: CryptoKeyPair): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}
