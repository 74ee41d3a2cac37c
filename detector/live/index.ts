export { createDetectorLoop } from './loop.ts';
// Single evaluation cycles, outside the loop: for benchmarks and tests that time or step them.
export {
  checkpointModels,
  createModelCache,
  evaluateOnce,
  OPERATIONS_PER_SERVICE,
} from './evaluator.ts';
