"""The peer for clusterd's throughput and latency benchmarks: the same no-op tasks on a Dask
LocalCluster with the same number of worker processes. Prints one JSON document."""
import json
import sys
import time

from dask.distributed import Client, LocalCluster


def noop(_):
    return 1


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-p * len(ordered) // 100) - 1))]


if __name__ == "__main__":
    workers, tasks, sequential = (int(a) for a in sys.argv[1:4])
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        client.gather(client.map(noop, range(200), pure=False))  # warm up
        start = time.perf_counter()
        client.gather(client.map(noop, range(tasks), pure=False))
        throughput = tasks / (time.perf_counter() - start)
        round_trips = []
        for i in range(sequential):
            t0 = time.perf_counter()
            client.submit(noop, i, pure=False).result()
            round_trips.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({
        "workers": workers,
        "tasks": tasks,
        "tasksPerSec": round(throughput),
        "roundTripMs": {"p50": round(percentile(round_trips, 50), 3), "p99": round(percentile(round_trips, 99), 3)},
    }))
