"""The peer for clusterd's throughput and latency benchmarks: the same no-op tasks on a Dask
LocalCluster with the same number of worker processes. Prints one JSON document.

Both are sampled as clusterd's are. Throughput: the first map of `tasks` (cold), then another
(clusterd's sweeps are measured after a warm-up; Python does not optimise with use, and the two
maps differ little). Sequential round trips: the first ones after a short settle (cold), and as
many again once `steady_after` have run in all (steady state)."""
import json
import sys
import time

from dask.distributed import Client, LocalCluster


def noop(_):
    return 1


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-p * len(ordered) // 100) - 1))]


def round_trips(client, n):
    """Milliseconds from submit to result of `n` sequential no-op tasks."""
    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        client.submit(noop, i, pure=False).result()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def map_rate(client, tasks):
    """No-op tasks per second of one client.map of `tasks`, until all are gathered."""
    start = time.perf_counter()
    client.gather(client.map(noop, range(tasks), pure=False))
    return tasks / (time.perf_counter() - start)


def figures(samples):
    return {"p50": round(percentile(samples, 50), 3), "p99": round(percentile(samples, 99), 3)}


if __name__ == "__main__":
    workers, tasks, sequential, steady_after = (int(a) for a in sys.argv[1:5])
    settle = 20
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        client.gather(client.map(noop, range(200), pure=False))  # workers up, the function shipped
        cold_throughput = map_rate(client, tasks)
        throughput = map_rate(client, tasks)
        round_trips(client, settle)
        cold = round_trips(client, sequential)
        round_trips(client, max(0, steady_after - settle - sequential))
        steady = round_trips(client, sequential)
    print(json.dumps({
        "workers": workers,
        "tasks": tasks,
        "tasksPerSec": round(throughput),
        "coldTasksPerSec": round(cold_throughput),
        "roundTripMs": figures(steady),
        "coldRoundTripMs": figures(cold),
    }))
