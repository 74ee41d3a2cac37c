/** What tests and benchmarks both drive opsless with: real SDK spans, a spawned `opsless`. */
export { makeSpans, type SpanBatchOptions } from './spans.ts';
export { runOpslessToExit, spawnOpsless, stopProcess, type OpslessProcess } from './process.ts';
