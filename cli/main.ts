import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from './config.ts';
import { runDetect } from './detect.ts';
import { createLogger } from './logger.ts';
import { startOpsless } from './start.ts';

const USAGE = `opsless — OTLP in, ClickHouse underneath, anomalies out.

Usage:
  opsless start            run every role in one process (embedded ClickHouse in OPSLESS_DATA_DIR,
                           or the server at CLICKHOUSE_URL)
  opsless detect FILE.csv [--threshold X] [--output OUT.csv]   score a timestamp,value CSV offline
  opsless help             show this text
  opsless version          print the version

Configuration comes from environment variables; see the README's table. The most used:
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
      return start(rest);
    case 'detect':
      return runDetect(rest, { stdout: process.stdout, stderr: process.stderr });
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

async function start(args: string[]): Promise<number> {
  if (args.length > 0) {
    process.stderr.write(
      `opsless start: unexpected argument "${args[0]}"; configure with environment variables\n`,
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
  const running = await startOpsless(config, logger);
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}`;
  process.stdout.write(
    `opsless ${version()} is running\n` +
      `  UI and API   ${base}:${running.apiPort}/\n` +
      `  OTLP/HTTP    ${base}:${running.otlpHttpPort}  (OTEL_EXPORTER_OTLP_ENDPOINT=${base}:${running.otlpHttpPort})\n` +
      `  OTLP/gRPC    ${base}:${running.otlpGrpcPort}\n` +
      `  storage      ${config.clickhouse.url ? 'ClickHouse server' : `embedded, in ${config.dataDir}`}\n` +
      `Press Ctrl+C to stop.\n`,
  );
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
