/**
 * Agreement of two views of a point. The detector's parts look at a point in two ways: how
 * far it lies from the forecast (the residual models and the records of the residual) and
 * where it lies in the series' own range (records of the value and of its mean, novel steps
 * between levels of that range). Parts within one view largely repeat each other (a spike
 * beyond the range is a new extreme and a novel step at once), but the two views fail
 * differently, so a point both find unusual is better evidence than either alone.
 *
 * Odds are not summed (on NAB that flags the ordinary bursts of spiky series): each other
 * view at or above a modest level only raises the strongest score by a fixed share of itself.
 * On NAB it turns three windows where a forecast residual and a novel step both sit just
 * under the threshold into detections, for eight more false-positive rows (bench/nab.ts).
 */

export interface AgreementTuning {
  /** Score at which a view counts as elevated. */
  level: number;
  /** Share of the strongest score added for each other elevated view. */
  bonus: number;
}

/**
 * On NAB (standard profile, default threshold; 75.8 without agreement) bonus 0.15, 0.3 and
 * 0.6 score 76.4, 78.2 and 78.2; level 0.15, 0.3 and 0.6 score 77.8, 78.2 and 75.8 (the
 * lower level flags 30 more false-positive rows, the higher one nothing more).
 */
export const DEFAULT_AGREEMENT_TUNING: AgreementTuning = { level: 0.3, bonus: 0.3 };

/**
 * The strongest of `views` (each view's strongest score, in [0, 1]), raised by `bonus` of
 * itself for every other view at or above `level`, but by no more than half its distance to
 * 1: agreement alone never makes a score certain, and a score below 1 halved during the
 * rest after an alarm stays below the threshold of 0.5.
 */
export function agreedScore(views: readonly number[], tuning: AgreementTuning): number {
  let strongest = 0;
  let elevated = 0;
  for (let index = 0; index < views.length; index++) {
    const score = views[index]!;
    if (score > strongest) strongest = score;
    if (score >= tuning.level) elevated++;
  }
  const raised = strongest * (1 + tuning.bonus * Math.max(0, elevated - 1));
  return Math.min(raised, (1 + strongest) / 2);
}
