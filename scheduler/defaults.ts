// The scheduler's tunable defaults, in a module of their own so the CLI can show them in --help
// without loading the scheduler.

/** Tasks of finished runs the leader keeps in memory before compacting the oldest runs. */
export const defaultMaxFinishedTasks = 200_000;
/** The most items one foreach may have, listed or computed. */
export const defaultMaxForeachItems = 1_000_000;
/**
 * Attempts of one task that may end with their agent lost (killed, restarted, gone silent)
 * before the task fails as LOST_AGENTS: a task that kills its agent must not take down every
 * agent in turn.
 */
export const defaultMaxLostAttempts = 3;
/** Expected work an agent may hold waiting beyond what it runs, per task it runs at once. */
export const defaultPrefetchWindowMs = 50;
/** Runs of one project that may be under way at once; a submit over it is refused. */
export const defaultMaxActiveRuns = 100_000;
/** Runs (submits, resumes, schedules) per second each token may start; ten seconds' worth at once. */
export const defaultSubmitRatePerSecond = 100;
