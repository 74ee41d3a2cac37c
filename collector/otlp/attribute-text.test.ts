import { describe, expect, it } from 'vitest';
import type { AttributeMap } from '../../storage/index.ts';
import {
  doubleText,
  jsonObject,
  jsonString,
  serviceNameOf,
  setAttribute,
} from './attribute-text.ts';
import { base64Of, canonicalBase64, hexByteLength, hexOf } from './binary-text.ts';

describe('attribute text as the Collector exporter writes it', () => {
  it('formats doubles like Go’s ES6 float formatting', () => {
    expect([1, 0.1, 1e20, 1e21, 1e-6, 1e-7, -2.5e-9, 123456789.125].map(doubleText)).toEqual([
      '1',
      '0.1',
      '100000000000000000000',
      '1e+21',
      '0.000001',
      '1e-7',
      '-2.5e-9',
      '123456789.125',
    ]);
    expect(doubleText(Infinity)).toBe('json: unsupported value: +Inf');
  });

  it('escapes JSON strings like Go’s encoding/json', () => {
    expect(jsonString('plain')).toBe('"plain"');
    expect(jsonString('a"b\\c\n\r\t\b\f\u0001<>&\u2028\u2029é')).toBe(
      '"a\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u003c\\u003e\\u0026\\u2028\\u2029é"',
    );
  });

  it('sorts key-value lists by key and keeps the last of a repeated key', () => {
    expect(jsonObject(['b', 'a', 'b'], ['1', '2', '3'])).toBe('{"a":2,"b":3}');
  });

  it('stores __proto__ as an ordinary attribute key', () => {
    const attributes: AttributeMap = {};
    setAttribute(attributes, '__proto__', 'x');
    expect(Object.keys(attributes)).toEqual(['__proto__']);
    expect(JSON.stringify(attributes)).toBe('{"__proto__":"x"}');
  });

  it('defaults a missing or empty service name to unknown_service', () => {
    expect(serviceNameOf({})).toBe('unknown_service');
    expect(serviceNameOf({ 'service.name': '' })).toBe('unknown_service');
    expect(serviceNameOf({ 'service.name': 'api' })).toBe('api');
  });
});

describe('bytes as text', () => {
  it('writes lower-case hex and standard padded base64', () => {
    expect(hexOf(Uint8Array.from([0, 0xab, 0xff, 0x10]), 1, 4)).toBe('abff10');
    for (const length of [0, 1, 2, 3, 4, 5]) {
      const bytes = Uint8Array.from({ length }, (_, i) => 250 - i);
      expect(base64Of(bytes, 0, length)).toBe(Buffer.from(bytes).toString('base64'));
    }
  });

  it('reads hex of either case and base64 of either alphabet, with or without padding', () => {
    expect(hexByteLength('0aF7')).toBe(2);
    expect(hexByteLength('0g')).toBe(-1);
    expect(hexByteLength('abc')).toBe(-1);
    expect(canonicalBase64('-_8')).toBe('+/8=');
    expect(canonicalBase64('aGk=')).toBe('aGk=');
    expect(canonicalBase64('a')).toBeUndefined();
    expect(canonicalBase64('a b')).toBeUndefined();
  });
});
