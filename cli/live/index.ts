export { ALL_ROLES, localUrl, startOpsless } from '../start.ts';
export { runDemo } from '../demo.ts';
export { listeningPort } from '../demo-services.ts';
