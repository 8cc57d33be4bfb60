#!/usr/bin/env node
// Reads and writes clusterd config files for the installers, through the `yaml` package of the
// installed clusterd (so the example's comments and layout survive the edit).
//
//   config-file.mjs PKGDIR write EXAMPLE OUT [KEY=VALUE | KEY+=ITEM | KEY?=VALUE]...
//       OUT is EXAMPLE with each KEY set to VALUE; KEY+=ITEM items make KEY a list; KEY?=VALUE
//       sets KEY only where EXAMPLE leaves it unset (a default the unit depends on).
//   config-file.mjs PKGDIR differs FILE [KEY=VALUE | KEY+=ITEM]...
//       prints, one a line, the settings FILE does not already hold.
//   config-file.mjs PKGDIR get FILE KEY
//       prints KEY's value (nothing when unset).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [pkgDir, mode, file, ...rest] = process.argv.slice(2);
if (!pkgDir || !mode || !file) {
  process.stderr.write('usage: config-file.mjs PKGDIR write|differs|get FILE ...\n');
  process.exit(2);
}
const { isScalar, parseDocument } = createRequire(path.join(pkgDir, 'package.json'))('yaml');

function read(name) {
  const doc = parseDocument(readFileSync(name, 'utf8'));
  if (doc.errors.length) {
    process.stderr.write(`${name}: ${doc.errors[0].message.split('\n')[0]}\n`);
    process.exit(2);
  }
  return doc;
}

/** KEY=VALUE and KEY+=ITEM arguments folded into key → string | string[]; KEY?=VALUE apart. */
function settingsOf(args) {
  const settings = new Map();
  const defaults = new Map();
  for (const arg of args) {
    const m = /^([a-z][a-z0-9-]*)([+?]?)=(.*)$/s.exec(arg);
    if (!m) {
      process.stderr.write(`config-file.mjs: "${arg}" is not KEY=VALUE, KEY+=ITEM or KEY?=VALUE\n`);
      process.exit(2);
    }
    const [, key, how, value] = m;
    if (how === '?') defaults.set(key, value);
    else settings.set(key, how === '+' ? [...(settings.get(key) ?? []), value] : value);
  }
  return { settings, defaults };
}

/** As the daemons read it: numbers as written, lists item by item. */
const sameValue = (held, wanted) =>
  Array.isArray(wanted)
    ? Array.isArray(held) && held.length === wanted.length && held.every((item, i) => String(item) === wanted[i])
    : held !== undefined && held !== null && String(held) === wanted;

switch (mode) {
  case 'write': {
    const [out, ...args] = rest;
    const doc = read(file);
    const { settings, defaults } = settingsOf(args);
    for (const [key, value] of defaults) {
      if (!settings.has(key) && (doc.get(key) === undefined || doc.get(key) === null)) doc.set(key, value);
    }
    for (const [key, value] of settings) {
      const held = doc.get(key, true);
      if (typeof value === 'string' && isScalar(held)) {
        held.value = value; // in place, so the example's comment on that line stays
        continue;
      }
      const node = doc.createNode(value);
      if (Array.isArray(value)) node.flow = true; // label: [zone=a, gpu=a100]
      doc.set(key, node);
    }
    writeFileSync(out, String(doc));
    break;
  }
  case 'differs': {
    const held = read(file).toJS() ?? {};
    for (const [key, value] of settingsOf(rest).settings) {
      if (!sameValue(held[key], value)) process.stdout.write(`${key}: ${JSON.stringify(held[key] ?? null)} there, ${JSON.stringify(value)} asked\n`);
    }
    break;
  }
  case 'get': {
    const value = (read(file).toJS() ?? {})[rest[0]];
    if (value !== undefined && value !== null) process.stdout.write(`${value}\n`);
    break;
  }
  default:
    process.stderr.write(`config-file.mjs: unknown mode ${mode}\n`);
    process.exit(2);
}
