import type { z } from 'zod';
import { badRequest } from './errors.ts';

/** Parses `value` with `schema`, or throws a 400 naming each invalid field and why. */
export function parseWith<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  what: string,
): z.infer<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || what}: ${issue.message}`,
  );
  throw badRequest(`invalid ${what}: ${problems.join('; ')}`);
}

/**
 * Reads a request body as JSON, or throws a 400 saying what was expected. With
 * `optional`, an empty body reads as `{}`.
 */
export async function readJsonBody(
  request: Request,
  options: { optional?: boolean; example?: string } = {},
): Promise<unknown> {
  const text = await request.text();
  if (options.optional && text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    const example = options.example ? `, e.g. ${options.example}` : '';
    throw badRequest(`the body must be JSON${example}${options.optional ? ', or empty' : ''}`);
  }
  const malformed = malformedTextAt(value);
  if (malformed !== null) {
    throw badRequest(
      `invalid body: ${malformed || 'body'}: text must be valid Unicode (a \\u escape of a lone surrogate is not)`,
    );
  }
  return value;
}

/**
 * The path (`a.b.0`) of the first string or key in `value` that is not well-formed
 * UTF-16 (a lone surrogate from a `\ud800` escape), or null. ClickHouse refuses such
 * text on insert, so it is refused here, naming the field, instead of failing the write.
 * Iterative: a deeply nested body must not exhaust the stack.
 */
export function malformedTextAt(value: unknown): string | null {
  const pending: Array<[unknown, string]> = [[value, '']];
  while (pending.length > 0) {
    const [item, path] = pending.pop()!;
    if (typeof item === 'string') {
      if (LONE_SURROGATE.test(item)) return path;
    } else if (Array.isArray(item)) {
      item.forEach((element, index) => pending.push([element, join(path, String(index))]));
    } else if (item !== null && typeof item === 'object') {
      for (const [key, element] of Object.entries(item)) {
        if (LONE_SURROGATE.test(key)) return join(path, key.replace(LONE_SURROGATE, '\uFFFD'));
        pending.push([element, join(path, key)]);
      }
    }
  }
  return null;
}

// In a `u` regular expression a surrogate pair is one code point, so \p{Cs} matches
// only the surrogates that stand alone.
const LONE_SURROGATE = /\p{Cs}/u;
const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);
