import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const OPSLESS_BIN = fileURLToPath(new URL('../bin/opsless.js', import.meta.url));

export interface OpslessProcess {
  child: ChildProcess;
  otlpPort: number;
  apiPort: number;
  /** Everything the process printed on stdout so far. */
  output(): string;
}

/**
 * Spawns `opsless start` (or another role) with `env` (ports default to 0) and waits for
 * its banner. `apiPort` is 0 for a role without the API.
 */
export function spawnOpsless(
  env: Record<string, string>,
  command: 'start' | 'collector' = 'start',
): Promise<OpslessProcess> {
  const child = spawnCli(env, command, [
    ...(process.env.OPSLESS_PROFILE_DIR
      ? ['--cpu-prof', '--cpu-prof-dir', process.env.OPSLESS_PROFILE_DIR]
      : []),
  ]);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) =>
      reject(new Error(`opsless exited (${code ?? signal}) before it was ready:\n${stderr}`)),
    );
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const otlp = /OTLP\/HTTP\s+http:\/\/\S+:(\d+)/.exec(stdout);
      const api = /UI and API\s+http:\/\/\S+:(\d+)/.exec(stdout);
      if (otlp && (api || command === 'collector')) {
        child.removeAllListeners('exit');
        resolve({
          child,
          otlpPort: Number(otlp[1]),
          apiPort: api ? Number(api[1]) : 0,
          output: () => stdout,
        });
      }
    });
  });
}

/** Sends `signal` and resolves once the process has exited. */
export function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/** Runs an opsless command that is expected to stop by itself; resolves with what it said. */
export function runOpslessToExit(
  env: Record<string, string>,
  command = 'start',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(env, command);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `node bin/opsless.js COMMAND` with `env` over this environment, ports defaulting to 0. */
function spawnCli(env: Record<string, string>, command: string, nodeOptions: string[] = []) {
  return spawn(process.execPath, [...nodeOptions, OPSLESS_BIN, command], {
    env: {
      ...process.env,
      OPSLESS_OTLP_HTTP_PORT: '0',
      OPSLESS_OTLP_GRPC_PORT: '0',
      OPSLESS_API_PORT: '0',
      OPSLESS_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
