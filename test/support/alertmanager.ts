import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port free right now on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningAlertmanager {
  url: string;
  /** Alertmanager's own notifications, as its webhook receiver got them. */
  notifications: Array<Record<string, unknown>>;
  /** GET /api/v2/alerts (active alerts by default). */
  alerts(query?: string): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

/**
 * Starts Debian's `prometheus-alertmanager` on a free loopback port, with a webhook
 * receiver of its own (grouping per alert, no waiting) so its notifications can be read.
 */
export async function startAlertmanager(): Promise<RunningAlertmanager> {
  const notifications: Array<Record<string, unknown>> = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      notifications.push(JSON.parse(body) as Record<string, unknown>);
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverPort = (receiver.address() as AddressInfo).port;

  const dir = await mkdtemp(join(tmpdir(), 'opsless-alertmanager-'));
  await writeFile(
    join(dir, 'alertmanager.yml'),
    `route:
  receiver: hook
  group_by: ['alertname', 'alert_id']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:${receiverPort}/alertmanager
        send_resolved: true
`,
  );
  const port = await freePort();
  const child = spawn(
    '/usr/bin/prometheus-alertmanager',
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited:\n${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`alertmanager did not start:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    notifications,
    async alerts(query = '') {
      const response = await fetch(`${url}/api/v2/alerts${query}`);
      return (await response.json()) as Array<Record<string, unknown>>;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      await new Promise((resolve) => receiver.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
