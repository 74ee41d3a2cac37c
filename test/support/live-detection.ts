import type { ClickHouseClient } from '@clickhouse/client';
import { pino } from 'pino';
import {
  createDeliveryWorker,
  createWebhookStore,
  enqueue,
  parseAllowList,
} from '../../hooks/live/index.ts';
import type { EvaluationReport } from '../../detector/index.ts';
import { evaluateOnce } from '../../detector/live/index.ts';
import { testEvaluatorOptions, WHOLE_MINUTES } from './evaluator.ts';
import { MINUTE, type Incident, type Traffic } from './traffic.ts';

export interface LiveDetection {
  /** Minutes sent so far (the next one to send). */
  readonly minute: number;
  /** Every evaluation's report, in order. */
  readonly reports: EvaluationReport[];
  /** Sends the next `minutes`, evaluating each once it has settled; alerts opened per minute. */
  live(minutes: number, incidents?: Record<string, Incident>): Promise<number[]>;
}

/**
 * Drives the detector as `opsless start` would, on a virtual clock: each minute of
 * traffic is sent, then evaluated 20 s after it ends; alert events go to the webhook
 * outbox and are delivered (to 127.0.0.1 targets) before the next minute.
 */
export function createLiveDetection(options: {
  traffic: Traffic;
  /** The client of the running opsless (a function: a test may restart it). */
  client: () => ClickHouseClient;
  startMs: number;
}): LiveDetection {
  let minute = 0;
  const reports: EvaluationReport[] = [];
  const liveMinute = async (incidents: Record<string, Incident>): Promise<number> => {
    await options.traffic.send(minute, minute + 1, incidents);
    minute++;
    const client = options.client();
    const report = await evaluateOnce(
      testEvaluatorOptions(client, () => options.startMs + minute * MINUTE + 20_000, {
        ...WHOLE_MINUTES,
        onAlert: async (type, alert) => {
          const webhooks = await createWebhookStore(client).all();
          await enqueue(
            client,
            webhooks,
            { type, timestamp: new Date().toISOString(), data: alert },
            Date.now(),
          );
        },
      }),
    );
    await createDeliveryWorker({
      client,
      store: createWebhookStore(client),
      logger: pino({ level: 'silent' }),
      allow: parseAllowList('127.0.0.1'),
    }).runOnce();
    reports.push(report);
    return report.alertsOpened;
  };
  return {
    get minute() {
      return minute;
    },
    reports,
    async live(minutes, incidents = {}) {
      const opened: number[] = [];
      for (let i = 0; i < minutes; i++) opened.push(await liveMinute(incidents));
      return opened;
    },
  };
}
