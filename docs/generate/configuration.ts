/**
 * docs/configuration.md from the zod schema of cli/config.ts (each variable's default,
 * as the schema applies it) and cli/config-reference.ts (what it means).
 */
import { CONFIG_REFERENCE, configSchema } from '../../cli/index.ts';

const UNIT_MS: Array<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** 60000 → `1m`: the largest unit that divides the duration exactly. */
function durationText(ms: number): string {
  for (const [unit, size] of UNIT_MS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** Whether the variable is written as a duration (`10s`, or a list of them). */
function takesDurations(name: keyof typeof configSchema.shape): boolean {
  const field = configSchema.shape[name];
  const parsed = field.safeParse('10s');
  if (!parsed.success) return false;
  const values: unknown[] = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  return values.length > 0 && values.every((value) => typeof value === 'number');
}

/** The default as one writes it in the environment, in Markdown; `—` when unset. */
function defaultText(name: keyof typeof configSchema.shape, value: unknown): string {
  if (value === undefined) return '—';
  if (value === '') return 'empty';
  if (takesDurations(name)) {
    const list = Array.isArray(value) ? (value as number[]) : [value as number];
    return `\`${list.map(durationText).join(',')}\``;
  }
  if (Array.isArray(value)) return `\`${value.join(',')}\``;
  if (typeof value === 'number' && name.endsWith('_BYTES') && value % 2 ** 20 === 0) {
    return `\`${value}\` (${value / 2 ** 20} MiB)`;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return `\`${String(value)}\``;
  }
  // Parsed into something richer (a rules file's contents): only its absence is a default.
  return '—';
}

/** The Markdown page, before Prettier lays the table out. */
export function configurationMarkdown(): string {
  const defaults = configSchema.parse({}) as Record<string, unknown>;
  const rows = Object.entries(CONFIG_REFERENCE).map(([name, reference]) => {
    const key = name as keyof typeof configSchema.shape;
    const shown = reference.defaultText ?? defaultText(key, defaults[name]);
    return `| \`${name}\` | ${shown} | ${reference.meaning} |`;
  });
  return [
    '<!-- Generated from cli/config.ts and cli/config-reference.ts by `npm run docs`: edit those, not this file. -->',
    '',
    '# Configuration',
    '',
    'opsless reads environment variables, once, at start-up. An invalid value stops it with a',
    'message naming the variable and what is wrong; nothing else in opsless reads the',
    'environment.',
    '',
    '| Variable | Default | Meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
    'Durations are written `10s`, `5m`, `6h` or `7d`.',
    '',
  ].join('\n');
}
