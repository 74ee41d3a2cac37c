import { describe, expect, it } from 'vitest';
import { generateSecret, webhookHeaders } from '../hooks/index.ts';
import { describeEvent, verifySignature } from './demo-receiver.ts';

const NOW = 1_795_000_000;

describe("the demo receiver's checks", () => {
  it('accepts a signature made with its secret within five minutes, and nothing else', () => {
    const secret = generateSecret();
    const body = '{"type":"anomaly.opened"}';
    const headers = webhookHeaders({ id: 'msg_1', timestampSeconds: NOW, body }, [secret]);
    expect(verifySignature(headers, body, secret, NOW + 300)).toBe(true);
    expect(verifySignature(headers, body, secret, NOW + 301)).toBe(false);
    expect(verifySignature(headers, `${body} `, secret, NOW)).toBe(false);
    expect(verifySignature(headers, body, generateSecret(), NOW)).toBe(false);
    expect(verifySignature({ ...headers, 'webhook-id': undefined }, body, secret, NOW)).toBe(false);
  });

  it("narrates an alert with its incident's services, a scaling change and a run's outcome", () => {
    expect(
      describeEvent({
        type: 'anomaly.opened',
        data: { summary: 'frontend: latency_p50 is 480 ms', services: ['frontend', 'checkout'] },
      }),
    ).toBe('anomaly.opened: frontend: latency_p50 is 480 ms  [incident: frontend, checkout]');
    expect(
      describeEvent({
        type: 'scaling.recommended',
        data: { service: 'frontend', previous: 2, desired: { final: 5, predictive: 4 } },
      }),
    ).toBe('scaling.recommended: frontend 2 → 5 replicas (forecast asks 4)');
    expect(
      describeEvent({
        type: 'remediation.failed',
        data: { service: 'checkout', status: 'failed', reason: 'the signal did not recover' },
      }),
    ).toBe('remediation.failed: checkout failed (the signal did not recover)');
  });
});
