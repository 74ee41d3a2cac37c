export {
  createPatternMiner,
  resolvePattern,
  templateText,
  type Assignment,
  type MinerOptions,
  type Pattern,
  type PatternMiner,
} from './miner.ts';
export { patternId } from './pattern-id.ts';
export { maskedWords, WILDCARD } from './tokens.ts';
