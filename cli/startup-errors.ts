import { lookup } from 'node:dns/promises';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A reason opsless cannot start that the operator can fix: the message is one line that
 * names the variable and what to do. The CLI prints it alone (no stack) and exits 1.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** Fails unless `host` (OPSLESS_HOST) resolves, before anything is opened. */
export async function checkHost(host: string): Promise<void> {
  try {
    await lookup(host);
  } catch {
    throw new StartupError(
      `OPSLESS_HOST: "${host}" does not resolve to an address; set it to an address of this machine, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)`,
    );
  }
}

/**
 * Fails unless the embedded engine's folder (OPSLESS_DATA_DIR) exists or can be created,
 * and a file can be written in it: chDB itself reports neither clearly.
 */
export function checkDataDir(dataDir: string): void {
  const probe = join(dataDir, `.opsless-write-check-${process.pid}`);
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new StartupError(
      `OPSLESS_DATA_DIR: "${dataDir}" is not a folder opsless can write to (${code}); fix its permissions or set OPSLESS_DATA_DIR to another folder`,
    );
  }
}

/** The StartupError for an embedded data folder that chDB would not open. */
export function dataDirInUse(dataDir: string): StartupError {
  return new StartupError(
    `OPSLESS_DATA_DIR: the embedded database in "${dataDir}" cannot be opened; another opsless is probably using it: stop that one, or set OPSLESS_DATA_DIR to another folder`,
  );
}

/** The StartupError for a server that could not listen, or the error itself if unknown. */
export function listenFailure(
  error: unknown,
  where: { variable: string; host: string; port: number },
): Error {
  const text = `${(error as NodeJS.ErrnoException).code ?? ''} ${(error as Error).message ?? ''}`;
  const { variable, host, port } = where;
  if (/EADDRINUSE|address already in use/i.test(text)) {
    return new StartupError(
      `${variable}: port ${port} on ${host} is already in use; stop the program using it, or set ${variable} to another port (0 picks a free one)`,
    );
  }
  if (/EACCES|permission denied/i.test(text)) {
    return new StartupError(
      `${variable}: port ${port} needs privileges this process lacks; set ${variable} to a port above 1023`,
    );
  }
  if (/EADDRNOTAVAIL|ENOTFOUND|EAI_AGAIN|cannot assign requested address/i.test(text)) {
    return new StartupError(
      `OPSLESS_HOST: cannot listen on "${host}", which is not an address of this machine; set it to one, such as 127.0.0.1 or 0.0.0.0`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * `work`, or a StartupError saying `what` took longer than `timeoutMs`: a step of the
 * start that waits on something outside the process must not hang without a word.
 */
export async function withDeadline<T>(
  work: Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StartupError(`${what} took more than ${timeoutMs / 1000}s`)),
      timeoutMs,
    );
    timer.unref();
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
