import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook as Verifier } from 'standardwebhooks';
import { createAlertStore } from '../alerts/live/index.ts';
import { sampleAlert } from './support/alerts.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';

describe('remediation runbooks in a running opsless', () => {
  const directory = mkdtempSync(join(tmpdir(), 'opsless-remediation-'));
  const requests: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let arrived: () => void = () => undefined;
  const firstRequest = new Promise<void>((resolve) => (arrived = resolve));
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push({ headers: request.headers, body });
      response.end();
      arrived();
    });
  });
  let opsless: TestOpsless;

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/restart`;
    const rules = join(directory, 'rules.yaml');
    writeFileSync(
      rules,
      `rules:
  - id: restart-checkout
    match: { service: checkout, signal: "latency_*" }
    steps: [{ type: webhook, url: "${url}" }]
    mode: auto
`,
    );
    opsless = await startTestOpsless({
      OPSLESS_REMEDIATION_RULES: rules,
      OPSLESS_WEBHOOK_ALLOW: '127.0.0.1',
      OPSLESS_REMEDIATION_INTERVAL: '1s',
    });
  }, 60_000);
  afterAll(async () => {
    await opsless.stop();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  });

  it('loads the rules file and runs its webhook step for a matching alert, signed', async () => {
    const api = (path: string, method = 'GET') =>
      fetch(`${opsless.apiUrl}${path}`, { method }).then((response) => response.json());
    expect(await api('/v1/remediations/rules')).toMatchObject({
      rules: [{ id: 'restart-checkout', mode: 'auto' }],
    });
    // A rule from a file shows no secret; rotating it gives one.
    const { secret } = (await api(
      '/v1/remediations/rules/restart-checkout/rotate-secret',
      'POST',
    )) as { secret: string };

    const openedAt = new Date(Date.now() - 60_000).toISOString();
    await createAlertStore(opsless.clickhouse).save(
      sampleAlert({ id: 'e2e-1', openedAt, updatedAt: openedAt }),
    );
    await firstRequest; // the loop passes every second in the first detector shard
    const [request] = requests;
    expect(
      new Verifier(secret).verify(request!.body, request!.headers as Record<string, string>),
    ).toMatchObject({
      type: 'remediation.step',
      remediation: { ruleId: 'restart-checkout', service: 'checkout', alert: { id: 'e2e-1' } },
    });
  });
});
