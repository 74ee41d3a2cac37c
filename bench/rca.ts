/**
 * Root-cause ranking on the PetShop dataset: for each issue, the candidates ranked from its
 * symptom by the same ranking the product runs (rca/), scored as top-1 and top-3 recall of
 * the true root-cause node per scenario × symptom metric and overall; then a
 * leave-one-scenario-out figure for the ranking's two constants.
 *
 *   npm run bench:rca -- --data DIR [--verbose]
 *
 * Last line: `RESULT {json}`.
 */
import { parseArgs } from 'node:util';
import {
  DEFAULT_EXPLAINED_SHARE,
  DEFAULT_SIGNIFICANCE,
  rankRootCauses,
  type RankOptions,
} from '../rca/index.ts';
import { loadPetshop, type PetshopIssue } from './rca/petshop.ts';

const { values: args } = parseArgs({
  options: { data: { type: 'string' }, verbose: { type: 'boolean', default: false } },
});
if (!args.data) {
  console.error(
    'bench:rca needs the PetShop root-cause dataset: --data DIR, a folder of <scenario>/graph.csv,\n' +
      'noissue/metrics.csv and {train,test}/issue_N/{metrics.csv,target.json}.\n' +
      'Get it from the amazon-science/petshop-root-cause-analysis repository (CC-BY-4.0;\n' +
      'Hardt et al., "PetShop: A Dataset for Root Cause Analysis in Microservices", 2023).',
  );
  process.exit(2);
}

const issues = loadPetshop(args.data);
const groupOf = (issue: PetshopIssue) => `${issue.scenario}/${issue.kind}`;

function rankOf(issue: PetshopIssue, options: RankOptions): number {
  const ranked = rankRootCauses(issue.input, options);
  return (
    ranked.find((candidate) => candidate.node === issue.truth)?.rank ?? Number.POSITIVE_INFINITY
  );
}

interface Recall {
  top1: number;
  top3: number;
  n: number;
}

function recall(ranks: number[]): Recall {
  return {
    top1: ranks.filter((r) => r <= 1).length / ranks.length,
    top3: ranks.filter((r) => r <= 3).length / ranks.length,
    n: ranks.length,
  };
}

const shipped: RankOptions = {};
const ranks = issues.map((issue) => rankOf(issue, shipped));
const groups: Record<string, Recall> = {};
for (const group of [...new Set(issues.map(groupOf))]) {
  groups[group] = recall(ranks.filter((_, i) => groupOf(issues[i]!) === group));
}
if (args.verbose) {
  issues.forEach((issue, i) => {
    const top = rankRootCauses(issue.input, shipped).slice(0, 3);
    console.log(
      `${issue.scenario}/${issue.split}/${issue.name} ${issue.kind}: truth at ${ranks[i]}; ${top
        .map(
          (c) =>
            `${c.node} (${c.significance.toFixed(1)}σ, excess ${c.excess.toFixed(1)}${c.explainedBy ? `, explained by ${c.explainedBy}` : ''})`,
        )
        .join(' | ')}`,
    );
  });
}
console.log(
  `shipped: significance ${DEFAULT_SIGNIFICANCE}, explainedShare ${DEFAULT_EXPLAINED_SHARE}`,
);
console.log('group                              top-1  top-3  issues');
for (const [group, r] of Object.entries(groups))
  console.log(`${group.padEnd(34)} ${r.top1.toFixed(2)}   ${r.top3.toFixed(2)}   ${r.n}`);
const overall = recall(ranks);
console.log(
  `overall                            ${overall.top1.toFixed(2)}   ${overall.top3.toFixed(2)}   ${overall.n}`,
);

// Leave one scenario out: the two constants chosen on the other scenarios (top-1, then top-3).
const GRID: RankOptions[] = [];
for (const significance of [1, 2, 3])
  for (const explainedShare of [0.3, 0.5, 0.8]) GRID.push({ significance, explainedShare });
const scenarios = [...new Set(issues.map((issue) => issue.scenario))];
const gridRanks = GRID.map((options) => issues.map((issue) => rankOf(issue, options)));
const heldOutRanks: number[] = [];
const chosen: Record<string, RankOptions> = {};
for (const scenario of scenarios) {
  const inside = (i: number) => issues[i]!.scenario !== scenario;
  let best = 0;
  let bestScore = [-1, -1];
  gridRanks.forEach((r, g) => {
    const kept = r.filter((_, i) => inside(i));
    const score = recall(kept);
    if (score.top1 > bestScore[0]! || (score.top1 === bestScore[0] && score.top3 > bestScore[1]!)) {
      best = g;
      bestScore = [score.top1, score.top3];
    }
  });
  chosen[scenario] = GRID[best]!;
  gridRanks[best]!.forEach((r, i) => {
    if (!inside(i)) heldOutRanks.push(r);
  });
}
const loso = recall(heldOutRanks);
console.log(
  `leave one scenario out: top-1 ${loso.top1.toFixed(2)}, top-3 ${loso.top3.toFixed(2)} (${Object.entries(
    chosen,
  )
    .map(([s, o]) => `${s}: significance ${o.significance}, share ${o.explainedShare}`)
    .join('; ')})`,
);
const truths = new Set(issues.map((issue) => issue.truth));
if (truths.size === 1)
  console.log(
    `note: every issue here has the same root cause (${[...truths][0]}): these figures say little about other culprits`,
  );

console.log(
  `RESULT ${JSON.stringify({ groups, top1: overall.top1, top3: overall.top3, n: overall.n, leaveOneScenarioOut: { top1: loso.top1, top3: loso.top3 } })}`,
);
