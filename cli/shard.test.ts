import { describe, expect, it } from 'vitest';
import { parseShard } from './main.ts';

describe('opsless detector --shard', () => {
  it('reads I/N in both spellings and defaults to the whole set', () => {
    expect(parseShard([])).toEqual({ index: 0, count: 1 });
    expect(parseShard(['--shard', '2/3'])).toEqual({ index: 2, count: 3 });
    expect(parseShard(['--shard=0/4'])).toEqual({ index: 0, count: 4 });
  });

  it('names what is wrong with a bad shard', () => {
    expect(parseShard(['--shard', '3/3'])).toMatch(/I must be at least 0 and below N/);
    expect(parseShard(['--shard', '0/0'])).toMatch(/N at least 1/);
    expect(parseShard(['--shard', 'two'])).toBe('--shard must look like I/N (e.g. 0/3), got "two"');
    expect(parseShard(['--shard'])).toBe('--shard needs a value such as 0/3');
    expect(parseShard(['--shards', '1/2'])).toMatch(/unexpected argument "--shards"/);
    expect(parseShard(['--shard', '1/2', 'x'])).toBe('unexpected argument "x"');
  });
});
