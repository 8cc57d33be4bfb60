// The benchmarks `clusterctl bench` can run by name: in a module of their own so the CLI lists
// them in --help without loading the suite.
export const benchmarks = ['throughput', 'latency', 'expansion', 'memory', 'placement', 'failover', 'store', 'security'] as const;
export type BenchmarkName = (typeof benchmarks)[number];
