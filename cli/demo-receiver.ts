import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureHeader } from '../hooks/index.ts';

/**
 * The demo's built-in receiver on loopback: subscriber webhooks (`/webhook`), the rollback
 * runbook (`/rollback`) and the scaler's actuator (`/scale`). It checks every request's
 * Standard Webhooks signature, as any receiver should, refuses those that do not verify,
 * and narrates what it received.
 */

export interface DemoReceiverOptions {
  write: (line: string) => void;
  /** The rollback runbook's webhook arrived. */
  onRollback: () => Promise<void>;
  /** The scaler's actuator asks for `desired` replicas of `service`. */
  onScale: (service: string, desired: number) => Promise<void>;
}

export interface DemoReceiver {
  /** `http://127.0.0.1:port`, where the paths above are served. */
  url: string;
  /** Each path's signing secret, set once the API has made it; a path without one refuses all. */
  secrets: Record<string, string>;
  counts: { deliveries: number; badSignatures: number };
  close(): void;
}

/** Starts the receiver on a free loopback port. */
export async function startDemoReceiver(options: DemoReceiverOptions): Promise<DemoReceiver> {
  const { write } = options;
  const secrets: Record<string, string> = {};
  const counts = { deliveries: 0, badSignatures: 0 };
  const server = createServer((request, response) => {
    void readBody(request).then(async (body) => {
      const path = request.url ?? '';
      const secret = secrets[path];
      const ok =
        secret !== undefined && verifySignature(request.headers, body, secret, Date.now() / 1000);
      if (!ok) counts.badSignatures++;
      response.statusCode = ok ? 200 : 401;
      response.end();
      if (!ok) {
        write(`  ! ${path}: a request whose signature does not verify was refused`);
        return;
      }
      const message = JSON.parse(body) as { type: string; data: Record<string, unknown> };
      if (path === '/webhook') {
        counts.deliveries++;
        write(`  webhook ${describeEvent(message)}  (signature verified)`);
      } else if (path === '/rollback') {
        await options.onRollback();
      } else if (path === '/scale') {
        const data = message.data as { service: string; desired: number };
        write(`  scaler: ${data.service} → ${data.desired} replicas (actuator webhook received)`);
        await options.onScale(data.service, data.desired);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    secrets,
    counts,
    close: () => server.close(),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve(body));
  });
}

/** Whether a Standard Webhooks signature verifies, within 5 minutes of `nowSeconds`. */
export function verifySignature(
  headers: IncomingHttpHeaders,
  body: string,
  secret: string,
  nowSeconds: number,
): boolean {
  const id = headers['webhook-id'];
  const timestamp = Number(headers['webhook-timestamp']);
  const signatures = String(headers['webhook-signature'] ?? '').split(' ');
  if (typeof id !== 'string' || !Number.isFinite(timestamp)) return false;
  if (Math.abs(nowSeconds - timestamp) > 300) return false;
  const expected = Buffer.from(
    signatureHeader({ id, timestampSeconds: timestamp, body }, [secret]),
  );
  return signatures.some((signature) => {
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** One line for an event the subscription received. */
export function describeEvent(event: { type: string; data: Record<string, unknown> }): string {
  const data = event.data;
  if (event.type.startsWith('anomaly.')) {
    const services = Array.isArray(data.services) ? (data.services as string[]) : [];
    const incident = services.length > 1 ? `  [incident: ${services.join(', ')}]` : '';
    return `${event.type}: ${String(data.summary)}${incident}`;
  }
  if (event.type === 'scaling.recommended') {
    const desired = data.desired as { final: number; predictive: number | null };
    return `${event.type}: ${String(data.service)} ${String(data.previous)} → ${desired.final} replicas${desired.predictive !== null ? ` (forecast asks ${desired.predictive})` : ''}`;
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  // A run's reason says why it ended as it did (why a rollback was not verified, say).
  const why = data.status && data.reason ? ` (${text(data.reason)})` : '';
  return `${event.type}: ${text(data.service)} ${text(data.status) || text(data.reason)}${why}`.trim();
}
