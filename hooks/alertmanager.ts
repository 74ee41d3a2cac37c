import type { Logger } from 'pino';
import type { Alert, AlertStore } from '../alerts/index.ts';
import { toAlertmanagerAlert } from './formats.ts';

export interface AlertmanagerPusherOptions {
  /** Alertmanager's base URL (`OPSLESS_ALERTMANAGER_URL`); user:password in it becomes Basic auth. */
  url: string;
  alerts: AlertStore;
  /** The opsless UI as users reach it: the alerts' generatorURL. */
  publicUrl: string;
  logger: Logger;
  now?: () => number;
  /** How often firing alerts are re-sent (default 60 s). */
  intervalMs?: number;
  /** How long a resolution is re-sent after the alert resolved (default 10 min). */
  resolvedResendMs?: number;
  timeoutMs?: number;
}

export interface AlertmanagerPusher {
  /** Sends these alerts now (on a transition); failures are logged, the next pass re-sends. */
  push(alerts: Alert[]): Promise<void>;
  /** Sends every firing alert and every recent resolution; resolves when done. */
  pushAll(): Promise<{ firing: number; resolved: number }>;
  /** Re-sends every `intervalMs` until closed. */
  start(): void;
  close(): Promise<void>;
}

/** Alerts per request, and firing alerts per pass, at most. */
const BATCH = 500;
const MAX_FIRING = 5_000;

/**
 * Pushes alerts to Alertmanager's `POST /api/v2/alerts` the way Prometheus does: every
 * firing alert is re-sent each interval with `endsAt` four intervals ahead (so it resolves
 * by itself if opsless goes away), and a resolved alert is sent with its real `endsAt`
 * for a while after. Stateless: what to send is read from the alert store each pass.
 */
export function createAlertmanagerPusher(options: AlertmanagerPusherOptions): AlertmanagerPusher {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 60_000;
  const resolvedResendMs = options.resolvedResendMs ?? 600_000;
  const { endpoint, headers } = target(options.url);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let closed = false;

  async function post(alerts: Alert[]): Promise<void> {
    const nowMs = now();
    const endsAt = new Date(nowMs + 4 * intervalMs).toISOString();
    for (let start = 0; start < alerts.length; start += BATCH) {
      const body = alerts.slice(start, start + BATCH).map((alert) => {
        const pushed = toAlertmanagerAlert(alert, { publicUrl: options.publicUrl });
        return { ...pushed, endsAt: pushed.endsAt ?? endsAt };
      });
      const response = await fetch(endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        redirect: 'error',
      });
      const answer = await response.text();
      if (!response.ok) {
        throw new Error(`Alertmanager answered ${response.status}: ${answer.slice(0, 300)}`);
      }
    }
  }

  async function pushAll() {
    const nowMs = now();
    const [open, acknowledged, resolved] = await Promise.all([
      options.alerts.list({ status: 'open', limit: MAX_FIRING }),
      options.alerts.list({ status: 'acknowledged', limit: MAX_FIRING }),
      options.alerts.list({
        status: 'resolved',
        resolvedAfterMs: nowMs - resolvedResendMs,
        limit: MAX_FIRING,
      }),
    ]);
    const firing = [...open, ...acknowledged];
    await post([...firing, ...resolved]);
    return { firing: firing.length, resolved: resolved.length };
  }

  const pass = () => {
    running ??= pushAll()
      .catch((error: unknown) =>
        options.logger.warn(
          { err: error, alertmanager: endpoint },
          'pushing alerts to Alertmanager failed; retrying at the next interval',
        ),
      )
      .finally(() => (running = undefined));
    return running;
  };
  const schedule = (): void => {
    if (closed) return;
    timer = setTimeout(() => void pass().finally(schedule), intervalMs).unref();
  };

  return {
    async push(alerts) {
      try {
        await post(alerts);
      } catch (error) {
        options.logger.warn(
          { err: error, alertmanager: endpoint },
          'pushing an alert to Alertmanager failed; the next pass re-sends it',
        );
      }
    },
    pushAll,
    start() {
      void pass().finally(schedule);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** The alerts endpoint without credentials (safe to log), and the headers carrying them. */
function target(url: string): { endpoint: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (parsed.username !== '' || parsed.password !== '') {
    const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/api/v2/alerts`;
  return { endpoint: parsed.toString(), headers };
}
