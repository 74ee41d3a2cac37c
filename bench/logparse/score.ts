/**
 * Scores of a log parser against labelled lines, as the Loghub benchmark defines them.
 * Grouping accuracy (GA): the share of lines whose predicted group holds exactly the lines
 * of their true group. Parsing accuracy (PA): the share of lines whose template is exactly
 * the true one (white space folded).
 */

export interface ParseScores {
  ga: number;
  pa: number;
}

/** `predicted[i]` and `truth[i]` are the group keys of line i; templates likewise. */
export function groupingAccuracy(predicted: readonly string[], truth: readonly string[]): number {
  if (predicted.length !== truth.length) throw new Error('predicted and truth differ in length');
  if (predicted.length === 0) return 1;
  const truthSize = new Map<string, number>();
  for (const t of truth) truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
  const groups = new Map<string, { truth: string; size: number; pure: boolean }>();
  for (let i = 0; i < predicted.length; i++) {
    const group = groups.get(predicted[i]!);
    if (!group) groups.set(predicted[i]!, { truth: truth[i]!, size: 1, pure: true });
    else {
      group.size++;
      if (group.truth !== truth[i]) group.pure = false;
    }
  }
  let correct = 0;
  for (const group of groups.values())
    if (group.pure && truthSize.get(group.truth) === group.size) correct += group.size;
  return correct / predicted.length;
}

function foldSpace(text: string): string {
  return text.trim().split(/\s+/).join(' ');
}

export function parsingAccuracy(predicted: readonly string[], truth: readonly string[]): number {
  if (predicted.length !== truth.length) throw new Error('predicted and truth differ in length');
  if (predicted.length === 0) return 1;
  let correct = 0;
  for (let i = 0; i < predicted.length; i++)
    if (foldSpace(predicted[i]!) === foldSpace(truth[i]!)) correct++;
  return correct / predicted.length;
}
