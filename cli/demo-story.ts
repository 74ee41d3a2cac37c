import type {
  DemoAction,
  DemoActionResult,
  DemoControl,
  DemoIncident,
  DemoStory,
} from '../api/index.ts';

/** One incident of the demo's story; times are in story minutes (detector steps). */
export interface StoryIncident {
  id: string;
  at: number;
  description: string;
  /** Incidents that end on their own (a recovery) say what ends them and when. */
  end?: { after: number; description: string };
}

/** What an incident does when it starts, and when it ends. */
export type IncidentActions = Record<
  string,
  { start: () => Promise<unknown>; end?: () => Promise<unknown> }
>;

export interface Story extends DemoControl {
  /** Starts the clock: every incident still scheduled runs at its time from now. */
  begin(actions: IncidentActions): void;
  /** Cancels everything still to come; idempotent. */
  stop(): void;
}

export interface StoryOptions {
  incidents: readonly StoryIncident[];
  /** Length of one story minute, ms (the detector step). */
  minuteMs: number;
  /** Where the story is narrated. */
  write: (line: string) => void;
  now?: () => number;
}

interface Entry {
  incident: StoryIncident;
  state: DemoIncident['state'];
  startedAtMs: number | null;
  timers: NodeJS.Timeout[];
}

/** The schedule as the console prints it: `+20s  what happens`, ends included, in time order. */
export function scheduleLines(incidents: readonly StoryIncident[], minuteMs: number): string[] {
  const lines: Array<[number, string]> = [];
  for (const incident of incidents) {
    lines.push([incident.at, incident.description]);
    if (incident.end) lines.push([incident.at + incident.end.after, incident.end.description]);
  }
  return lines
    .sort((a, b) => a[0] - b[0])
    .map(([at, what]) => `  +${(at * minuteMs) / 1000}s  ${what}`);
}

/**
 * The demo's story: incidents on a schedule, each of which the API can run at once or skip
 * while it is still scheduled (the UI's Demo page). Narrates every start, end and skip.
 */
export function createStory(options: StoryOptions): Story {
  const now = options.now ?? Date.now;
  const { minuteMs, write } = options;
  const entries = new Map<string, Entry>(
    options.incidents.map((incident) => [
      incident.id,
      { incident, state: 'scheduled', startedAtMs: null, timers: [] },
    ]),
  );
  let actions: IncidentActions | undefined;
  let startedAtMs: number | null = null;
  let stopped = false;

  const fail = (error: unknown) => write(`  ! ${(error as Error).message}`);

  const view = (entry: Entry): DemoIncident => ({
    id: entry.incident.id,
    description: entry.incident.description,
    atSeconds: (entry.incident.at * minuteMs) / 1000,
    state: entry.state,
    ends: entry.incident.end
      ? {
          afterSeconds: (entry.incident.end.after * minuteMs) / 1000,
          description: entry.incident.end.description,
        }
      : null,
    startedAt: entry.startedAtMs === null ? null : new Date(entry.startedAtMs).toISOString(),
  });

  const start = (entry: Entry, fromUi: boolean): void => {
    const { incident } = entry;
    const act = actions![incident.id]!;
    entry.timers.forEach(clearTimeout);
    entry.timers = [];
    entry.state = 'running';
    entry.startedAtMs = now();
    write(`» ${incident.description}${fromUi ? '  (run now from the UI)' : ''}`);
    const started = act.start().catch(fail);
    if (!incident.end || !act.end) {
      void started.finally(() => (entry.state = 'done'));
      return;
    }
    const end = act.end;
    const description = incident.end.description;
    entry.timers.push(
      setTimeout(() => {
        write(`» ${description}`);
        void started
          .then(end)
          .catch(fail)
          .finally(() => (entry.state = 'done'));
      }, incident.end.after * minuteMs),
    );
  };

  return {
    begin(given) {
      const missing = [...entries.keys()].filter((id) => !given[id]);
      if (missing.length > 0) throw new Error(`no actions for incidents ${missing.join(', ')}`);
      if (startedAtMs !== null || stopped) return;
      actions = given;
      startedAtMs = now();
      for (const entry of entries.values()) {
        if (entry.state !== 'scheduled') continue;
        entry.timers.push(setTimeout(() => start(entry, false), entry.incident.at * minuteMs));
      }
    },
    stop() {
      stopped = true;
      for (const entry of entries.values()) entry.timers.forEach(clearTimeout);
    },
    story(): DemoStory {
      return {
        startedAt: startedAtMs === null ? null : new Date(startedAtMs).toISOString(),
        incidents: [...entries.values()].map(view),
      };
    },
    act(id: string, action: DemoAction): DemoActionResult {
      const entry = entries.get(id);
      if (!entry) {
        return { ok: false, reason: 'not_found', message: `no demo incident with id ${id}` };
      }
      if (entry.state !== 'scheduled') {
        return {
          ok: false,
          reason: 'conflict',
          message: `incident ${id} is ${entry.state}; only a scheduled one can be run or skipped`,
        };
      }
      if (stopped) {
        return { ok: false, reason: 'conflict', message: 'the demo is stopping' };
      }
      if (action === 'skip') {
        entry.timers.forEach(clearTimeout);
        entry.timers = [];
        entry.state = 'skipped';
        write(`» skipped from the UI: ${entry.incident.description}`);
        return { ok: true, incident: view(entry) };
      }
      if (startedAtMs === null) {
        return {
          ok: false,
          reason: 'conflict',
          message: 'the demo is still sending history; incidents can run once the story starts',
        };
      }
      start(entry, true);
      return { ok: true, incident: view(entry) };
    },
  };
}
