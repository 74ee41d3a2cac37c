import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from './config.ts';
import { PolicyFileError } from '../scaling/live/index.ts';
import { DEMO_STORY, demoMinuteMs, runDemo } from './demo.ts';
import { runDemoCheck } from './demo-check.ts';
import { prepareDemoData } from './demo-data.ts';
import { runDetect } from './detect.ts';
import { createLogger } from './logger.ts';
import { ALL_ROLES, startOpsless, type Roles } from './start.ts';
import { StartupError } from './startup-errors.ts';

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
  opsless demo [--realtime] [--keep-data]
                           opsless with three instrumented services, a few hours of history and
                           a scripted story of incidents (10 s steps; --realtime for 60 s), each
                           of which the UI's Demo page (/demo) can run at once or skip;
                           data in ./demo-data unless OPSLESS_DATA_DIR is set, erased at each
                           start (only a directory the demo wrote) unless --keep-data
  opsless demo --check N [--realtime]
                           play the story N times without a browser, each in a fresh process on
                           fresh data, and print how many went as documented (nothing alerts
                           before the first incident; each incident's alert, runbook or scaling
                           webhook within its budget of steps); last line RESULT {json}
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
  const parsed = parseDemoArgs(args);
  if (typeof parsed === 'string') {
    process.stderr.write(`opsless demo: ${parsed}\n`);
    return 2;
  }
  const { realtime, keepData, check } = parsed;
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
  const write = (line: string) => process.stdout.write(`${line}\n`);
  if (check !== null) {
    const verdicts = await runDemoCheck({
      plays: check,
      story: DEMO_STORY,
      minuteMs: demoMinuteMs(realtime),
      stepMs: config.detect.stepMs,
      env: process.env,
      args: realtime ? ['--realtime'] : [],
      write,
    });
    const documented = verdicts.filter((verdict) => verdict.asDocumented).length;
    write(`${documented} of ${check} plays went as documented`);
    write(
      `RESULT ${JSON.stringify({ plays: check, asDocumented: documented, problems: verdicts.flatMap((verdict) => verdict.problems) })}`,
    );
    return documented === check ? 0 : 1;
  }
  if (!config.clickhouse.url) {
    const prepared = prepareDemoData({
      dir: config.dataDir,
      keep: keepData,
      owned: process.env.OPSLESS_DATA_DIR === undefined,
    });
    if (!prepared.ok) {
      process.stderr.write(`opsless demo: ${prepared.message}\n`);
      return 2;
    }
    if (prepared.erased)
      write(`starting from fresh data (${config.dataDir} erased; --keep-data keeps it)`);
  }
  return runDemo(config, createLogger(config.logLevel), { realtime, write });
}

/** Reads `opsless demo` options; returns them or what is wrong. */
export function parseDemoArgs(
  args: string[],
): { realtime: boolean; keepData: boolean; check: number | null } | string {
  const options = { realtime: false, keepData: false, check: null as number | null };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--realtime') options.realtime = true;
    else if (arg === '--keep-data') options.keepData = true;
    else if (arg === '--check') {
      const value = args[++i];
      if (value === undefined || !/^[1-9]\d*$/.test(value)) {
        return `--check needs a number of plays (1 or more), got ${value === undefined ? 'nothing' : `"${value}"`}`;
      }
      options.check = Number(value);
    } else {
      return `unexpected argument "${arg}"; the options are --realtime, --keep-data and --check N`;
    }
  }
  if (options.check !== null && options.keepData) {
    return '--check plays each run on fresh data of its own; --keep-data does not apply';
  }
  return options;
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
    if (error instanceof StartupError) {
      process.stderr.write(`opsless: ${error.message}\n`);
      // What did open (storage, listeners, a stuck open) must not keep the process alive.
      process.exit(1);
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
      `  detector     every ${config.detect.stepMs / 1000}s` +
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
