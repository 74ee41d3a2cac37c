import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertStore } from '../alerts/live/index.ts';
import { alertmanagerPayload, labelsFingerprint } from '../hooks/index.ts';
import { startAlertmanager, type RunningAlertmanager } from './support/alertmanager.ts';
import { sampleAlert } from './support/alerts.ts';
import { startTestOpsless, type TestOpsless } from './support/opsless.ts';

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

type AmAlert = {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL: string;
  fingerprint: string;
  startsAt: string;
  endsAt: string;
  status: { state: string };
};

describe('alerts pushed to a real Alertmanager', () => {
  let alertmanager: RunningAlertmanager;
  let opsless: TestOpsless;

  beforeAll(async () => {
    alertmanager = await startAlertmanager();
    opsless = await startTestOpsless({
      OPSLESS_ALERTMANAGER_URL: alertmanager.url,
      OPSLESS_ALERTMANAGER_RESEND: '1s',
      OPSLESS_PUBLIC_URL: 'https://opsless.example.com',
    });
  }, 60_000);
  afterAll(async () => {
    await opsless?.stop();
    await alertmanager?.stop();
  });

  it('fires an open alert with its labels, re-sends it while firing, and resolves it', async () => {
    const openedAt = new Date(Date.now() - 60_000).toISOString();
    const alert = sampleAlert({ id: 'alrt_am_1', openedAt, updatedAt: openedAt });
    // As the detector does when it opens an alert.
    await createAlertStore(opsless.clickhouse).save(alert);

    const find = async () =>
      ((await alertmanager.alerts()) as AmAlert[]).find((a) => a.labels.alert_id === alert.id);
    const fired = await until('the alert in Alertmanager', find);
    expect(fired.labels).toEqual({
      alertname: 'OpslessAnomaly',
      service: 'checkout',
      signal: 'latency_p99',
      severity: 'warning',
      operation: 'GET /cart/:id',
      alert_id: 'alrt_am_1',
    });
    expect(fired.annotations).toMatchObject({
      summary: 'checkout latency_p99 is 812 ms, expected 120 ms',
      explanation: 'http.route=/cart/:id: 92% of slow spans (baseline 10%)',
    });
    expect(fired.generatorURL).toBe('https://opsless.example.com/alerts/alrt_am_1');
    expect(fired.status.state).toBe('active');
    expect(Date.parse(fired.startsAt)).toBe(Date.parse(openedAt));
    // The fingerprint opsless puts in its own version 4 payloads is Alertmanager's.
    expect(fired.fingerprint).toBe(labelsFingerprint(fired.labels));

    // Re-sent while firing: Alertmanager's endsAt keeps moving ahead.
    const later = await until('a re-send', async () => {
      const again = await find();
      return again && Date.parse(again.endsAt) > Date.parse(fired.endsAt) ? again : undefined;
    });
    expect(later.status.state).toBe('active');

    // Alertmanager's own notification has the shape opsless's alertmanager kind sends.
    const notification = await until('Alertmanager to notify', async () =>
      alertmanager.notifications.find((n) => n.status === 'firing'),
    );
    const ours = alertmanagerPayload(
      { type: 'anomaly.opened', timestamp: openedAt, data: alert },
      { publicUrl: 'https://opsless.example.com' },
    ) as Record<string, unknown> & { alerts: Array<Record<string, unknown>> };
    expect(Object.keys(ours).sort()).toEqual(Object.keys(notification).sort());
    const theirs = (notification.alerts as Array<Record<string, unknown>>)[0]!;
    expect(Object.keys(ours.alerts[0]!).sort()).toEqual(Object.keys(theirs).sort());
    expect(ours.alerts[0]).toMatchObject({
      labels: theirs.labels,
      fingerprint: theirs.fingerprint,
      generatorURL: theirs.generatorURL,
      status: 'firing',
    });

    // Resolved through the API: Alertmanager drops it from its active alerts and notifies.
    const resolved = await fetch(`${opsless.apiUrl}/v1/alerts/${alert.id}/resolve`, {
      method: 'POST',
    });
    expect(resolved.status).toBe(200);
    const { resolvedAt } = (await resolved.json()) as { resolvedAt: string };
    await until('the alert to leave Alertmanager', async () =>
      (await find()) === undefined ? true : undefined,
    );
    const resolution = await until('the resolved notification', async () =>
      alertmanager.notifications.find((n) => n.status === 'resolved'),
    );
    const [ended] = resolution.alerts as Array<{ labels: Record<string, string>; endsAt: string }>;
    expect(ended!.labels).toEqual(fired.labels);
    // Sent as resolved at that time, not merely left to expire.
    expect(Date.parse(ended!.endsAt)).toBe(Date.parse(resolvedAt));
  }, 60_000);
});
