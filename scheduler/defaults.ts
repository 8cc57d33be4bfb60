// The scheduler's tunable defaults, in a module of their own so the CLI can show them in --help
// without loading the scheduler.

/** Tasks of finished runs the leader keeps in memory before compacting the oldest runs. */
export const defaultMaxFinishedTasks = 200_000;
/** The most items one foreach may have, listed or computed. */
export const defaultMaxForeachItems = 1_000_000;
/** Expected work an agent may hold waiting beyond what it runs, per task it runs at once. */
export const defaultPrefetchWindowMs = 50;
