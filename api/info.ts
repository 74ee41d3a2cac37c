import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import { z } from 'zod';

/** `GET /v1/info`: what a client needs to know about this deployment. */
export const Info = z.object({
  version: z.string().describe('The opsless version.'),
  otlpHttpEndpoint: z
    .string()
    .nullable()
    .describe(
      'Where an SDK sends OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT); null when no collector runs in this process.',
    ),
  otlpGrpcEndpoint: z
    .string()
    .nullable()
    .describe('Where an SDK sends OTLP/gRPC; null when no collector runs in this process.'),
  stepSeconds: z.number().int().describe("The detector's step, seconds."),
  demo: z.boolean().describe('Whether the demo API (/v1/demo) is served: `opsless demo` runs.'),
});
export type Info = z.infer<typeof Info>;

/** What the process running the API knows of the other roles (all optional). */
export interface InfoOptions {
  otlpHttpEndpoint?: string | null | undefined;
  otlpGrpcEndpoint?: string | null | undefined;
}

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/**
 * `GET /v1/info`: the version, the OTLP endpoints the collector of this process listens on
 * (the UI's empty state shows them), the detector step, and whether the demo API is on.
 */
export function registerInfoRoute(
  app: Hono,
  options: InfoOptions & { stepMs: number; demo: boolean },
): void {
  const info: Info = {
    version: VERSION,
    otlpHttpEndpoint: options.otlpHttpEndpoint ?? null,
    otlpGrpcEndpoint: options.otlpGrpcEndpoint ?? null,
    stepSeconds: options.stepMs / 1000,
    demo: options.demo,
  };
  app.get('/v1/info', (c) => c.json(info));
}
