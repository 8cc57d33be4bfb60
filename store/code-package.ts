/**
 * Code packages: a job's folder as a deterministic tar, so the same files always make the same
 * bytes, the same chunks and the same object id — re-submitting an unchanged folder uploads
 * nothing, and an agent that has the id cached runs from its copy.
 *
 * Deterministic means: entries in sorted path order, every timestamp zero, owner 0:0, modes
 * reduced to 0644 / 0755 (executable or not). `.git` is left out; everything else goes in,
 * node_modules included, so a module's imports resolve on an agent exactly as they do here.
 * Symbolic links to files are stored as the file they point to; links to folders are skipped
 * (they could loop).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { ClusterError } from '../core/errors.js';

const excluded = new Set(['.git']);

export interface PackageFile {
  /** Path inside the package, with forward slashes. */
  name: string;
  absolute: string;
  size: number;
  executable: boolean;
}

/** Every file of the folder that goes into its package, in package order. */
export async function packageFiles(root: string): Promise<PackageFile[]> {
  const files: PackageFile[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = (await readdir(path.join(root, rel))).sort();
    for (const name of entries) {
      if (excluded.has(name)) continue;
      const relPath = rel ? `${rel}/${name}` : name;
      const absolute = path.join(root, relPath);
      const link = await lstat(absolute);
      const info = link.isSymbolicLink() ? await stat(absolute).catch(() => undefined) : link;
      if (!info) continue; // a dangling link
      if (info.isDirectory()) {
        if (!link.isSymbolicLink()) await walk(relPath);
      } else if (info.isFile()) {
        files.push({ name: relPath, absolute, size: info.size, executable: (info.mode & 0o111) !== 0 });
      }
    }
  };
  await walk('');
  return files;
}

/**
 * The package of `files` as a tar stream. With `contentHashes`, each file's sha256 (hex) of the
 * very bytes packed is set there by name, for `codeDigest`: a file saved again while the package
 * uploads cannot give the run a digest of other code than it runs.
 */
export function packFiles(files: readonly PackageFile[], contentHashes?: Map<string, string>): AsyncIterable<Uint8Array> {
  const pack = tar.pack();
  void (async () => {
    try {
      for (const f of files) {
        const entry = pack.entry({ name: f.name, size: f.size, mode: f.executable ? 0o755 : 0o644, mtime: new Date(0), uid: 0, gid: 0, uname: '', gname: '' });
        const hash = createHash('sha256');
        const source = createReadStream(f.absolute);
        if (contentHashes) source.on('data', (part) => hash.update(part as Buffer));
        await pipeline(source, entry);
        if (contentHashes) contentHashes.set(f.name, hash.digest('hex'));
      }
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    }
  })();
  return pack as AsyncIterable<Uint8Array>;
}

/**
 * What the package's code is, as a hash: every file's name, mode and content but those in
 * `leaveOut` (the job file, whose steps and params are compared on their own, so a changed
 * retry count or resource request does not count as changed code). Resume reuses a task only
 * under the same code digest. Contents come from `contentHashes` (filled by `packFiles`), or
 * are read from the files.
 */
export async function codeDigest(files: readonly PackageFile[], leaveOut: readonly string[], contentHashes?: ReadonlyMap<string, string>): Promise<string> {
  const digest = createHash('sha256');
  for (const f of files) {
    if (leaveOut.includes(f.name)) continue;
    let content = contentHashes?.get(f.name);
    if (content === undefined) {
      const hash = createHash('sha256');
      for await (const part of createReadStream(f.absolute)) hash.update(part as Buffer);
      content = hash.digest('hex');
    }
    digest.update(`${f.name}\0${f.executable ? 'x' : '-'}\0${content}\n`);
  }
  return digest.digest('hex');
}

/**
 * Unpacks a package into `dest`, atomically: into a sibling temp folder first, renamed into
 * place when complete, so a half-extracted package is never run. Refuses entries that would
 * land outside `dest`.
 */
export async function extractPackage(tarBytes: AsyncIterable<Uint8Array>, dest: string): Promise<void> {
  const temp = `${dest}.partial-${process.pid}-${Date.now()}`;
  await mkdir(temp, { recursive: true });
  try {
    const extract = tar.extract();
    const feeding = pipeline(tarBytes, extract);
    feeding.catch(() => {}); // its error also ends the loop below; awaited after it
    for await (const entry of extract) {
      const target = path.resolve(temp, entry.header.name);
      if (!target.startsWith(temp + path.sep)) throw new ClusterError('CORRUPT', `code package entry "${entry.header.name}" points outside the package`);
      const parts: Buffer[] = [];
      for await (const part of entry) parts.push(part as Buffer);
      if (entry.header.type !== 'file') continue;
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, Buffer.concat(parts), { mode: entry.header.mode ?? 0o644 });
    }
    await feeding;
    await rename(temp, dest).catch(async (err: NodeJS.ErrnoException) => {
      // Another extraction of the same package won the race: its copy is identical.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      await rm(temp, { recursive: true, force: true });
    });
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
}
