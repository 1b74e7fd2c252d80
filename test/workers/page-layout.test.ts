import { describe, expect, it } from 'vitest';
import type { BBox } from '../../src/schemas/page-result.js';
import { unionBox } from '../../workers/page-layout.js';

describe('unionBox', () => {
  it('boxes any number of words, more than a spread of arguments can take', () => {
    const words = Array.from({ length: 300_000 }, (_, i): BBox => [i, 10 + (i % 7), i + 5, 30 + (i % 3)]);
    expect(unionBox(words)).toEqual([0, 10, 300_004, 32]);
  });
});
