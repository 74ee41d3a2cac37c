export { createCollector } from '../collector.ts';
export { bindGrpc } from '../grpc-receiver.ts';
export { createLogPatternTagger, restoreLogPatterns } from '../log-patterns.ts';
