// The private Docker engine tests start is shared with the container benchmark.
export { busyboxApplets, startDockerd, type CommandResult, type Dockerd } from '../../bench/dockerd.js';
