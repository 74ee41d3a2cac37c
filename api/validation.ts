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
