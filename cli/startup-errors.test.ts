import { describe, expect, it } from 'vitest';
import { listenFailure, StartupError, withDeadline } from './startup-errors.ts';

describe('start-up failures', () => {
  it('ends a step that never finishes with a StartupError naming it', async () => {
    const never = new Promise<never>(() => {});
    await expect(withDeadline(never, 20, 'OPSLESS_DATA_DIR: opening "x"')).rejects.toThrow(
      new StartupError('OPSLESS_DATA_DIR: opening "x" took more than 0.02s'),
    );
    await expect(withDeadline(Promise.resolve(7), 20, 'anything')).resolves.toBe(7);
  });

  it('names the variable behind a listen failure, and passes other errors through', () => {
    const failure = (code: string) =>
      listenFailure(Object.assign(new Error(`listen ${code}`), { code }), {
        variable: 'OPSLESS_API_PORT',
        host: '127.0.0.1',
        port: 80,
      });
    expect(failure('EADDRINUSE')).toBeInstanceOf(StartupError);
    expect(failure('EADDRINUSE').message).toMatch(
      /^OPSLESS_API_PORT: port 80 on 127\.0\.0\.1 is already in use/,
    );
    expect(failure('EACCES').message).toMatch(/^OPSLESS_API_PORT: .*above 1023/);
    expect(failure('EADDRNOTAVAIL').message).toMatch(
      /^OPSLESS_HOST: cannot listen on "127\.0\.0\.1"/,
    );
    expect(failure('EMFILE')).not.toBeInstanceOf(StartupError);
  });
});
