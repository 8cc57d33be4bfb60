// Thread tasks: each export gets ctx and returns its result (anything msgpack can encode).
import os from 'node:os';

export async function start(ctx) {
  ctx.log(`starting with params ${JSON.stringify(ctx.params)}`);
  return { words: Array(ctx.params.repeat).fill(ctx.params.greeting), host: os.hostname() };
}

export async function shout(ctx) {
  console.log(`shouting ${ctx.input.words.length} words`);
  return { words: ctx.input.words.map((w) => w.toUpperCase()) };
}

export async function finish(ctx) {
  return { message: ctx.input.words.join(' '), attempt: ctx.attempt };
}
