import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig, pagedAbout } from '../cli/index.ts';
import { runDemo } from '../cli/live/index.ts';

/** Waits until `lines` has one matching `pattern` (a pattern or a test of a line). */
async function line(
  lines: string[],
  pattern: RegExp | ((text: string) => boolean),
  ms: number,
): Promise<string> {
  const deadline = Date.now() + ms;
  const matches = typeof pattern === 'function' ? pattern : (text: string) => pattern.test(text);
  for (;;) {
    const found = lines.find(matches);
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      throw new Error(`no line matching ${String(pattern)} in:\n${lines.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('opsless demo', () => {
  const stop = new AbortController();
  const lines: string[] = [];
  let running: Promise<number> | undefined;
  afterAll(async () => {
    stop.abort();
    await running?.catch(() => undefined);
  });

  it('plays the slow release: alert, rollback runbook, recovery, verified remediation', async () => {
    const config = loadConfig({
      OPSLESS_DATA_DIR: ':memory:',
      OPSLESS_API_PORT: '0',
      OPSLESS_OTLP_HTTP_PORT: '0',
      OPSLESS_OTLP_GRPC_PORT: '0',
      OPSLESS_DETECT_STEP: '10s',
      OPSLESS_DETECT_SETTLE: '5s',
      OPSLESS_WEBHOOK_ALLOW: '127.0.0.1',
    });
    running = runDemo(config, pino({ level: 'silent' }), {
      realtime: false,
      write: (text) => lines.push(text),
      signal: stop.signal,
    });
    const api = /UI at (http:\/\/\S+?)\/ /.exec(await line(lines, /UI at /, 30_000))![1]!;
    await line(lines, /^history sent/, 90_000);

    // What the demo set up, through the public API.
    const get = async (path: string): Promise<unknown> => (await fetch(`${api}${path}`)).json();
    const services = (await get('/v1/services?since=4h')) as {
      services: Array<{ name: string; spans: number }>;
    };
    expect(services.services.map((s) => s.name).sort()).toEqual([
      'checkout',
      'frontend',
      'payments',
    ]);
    expect(Math.min(...services.services.map((s) => s.spans))).toBeGreaterThan(10_000);
    expect((await get('/v1/scaling/policies/frontend')) as object).toMatchObject({
      service: 'frontend',
    });
    expect((await get('/v1/remediations/rules/checkout-rollback')) as object).toMatchObject({
      id: 'checkout-rollback',
      mode: 'auto',
    });

    // The story's first act: the slow release is caught and rolled back by the runbook.
    await line(lines, (text) => pagedAbout(text, 'checkout'), 120_000);
    await line(lines, /runbook: rolling checkout back/, 60_000);
    await line(lines, /webhook remediation\.succeeded: checkout/, 270_000);
    const runs = (await get('/v1/remediations?service=checkout')) as {
      remediations: Array<{ ruleId: string; status: string }>;
    };
    expect(runs.remediations).toEqual([
      expect.objectContaining({ ruleId: 'checkout-rollback', status: 'succeeded' }),
    ]);
    // Every webhook the built-in receiver got was signed correctly.
    expect(
      lines
        .filter((text) => text.startsWith('  webhook'))
        .every((text) => text.endsWith('(signature verified)')),
    ).toBe(true);
    expect(lines.filter((text) => text.includes('does not verify'))).toEqual([]);

    stop.abort();
    expect(await running).toBe(0);
  }, 480_000);
});
