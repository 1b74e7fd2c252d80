import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, sortedIndex, sortedMedian } from '../../../workers/layout/text-geometry.js';

describe('medians kept in order', () => {
  it('gives, after each insertion at sortedIndex, the median of everything inserted so far', () => {
    fc.assert(fc.property(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { maxLength: 60 }), (xs) => {
      const sorted: number[] = [];
      xs.forEach((x, i) => {
        sorted.splice(sortedIndex(sorted, x), 0, x);
        expect(sortedMedian(sorted)).toBe(median(xs.slice(0, i + 1)));
      });
      expect(sorted).toEqual([...xs].sort((a, b) => a - b));
    }));
  });

  it('is 0 for no values, the middle value for an odd count and the mean of the two middle ones for an even count', () => {
    expect(sortedMedian([])).toBe(0);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
