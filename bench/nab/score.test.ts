import { describe, expect, it } from 'vitest';
import { loadNabCorpus } from './corpus.ts';
import {
  PROFILES,
  bestThreshold,
  detectionsAt,
  normalise,
  prepareSweep,
  sweepBest,
  normalisedScore,
  probationRows,
  scaledSigmoid,
  scoreFile,
  type LabelledRows,
} from './score.ts';

const { standard, reward_low_FN: lowFn, reward_low_FP: lowFp } = PROFILES;

// 1000 rows: probation is min(floor(150), 750) = 150 rows. One window of width 100.
// s(y) = 2/(1+e^(5y)) - 1 = tanh(-5y/2), so s(-1) = tanh(2.5) = 0.9866143.
const FILE: LabelledRows = { rows: 1000, windows: [[400, 499]] };

/** Detections on the given rows only. */
function firing(rows: number, at: number[]): Uint8Array {
  const out = new Uint8Array(rows);
  for (const i of at) out[i] = 1;
  return out;
}

describe('NAB scoring rules', () => {
  it('uses the profiles of NAB config/profiles.json', () => {
    expect(PROFILES.standard).toMatchObject({ tp: 1, fn: 1, fp: 0.11 });
    expect(PROFILES.reward_low_FP).toMatchObject({ tp: 1, fn: 1, fp: 0.22 });
    expect(PROFILES.reward_low_FN).toMatchObject({ tp: 1, fn: 2, fp: 0.11 });
  });

  it('puts min(15% of rows, 750) rows in probation', () => {
    expect(probationRows(1000)).toBe(150);
    expect(probationRows(1001)).toBe(150); // floor(150.15)
    expect(probationRows(10_000)).toBe(750);
  });

  it('matches the scaled sigmoid at its reference points', () => {
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(-1)).toBeCloseTo(Math.tanh(2.5), 12);
    expect(scaledSigmoid(3)).toBeCloseTo(-Math.tanh(7.5), 12);
    expect(scaledSigmoid(3.0001)).toBe(-1);
  });

  it('gives full credit to a detection on the first row of a window', () => {
    // y = -(499-400+1)/100 = -1, credit s(-1)/s(-1) = 1.
    const r = scoreFile(FILE, firing(1000, [400]), standard);
    expect(r).toEqual({ score: 1, tp: 1, fn: 0, fp: 0, windows: 1 });
  });

  it('gives almost nothing to a detection on the last row of a window', () => {
    // y = -1/100, s(-0.01) = tanh(0.025) = 0.0249948; / 0.9866143 = 0.0253339.
    const r = scoreFile(FILE, firing(1000, [499]), standard);
    expect(r.score).toBeCloseTo(0.0253339, 6);
    expect(r.tp).toBe(1);
  });

  it('counts only the earliest detection in a window, and no FP for the later ones', () => {
    // Rows 450 and 400: the one at 400 counts (credit 1); 450 adds nothing.
    const r = scoreFile(FILE, firing(1000, [450, 400, 470]), standard);
    expect(r).toEqual({ score: 1, tp: 1, fn: 0, fp: 0, windows: 1 });
  });

  it('charges A_fn for a missed window', () => {
    expect(scoreFile(FILE, firing(1000, []), standard).score).toBe(-1);
    expect(scoreFile(FILE, firing(1000, []), lowFn)).toEqual({
      score: -2,
      tp: 0,
      fn: 1,
      fp: 0,
      windows: 1,
    });
  });

  it('charges A_fp in full for an FP far after a window or before the first one', () => {
    // Row 900: d = (900-499)/(100-1) = 4.05 > 3, so s = -1. Row 200: no window before it.
    // Score: 1 (hit at 400) - 0.11 - 0.11 = 0.78.
    const r = scoreFile(FILE, firing(1000, [200, 400, 900]), standard);
    expect(r.score).toBeCloseTo(0.78, 12);
    expect(r.fp).toBe(2);
    expect(scoreFile(FILE, firing(1000, [200, 400, 900]), lowFp).score).toBeCloseTo(0.56, 12);
  });

  it('charges almost nothing for an FP right after a window', () => {
    // Row 500: d = 1/99, s(d) = -tanh(5/198) = -0.0252472; * 0.11 = -0.0027772. Miss: -1.
    const r = scoreFile(FILE, firing(1000, [500]), standard);
    expect(r.score).toBeCloseTo(-1 - 0.0027772, 6);
    expect(r.fp).toBe(1);
  });

  it('ignores detections in probation and windows that end inside it', () => {
    // Row 100 < 150 is in probation: no FP, and the window is still missed.
    expect(scoreFile(FILE, firing(1000, [100]), standard)).toEqual({
      score: -1,
      tp: 0,
      fn: 1,
      fp: 0,
      windows: 1,
    });
    const early: LabelledRows = { rows: 1000, windows: [[10, 20]] };
    expect(scoreFile(early, firing(1000, [15]), standard)).toEqual({
      score: 0,
      tp: 0,
      fn: 0,
      fp: 0,
      windows: 0,
    });
  });

  it('normalises the null detector to 0 and the perfect one to 100', () => {
    const two: LabelledRows = {
      rows: 2000,
      windows: [
        [400, 499],
        [1000, 1099],
      ],
    };
    for (const profile of [standard, lowFp, lowFn]) {
      const none = scoreFile(two, firing(2000, []), profile);
      const perfect = scoreFile(two, firing(2000, [400, 1000]), profile);
      expect(normalisedScore([none, scoreFile(FILE, firing(1000, []), profile)], profile)).toBe(0);
      expect(normalisedScore([perfect], profile)).toBe(100);
    }
    // Half the windows hit at their start, no FP: S = 1 - 1 = 0 → 100*(0+2)/(2+2) = 50.
    expect(normalise(0, 2, standard)).toBe(50);
    expect(normalise(0, 0, standard)).toBeNaN();
  });

  it('finds the best threshold over the corpus', () => {
    const scores = new Float64Array(1000).fill(0.1);
    scores[300] = 0.5; // FP before the window: -0.11
    scores[420] = 0.9; // y = -0.8: tanh(2)/tanh(2.5) = 0.9771073
    scores[800] = 0.95; // d = 301/99 = 3.04 > 3: -0.11
    // At 0.95: -1 - 0.11. At 0.9: 0.9771073 - 0.11 = 0.8671073 (best). At 0.5: 0.7571073.
    // At 0.1 every row fires: hundreds of FPs.
    const best = bestThreshold([{ file: FILE, scores }], standard);
    expect(best.threshold).toBe(0.9);
    expect(best.rawScore).toBeCloseTo(0.8671073, 6);
    expect(best.score).toBeCloseTo((100 * (0.8671073 + 1)) / 2, 4);
    expect(scoreFile(FILE, detectionsAt(scores, 0.9), standard).score).toBeCloseTo(
      best.rawScore,
      12,
    );
  });

  it('returns Infinity when never firing beats every threshold', () => {
    const scores = new Float64Array(1000);
    scores[900] = 1;
    expect(bestThreshold([{ file: FILE, scores }], standard)).toEqual({
      threshold: Infinity,
      score: 0,
      rawScore: -1,
    });
  });

  it('finds the best score that rescoring at every candidate threshold finds', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const files: LabelledRows[] = [
      {
        rows: 800,
        windows: [
          [300, 339],
          [600, 639],
        ],
      },
      { rows: 500, windows: [] },
      { rows: 1200, windows: [[500, 579]] },
    ];
    // Window rows score 0.4..1 and the rest 0..0.6, so the best threshold lies where several
    // rows of one window fire in an order other than their own: the case the sweep must get right.
    const scored = files.map((file) => ({
      file,
      scores: Float64Array.from({ length: file.rows }, (_, i) => {
        const inWindow = file.windows.some(([start, end]) => i >= start && i <= end);
        return (Math.round(random() * 30) + (inWindow ? 20 : 0)) / 50;
      }),
    }));
    for (const profile of [standard, lowFp, lowFn]) {
      const best = bestThreshold(scored, profile);
      let bruteBest = -Infinity;
      for (let t = 0; t <= 50; t++) {
        const at = scored.map((f) => scoreFile(f.file, detectionsAt(f.scores, t / 50), profile));
        bruteBest = Math.max(bruteBest, normalisedScore(at, profile));
      }
      expect(best.score).toBeGreaterThan(0);
      expect(best.score).toBeCloseTo(bruteBest, 9);
      // One sort serves a sweep over any subset of the files, as if only they were given.
      const prepared = prepareSweep(scored);
      for (const keep of [[0, 2], [1, 2], [0]]) {
        const subset = sweepBest(prepared, profile, (file) => keep.includes(file));
        const alone = bestThreshold(
          keep.map((file) => scored[file]!),
          profile,
        );
        expect(subset).toEqual(alone);
      }
    }
  });
});

describe('the NAB corpus kept in bench/nab/data', () => {
  it('loads 51 series and 97 scored windows, as bench/nab/data/README.md states', () => {
    const corpus = loadNabCorpus();
    expect(corpus).toHaveLength(51);
    const aapl = corpus.find((f) => f.name === 'realTweets/Twitter_volume_AAPL.csv');
    expect(aapl?.category).toBe('realTweets');
    expect(aapl?.timestampsMs[0]).toBe(Date.UTC(2015, 1, 26, 21, 42, 53));
    const none = corpus.map((f) =>
      scoreFile(
        { rows: f.values.length, windows: f.windows },
        new Uint8Array(f.values.length),
        standard,
      ),
    );
    expect(none.reduce((n, s) => n + s.windows, 0)).toBe(97);
  });

  it('names the path when the corpus is missing', () => {
    expect(() => loadNabCorpus('/nonexistent/nab')).toThrow('/nonexistent/nab');
  });
});
