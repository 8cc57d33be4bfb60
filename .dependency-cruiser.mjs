// Which folder may import which: the model at the bottom, the daemons on it, the clients above
// them, the command line on top. `npm run lint` checks it (README: Layout).
//   core <- proto <- store <- agent
//                         <- scheduler
//                         <- client <- bench <- cli
const layer = (from, allowed) => ({
  name: `${from}-imports`,
  comment: `${from}/ may import only ${allowed.length ? allowed.join(', ') : 'nothing of the project'}`,
  severity: 'error',
  from: { path: `^${from}/` },
  to: { path: '^(core|proto|store|agent|scheduler|client|cli|bench)/', pathNot: [`^${from}/`, ...allowed.map((a) => `^${a}/`)] },
});

export default {
  forbidden: [
    layer('core', []),
    layer('proto', ['core']),
    layer('store', ['core', 'proto']),
    layer('agent', ['core', 'proto', 'store']),
    layer('scheduler', ['core', 'proto', 'store']),
    layer('client', ['core', 'proto', 'store']),
    // The benchmarks drive clusters through the client, and time the scheduler's placement in-process.
    layer('bench', ['core', 'proto', 'store', 'client', 'scheduler']),
    {
      name: 'no-circular',
      comment: 'modules that import each other at run time, directly or through others (a cycle of types only is harmless)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|test/fixtures)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
