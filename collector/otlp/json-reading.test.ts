import { describe, expect, it } from 'vitest';
import { parseJsonRequest, stringAt } from './json-reading.ts';

describe('stringAt', () => {
  it('repairs lone surrogate escapes to U+FFFD and keeps surrogate pairs', () => {
    const object = parseJsonRequest(
      '{"high":"a\\ud800b","low":"\\udc00","reversed":"\\udc00\\ud800","pair":"\\ud83d\\ude00","text":"plain"}',
    );
    expect(stringAt(object, 'high')).toBe('a\ufffdb');
    expect(stringAt(object, 'low')).toBe('\ufffd');
    expect(stringAt(object, 'reversed')).toBe('\ufffd\ufffd');
    expect(stringAt(object, 'pair')).toBe('😀');
    expect(stringAt(object, 'text')).toBe('plain');
  });
});
