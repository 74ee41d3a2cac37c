/**
 * The collector under attack in bench/abuse.ts, in its own process so its memory is
 * measured alone. `--root DIR` runs the collector of another checkout of opsless
 * (the code before a change), through the same cli/config.ts and cli/start.ts.
 * Prints `READY {"http":port,"grpc":port}`; on stdin, `rss` answers
 * `RSS {"rssMiB":now,"peakMiB":highest since the last reset}`, `reset` starts a new
 * peak, `exit` stops.
 */
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
// The files by path, as the checkout given by --root has them (it may predate the faces).
// eslint-disable-next-line @typescript-eslint/no-restricted-imports
import type * as ConfigModule from '../cli/config.ts';
// eslint-disable-next-line @typescript-eslint/no-restricted-imports
import type * as StartModule from '../cli/start.ts';

const { values: args } = parseArgs({ options: { root: { type: 'string', default: '.' } } });
const root = resolve(args.root);
const { loadConfig } = (await import(
  pathToFileURL(`${root}/cli/config.ts`).href
)) as typeof ConfigModule;
const { startOpsless } = (await import(
  pathToFileURL(`${root}/cli/start.ts`).href
)) as typeof StartModule;

const config = loadConfig({
  OPSLESS_DATA_DIR: ':memory:',
  OPSLESS_HOST: '127.0.0.1',
  OPSLESS_OTLP_HTTP_PORT: '0',
  OPSLESS_OTLP_GRPC_PORT: '0',
  OPSLESS_API_PORT: '0',
  OPSLESS_RETENTION_DAYS: '0',
  OPSLESS_INGEST_KEY: process.env.OPSLESS_INGEST_KEY,
});
const running = await startOpsless(config, pino({ level: 'error' }), {
  collector: true,
  api: false,
  detector: null,
});

const MiB = 1024 * 1024;
let peak = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 20);

console.log(`READY ${JSON.stringify({ http: running.otlpHttpPort, grpc: running.otlpGrpcPort })}`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'rss') {
    const rss = process.memoryUsage.rss();
    peak = Math.max(peak, rss);
    console.log(`RSS ${JSON.stringify({ rssMiB: rss / MiB, peakMiB: peak / MiB })}`);
  } else if (line === 'reset') {
    peak = process.memoryUsage.rss();
    console.log('RESET');
  } else if (line === 'exit') break;
}
clearInterval(sampler);
await running.close();
process.exit(0);
