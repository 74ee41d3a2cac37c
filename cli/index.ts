export { ConfigError, configSchema, loadConfig, type Config } from './config.ts';
export { CONFIG_REFERENCE, type VariableReference } from './config-reference.ts';
export { pagedAbout } from './demo-check.ts';
export { createStory, type Story } from './demo-story.ts';
export type { Roles, RunningOpsless } from './start.ts';
