import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../cli/index.ts';
import { readRulesFile } from './rules-file.ts';

const directory = mkdtempSync(join(tmpdir(), 'opsless-rules-'));
const file = (name: string, text: string): string => {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
};

describe('remediation rules file', () => {
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reads YAML rules under "rules:", with their defaults', () => {
    const path = file(
      'rules.yaml',
      `rules:
  - id: restart-checkout
    match: { service: checkout, signal: "latency_*", forSeconds: 120 }
    steps:
      - type: webhook
        url: https://deploy.example.com/restart
        body: { deployment: checkout }
    mode: approval
  - id: notify-all
    match: {}
    steps: [{ type: notify }]
`,
    );
    const rules = readRulesFile(path);
    expect(rules.map((rule) => [rule.id, rule.mode, rule.cooldownSeconds])).toEqual([
      ['restart-checkout', 'approval', 1800],
      ['notify-all', 'dryRun', 1800],
    ]);
    expect(rules[0]?.steps[0]).toEqual({
      type: 'webhook',
      url: 'https://deploy.example.com/restart',
      timeoutSeconds: 10,
      body: { deployment: 'checkout' },
    });
  });

  it('reads a JSON list', () => {
    const path = file(
      'rules.json',
      JSON.stringify([{ id: 'scale-out', match: {}, steps: [{ type: 'scale', by: 2 }] }]),
    );
    expect(readRulesFile(path).map((rule) => rule.id)).toEqual(['scale-out']);
  });

  it('names the file, the rule and the field of every problem', () => {
    const path = file(
      'bad.yaml',
      `- id: ok
  match: {}
  steps: [{ type: notify }]
- id: broken
  match: {}
  steps: [{ type: webhook, url: "not a url" }]
- match: {}
  steps: [{ type: scale }]
- id: ok
  match: {}
  steps: [{ type: notify }]
`,
    );
    expect(() => readRulesFile(path)).toThrow(
      [
        `${path}: rule "broken" steps.0.url: must be an http or https URL`,
        `${path}: rule 3 id: Invalid input: expected string, received undefined`,
        `${path}: rule 3 steps.0.by: a scale step has either "by" or "replicas", not both nor neither`,
        `${path}: rule "ok" appears twice`,
      ].join('\n'),
    );
    expect(() => readRulesFile(file('scalar.yaml', 'just text'))).toThrow(
      /scalar\.yaml: expected a list of rules, or an object with "rules: \[\.\.\.\]"/,
    );
    expect(() => readRulesFile(file('broken.yaml', 'rules: [ {'))).toThrow(
      /broken\.yaml: is not YAML or JSON/,
    );
    expect(() => readRulesFile(join(directory, 'missing.yaml'))).toThrow(
      /missing\.yaml: cannot be read/,
    );
  });

  it('stops the configuration with the file and the field when OPSLESS_REMEDIATION_RULES is bad', () => {
    const path = file('config.yaml', 'rules: [{ id: x, match: {}, steps: [], mode: auto }]');
    let message = '';
    try {
      loadConfig({ OPSLESS_REMEDIATION_RULES: path });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain(
      `OPSLESS_REMEDIATION_RULES: ${path}: rule "x" steps: needs at least one step`,
    );
    const good = file('good.yaml', 'rules: [{ id: x, match: {}, steps: [{ type: notify }] }]');
    expect(loadConfig({ OPSLESS_REMEDIATION_RULES: good }).remediation).toMatchObject({
      rulesFile: good,
      rules: [{ id: 'x', mode: 'dryRun' }],
      disabled: false,
      maxActionsPerHour: 10,
      intervalMs: 5_000,
    });
    expect(
      loadConfig({
        OPSLESS_REMEDIATION_DISABLED: 'true',
        OPSLESS_REMEDIATION_MAX_PER_HOUR: '4',
        OPSLESS_REMEDIATION_INTERVAL: '30s',
      }).remediation,
    ).toMatchObject({ disabled: true, maxActionsPerHour: 4, intervalMs: 30_000, rules: [] });
    expect(() => loadConfig({ OPSLESS_REMEDIATION_DISABLED: 'yes' })).toThrow(
      /OPSLESS_REMEDIATION_DISABLED: must be true or false/,
    );
  });
});
