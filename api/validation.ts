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
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const example = options.example ? `, e.g. ${options.example}` : '';
    throw badRequest(`the body must be JSON${example}${options.optional ? ', or empty' : ''}`);
  }
}
