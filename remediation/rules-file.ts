import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseRule } from './rule.ts';
import type { RemediationRule } from './schema.ts';
import type { RemediationStore } from './store.ts';

/** Thrown for a rules file that cannot be read or holds an invalid rule; names the file and where. */
export class RulesFileError extends Error {
  override readonly name = 'RulesFileError';
}

/**
 * Reads and validates a rules file (YAML, or JSON, which YAML reads too): a list of rules,
 * or `{rules: [...]}`. Every problem is reported at once, each naming the rule (its id, or
 * its position) and the field, e.g. `rules.yaml: rule "restart" steps.0.url: must be ...`.
 */
export function readRulesFile(path: string): RemediationRule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RulesFileError(`${path}: cannot be read: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new RulesFileError(`${path}: is not YAML or JSON: ${(error as Error).message}`);
  }
  const list =
    document !== null && typeof document === 'object' && 'rules' in document
      ? document.rules
      : document;
  if (!Array.isArray(list)) {
    throw new RulesFileError(`${path}: expected a list of rules, or an object with "rules: [...]"`);
  }
  const rules: RemediationRule[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  list.forEach((input: unknown, index) => {
    const id = (input as { id?: unknown } | null)?.id;
    const name = typeof id === 'string' ? `rule "${id}"` : `rule ${index + 1}`;
    const parsed = parseRule(input);
    if (!parsed.ok) {
      problems.push(...parsed.errors.map((error) => `${path}: ${name} ${error}`));
      return;
    }
    if (seen.has(parsed.rule.id)) problems.push(`${path}: ${name} appears twice`);
    seen.add(parsed.rule.id);
    rules.push(parsed.rule);
  });
  if (problems.length > 0) throw new RulesFileError(problems.join('\n'));
  return rules;
}

/**
 * Creates or replaces each rule (a replaced rule keeps its secret); a rule already stored
 * exactly so is left alone, so every process loading the same file writes nothing new.
 * Rules created here never show their secret: `POST /v1/remediations/rules/:id/rotate-secret`
 * gives one.
 */
export async function loadRules(
  store: RemediationStore,
  rules: readonly RemediationRule[],
  nowMs: number,
): Promise<{ created: string[]; replaced: string[]; unchanged: string[] }> {
  const outcome = { created: [] as string[], replaced: [] as string[], unchanged: [] as string[] };
  for (const rule of rules) {
    const existing = await store.getRule(rule.id);
    if (existing && JSON.stringify(existing.rule) === JSON.stringify(rule)) {
      outcome.unchanged.push(rule.id);
      continue;
    }
    const { created } = await store.putRule(rule, nowMs);
    (created ? outcome.created : outcome.replaced).push(rule.id);
  }
  return outcome;
}
