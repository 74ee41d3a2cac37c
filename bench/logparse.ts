/**
 * Log template mining on the Loghub-2k corpus: each system's `Content` column goes, in file
 * order, through the same miner the product runs (one miner per system, as per service),
 * and is scored for grouping accuracy (GA) and parsing accuracy (PA) against the corrected
 * templates; then a leave-one-system-out figure for the miner's one constant, and the
 * miner's speed on one core.
 *
 *   npm run bench:logparse -- --data DIR [--variants N]
 *
 * The true group of a line is its corrected `EventTemplate`: the corrected files keep a few
 * pre-correction `EventId`s apart that now share one template (Linux: three ids), so GA by
 * `EventId` is printed beside it. Last line: `RESULT {json}`.
 */
import { parseArgs } from 'node:util';
import { createPatternMiner, resolvePattern, templateText, type Pattern } from '../logs/index.ts';
import { loadLoghub, type LogSystem } from './logparse/corpus.ts';
import { groupingAccuracy, parsingAccuracy } from './logparse/score.ts';

const { values: args } = parseArgs({
  options: { data: { type: 'string' }, variants: { type: 'string' } },
});
if (!args.data) {
  console.error(
    'bench:logparse needs the Loghub-2k corpus: --data DIR, a folder of <System>/<System>_2k.log_structured_corrected.csv.\n' +
      'Get it from the loghub_2k_corrected folder of the logpai/logparser repository (github.com/logpai/logparser),\n' +
      'licensed for research and academic work: cite Zhu et al., "Loghub", ISSRE 2023.',
  );
  process.exit(2);
}

const GRID = [2, 3, 4, 5, 6, 8];
const DEFAULT_VARIANTS = createPatternMiner().variantsToGeneralise;

interface SystemScore {
  ga: number;
  pa: number;
  gaByEventId: number;
  patterns: number;
  trueTemplates: number;
}

function run(system: LogSystem, variantsToGeneralise: number): SystemScore {
  const miner = createPatternMiner({ variantsToGeneralise });
  const assigned: Pattern[] = system.lines.map((line) => miner.add(line.content).pattern);
  const final = assigned.map(resolvePattern);
  const ids = final.map((p) => p.id);
  return {
    ga: groupingAccuracy(
      ids,
      system.lines.map((l) => l.template),
    ),
    pa: parsingAccuracy(
      final.map(templateText),
      system.lines.map((l) => l.template),
    ),
    gaByEventId: groupingAccuracy(
      ids,
      system.lines.map((l) => l.eventId),
    ),
    patterns: miner.patterns().length,
    trueTemplates: new Set(system.lines.map((l) => l.template)).size,
  };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const systems = loadLoghub(args.data);
const shipped = args.variants ? Number(args.variants) : DEFAULT_VARIANTS;

// Every system at every grid value once; the shipped figures and the cross-validation read from it.
const table = new Map<number, Map<string, SystemScore>>();
for (const k of new Set([...GRID, shipped]))
  table.set(k, new Map(systems.map((s) => [s.name, run(s, k)])));

const atShipped = table.get(shipped)!;
console.log(`variantsToGeneralise = ${shipped}`);
console.log('system       GA      PA   GA(EventId)  patterns/true');
for (const s of systems) {
  const r = atShipped.get(s.name)!;
  console.log(
    `${s.name.padEnd(10)} ${r.ga.toFixed(4)}  ${r.pa.toFixed(4)}  ${r.gaByEventId.toFixed(4)}      ${r.patterns}/${r.trueTemplates}`,
  );
}
const ga = mean(systems.map((s) => atShipped.get(s.name)!.ga));
const pa = mean(systems.map((s) => atShipped.get(s.name)!.pa));
const gaByEventId = mean(systems.map((s) => atShipped.get(s.name)!.gaByEventId));
console.log(`average    ${ga.toFixed(4)}  ${pa.toFixed(4)}  ${gaByEventId.toFixed(4)}`);

console.log(
  `\nGA averaged, by variantsToGeneralise: ${GRID.map((k) => `${k}: ${mean(systems.map((s) => table.get(k)!.get(s.name)!.ga)).toFixed(4)}`).join(', ')}`,
);

// Leave one system out: the constant is chosen on the other systems, the held-out one is scored at it.
const heldOut: Record<string, { chosen: number; ga: number }> = {};
for (const out of systems) {
  const others = systems.filter((s) => s !== out);
  let chosen = GRID[0]!;
  let best = -1;
  for (const k of GRID) {
    const score = mean(others.map((s) => table.get(k)!.get(s.name)!.ga));
    if (score > best) [best, chosen] = [score, k];
  }
  heldOut[out.name] = { chosen, ga: table.get(chosen)!.get(out.name)!.ga };
}
const looGa = mean(Object.values(heldOut).map((h) => h.ga));
console.log(
  `leave one system out: GA ${looGa.toFixed(4)} (${Object.entries(heldOut)
    .map(([name, h]) => `${name} ${h.ga.toFixed(4)} at ${h.chosen}`)
    .join(', ')})`,
);

// Speed: every system's lines through fresh miners, repeated; one thread.
const bodies = systems.flatMap((s) => s.lines.map((l) => l.content));
let lines = 0;
const started = process.hrtime.bigint();
while (process.hrtime.bigint() - started < 3_000_000_000n) {
  for (const s of systems) {
    const miner = createPatternMiner({ variantsToGeneralise: shipped });
    for (const line of s.lines) miner.add(line.content);
    lines += s.lines.length;
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const linesPerSecond = Math.round(lines / seconds);
console.log(
  `speed: ${linesPerSecond.toLocaleString('en')} lines/s (${bodies.length} lines a pass, fresh miners)`,
);

console.log(
  `RESULT ${JSON.stringify({
    systems: Object.fromEntries(
      systems.map((s) => {
        const r = atShipped.get(s.name)!;
        return [s.name, { ga: r.ga, pa: r.pa, gaByEventId: r.gaByEventId }];
      }),
    ),
    ga,
    pa,
    gaByEventId,
    leaveOneSystemOutGa: looGa,
    variantsToGeneralise: shipped,
    linesPerSecond,
  })}`,
);
