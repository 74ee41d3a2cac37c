/**
 * Online log template mining, one miner per service. Bodies whose masked words are the
 * same form one shape; shapes of one length that differ in a single word position join
 * one pattern with a wildcard there once that position has shown `variantsToGeneralise`
 * values: two values are kept apart (`state Active` / `state Inactive` are events), a
 * third user name makes the position a variable. A template keeps more fixed words than
 * wildcards, so `running` / `blocked` / `idle` never become one `<*>`. A pattern that covers others absorbs them,
 * and they point to it (`mergedInto`) so lines stored under their ids still resolve.
 *
 * Memory is bounded: at most `maxPatterns` live patterns (the longest unseen is dropped)
 * and `maxShapes` remembered shapes (a cache: forgetting one costs a scan, not accuracy).
 */
import { patternId } from './pattern-id.ts';
import { maskedWords, WILDCARD } from './tokens.ts';

export interface MinerOptions {
  /** Distinct words one position must show before it becomes a wildcard (default 3, chosen by leave-one-system-out on Loghub-2k: see bench/logparse.ts). */
  variantsToGeneralise?: number;
  /** Live patterns kept (default 1,000). */
  maxPatterns?: number;
  /** Shapes remembered for the fast path (default 20,000). */
  maxShapes?: number;
}

export interface Pattern {
  /** 16 hex digits, from the template the pattern started with: stable across restarts. */
  id: string;
  words: string[];
  /** Lines assigned since the miner started or the pattern was restored. */
  count: number;
  /** Order of the last line assigned (for dropping the longest unseen). */
  lastSeen: number;
  /** Set when this pattern was merged into a more general one. */
  mergedInto?: Pattern;
}

/** What {@link PatternMiner.add} tells about a line. */
export interface Assignment {
  pattern: Pattern;
  /** True when the line started a pattern of its own. */
  created: boolean;
  /** Patterns that this line's arrival merged into a more general one (usually none). */
  merged: Pattern[];
}

export interface PatternMiner {
  /** The generalisation threshold in force. */
  readonly variantsToGeneralise: number;
  /** Assigns a body to a pattern, new or existing. */
  add(body: string): Assignment;
  /**
   * Re-creates a pattern known from before (e.g. read back from storage); returns it, or
   * undefined when a live pattern of another id already covers it (or absorbed it).
   */
  restore(id: string, template: string): Pattern | undefined;
  /** The live patterns (merged ones are not listed). */
  patterns(): Pattern[];
}

/** The text of a template: its words with single spaces. */
export function templateText(pattern: Pattern): string {
  return pattern.words.join(' ');
}

/** The pattern a (possibly merged) pattern now lives in. */
export function resolvePattern(pattern: Pattern): Pattern {
  let p = pattern;
  while (p.mergedInto) p = p.mergedInto;
  return p;
}

/** True when `general` matches every word of `words` (a wildcard matches any one word). */
function covers(general: readonly string[], words: readonly string[]): boolean {
  if (general.length !== words.length) return false;
  for (let i = 0; i < words.length; i++) {
    const w = general[i]!;
    if (w !== WILDCARD && w !== words[i]) return false;
  }
  return true;
}

/** A word says something fixed when a letter or digit remains once wildcards are removed. */
function isFixedWord(word: string): boolean {
  return /[\p{L}\p{N}]/u.test(word.replaceAll(WILDCARD, ''));
}

/** A template says what happened only while it has more fixed words than variable ones. */
function keepsEvent(words: readonly string[]): boolean {
  let fixed = 0;
  for (const word of words) if (isFixedWord(word)) fixed++;
  return fixed > words.length - fixed;
}

/** Keys of the templates one wildcard away from `words`, one per fixed position. */
function siblingKeys(words: string[]): string[] {
  const keys: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === WILDCARD) continue;
    const saved = words[i]!;
    words[i] = WILDCARD;
    keys.push(words.join(' '));
    words[i] = saved;
  }
  return keys;
}

export function createPatternMiner(options: MinerOptions = {}): PatternMiner {
  const variants = options.variantsToGeneralise ?? 3;
  const maxPatterns = options.maxPatterns ?? 1000;
  const maxShapes = options.maxShapes ?? 20_000;
  /** Masked shape (words joined) → pattern it was assigned to. */
  const shapes = new Map<string, Pattern>();
  /** Template with one position wildcarded → live patterns that fit it. */
  const siblings = new Map<string, Set<Pattern>>();
  /** Live patterns by word count. */
  const byLength = new Map<number, Set<Pattern>>();
  let live = 0;
  let clock = 0;

  function peersOf(length: number): Set<Pattern> {
    let set = byLength.get(length);
    if (!set) byLength.set(length, (set = new Set()));
    return set;
  }

  function unlink(pattern: Pattern): void {
    if (byLength.get(pattern.words.length)?.delete(pattern)) live--;
    for (const key of siblingKeys(pattern.words)) {
      const set = siblings.get(key);
      if (set?.delete(pattern) && set.size === 0) siblings.delete(key);
    }
  }

  /** Adds a live pattern; returns the patterns it (or a generalisation it completed) absorbed. */
  function register(pattern: Pattern, merged: Pattern[]): void {
    const peers = peersOf(pattern.words.length);
    for (const other of [...peers]) {
      if (!covers(pattern.words, other.words)) continue;
      unlink(other);
      other.mergedInto = pattern;
      pattern.count += other.count;
      pattern.lastSeen = Math.max(pattern.lastSeen, other.lastSeen);
      merged.push(other);
    }
    peers.add(pattern);
    live++;
    for (const key of siblingKeys(pattern.words)) {
      let set = siblings.get(key);
      if (!set) siblings.set(key, (set = new Set()));
      set.add(pattern);
      if (set.size < variants) continue;
      const words = key.split(' ');
      if (!keepsEvent(words)) continue;
      register({ id: patternId(key), words, count: 0, lastSeen: pattern.lastSeen }, merged);
      return;
    }
  }

  function dropLongestUnseen(): void {
    let oldest: Pattern | undefined;
    for (const set of byLength.values())
      for (const p of set) if (!oldest || p.lastSeen < oldest.lastSeen) oldest = p;
    if (!oldest) return;
    unlink(oldest);
    // Shapes pointing at it would revive a dropped pattern: forget them all (a cache).
    shapes.clear();
  }

  function covering(words: string[]): Pattern | undefined {
    const peers = byLength.get(words.length);
    if (peers) for (const pattern of peers) if (covers(pattern.words, words)) return pattern;
    return undefined;
  }

  function remember(shape: string, pattern: Pattern): void {
    if (shapes.size >= maxShapes) shapes.clear();
    shapes.set(shape, pattern);
  }

  function create(words: string[], shape: string, merged: Pattern[]): Pattern {
    if (live >= maxPatterns) dropLongestUnseen();
    const created: Pattern = { id: patternId(shape), words, count: 0, lastSeen: clock };
    register(created, merged);
    return created;
  }

  return {
    variantsToGeneralise: variants,
    add(body) {
      clock++;
      const words = maskedWords(body);
      const shape = words.join(' ');
      const known = shapes.get(shape);
      let pattern = known ? resolvePattern(known) : covering(words);
      let created = false;
      const merged: Pattern[] = [];
      if (!pattern) {
        pattern = resolvePattern(create(words, shape, merged));
        created = true;
      }
      if (known !== pattern) remember(shape, pattern);
      pattern.count++;
      pattern.lastSeen = clock;
      return { pattern, created, merged };
    },
    restore(id, template) {
      const words = template.split(' ');
      const existing = covering(words);
      if (existing) return existing.id === id ? existing : undefined;
      if (live >= maxPatterns) dropLongestUnseen();
      const pattern: Pattern = { id, words, count: 0, lastSeen: clock };
      register(pattern, []);
      return pattern.mergedInto ? undefined : pattern;
    },
    patterns: () => [...byLength.values()].flatMap((set) => [...set]),
  };
}
