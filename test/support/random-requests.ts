/**
 * Random requests for the API's property test: a seeded generator of path, query and body
 * values, some shaped by the OpenAPI schema (so that they get past validation and reach
 * storage), most of them hostile (wrong types, huge numbers, odd Unicode, junk JSON).
 */

/** mulberry32: a small seeded generator, so that a failure can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  '',
  'a',
  'checkout',
  '0',
  '-1',
  '1.5',
  '1e309',
  '-1e309',
  'NaN',
  'Infinity',
  'null',
  'true',
  '9007199254740993',
  '18446744073709551616',
  '9007199255',
  '\u0000',
  'é',
  '😀',
  '\ud800',
  '\udfff',
  '%',
  '%ZZ',
  '../..',
  "'; DROP TABLE x; --",
  '{name:String}',
  'x'.repeat(300),
  '30s',
  '15m',
  '1h',
  '7d',
  '30d',
  '0s',
  '2026-11-25T12:00:00Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  'not-a-date',
  'error',
  'ok',
  'run',
  'skip',
  'http.route=/pay',
  '=x',
  'a=',
  'latency_p99',
  'http://127.0.0.1:9/hook',
  'http://169.254.169.254/',
  'https://93.184.215.14/hook',
  'anomaly.opened',
  'critical',
];

const NUMBERS = [0, -1, 1, 2, 59, 60, 1e3, 1.5, -0.5, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, 1e-320];

export interface Generator {
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  string(extra?: readonly string[]): string;
  /** Any JSON value, nested up to `depth`. */
  anyJson(depth?: number): unknown;
  /** A value shaped by a JSON schema most of the time, anything some of the time. */
  fromSchema(schema: unknown, depth?: number): unknown;
}

export function createGenerator(random: () => number): Generator {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (probability: number) => random() < probability;
  const string = (extra: readonly string[] = []) => pick([...STRINGS, ...extra]);

  const anyJson = (depth = 2): unknown => {
    const kind = Math.floor(random() * (depth > 0 ? 7 : 5));
    if (kind === 0) return null;
    if (kind === 1) return chance(0.5);
    if (kind === 2) return pick(NUMBERS);
    if (kind <= 4) return string();
    if (kind === 5)
      return Array.from({ length: Math.floor(random() * 4) }, () => anyJson(depth - 1));
    return Object.fromEntries(
      Array.from({ length: Math.floor(random() * 4) }, () => [string(), anyJson(depth - 1)]),
    );
  };

  const fromSchema = (schema: unknown, depth = 4): unknown => {
    if (depth === 0 || chance(0.08) || typeof schema !== 'object' || schema === null) {
      return anyJson(1);
    }
    const s = schema as Record<string, unknown>;
    if ('const' in s) return s.const;
    if (Array.isArray(s.enum)) return pick(s.enum as unknown[]);
    const alternatives = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
    if (alternatives) return fromSchema(pick(alternatives), depth - 1);
    const type = Array.isArray(s.type) ? pick(s.type as string[]) : s.type;
    switch (type) {
      case 'string':
        return string();
      case 'integer':
        return chance(0.5) ? Math.floor(random() * 20) : pick(NUMBERS);
      case 'number':
        return chance(0.5) ? random() * 100 : pick(NUMBERS);
      case 'boolean':
        return chance(0.5);
      case 'null':
        return null;
      case 'array':
        return Array.from({ length: Math.floor(random() * 4) }, () =>
          fromSchema(s.items, depth - 1),
        );
      case 'object': {
        const properties = (s.properties ?? {}) as Record<string, unknown>;
        const required = new Set((s.required ?? []) as string[]);
        const entries = Object.entries(properties)
          .filter(([name]) => required.has(name) || chance(0.6))
          .map(([name, property]) => [name, fromSchema(property, depth - 1)]);
        if (chance(0.1)) entries.push([string(), anyJson(1)]);
        return Object.fromEntries(entries);
      }
      default:
        return anyJson(1);
    }
  };

  return { pick, chance, string, anyJson, fromSchema };
}

/** Bodies that are not what any route wants: broken JSON, deep nesting, wrong roots. */
export const JUNK_BODIES = [
  '',
  '{',
  'null',
  '[]',
  '"text"',
  '1',
  '{"a":1,"a":2}',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `{"x":"${'\\ud800'}"}`,
  '\u0000',
];
