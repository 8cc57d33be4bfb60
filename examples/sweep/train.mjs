// Logistic regression in plain JavaScript: a dataset generated from a seed (so every task
// rebuilds the same data instead of shipping it), mini-batch SGD, validation accuracy.

/** mulberry32: a small, fast, seeded PRNG. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand) {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Two classes separated along a random direction, with label noise: not linearly perfect. */
function makeDataset({ samples, features, seed }) {
  const rand = rng(seed);
  const direction = Array.from({ length: features }, () => gaussian(rand));
  const X = [];
  const y = [];
  for (let i = 0; i < samples; i++) {
    const x = Array.from({ length: features }, () => gaussian(rand));
    const margin = x.reduce((s, v, j) => s + v * direction[j], 0) + 0.8 * gaussian(rand);
    X.push(x);
    y.push(margin > 0 ? 1 : 0);
  }
  const split = Math.floor(samples * 0.8);
  return { train: { X: X.slice(0, split), y: y.slice(0, split) }, valid: { X: X.slice(split), y: y.slice(split) } };
}

const sigmoid = (z) => 1 / (1 + Math.exp(-z));
const predict = (w, b, x) => sigmoid(x.reduce((s, v, j) => s + v * w[j], b));

function accuracy(w, b, { X, y }) {
  let right = 0;
  for (let i = 0; i < X.length; i++) right += Number((predict(w, b, X[i]) > 0.5) === (y[i] === 1));
  return right / X.length;
}

export async function prepare(ctx) {
  const { train, valid } = makeDataset(ctx.params);
  const positive = train.y.filter((v) => v === 1).length / train.y.length;
  ctx.log(`dataset: ${train.X.length} train / ${valid.X.length} validation rows, ${ctx.params.features} features, ${(positive * 100).toFixed(1)}% positive`);
  return { trainRows: train.X.length, validRows: valid.X.length, positiveShare: positive };
}

export async function train(ctx) {
  const { lr, l2 } = ctx.item;
  const { train: data, valid } = makeDataset(ctx.params);
  const rand = rng(ctx.params.seed + 1);
  const d = ctx.params.features;
  const w = new Array(d).fill(0);
  let b = 0;
  const batch = 32;
  let loss = 0;
  for (let epoch = 0; epoch < ctx.params.epochs; epoch++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const order = data.X.map((_, i) => i).sort(() => rand() - 0.5);
    loss = 0;
    for (let start = 0; start < order.length; start += batch) {
      const gw = new Array(d).fill(0);
      let gb = 0;
      const rows = order.slice(start, start + batch);
      for (const i of rows) {
        const p = predict(w, b, data.X[i]);
        const err = p - data.y[i];
        loss -= data.y[i] ? Math.log(p + 1e-12) : Math.log(1 - p + 1e-12);
        for (let j = 0; j < d; j++) gw[j] += err * data.X[i][j];
        gb += err;
      }
      for (let j = 0; j < d; j++) w[j] -= lr * (gw[j] / rows.length + l2 * w[j]);
      b -= lr * (gb / rows.length);
    }
    loss /= order.length;
  }
  const valAccuracy = accuracy(w, b, valid);
  ctx.log(`lr=${lr} l2=${l2}: train loss ${loss.toFixed(4)}, validation accuracy ${(valAccuracy * 100).toFixed(2)}%`);
  return { lr, l2, trainLoss: loss, valAccuracy, weights: w, bias: b };
}

export async function pick(ctx) {
  const leaderboard = ctx.input
    .filter((r) => !r.error)
    .map(({ lr, l2, valAccuracy, trainLoss }) => ({ lr, l2, valAccuracy, trainLoss }))
    .sort((a, b) => b.valAccuracy - a.valAccuracy || a.trainLoss - b.trainLoss);
  const best = ctx.input.find((r) => r.lr === leaderboard[0].lr && r.l2 === leaderboard[0].l2);
  await ctx.save('best-model.json', JSON.stringify({ lr: best.lr, l2: best.l2, weights: best.weights, bias: best.bias }, null, 2));
  ctx.log(`best: lr=${best.lr} l2=${best.l2} validation accuracy ${(best.valAccuracy * 100).toFixed(2)}%`);
  return { best: leaderboard[0], leaderboard };
}
