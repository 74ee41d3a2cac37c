import { describe, expect, it } from 'vitest';
import { createPatternMiner, resolvePattern, templateText } from './miner.ts';
import { patternId } from './pattern-id.ts';

function ids(lines: string[], options?: Parameters<typeof createPatternMiner>[0]): string[] {
  const miner = createPatternMiner(options);
  const assigned = lines.map((line) => miner.add(line).pattern);
  return assigned.map((p) => resolvePattern(p).id);
}

describe('createPatternMiner', () => {
  it('puts bodies that differ only in numbers into one pattern at once', () => {
    const miner = createPatternMiner();
    const a = miner.add('request took 12 ms');
    const b = miner.add('request took 830 ms');
    expect(b.pattern).toBe(a.pattern);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(templateText(a.pattern)).toBe('request took <*> ms');
    expect(a.pattern.count).toBe(2);
  });

  it('keeps two values of one word apart and makes a variable of the third', () => {
    const lines = ['user alice logged in', 'user bob logged in', 'user carol logged in'];
    const [alice, bob, carol] = ids(lines);
    expect(ids(lines.slice(0, 2))[0]).not.toBe(ids(lines.slice(0, 2))[1]);
    expect(alice).toBe(bob);
    expect(bob).toBe(carol);
    const miner = createPatternMiner();
    for (const line of lines) miner.add(line);
    expect(miner.patterns().map(templateText)).toEqual(['user <*> logged in']);
    expect(miner.patterns()[0]!.count).toBe(3);
  });

  it('assigns a later body to the general pattern without a new one', () => {
    const miner = createPatternMiner();
    for (const name of ['alice', 'bob', 'carol']) miner.add(`user ${name} logged in`);
    const later = miner.add('user dave logged in');
    expect(later.created).toBe(false);
    expect(templateText(later.pattern)).toBe('user <*> logged in');
  });

  it('never generalises a template into more wildcards than fixed words', () => {
    const states = ['running', 'blocked', 'idle', 'active', 'stopped'];
    expect(new Set(ids(states)).size).toBe(states.length);
  });

  it('keeps events apart that differ in more than one word', () => {
    const lines = [
      'disconnect from 10.0.0.1: Bye Bye [preauth]',
      'disconnect from 10.0.0.2: disconnected by user',
    ];
    const [first, second] = ids(lines);
    expect(first).not.toBe(second);
  });

  it('absorbs specific patterns into a general one that covers them', () => {
    const miner = createPatternMiner();
    const root = miner.add('invalid user root from 10.1.1.1').pattern;
    const general = miner.add('invalid user admin7 from 10.1.1.2');
    expect(templateText(general.pattern)).toBe('invalid user <*> from <*>');
    expect(general.merged).toContain(root);
    expect(resolvePattern(root)).toBe(general.pattern);
  });

  it('keeps at most maxPatterns live patterns, dropping the longest unseen', () => {
    const miner = createPatternMiner({ maxPatterns: 3 });
    miner.add('alpha event happened');
    miner.add('beta event happened here');
    miner.add('gamma thing');
    miner.add('alpha event happened');
    miner.add('delta one two three four');
    const templates = miner.patterns().map(templateText).sort();
    expect(templates).toEqual(['alpha event happened', 'delta one two three four', 'gamma thing']);
  });

  it('gives a pattern the same id in every miner and restores known patterns', () => {
    const first = createPatternMiner().add('cache miss for key 42').pattern;
    expect(first.id).toBe(patternId('cache miss for key <*>'));
    const restored = createPatternMiner();
    expect(restored.restore('00000000000000aa', 'cache miss for key <*>')?.id).toBe(
      '00000000000000aa',
    );
    // Covered by a live pattern of another id: nothing of its own to restore.
    expect(restored.restore('00000000000000bb', 'cache miss for key 9')).toBeUndefined();
    expect(restored.add('cache miss for key 7').pattern.id).toBe('00000000000000aa');
  });
});

describe('patternId', () => {
  it('is FNV-1a 64 in 16 hex digits', () => {
    expect(patternId('')).toBe('cbf29ce484222325');
    expect(patternId('a')).toBe('af63dc4c8601ec8c');
  });
});
