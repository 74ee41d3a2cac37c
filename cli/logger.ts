import { pino, type Logger } from 'pino';

/**
 * JSON lines on stderr, so stdout stays for what a person or script reads.
 * Secrets are redacted by path wherever they could appear in a logged object.
 */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { service: 'opsless' },
      redact: {
        paths: [
          '*.password',
          '*.apiKey',
          '*.ingestKey',
          '*.secret',
          '*.authorization',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination(2),
  );
}
