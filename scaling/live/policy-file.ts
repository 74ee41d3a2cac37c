import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { parseScalingPolicy, type ScalingPolicy } from '../policy.ts';
import type { ScalingStore } from './store.ts';

/** A policy file that cannot be used; the message names the file, the service and the field. */
export class PolicyFileError extends Error {
  override readonly name = 'PolicyFileError';
}

/**
 * Reads scaling policies from a YAML or JSON file shaped `{<service>: <policy>, …}`
 * (optionally under a top-level `policies:` key). Every policy is validated before any is
 * used.
 */
export async function readPolicyFile(path: string): Promise<Array<[string, ScalingPolicy]>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PolicyFileError(`${path}: cannot read: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parseYaml(text) as unknown; // YAML is a superset of JSON
  } catch (error) {
    throw new PolicyFileError(`${path}: not YAML or JSON: ${(error as Error).message}`);
  }
  if (isRecord(document) && isRecord(document.policies)) document = document.policies;
  if (!isRecord(document)) {
    throw new PolicyFileError(`${path}: expected a map of service name to policy`);
  }
  const problems: string[] = [];
  const policies: Array<[string, ScalingPolicy]> = [];
  for (const [service, input] of Object.entries(document)) {
    const parsed = parseScalingPolicy(input);
    if (parsed.ok) policies.push([service, parsed.policy]);
    else problems.push(...parsed.errors.map((error) => `${service}.${error}`));
  }
  if (problems.length > 0) {
    throw new PolicyFileError(`${path}: invalid scaling policies:\n  ${problems.join('\n  ')}`);
  }
  return policies;
}

/** Stores the file's policies; one already stored unchanged is left alone (its learning kept). */
export async function applyPolicies(
  store: ScalingStore,
  policies: Array<[string, ScalingPolicy]>,
  nowMs: number,
): Promise<number> {
  let changed = 0;
  for (const [service, policy] of policies) {
    const existing = await store.policy(service);
    if (existing && JSON.stringify(existing.policy) === JSON.stringify(policy)) continue;
    await store.putPolicy(service, policy, nowMs);
    changed++;
  }
  return changed;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
