import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from './config.ts';
import { PolicyFileError } from '../scaling/live/policy-file.ts';
import { runDemo } from './demo.ts';
import { runDetect } from './detect.ts';
import { createLogger } from './logger.ts';
import { ALL_ROLES, startOpsless, type Roles } from './start.ts';

const USAGE = `opsless — OTLP in, ClickHouse underneath, anomalies out.

Usage:
  opsless start            run every role in one process (embedded ClickHouse in OPSLESS_DATA_DIR,
                           or the server at CLICKHOUSE_URL)
  opsless collector        run only the OTLP receivers (HTTP and gRPC)
  opsless api              run only the HTTP API
  opsless detector [--shard I/N]
                           run only the detector; with --shard, only the services that hash to
                           shard I of N (0-based), so N detectors split the work
                           Roles run apart share one ClickHouse server: set CLICKHOUSE_URL.
  opsless detect FILE.csv [--threshold X] [--output OUT.csv]   score a timestamp,value CSV offline
  opsless demo [--realtime]
                           opsless with three instrumented services, a few hours of history and
                           a scripted story of incidents (10 s steps; --realtime for 60 s), each
                           of which the UI's Demo page (/demo) can run at once or skip;
                           data in ./demo-data unless OPSLESS_DATA_DIR is set
  opsless help             show this text
  opsless version          print the version

Configuration comes from environment variables; see docs/configuration.md. The most used:
  OPSLESS_DATA_DIR        embedded data directory (default ./data)
  CLICKHOUSE_URL          use this ClickHouse server instead of the embedded engine
  OPSLESS_OTLP_HTTP_PORT  OTLP/HTTP port (default 4318; 0 picks a free port)
  OPSLESS_OTLP_GRPC_PORT  OTLP/gRPC port (default 4317; 0 picks a free port)
  OPSLESS_API_PORT        API and UI port (default 8080; 0 picks a free port)
  OPSLESS_HOST            address to listen on (default 127.0.0.1)
`;

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  switch (command) {
    case 'start':
      return start('start', rest, ALL_ROLES);
    case 'collector':
      return start('collector', rest, { collector: true, api: false, detector: null });
    case 'api':
      return start('api', rest, { collector: false, api: true, detector: null });
    case 'detector': {
      const shard = parseShard(rest);
      if (typeof shard === 'string') {
        process.stderr.write(`opsless detector: ${shard}\n`);
        return 2;
      }
      return start('detector', [], { collector: false, api: false, detector: shard });
    }
    case 'detect':
      return runDetect(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'demo':
      return demo(rest);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    case 'version':
    case '--version':
      process.stdout.write(`${version()}\n`);
      return 0;
    default:
      process.stderr.write(`opsless: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

async function demo(args: string[]): Promise<number> {
  const realtime = args.includes('--realtime');
  const unknown = args.find((arg) => arg !== '--realtime');
  if (unknown !== undefined) {
    process.stderr.write(
      `opsless demo: unexpected argument "${unknown}"; the only option is --realtime\n`,
    );
    return 2;
  }
  let config;
  try {
    // The demo's own defaults; every variable set in the environment still wins.
    config = loadConfig({
      OPSLESS_DATA_DIR: './demo-data',
      OPSLESS_DETECT_STEP: realtime ? '60s' : '10s',
      OPSLESS_DETECT_SETTLE: realtime ? '15s' : '5s',
      OPSLESS_ALERTMANAGER_RESEND: realtime ? '1m' : '10s',
      // The built-in receiver and the runbook listen on loopback: opened deliberately.
      OPSLESS_WEBHOOK_ALLOW: '127.0.0.1',
      OPSLESS_LOG_LEVEL: 'warn',
      ...process.env,
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`opsless: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  return runDemo(config, createLogger(config.logLevel), { realtime });
}

/** Reads `--shard I/N` (or `--shard=I/N`); returns the shard or what is wrong. */
export function parseShard(args: string[]): { index: number; count: number } | string {
  if (args.length === 0) return { index: 0, count: 1 };
  const [flag = '', inline] = args[0]!.split(/=(.*)/s);
  const value = inline ?? args[1];
  const extra = inline === undefined ? args.slice(2) : args.slice(1);
  if (flag !== '--shard') return `unexpected argument "${args[0]}"; the only option is --shard I/N`;
  if (value === undefined) return '--shard needs a value such as 0/3';
  if (extra.length > 0) return `unexpected argument "${extra[0]}"`;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (!match) return `--shard must look like I/N (e.g. 0/3), got "${value}"`;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index >= count) {
    return `--shard ${value}: I must be at least 0 and below N, and N at least 1`;
  }
  return { index, count };
}

async function start(command: string, args: string[], roles: Roles): Promise<number> {
  if (args.length > 0) {
    process.stderr.write(
      `opsless ${command}: unexpected argument "${args[0]}"; configure with environment variables\n`,
    );
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`opsless: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let running;
  try {
    running = await startOpsless(config, logger, roles);
  } catch (error) {
    if (error instanceof PolicyFileError) {
      process.stderr.write(`opsless: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}`;
  const lines = [`opsless ${version()} is running (${command})`];
  if (running.apiPort !== null) lines.push(`  UI and API   ${base}:${running.apiPort}/`);
  if (running.otlpHttpPort !== null) {
    lines.push(
      `  OTLP/HTTP    ${base}:${running.otlpHttpPort}  (OTEL_EXPORTER_OTLP_ENDPOINT=${base}:${running.otlpHttpPort})`,
      `  OTLP/gRPC    ${base}:${running.otlpGrpcPort}`,
    );
  }
  if (roles.detector) {
    const { index, count } = roles.detector;
    lines.push(
      `  detector     every ${config.detect.stepSeconds}s` +
        (count > 1 ? `, shard ${index}/${count}` : ''),
    );
  }
  lines.push(
    `  storage      ${config.clickhouse.url ? 'ClickHouse server' : `embedded, in ${config.dataDir}`}`,
    'Press Ctrl+C to stop.',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`opsless: second ${signal}, exiting without flushing\n`);
        process.exit(130);
      }
      stopping = true;
      process.stderr.write(`opsless: ${signal} received, flushing and stopping (again to force)\n`);
      running.close().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function version(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return manifest.version;
}
