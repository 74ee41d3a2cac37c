import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { StoryIncident } from './demo-story.ts';

/** A console line of the demo and when it was printed, ms. */
export interface TimedLine {
  atMs: number;
  text: string;
}

/** What the README promises of an incident: a console line within a budget of steps. */
export interface Expectation {
  incident: string;
  what: string;
  matches: (text: string) => boolean;
  budgetSteps: number;
}

/**
 * Whether a console line pages about `service`: an alert opened on it, or an alert of an
 * incident across services that it is part of (the demo prints those as `[incident: …]`):
 * a slow callee is often paged first on its caller, and joins that alert.
 */
export function pagedAbout(text: string, service: string): boolean {
  const opened = `  webhook anomaly.opened: ${service}`;
  // The service, then its summary's subject (an operation) or its colon.
  if (text.startsWith(opened) && /^[: ]/.test(text.slice(opened.length))) return true;
  if (!/^ {2}webhook anomaly\.(opened|updated): /.test(text)) return false;
  const incident = /\[incident: ([^\]]+)\]/.exec(text)?.[1];
  return incident !== undefined && incident.split(', ').includes(service);
}

/** The demo as documented: each incident's webhook within its budget, counted from its start. */
export const DEMO_EXPECTATIONS: readonly Expectation[] = [
  {
    incident: 'checkout-slow-release',
    what: 'an alert on checkout',
    matches: (text) => pagedAbout(text, 'checkout'),
    budgetSteps: 4,
  },
  {
    incident: 'checkout-slow-release',
    what: 'the rollback runbook recorded as succeeded',
    matches: (text) => text.startsWith('  webhook remediation.succeeded: checkout'),
    budgetSteps: 24,
  },
  {
    incident: 'payments-error-burst',
    what: 'an alert on payments',
    matches: (text) => pagedAbout(text, 'payments'),
    budgetSteps: 4,
  },
  {
    incident: 'frontend-traffic-surge',
    what: 'the scaler asking for more frontend replicas',
    matches: (text) => {
      const match = /^ {2}webhook scaling\.recommended: frontend (\d+) → (\d+)/.exec(text);
      return match !== null && Number(match[2]) > Number(match[1]);
    },
    budgetSteps: 4,
  },
];

export interface PlayVerdict {
  asDocumented: boolean;
  problems: string[];
  /** Seconds from each incident's start to what it should cause (null: never). */
  delaysSeconds: Record<string, number | null>;
}

/** Judges one play from its console lines: nothing alerts before the first incident, each expectation within budget. */
export function judgePlay(
  lines: readonly TimedLine[],
  story: readonly StoryIncident[],
  stepMs: number,
  expectations: readonly Expectation[] = DEMO_EXPECTATIONS,
): PlayVerdict {
  const problems: string[] = [];
  const delaysSeconds: Record<string, number | null> = {};
  const started = (incident: StoryIncident) =>
    lines.find((line) => line.text === `» ${incident.description}`);
  const firstStart = lines.findIndex((line) => line.text.startsWith('» '));
  const early = lines
    .slice(0, firstStart === -1 ? lines.length : firstStart)
    .filter((line) => line.text.startsWith('  webhook anomaly.opened'));
  for (const line of early)
    problems.push(`alerted before the first incident:${line.text.slice(9)}`);
  for (const expectation of expectations) {
    const incident = story.find((entry) => entry.id === expectation.incident);
    if (!incident) throw new Error(`no incident ${expectation.incident} in the story`);
    const key = `${incident.id}: ${expectation.what}`;
    const start = started(incident);
    if (!start) {
      if (!problems.includes(`${incident.id} never started`))
        problems.push(`${incident.id} never started`);
      delaysSeconds[key] = null;
      continue;
    }
    const seen = lines.find((line) => line.atMs >= start.atMs && expectation.matches(line.text));
    const delayMs = seen ? seen.atMs - start.atMs : null;
    delaysSeconds[key] = delayMs === null ? null : Math.round(delayMs / 100) / 10;
    if (delayMs === null) problems.push(`${key}: never`);
    else if (delayMs > expectation.budgetSteps * stepMs) {
      problems.push(
        `${key}: after ${Math.round(delayMs / 1000)} s (budget ${expectation.budgetSteps} steps)`,
      );
    }
  }
  return { asDocumented: problems.length === 0, problems, delaysSeconds };
}

/** The last moment a play can still matter: the latest budget after its incident. */
export function playLengthMs(
  story: readonly StoryIncident[],
  minuteMs: number,
  stepMs: number,
): number {
  let last = 0;
  for (const expectation of DEMO_EXPECTATIONS) {
    const incident = story.find((entry) => entry.id === expectation.incident)!;
    last = Math.max(last, incident.at * minuteMs + (expectation.budgetSteps + 1) * stepMs);
  }
  return last;
}

const BIN = fileURLToPath(new URL('../bin/opsless.js', import.meta.url));

/**
 * Plays the demo `plays` times, each as `opsless demo` in a process of its own on a fresh
 * data directory and free ports, and judges each from its console; returns the verdicts.
 */
export async function runDemoCheck(options: {
  plays: number;
  story: readonly StoryIncident[];
  minuteMs: number;
  stepMs: number;
  env: Record<string, string | undefined>;
  /** Arguments of each `opsless demo` (e.g. `--realtime`). */
  args: readonly string[];
  write: (line: string) => void;
}): Promise<PlayVerdict[]> {
  const verdicts: PlayVerdict[] = [];
  const lengthMs = playLengthMs(options.story, options.minuteMs, options.stepMs);
  for (let play = 1; play <= options.plays; play++) {
    const dir = mkdtempSync(join(tmpdir(), 'opsless-demo-check-'));
    try {
      const lines = await playOnce({ ...options, dir, lengthMs });
      const verdict = judgePlay(lines, options.story, options.stepMs);
      verdicts.push(verdict);
      // A play that went wrong keeps its console, to see why.
      let kept = '';
      if (!verdict.asDocumented) {
        const file = join(tmpdir(), `opsless-demo-check-${process.pid}-play-${play}.log`);
        const start = lines[0]?.atMs ?? 0;
        writeFileSync(
          file,
          lines
            .map((line) => `[+${((line.atMs - start) / 1000).toFixed(1)}s] ${line.text}\n`)
            .join(''),
        );
        kept = `  (console: ${file})`;
      }
      options.write(
        `play ${play}/${options.plays}: ${verdict.asDocumented ? 'as documented' : `NOT as documented (${verdict.problems.join('; ')})`}  ${JSON.stringify(verdict.delaysSeconds)}${kept}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return verdicts;
}

async function playOnce(options: {
  dir: string;
  lengthMs: number;
  env: Record<string, string | undefined>;
  args: readonly string[];
}): Promise<TimedLine[]> {
  const child = spawn(process.execPath, [BIN, 'demo', ...options.args], {
    env: {
      ...options.env,
      OPSLESS_DATA_DIR: options.dir,
      OPSLESS_API_PORT: '0',
      OPSLESS_OTLP_HTTP_PORT: '0',
      OPSLESS_OTLP_GRPC_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: TimedLine[] = [];
  let storyAtMs: number | null = null;
  let stopTimer: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  // Asked to stop, a demo closes its services and storage; one that hangs is killed.
  const stop = () => {
    child.kill('SIGTERM');
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), 60_000);
  };
  createInterface({ input: child.stdout }).on('line', (text) => {
    lines.push({ atMs: Date.now(), text });
    if (storyAtMs === null && text.startsWith('the story')) {
      storyAtMs = Date.now();
      stopTimer = setTimeout(stop, options.lengthMs);
    }
  });
  // A demo that never gets to its story (it failed to start) is stopped after ten minutes.
  const giveUp = setTimeout(stop, 10 * 60_000 + options.lengthMs);
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (const timer of [stopTimer, killTimer, giveUp]) clearTimeout(timer);
  return lines;
}
