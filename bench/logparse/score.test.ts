import { describe, expect, it } from 'vitest';
import { groupingAccuracy, parsingAccuracy } from './score.ts';

describe('groupingAccuracy', () => {
  it('counts a line only when its predicted group holds exactly its true group', () => {
    // True groups: A = {0,1}, B = {2,3}, C = {4}. Predicted: {0,1} right; {2} and {3} split B; {4} right.
    expect(groupingAccuracy(['p', 'p', 'q', 'r', 's'], ['A', 'A', 'B', 'B', 'C'])).toBe(3 / 5);
  });

  it('counts no line of a predicted group that mixes two true groups', () => {
    expect(groupingAccuracy(['p', 'p', 'p', 'q'], ['A', 'A', 'B', 'C'])).toBe(1 / 4);
  });

  it('is 1 for a perfect grouping whatever the names', () => {
    expect(groupingAccuracy(['x', 'y', 'x'], ['A', 'B', 'A'])).toBe(1);
  });
});

describe('parsingAccuracy', () => {
  it('compares templates exactly, with white space folded', () => {
    expect(parsingAccuracy(['a <*>  b', 'c <*>'], ['a <*> b', 'c d'])).toBe(1 / 2);
  });
});
