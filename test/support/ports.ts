export { freePort, freePorts } from '../../core/ports.js';
