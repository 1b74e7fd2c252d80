import { describe, expect, it } from 'vitest';
import type { BBox } from '../../../src/schemas/page-result.js';
import { blocksFromTextItems, unionBox } from '../../../workers/layout/page-layout.js';

describe('unionBox', () => {
  it('boxes any number of words, more than a spread of arguments can take', () => {
    const words = Array.from({ length: 300_000 }, (_, i): BBox => [i, 10 + (i % 7), i + 5, 30 + (i % 3)]);
    expect(unionBox(words)).toEqual([0, 10, 300_004, 32]);
  });
});

describe('blocksFromTextItems', () => {
  // 12-unit type at scale 1 with an identity viewport: words 12.6 units high, so a gap under
  // 0.12 × 12.6 = 1.5 units is a kerned word going on, not a space.
  const run = (str: string, x: number, width: number, y = 100) => ({ str, transform: [12, 0, 0, 12, x, y], width });

  it('gives whole-pixel boxes, and decides spaces on the exact positions', () => {
    const blocks = blocksFromTextItems([run('Gal', 10.3, 17.1), run('axy', 28.6, 18.1), run('far', 49.8, 15.2)], [1, 0, 0, 1, 0, 0], 1);
    const line = blocks[0]!.lines[0]!;
    // 'Gal' ends at 27.4 and 'axy' starts at 28.6: 1.2 apart, no space; rounded first, 27 and 29 would be 2 apart.
    expect(line.text).toBe('Galaxy far');
    for (const box of [blocks[0]!.bbox, line.bbox, ...line.words.map((w) => w.bbox)]) {
      expect(box.every(Number.isInteger), JSON.stringify(box)).toBe(true);
    }
    expect(line.words.map((w) => w.bbox)).toEqual([[10, 90, 27, 102], [29, 90, 47, 102], [50, 90, 65, 102]]);
    expect(line.bbox).toEqual([10, 90, 65, 102]);
  });
});
