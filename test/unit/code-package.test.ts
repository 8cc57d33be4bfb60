// Code packages: the same folder always packs to the same bytes; unpacking is atomic and safe.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { codeDigest, extractPackage, packageFiles, packFiles } from '../../store/code-package.js';
import { storeTarget } from '../../store/client.js';
import { withTempDir } from '../support/temp.js';

async function packed(dir: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of packFiles(await packageFiles(dir))) parts.push(part);
  return Buffer.concat(parts);
}

function makeFolder(dir: string): void {
  mkdirSync(path.join(dir, 'lib', 'deep'), { recursive: true });
  mkdirSync(path.join(dir, '.git'));
  writeFileSync(path.join(dir, 'job.yaml'), 'name: x\n');
  writeFileSync(path.join(dir, 'lib', 'deep', 'train.mjs'), 'export const train = () => 1;\n');
  writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\n');
  chmodSync(path.join(dir, 'run.sh'), 0o700);
  writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref: main\n');
  symlinkSync(path.join(dir, 'job.yaml'), path.join(dir, 'linked.yaml'));
  symlinkSync(path.join(dir, 'lib'), path.join(dir, 'lib-link'));
}

async function* once(bytes: Buffer): AsyncGenerator<Uint8Array> {
  yield bytes;
}

describe('code packages', () => {
  it('lists files in sorted order, leaving out .git and links to folders', async () => {
    await withTempDir(async (dir) => {
      makeFolder(dir);
      const files = await packageFiles(dir);
      expect(files.map((f) => f.name)).toEqual(['job.yaml', 'lib/deep/train.mjs', 'linked.yaml', 'run.sh']);
      expect(files.find((f) => f.name === 'run.sh')!.executable).toBe(true);
    });
  });

  it('packs the same content to the same bytes whatever the timestamps and permissions', async () => {
    await withTempDir(async (a) => {
      await withTempDir(async (b) => {
        makeFolder(a);
        makeFolder(b);
        utimesSync(path.join(b, 'job.yaml'), new Date(2001, 1, 1), new Date(2001, 1, 1));
        chmodSync(path.join(b, 'job.yaml'), 0o600);
        expect(Buffer.compare(await packed(a), await packed(b))).toBe(0);
        writeFileSync(path.join(b, 'job.yaml'), 'name: y\n');
        expect(Buffer.compare(await packed(a), await packed(b))).not.toBe(0);
      });
    });
  });

  it('digests the code, leaving out the files it is told to: the job file', async () => {
    await withTempDir(async (dir) => {
      makeFolder(dir);
      const digest = async () => codeDigest(await packageFiles(dir), ['job.yaml']);
      const before = await digest();
      expect(before).toMatch(/^[0-9a-f]{64}$/);
      // The same digest from the bytes packed as from the files read.
      const packedHashes = new Map<string, string>();
      const files = await packageFiles(dir);
      for await (const part of packFiles(files, packedHashes)) expect(part.length).toBeGreaterThan(0);
      expect(packedHashes.size).toBe(files.length);
      expect(await codeDigest(files, ['job.yaml'], packedHashes)).toBe(before);
      writeFileSync(path.join(dir, 'job.yaml'), 'name: x\nretry: 3\n');
      // linked.yaml is a copy of the job file under another name: it is code like any other file.
      const linkChanged = await digest();
      expect(linkChanged).not.toBe(before);
      rmSync(path.join(dir, 'linked.yaml'));
      const withoutLink = await digest();
      writeFileSync(path.join(dir, 'job.yaml'), 'name: z\n');
      expect(await digest()).toBe(withoutLink);
      writeFileSync(path.join(dir, 'lib', 'deep', 'train.mjs'), 'export const train = () => 2;\n');
      expect(await digest()).not.toBe(withoutLink);
      writeFileSync(path.join(dir, 'lib', 'deep', 'train.mjs'), 'export const train = () => 1;\n');
      expect(await digest()).toBe(withoutLink);
      chmodSync(path.join(dir, 'run.sh'), 0o600);
      expect(await digest()).not.toBe(withoutLink);
    });
  });

  it('unpacks into place with contents and executable bits, leaving no temp folder', async () => {
    await withTempDir(async (dir) => {
      makeFolder(path.join(dir, 'src'));
      const dest = path.join(dir, 'out');
      await extractPackage(once(await packed(path.join(dir, 'src'))), dest);
      expect(readFileSync(path.join(dest, 'lib', 'deep', 'train.mjs'), 'utf8')).toContain('train');
      expect(readFileSync(path.join(dest, 'linked.yaml'), 'utf8')).toBe('name: x\n');
      expect(statSync(path.join(dest, 'run.sh')).mode & 0o111).not.toBe(0);
      expect(await readdir(dir)).toEqual(['out', 'src']);
    });
  });

  it('refuses an entry that would land outside the package, and leaves nothing behind', async () => {
    await withTempDir(async (dir) => {
      const pack = tar.pack();
      pack.entry({ name: '../escape.txt' }, 'gotcha');
      pack.finalize();
      const dest = path.join(dir, 'out');
      await expect(extractPackage(pack as AsyncIterable<Uint8Array>, dest)).rejects.toThrow('points outside the package');
      expect(existsSync(dest)).toBe(false);
      expect(existsSync(path.join(dir, 'escape.txt'))).toBe(false);
      expect(await readdir(dir)).toEqual([]);
    });
  });

  it('a truncated package fails and leaves nothing behind', async () => {
    await withTempDir(async (dir) => {
      makeFolder(path.join(dir, 'src'));
      const whole = await packed(path.join(dir, 'src'));
      await expect(extractPackage(once(whole.subarray(0, 700)), path.join(dir, 'out'))).rejects.toThrow();
      expect(await readdir(dir)).toEqual(['src']);
    });
  });
});

describe('storeTarget', () => {
  it('lists IPv4 replicas in one target grpc-js fails over across', () => {
    expect(storeTarget(['10.0.0.1:7700', '10.0.0.2:7700'])).toBe('ipv4:10.0.0.1:7700,10.0.0.2:7700');
  });
  it('uses a single address, or the first host name, as it is', () => {
    expect(storeTarget(['127.0.0.1:7700'])).toBe('127.0.0.1:7700');
    expect(storeTarget(['sched-1:7700', 'sched-2:7700'])).toBe('sched-1:7700');
  });
});
