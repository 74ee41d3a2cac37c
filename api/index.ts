export { createApi, type ApiOptions } from './app.ts';
export { ApiError } from './errors.ts';
export { parseDuration, parseTimeRange, type TimeRange } from './time-range.ts';
export { listServices, type ServiceSummary } from './services.ts';
export {
  DEMO_INCIDENT_STATES,
  type DemoAction,
  type DemoActionResult,
  type DemoControl,
  type DemoIncident,
  type DemoStory,
} from './demo.ts';
