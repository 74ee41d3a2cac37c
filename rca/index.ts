export {
  DEFAULT_EXPLAINED_SHARE,
  DEFAULT_NOISE_FLOOR,
  DEFAULT_SIGNIFICANCE,
  rankRootCauses,
  type NodeSeries,
  type RankInput,
  type RankOptions,
  type RootCauseCandidate,
  type Signal,
  type SymptomKind,
} from './rank.ts';
