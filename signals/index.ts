export {
  isSignalName,
  SIGNAL_INFO,
  SIGNALS,
  type SignalInfo,
  type SignalName,
} from './definitions.ts';
export {
  busiestOperations,
  readSeries,
  readServiceSeries,
  type SeriesQuery,
  type StepValues,
} from './series.ts';
