import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runUnits } from './jobs.ts';

const FIXTURE = fileURLToPath(new URL('./jobs-fixture.ts', import.meta.url));
const square = (unit: number): number => unit * unit;

describe('runUnits', () => {
  it('hands every unit over in unit order when three worker processes answer out of order', async () => {
    const seen: Array<[number, number]> = [];
    await runUnits({
      units: 5,
      jobs: 3,
      local: () => {
        throw new Error('jobs > 1 must not compute here');
      },
      script: FIXTURE,
      args: [],
      done: (unit, result) => seen.push([unit, result]),
    });
    expect(seen).toEqual([0, 1, 2, 3, 4].map((unit) => [unit, square(unit)]));
  });

  it('computes in this process with one job', async () => {
    const seen: number[] = [];
    await runUnits({
      units: 4,
      jobs: 1,
      local: square,
      script: FIXTURE,
      args: [],
      done: (_, result) => seen.push(result),
    });
    expect(seen).toEqual([0, 1, 4, 9]);
  });

  it("rejects with the worker's error for a unit that fails", async () => {
    await expect(
      runUnits({ units: 7, jobs: 2, local: square, script: FIXTURE, args: [], done: () => {} }),
    ).rejects.toThrow('unit 5: unit 5 is refused');
  });
});
