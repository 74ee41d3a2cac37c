export { Alert, AlertList, AlertQuery, AlertStatus, AlertTransition, Severity } from './schema.ts';
export {
  createAlertStore,
  type AlertFilter,
  type AlertStore,
  type TransitionResult,
} from './store.ts';
