import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('documents its defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      dataDir: './data',
      host: '127.0.0.1',
      otlpHttpPort: 4318,
      otlpGrpcPort: 4317,
      apiPort: 8080,
      retentionDays: 30,
      detect: { stepMs: 60_000, lookbackMs: 7 * 86_400_000, settleMs: 15_000 },
    });
    expect(config.detect.watchedMetrics).toContain('http.server.request.duration');
    expect(config.clickhouse.url).toBeUndefined();
  });

  it('names every invalid variable and what is wrong, without echoing secrets', () => {
    let message = '';
    try {
      loadConfig({
        OPSLESS_API_PORT: '70000',
        OPSLESS_DETECT_STEP: '15s',
        CLICKHOUSE_URL: 'not a url',
        CLICKHOUSE_PASSWORD: 'x',
        OPSLESS_MAX_BODY_BYTES: '-1',
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('OPSLESS_API_PORT: must be at most 65535 (got "70000")');
    expect(message).toContain('OPSLESS_DETECT_STEP: must be 10s to 1h, in whole multiples of 10s');
    expect(message).toContain('CLICKHOUSE_URL: must be a URL');
    expect(message).toContain('OPSLESS_MAX_BODY_BYTES');
  });

  it('never echoes a URL that may carry credentials, but shows other bad values', () => {
    let message = '';
    try {
      loadConfig({
        CLICKHOUSE_URL: 'http//admin:hunter2@db:8123',
        OPSLESS_ALERTMANAGER_URL: 'ftp://am:hunter3@alertmanager:9093',
        OPSLESS_PUBLIC_URL: 'gopher://ui:hunter4@opsless.example.com',
        OPSLESS_API_MAX_BODY_BYTES: 'lots',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('CLICKHOUSE_URL: must be a URL');
    expect(message).toContain('OPSLESS_ALERTMANAGER_URL: must be an http(s) URL');
    expect(message).toContain('OPSLESS_PUBLIC_URL: must be an http(s) URL');
    expect(message).toContain('OPSLESS_API_MAX_BODY_BYTES');
    expect(message).toContain('(got "lots")');
    expect(message).not.toMatch(/hunter|admin|am:|ui:/);
  });

  it('reads the API body limit and the allowed host names', () => {
    expect(loadConfig({})).toMatchObject({ apiMaxBodyBytes: 1024 * 1024, allowedHosts: [] });
    expect(
      loadConfig({
        OPSLESS_API_MAX_BODY_BYTES: '4096',
        OPSLESS_ALLOWED_HOSTS: ' Opsless.lan, ops ,',
      }),
    ).toMatchObject({ apiMaxBodyBytes: 4096, allowedHosts: ['opsless.lan', 'ops'] });
    expect(() => loadConfig({ OPSLESS_ALLOWED_HOSTS: 'http://x' })).toThrow(
      /OPSLESS_ALLOWED_HOSTS.*comma-separated list of host names/,
    );
  });

  it('reads the watched metrics as a comma-separated list and rejects odd names', () => {
    expect(
      loadConfig({ OPSLESS_WATCH_METRICS: ' queue.depth, jobs/s ,' }).detect.watchedMetrics,
    ).toEqual(['queue.depth', 'jobs/s']);
    expect(() => loadConfig({ OPSLESS_WATCH_METRICS: 'a;b' })).toThrow(
      /OPSLESS_WATCH_METRICS.*metric names are letters, digits/,
    );
  });

  it('reads the webhook retry schedule as durations', () => {
    expect(loadConfig({}).webhookRetryScheduleMs).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000,
      86_400_000,
    ]);
    expect(loadConfig({ OPSLESS_WEBHOOK_RETRY_SCHEDULE: '1s, 1m' }).webhookRetryScheduleMs).toEqual(
      [1_000, 60_000],
    );
    expect(() => loadConfig({ OPSLESS_WEBHOOK_RETRY_SCHEDULE: '1s,soon' })).toThrow(
      /OPSLESS_WEBHOOK_RETRY_SCHEDULE.*comma-separated list of durations/,
    );
  });

  it('reads the ingest upload limits, with defaults, and names a bad one', () => {
    expect(loadConfig({}).ingest).toMatchObject({
      maxConcurrentRequests: 128,
      maxUploadsInFlight: 1024,
      bodyTimeoutMs: 30_000,
      bodyMinBytesPerSecond: 1024,
    });
    expect(
      loadConfig({
        OPSLESS_MAX_UPLOADS_IN_FLIGHT: '16',
        OPSLESS_BODY_TIMEOUT_MS: '5000',
        OPSLESS_BODY_MIN_BYTES_PER_SECOND: '0',
      }).ingest,
    ).toMatchObject({ maxUploadsInFlight: 16, bodyTimeoutMs: 5000, bodyMinBytesPerSecond: 0 });
    expect(() => loadConfig({ OPSLESS_BODY_TIMEOUT_MS: '1.5' })).toThrow(
      'OPSLESS_BODY_TIMEOUT_MS: must be a whole number of milliseconds (got "1.5")',
    );
    expect(() => loadConfig({ OPSLESS_BODY_MIN_BYTES_PER_SECOND: '-1' })).toThrow(
      'OPSLESS_BODY_MIN_BYTES_PER_SECOND: must be 0 (unchecked) or more',
    );
  });

  it('checks OPSLESS_WEBHOOK_ALLOW entries', () => {
    expect(loadConfig({ OPSLESS_WEBHOOK_ALLOW: '127.0.0.1/32, hooks.internal' }).webhookAllow).toBe(
      '127.0.0.1/32, hooks.internal',
    );
    expect(() => loadConfig({ OPSLESS_WEBHOOK_ALLOW: '10.0.0.0/99' })).toThrow(
      /OPSLESS_WEBHOOK_ALLOW.*prefix length must be 0 to 32/,
    );
  });

  it('treats empty optional keys as unset', () => {
    expect(loadConfig({ OPSLESS_API_KEY: '', CLICKHOUSE_URL: '' })).toMatchObject({
      apiKey: undefined,
    });
  });
});
