import type { Hono } from 'hono';
import { z } from 'zod';
import { ApiError, notFound } from './errors.ts';
import { parseWith, readJsonBody } from './validation.ts';

export const DEMO_INCIDENT_STATES = ['scheduled', 'running', 'done', 'skipped'] as const;

/** One incident of the demo's story, as `GET /v1/demo` shows it. */
export const DemoIncident = z.object({
  id: z.string(),
  description: z.string(),
  atSeconds: z.number().describe('When it is scheduled, seconds after the story starts.'),
  state: z
    .enum(DEMO_INCIDENT_STATES)
    .describe('running: started and its scheduled end (if any) not reached yet.'),
  ends: z
    .object({ afterSeconds: z.number(), description: z.string() })
    .nullable()
    .describe('What ends it and how long after it starts; null when something else ends it.'),
  startedAt: z.string().nullable().describe('When it was run (on schedule or from the API).'),
});
export type DemoIncident = z.infer<typeof DemoIncident>;

export const DemoStory = z.object({
  startedAt: z
    .string()
    .nullable()
    .describe('When the story started; null while the demo still sends history.'),
  incidents: z.array(DemoIncident),
});
export type DemoStory = z.infer<typeof DemoStory>;

export const DemoAction = z.strictObject({
  action: z.enum(['run', 'skip']).describe('run: start it now; skip: never start it.'),
});
export type DemoAction = z.infer<typeof DemoAction>['action'];

export type DemoActionResult =
  | { ok: true; incident: DemoIncident }
  | { ok: false; reason: 'not_found' | 'conflict'; message: string };

/** What the demo (`opsless demo`) lets the API see and steer: its story of incidents. */
export interface DemoControl {
  story(): DemoStory;
  act(id: string, action: DemoAction): DemoActionResult;
}

/**
 * `GET /v1/demo` and `POST /v1/demo/incidents/:id` (`{"action":"run"|"skip"}`), registered
 * only when the demo runs.
 */
export function registerDemoRoutes(app: Hono, demo: DemoControl): void {
  app.get('/v1/demo', (c) => c.json(demo.story()));

  app.post('/v1/demo/incidents/:id', async (c) => {
    const { action } = parseWith(
      DemoAction,
      await readJsonBody(c.req.raw, { example: '{"action":"run"}' }),
      'body',
    );
    const result = demo.act(c.req.param('id'), action);
    if (!result.ok) {
      throw result.reason === 'not_found'
        ? notFound(result.message)
        : new ApiError(409, 'conflict', result.message);
    }
    return c.json(result.incident);
  });
}
