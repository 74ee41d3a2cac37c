export { createScalingLoop } from './loop.ts';
export { applyPolicies, PolicyFileError, readPolicyFile } from './policy-file.ts';
export { createScalingStore } from './store.ts';
