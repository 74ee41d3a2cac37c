export { createApi } from '../app.ts';
export { ApiError } from '../errors.ts';
export { parseDuration, parseTimeRange } from '../time-range.ts';
export { listServices } from '../services.ts';
export { DEMO_INCIDENT_STATES } from '../demo.ts';
