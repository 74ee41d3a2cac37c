/**
 * bench:live — a seeded corpus of benign and incident scenarios, each run through the
 * production path (OTLP/protobuf → collector → ClickHouse rollups → live evaluator →
 * incidents → alerts → notifications) on a fast-forwarded clock. Prints per kind: recall,
 * false pages, detection delay in steps, flaps and notifications per incident; final line
 * `RESULT {json}`. See docs/live-benchmark.md.
 *
 *   npm run bench:live [-- --seed N] [--only kind,kind] [--scenarios N] [--history STEPS] [--live STEPS]
 *                      [--pick id,id] [--explain]
 * `--pick` runs only the named scenarios of the corpus (`surge#1`: the same seed as in the whole
 * corpus); `--explain` prints the text of every page as it was sent.
 */
import { parseArgs } from 'node:util';
import { createHarness } from './live/harness.ts';
import { ALL_KINDS, INCIDENT_KINDS, type Kind, type Scenario } from './live/scenario-model.ts';
import { generateCorpus } from './live/scenarios.ts';
import { scoreScenario, summarize, type KindSummary, type Outcome } from './live/score.ts';

const USAGE =
  'usage: npm run bench:live -- [--seed N] [--only kind,...] [--scenarios N] [--history STEPS] [--live STEPS] [--pick id,...] [--explain]';

function options() {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      only: { type: 'string' },
      scenarios: { type: 'string' },
      history: { type: 'string', default: '240' },
      live: { type: 'string', default: '40' },
      pick: { type: 'string' },
      explain: { type: 'boolean', default: false },
    },
  });
  const integer = (name: string, text: string, min: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`--${name} must be an integer of at least ${min}, got "${text}"\n${USAGE}`);
    }
    return value;
  };
  const kinds =
    values.only === undefined ? ALL_KINDS : values.only.split(',').map((kind) => kind.trim());
  const unknown = kinds.filter((kind) => !(ALL_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0) {
    throw new Error(
      `--only: unknown kind(s) ${unknown.join(', ')}; kinds: ${ALL_KINDS.join(', ')}`,
    );
  }
  return {
    seed: integer('seed', values.seed, 0),
    kinds: kinds as Kind[],
    count:
      values.scenarios === undefined ? 2 * kinds.length : integer('scenarios', values.scenarios, 1),
    historySteps: integer('history', values.history, 60),
    liveSteps: integer('live', values.live, 30),
    pick: values.pick?.split(',').map((id) => id.trim()),
    explain: values.explain,
  };
}

const round = (value: number | null, digits = 2) =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

function line(summary: KindSummary): string {
  const text = (value: number | null, suffix = '') =>
    value === null ? '–' : `${round(value)}${suffix}`;
  const figures = summary.incident
    ? `recall ${text(summary.recall === null ? null : summary.recall * 100, '%')}  delay p50 ${text(summary.delayMedian)} p90 ${text(summary.delayP90)}  flaps ${summary.flaps}  resolved after p50 ${text(summary.resolveMedian)} p90 ${text(summary.resolveP90)}, ${summary.stillOpen} still open  pages/incident ${text(summary.pagesPerIncident)}  notifications/incident ${text(summary.notificationsPerIncident)}  false pages/scenario ${text(summary.falseAlertsPerScenario)}`
    : `pages per benign event ${text(summary.falseAlertsPerScenario)}`;
  const rootCause =
    summary.rootCauseJudged > 0
      ? `  root cause named first ${summary.rootCauseRight}/${summary.rootCauseJudged}`
      : '';
  return `  ${summary.kind.padEnd(18)} n=${String(summary.scenarios).padEnd(3)} ${figures}${rootCause}`;
}

async function main(): Promise<number> {
  let settings;
  try {
    settings = options();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const whole = generateCorpus({
    seed: settings.seed,
    count: settings.count,
    kinds: settings.kinds,
    historySteps: settings.historySteps,
    liveSteps: settings.liveSteps,
  });
  const pick = settings.pick;
  const corpus =
    pick === undefined ? whole : whole.filter((scenario) => pick.includes(scenario.id));
  const missing = (pick ?? []).filter((id) => !whole.some((scenario) => scenario.id === id));
  if (missing.length > 0) {
    process.stderr.write(`--pick: no scenario ${missing.join(', ')} in this corpus\n${USAGE}\n`);
    return 2;
  }
  process.stdout.write(
    `bench:live seed ${settings.seed}: ${corpus.length} scenarios, 60 s steps, ${settings.historySteps} steps of history, ${settings.liveSteps}+ live steps\n`,
  );
  const harness = await createHarness();
  const results: Array<{ scenario: Scenario; outcome: Outcome }> = [];
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  try {
    for (const scenario of corpus) {
      const run = await harness.run(scenario);
      const outcome = scoreScenario(scenario, run.events);
      results.push({ scenario, outcome });
      const verdict = scenario.incident
        ? outcome.detected
          ? `detected after ${outcome.delaySteps} step(s) on ${outcome.firstService} ${outcome.firstSignal}`
          : 'MISSED'
        : outcome.falseAlerts === 0
          ? 'quiet'
          : `${outcome.falseAlerts} FALSE page(s)`;
      const rootCause =
        outcome.rootCauseRight === null
          ? ''
          : `, root cause ${outcome.rootCauseRight ? 'right' : 'WRONG'} (first candidate ${outcome.rootCauseAtPage ?? 'none'} at the page, ${outcome.rootCauseLast ?? 'none'} at the end; injected into ${scenario.rootService})`;
      const wrong = run.events
        .filter((event) => event.type === 'anomaly.opened')
        .map((event) => `${event.service}/${event.signal}@${event.step - scenario.fromStep}`);
      process.stdout.write(
        `${scenario.id.padEnd(22)} ${verdict}${rootCause}${outcome.flaps ? `, ${outcome.flaps} flap(s)` : ''}  [${scenario.description}]  pages: ${wrong.join(' ') || 'none'}  (${run.spans} spans, ${run.logs} log records, ${run.seconds.toFixed(1)} s)\n`,
      );
      if (settings.explain) {
        for (const event of run.events.filter((e) => e.type === 'anomaly.opened')) {
          process.stdout.write(`    @${event.step - scenario.fromStep} ${event.summary ?? ''}\n`);
        }
      }
    }
  } finally {
    await harness.close();
  }

  const kinds = ALL_KINDS.filter((kind) => results.some((result) => result.scenario.kind === kind));
  const isIncident = (kind: string) => (INCIDENT_KINDS as readonly string[]).includes(kind);
  const perKind = kinds.map((kind) =>
    summarize(
      kind,
      isIncident(kind),
      results.filter((result) => result.scenario.kind === kind).map((result) => result.outcome),
    ),
  );
  const incidents = summarize(
    'incidents',
    true,
    results.filter((r) => r.scenario.incident).map((r) => r.outcome),
  );
  const benign = summarize(
    'benign',
    false,
    results.filter((r) => !r.scenario.incident).map((r) => r.outcome),
  );
  process.stdout.write(
    '\nper kind (delays in steps from the documented magnitude; pages = anomaly.opened):\n',
  );
  for (const summary of perKind) process.stdout.write(`${line(summary)}\n`);
  process.stdout.write(`${line(incidents)}\n${line(benign)}\n`);
  const cascades = results.filter((r) => r.scenario.kind === 'cascade');
  if (cascades.length > 0) {
    process.stdout.write(
      `cascade: first page names ${cascades.map((r) => r.outcome.firstService ?? 'nothing').join(', ')}; first root-cause candidate ${cascades.map((r) => `${r.outcome.rootCauseAtPage ?? 'none'}→${r.outcome.rootCauseLast ?? 'none'}`).join(', ')} (injected into ${cascades.map((r) => r.scenario.rootService).join(', ')})\n`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  // Wall time depends on what else the host runs; this process's CPU time much less.
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(
    `${corpus.length} scenarios in ${Math.round(seconds)} s (${Math.round(cpuSeconds)} s of CPU in this process)\n`,
  );
  const compact = (summary: KindSummary) => ({
    n: summary.scenarios,
    ...(summary.incident
      ? {
          recall: round(summary.recall, 3),
          delayMedian: summary.delayMedian,
          delayP90: summary.delayP90,
          flaps: summary.flaps,
          resolveMedian: summary.resolveMedian,
          resolveP90: summary.resolveP90,
          stillOpen: summary.stillOpen,
          pagesPerIncident: round(summary.pagesPerIncident),
          notificationsPerIncident: round(summary.notificationsPerIncident),
          falsePagesPerScenario: round(summary.falseAlertsPerScenario),
          ...(summary.rootCauseJudged > 0
            ? { rootCauseRight: summary.rootCauseRight, rootCauseJudged: summary.rootCauseJudged }
            : {}),
        }
      : { pagesPerBenignEvent: round(summary.falseAlertsPerScenario) }),
  });
  const result = {
    seed: settings.seed,
    scenarios: corpus.length,
    historySteps: settings.historySteps,
    liveSteps: settings.liveSteps,
    seconds: Math.round(seconds),
    cpuSeconds: Math.round(cpuSeconds),
    incidents: compact(incidents),
    benign: compact(benign),
    kinds: Object.fromEntries(perKind.map((summary) => [summary.kind, compact(summary)])),
    cascadeFirstNamed: cascades.map((r) => r.outcome.firstService),
    cascadeRootCause: cascades.map((r) => r.outcome.rootCauseAtPage),
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  return 0;
}

process.exitCode = await main();
