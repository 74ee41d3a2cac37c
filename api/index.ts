export type { ApiOptions } from './app.ts';
export type { TimeRange } from './time-range.ts';
export type { ServiceSummary } from './services.ts';
export type { DemoAction, DemoActionResult, DemoControl, DemoIncident, DemoStory } from './demo.ts';
export { openApiDocument } from './openapi.ts';
