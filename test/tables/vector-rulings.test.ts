import { OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { MAX_PATH_NUMBERS, MAX_RULINGS, rulingsFromOperators } from '../../workers/pdf/vector-rulings.js';

/** Operator lists as pdf.js gives them: constructPath args are [paint op, [path data], minMax]. */
const MOVE = 0;
const LINE = 1;
const CLOSE = 4;
const path = (paint: number, data: number[]) => [OPS.constructPath, [paint, [Float32Array.from(data)], null]] as const;
const rect = (x: number, y: number, w: number, h: number) => [MOVE, x, y, LINE, x + w, y, LINE, x + w, y + h, LINE, x, y + h, CLOSE];

function ops(list: ReadonlyArray<readonly [number, unknown]>): [number[], unknown[]] {
  return [list.map((o) => o[0]), list.map((o) => o[1])];
}

/** A letter page at 2× (144 dpi): pdf.js's viewport flips y (origin top-left). */
const VIEWPORT = [2, 0, 0, -2, 0, 1584];

describe('rulingsFromOperators', () => {
  it('turns stroked segments into page-pixel rules through the CTM stack and the line width', () => {
    const [fn, args] = ops([
      [OPS.setLineWidth, [0.5]],
      [OPS.save, null],
      [OPS.transform, [1, 0, 0, 1, 100, 200]],
      path(OPS.stroke, [MOVE, 0, 0, LINE, 300, 0, MOVE, 0, 0, LINE, 0, 50]),
      [OPS.restore, null],
      // Back outside the `cm`: a line at the page's own coordinates.
      path(OPS.stroke, [MOVE, 100, 100, LINE, 400, 100]),
      // A diagonal and a curve are no rules.
      path(OPS.stroke, [MOVE, 0, 0, LINE, 100, 100, MOVE, 0, 0, 2, 10, 10, 20, 20, 30, 30]),
    ]);
    const rules = rulingsFromOperators(fn, args, VIEWPORT)!;
    expect(rules).toEqual([
      { x1: 200, y1: 1184, x2: 800, y2: 1184, thickness: 1 },
      { x1: 200, y1: 1084, x2: 200, y2: 1184, thickness: 1 },
      { x1: 200, y1: 1384, x2: 800, y2: 1384, thickness: 1 },
    ]);
  });

  it('reads thin filled rectangles as rules and leaves filled areas and form XObjects placed right', () => {
    const [fn, args] = ops([
      path(OPS.fill, rect(100, 500, 300, 0.5)),
      path(OPS.fill, rect(100, 300, 300, 100)),
      [OPS.paintFormXObjectBegin, [[1, 0, 0, 1, 50, 0], [0, 0, 500, 500]]],
      path(OPS.eoFill, rect(10, 10, 0.6, 200)),
      [OPS.paintFormXObjectEnd, []],
      path(OPS.fill, rect(10, 10, 0.6, 200)),
    ]);
    const rules = rulingsFromOperators(fn, args, VIEWPORT)!;
    expect(rules.map((r) => [r.x1, r.y1, r.x2, r.y2].map((n) => Math.round(n)))).toEqual([
      [200, 584, 800, 584],
      [121, 1164, 121, 1564],
      [21, 1164, 21, 1564],
    ]);
  });

  it('gives up (null) on a page drawing more than a table finder reads, after bounded work', () => {
    // 100,000 tiny boxes in one path: past MAX_PATH_NUMBERS, refused before tracing.
    const boxes = Array.from({ length: 100_000 }, (_, i) => rect(i % 600, Math.floor(i / 600), 0.5, 0.5)).flat();
    expect(boxes.length).toBeGreaterThan(MAX_PATH_NUMBERS);
    expect(rulingsFromOperators(...ops([path(OPS.fill, boxes)]), VIEWPORT)).toBeNull();
    // A 500×500 grid drawn cell by cell: more rules than MAX_RULINGS.
    const cells = Array.from({ length: 250_000 / 50 }, (_, i) => path(OPS.stroke, Array.from({ length: 50 }, (_, k) => rect((i * 50 + k) % 500, Math.floor((i * 50 + k) / 500), 1, 1)).flat()));
    expect(4 * 250_000).toBeGreaterThan(MAX_RULINGS);
    expect(rulingsFromOperators(...ops(cells), [20, 0, 0, -20, 0, 10_000])).toBeNull();
  });
});
