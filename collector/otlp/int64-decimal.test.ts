import { describe, expect, it } from 'vitest';
import {
  decimalDifference,
  int64Decimal,
  int64ToNumber,
  integralNumberDecimal,
  parseInt64Decimal,
  parseUint64Decimal,
  uint64Decimal,
} from './int64-decimal.ts';

function halves(value: bigint): [number, number] {
  const bits = BigInt.asUintN(64, value);
  return [Number(bits & 0xffff_ffffn), Number(bits >> 32n)];
}

describe('uint64Decimal and int64Decimal', () => {
  it('match BigInt for edge values and a million random 64-bit values', () => {
    const edges = [
      0n,
      1n,
      2n ** 53n - 1n,
      2n ** 53n,
      2n ** 53n + 1n,
      1_700_000_000_123_456_789n,
      2n ** 63n,
      2n ** 64n - 1n,
    ];
    for (const value of edges) expect(uint64Decimal(...halves(value))).toBe(value.toString());
    let seed = 7;
    const random32 = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed;
    };
    for (let i = 0; i < 1_000_000; i++) {
      const low = random32();
      const high = random32() >>> (i % 32);
      const expected = ((BigInt(high) << 32n) | BigInt(low)).toString();
      if (uint64Decimal(low, high) !== expected) expect(uint64Decimal(low, high)).toBe(expected);
    }
  });

  it('reads two’s complement for signed values', () => {
    for (const value of [-1n, -7n, -(2n ** 53n) - 1n, -(2n ** 63n), 2n ** 63n - 1n]) {
      expect(int64Decimal(...halves(value))).toBe(value.toString());
    }
    expect(int64ToNumber(...halves(-5n))).toBe(-5);
  });
});

describe('decimal text from JSON', () => {
  it('canonicalises in-range integers and refuses the rest', () => {
    expect(parseUint64Decimal('0001700000000123456789')).toBe('1700000000123456789');
    expect(parseUint64Decimal('18446744073709551615')).toBe('18446744073709551615');
    expect(parseUint64Decimal('18446744073709551616')).toBeUndefined();
    expect(parseUint64Decimal('-1')).toBeUndefined();
    expect(parseUint64Decimal('1e3')).toBeUndefined();
    expect(parseUint64Decimal('')).toBeUndefined();
    expect(parseInt64Decimal('-9223372036854775808')).toBe('-9223372036854775808');
    expect(parseInt64Decimal('-9223372036854775809')).toBeUndefined();
    expect(parseInt64Decimal('9223372036854775808')).toBeUndefined();
    expect(parseInt64Decimal('-0')).toBe('0');
    expect(integralNumberDecimal(1.5, true)).toBeUndefined();
    expect(integralNumberDecimal(-1, false)).toBeUndefined();
    expect(integralNumberDecimal(2 ** 60, false)).toBe('1152921504606846976');
  });

  it('subtracts nanosecond texts exactly past 2^53', () => {
    expect(decimalDifference('1700000000123456789', '1700000001023456789')).toBe(900_000_000);
    expect(decimalDifference('999999999', '1000000001')).toBe(2);
    expect(decimalDifference('1700000000123456789', '1700000000123456788')).toBe(-1);
    expect(decimalDifference('0', '5')).toBe(5);
  });
});
