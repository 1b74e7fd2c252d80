import { describe, expect, it } from 'vitest';
import type { BBox, Block, Word } from '../../src/schemas/page-result.js';
import { MAX_TABLE_WORDS, tableBlocks, withinLimits, type Ruling, type TablePage } from '../../workers/layout/tables/table-blocks.js';
import { cleanRulings } from '../../workers/layout/tables/ruling-lines.js';
import { buildGrid, MAX_GRID_CELLS } from '../../workers/layout/tables/table-grid.js';

/** Synthetic pages: words at known places (40 px lines, ~10 px a character), rules as given. */
const TYPE = 40;
const PAGE: TablePage = { width: 2550, height: 3300, typeSize: TYPE };

const word = (text: string, x: number, y: number): Word => ({ text, bbox: [x, y, x + 10 * text.length, y + TYPE - 6] as BBox, confidence: 96 });

/** One block per row of `[text, x]` pairs, rows 50 px apart from `top`. */
function rowsBlock(rows: Array<Array<[string, number]>>, top: number): Block {
  const lines = rows.map((cells, r) => {
    const words = cells.flatMap(([text, x]) => {
      let at = x;
      return text.split(' ').map((t) => {
        const w = word(t, at, top + 50 * r);
        at += 10 * t.length + 12;
        return w;
      });
    });
    return { text: words.map((w) => w.text).join(' '), bbox: [words[0]!.bbox[0], words[0]!.bbox[1], words.at(-1)!.bbox[2], words[0]!.bbox[3]] as BBox, confidence: 96, words };
  });
  return { category: 'Text', text: lines.map((l) => l.text).join('\n'), bbox: [lines[0]!.bbox[0], lines[0]!.bbox[1], 2400, lines.at(-1)!.bbox[3]], confidence: 96, lines };
}

const h = (y: number, x1: number, x2: number): Ruling => ({ x1, y1: y, x2, y2: y, thickness: 2 });
const v = (x: number, y1: number, y2: number): Ruling => ({ x1: x, y1, x2: x, y2, thickness: 2 });

const PRICES: Array<Array<[string, number]>> = [
  [['Item', 220], ['Count', 720], ['Price', 1120]],
  [['Rope', 220], ['12', 720], ['4.50', 1120]],
  [['Anchor chain', 220], ['3', 720], ['120.00', 1120]],
  [['Buoy', 220], ['7', 720], ['35.00', 1120]],
];

describe('tableBlocks', () => {
  it('reads a ruled grid: rows, columns, cell texts, the header; every word kept', () => {
    const xs = [200, 700, 1100, 1500];
    const ys = [990, 1045, 1095, 1145, 1195];
    const rulings = [...ys.map((y) => h(y, xs[0]!, xs.at(-1)!)), ...xs.map((x) => v(x, ys[0]!, ys.at(-1)!))];
    const intro = rowsBlock([[['Prices paid this year were as follows for the usual harbour supplies.', 200]]], 900);
    const out = tableBlocks([intro, rowsBlock(PRICES, 1000)], rulings, PAGE);
    expect(out.map((b) => b.category)).toEqual(['Text', 'Table']);
    const t = out[1]!.table!;
    expect(t).toMatchObject({ rows: 4, cols: 3, ruling: 'lines', header_rows: 1 });
    expect(t.cells.map((c) => c.text)).toEqual(PRICES.flatMap((r) => r.map(([text]) => text)));
    expect(out[1]!.lines.flatMap((l) => l.words)).toHaveLength(13);
  });

  it('reads an unruled table from its gutters, with a header cell spanning two columns', () => {
    const goods = ['Rope', 'Anchor chain', 'Buoy', 'Fender', 'Shackle', 'Flare'];
    const rows: Array<Array<[string, number]>> = [
      [['Stock at the north quay', 720], ['Price', 1320]],
      ...goods.map((g, i): Array<[string, number]> => [[g, 220], [String(i + 2), 720], [String(10 * i + 1), 1000], [`${i + 1}.50`, 1320]]),
    ];
    const out = tableBlocks([rowsBlock(rows, 1000)], [], PAGE);
    const t = out.find((b) => b.table)?.table;
    expect(t).toMatchObject({ rows: 7, cols: 4, ruling: 'text', header_rows: 1 });
    expect(t!.cells.find((c) => c.row === 0 && c.text === 'Stock at the north quay')).toMatchObject({ col: 1, col_span: 2 });
    expect(t!.cells.find((c) => c.row === 2 && c.col === 0)?.text).toBe('Anchor chain');
    expect(t!.cells.find((c) => c.row === 6 && c.col === 3)?.text).toBe('6.50');
  });

  it('leaves prose in two columns, a list and a two-column key/value run as text', () => {
    const prose = (x: number) => Array.from({ length: 8 }, (_, i): [string, number] => [`the harbour master said that line ${i} of the report was long enough`, x]);
    const twoColumns = rowsBlock(prose(200).map((left, i) => [left, prose(1350)[i]!]), 400);
    const list = rowsBlock([[['1.', 200], ['Survey the eastern wall', 260]], [['2.', 200], ['Remove the silt', 260]], [['3.', 200], ['Measure again', 260]]], 1200);
    const pairs = rowsBlock([[['Depth', 200], ['4.5 m', 700]], [['Width', 200], ['30 m', 700]], [['Length', 200], ['120 m', 700]]], 1600);
    const blocks = [twoColumns, list, pairs];
    expect(tableBlocks(blocks, [], PAGE)).toEqual(blocks);
  });

  it('gives up on hostile input in bounded work, keeping every word', () => {
    // More words than a table finder reads: the same blocks come back, untouched.
    const many = Array.from({ length: MAX_TABLE_WORDS + 1 }, (_, i) => word('x', (i % 200) * 12, Math.floor(i / 200) * 20));
    const crowd: Block = { category: 'Text', text: '', bbox: [0, 0, 2400, 3300], confidence: 96, lines: [{ text: '', bbox: [0, 0, 2400, 3300], confidence: 96, words: many }] };
    expect(withinLimits(many.length)).toBe(false);
    expect(tableBlocks([crowd], [], PAGE)[0]).toBe(crowd);

    // A 500×500 ruled grid: more cells than MAX_GRID_CELLS, so no grid is built; the page's words stay text.
    expect(500 * 500).toBeGreaterThan(MAX_GRID_CELLS);
    const grid = [
      ...Array.from({ length: 501 }, (_, i) => h(100 + i * 6, 100, 3100)),
      ...Array.from({ length: 501 }, (_, i) => v(100 + i * 6, 100, 3100)),
    ];
    const text = rowsBlock(PRICES, 200);
    const lines = cleanRulings(grid, 12);
    const words = text.lines.flatMap((l) => l.words);
    expect(buildGrid({ bbox: [100, 100, 3100, 3100], words, ...lines, typeSize: TYPE, tol: 12 })).toBeNull();
    expect(tableBlocks([text], grid, PAGE)).toEqual([text]);

    // A page of only lines: nothing to read, nothing found.
    expect(tableBlocks([], grid, PAGE)).toEqual([]);
  });

  it('never throws on odd input', () => {
    const odd = rowsBlock(PRICES, 1000);
    const bad: Ruling[] = [{ x1: NaN, y1: 0, x2: Infinity, y2: 0, thickness: 1 }, h(-50, 10, -10)];
    expect(() => tableBlocks([odd], bad, { width: 0, height: 0, typeSize: 0 })).not.toThrow();
  });
});
