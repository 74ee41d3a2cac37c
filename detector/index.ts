export { createDetector, DEFAULT_THRESHOLD, restoreDetector } from './engine.ts';
export type { Detector, DetectorOptions, DetectorState, Verdict } from './types.ts';
