import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { bearerMatches, secretMatches } from './auth.ts';

// The real compare, watched: which buffers it is given is what a timing attack could
// read the key's length from.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

describe('key comparison', () => {
  it('accepts the key and refuses others, whatever their length', () => {
    expect(bearerMatches('Bearer s3cret-key', 's3cret-key')).toBe(true);
    expect(bearerMatches('bearer   s3cret-key ', 's3cret-key')).toBe(true);
    expect(bearerMatches('Bearer s3cret-kez', 's3cret-key')).toBe(false);
    expect(bearerMatches('Bearer s3cret', 's3cret-key')).toBe(false);
    expect(bearerMatches('Bearer s3cret-key-and-more', 's3cret-key')).toBe(false);
    expect(bearerMatches('s3cret-key', 's3cret-key')).toBe(false);
    expect(secretMatches('abc', 'abc')).toBe(true);
    expect(bearerMatches(undefined, 's3cret-key')).toBe(false);
  });

  it('compares fixed-size digests, so a guess of another length is not refused any sooner', () => {
    const compare = vi.mocked(crypto.timingSafeEqual);
    compare.mockClear();
    expect(bearerMatches('Bearer x', 'a-much-longer-api-key-than-the-guess')).toBe(false);
    expect(compare).toHaveBeenCalledTimes(1);
    const [given, expected] = compare.mock.calls[0]! as [Buffer, Buffer];
    expect(given.length).toBe(32);
    expect(expected.length).toBe(32);
  });
});
