import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createStory,
  scheduleLines,
  type IncidentActions,
  type StoryIncident,
} from './demo-story.ts';

const MINUTE = 10_000;
const INCIDENTS: StoryIncident[] = [
  { id: 'slow', at: 2, description: 'checkout gets slow' },
  {
    id: 'errors',
    at: 5,
    description: 'payments fail',
    end: { after: 3, description: 'payments recovers' },
  },
];

describe('the demo story', () => {
  let lines: string[];
  let done: string[];
  let actions: IncidentActions;
  const story = () =>
    createStory({ incidents: INCIDENTS, minuteMs: MINUTE, write: (line) => lines.push(line) });
  const states = (played: ReturnType<typeof story>) =>
    Object.fromEntries(played.story().incidents.map((incident) => [incident.id, incident.state]));

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-11-25T12:00:00Z') });
    lines = [];
    done = [];
    actions = {
      slow: { start: async () => done.push('slow') },
      errors: {
        start: async () => done.push('errors'),
        end: async () => done.push('errors ended'),
      },
    };
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prints the schedule, ends included, in time order', () => {
    expect(scheduleLines(INCIDENTS, MINUTE)).toEqual([
      '  +20s  checkout gets slow',
      '  +50s  payments fail',
      '  +80s  payments recovers',
    ]);
  });

  it('plays each incident at its time, then its end, narrating both', async () => {
    const played = story();
    expect(played.story()).toMatchObject({ startedAt: null, incidents: [{ atSeconds: 20 }, {}] });
    played.begin(actions);
    expect(played.story().startedAt).toBe('2026-11-25T12:00:00.000Z');
    await vi.advanceTimersByTimeAsync(2 * MINUTE);
    expect(done).toEqual(['slow']);
    expect(states(played)).toEqual({ slow: 'done', errors: 'scheduled' });
    await vi.advanceTimersByTimeAsync(3 * MINUTE);
    expect(states(played)).toEqual({ slow: 'done', errors: 'running' });
    await vi.advanceTimersByTimeAsync(3 * MINUTE);
    expect(done).toEqual(['slow', 'errors', 'errors ended']);
    expect(states(played)).toEqual({ slow: 'done', errors: 'done' });
    expect(lines).toEqual(['» checkout gets slow', '» payments fail', '» payments recovers']);
  });

  it('runs an incident now from the API, once, with its end counted from then', async () => {
    const played = story();
    played.begin(actions);
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(played.act('errors', 'run')).toMatchObject({
      ok: true,
      incident: { id: 'errors', state: 'running', startedAt: '2026-11-25T12:00:10.000Z' },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual(['errors']);
    expect(lines).toEqual(['» payments fail  (run now from the UI)']);
    expect(played.act('errors', 'run')).toEqual({
      ok: false,
      reason: 'conflict',
      message: 'incident errors is running; only a scheduled one can be run or skipped',
    });
    // Its scheduled start (at 50 s) no longer happens; its end comes 30 s after it ran.
    await vi.advanceTimersByTimeAsync(3 * MINUTE);
    expect(done).toEqual(['errors', 'slow', 'errors ended']);
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    expect(done).toEqual(['errors', 'slow', 'errors ended']);
  });

  it('skips a scheduled incident, so that neither it nor its end plays', async () => {
    const played = story();
    played.begin(actions);
    expect(played.act('errors', 'skip')).toMatchObject({
      ok: true,
      incident: { state: 'skipped' },
    });
    await vi.advanceTimersByTimeAsync(20 * MINUTE);
    expect(done).toEqual(['slow']);
    expect(lines).toEqual(['» skipped from the UI: payments fail', '» checkout gets slow']);
    expect(played.act('errors', 'skip')).toMatchObject({ ok: false, reason: 'conflict' });
    expect(played.act('nope', 'run')).toMatchObject({ ok: false, reason: 'not_found' });
  });

  it('refuses to run an incident before the story starts, but lets one be skipped', () => {
    const played = story();
    expect(played.act('slow', 'run')).toEqual({
      ok: false,
      reason: 'conflict',
      message: 'the demo is still sending history; incidents can run once the story starts',
    });
    expect(played.act('slow', 'skip')).toMatchObject({ ok: true });
    played.begin(actions);
    vi.advanceTimersByTime(20 * MINUTE);
    expect(done).toEqual(['errors']);
  });

  it('plays nothing more once stopped, and refuses actions', async () => {
    const played = story();
    played.begin(actions);
    played.stop();
    await vi.advanceTimersByTimeAsync(20 * MINUTE);
    expect(done).toEqual([]);
    expect(played.act('slow', 'run')).toMatchObject({ ok: false, reason: 'conflict' });
  });

  it('refuses to begin without an action for every incident', () => {
    expect(() => story().begin({ slow: actions.slow! })).toThrow('no actions for incidents errors');
  });
});
