import { describe, expect, it } from 'vitest';
import type { BBox, Block, Word } from '../../src/schemas/page-result.js';
import { tableBlocks, type Ruling, type TablePage } from '../../workers/layout/tables/table-blocks.js';
import { continuationRows } from '../../workers/layout/tables/row-merging.js';
import { textRows } from '../../workers/layout/tables/text-rows.js';

/**
 * Rows whose cells wrap onto a second line: synthetic words (40 px type, 10 px a character, a
 * wrapped line 40 px below the one it continues, a new row 60 px below), in a table ruled only
 * above, under its header and below (no rule between its rows, so rows come from the text).
 */
const TYPE = 40;
const PAGE: TablePage = { width: 2550, height: 3300, typeSize: TYPE };
const LEFT = 200;
const RIGHT = 1500;

/** One text line: cells of [text, x], words 12 px apart. */
type Cells = Array<[string, number]>;

function words(cells: Cells, y: number): Word[] {
  return cells.flatMap(([text, x]) => {
    let at = x;
    return text.split(' ').map((t) => {
      const w: Word = { text: t, bbox: [at, y, at + 10 * t.length, y + TYPE - 6] as BBox, confidence: 96 };
      at += 10 * t.length + 12;
      return w;
    });
  });
}

/** The table's lines as one block; `gaps[i]` is how far line i + 1 sits below line i. Returns the block and each line's y. */
function table(lines: Cells[], gaps: number[], top = 1000): { block: Block; ys: number[] } {
  const ys = [top];
  for (const g of gaps) ys.push(ys.at(-1)! + g);
  const ls = lines.map((cells, i) => {
    const ws = words(cells, ys[i]!);
    return { text: ws.map((w) => w.text).join(' '), bbox: [ws[0]!.bbox[0], ys[i]!, ws.at(-1)!.bbox[2], ys[i]! + TYPE - 6] as BBox, confidence: 96, words: ws };
  });
  const block: Block = { category: 'Text', text: ls.map((l) => l.text).join('\n'), bbox: [LEFT, top, RIGHT, ys.at(-1)! + TYPE], confidence: 96, lines: ls };
  return { block, ys };
}

const rule = (y: number): Ruling => ({ x1: LEFT - 20, y1: y, x2: RIGHT, y2: y, thickness: 2 });

/** Rules above the header, under it, and under the last line. */
const booktabs = (ys: number[]) => [rule(ys[0]! - 15), rule(ys[0]! + TYPE + 5), rule(ys.at(-1)! + TYPE + 10)];

const found = (blocks: Block[]) => blocks.find((b) => b.table)!.table!;
const cellAt = (t: ReturnType<typeof found>, row: number, col: number) => t.cells.find((c) => c.row === row && c.col === col)?.text;

describe('continuation rows', () => {
  // Each description's first line runs the column's width; its second line's first word would not fit after it.
  const RECORDS: Array<[string, string, string, string]> = [
    ['A-10', 'Galvanised anchor chain for', 'harbour moorings', '120.00'],
    ['B-22', 'Braided nylon mooring rope', 'twelve millimetre', '4.50'],
    ['C-31', 'Inflatable fender with eyes', 'either end', '35.00'],
    ['D-47', 'Stainless steel bow shackle', 'with a screw pin', '7.20'],
    ['E-58', 'Red hand flares in a sealed', 'waterproof canister', '18.90'],
  ];

  it('joins a description wrapped onto a second line to its record: as many rows as records', () => {
    const lines: Cells[] = [[['Code', 220], ['Description', 520], ['Price', 1320]]];
    const gaps: number[] = [];
    for (const [code, first, second, price] of RECORDS) {
      lines.push([[code, 220], [first, 520], [price, 1320]], [[second, 520]]);
      gaps.push(60, 40);
    }
    const { block, ys } = table(lines, gaps);
    const t = found(tableBlocks([block], booktabs(ys), PAGE));
    expect(t).toMatchObject({ rows: 1 + RECORDS.length, cols: 3, header_rows: 1 });
    RECORDS.forEach(([code, first, second, price], i) => {
      expect(cellAt(t, i + 1, 0)).toBe(code);
      expect(cellAt(t, i + 1, 1)).toBe(`${first} ${second}`);
      expect(cellAt(t, i + 1, 2)).toBe(price);
    });
  });

  it('keeps rows with an empty first cell apart: grouped rows and a subtotal, set as close as wrapped lines', () => {
    // The key given once for several rows; a subtotal of a figure alone. Columns narrow enough
    // that no next word would have fitted on the line above: only the figures keep these apart.
    const lines: Cells[] = [
      [['Region', 220], ['Berth', 520], ['No.', 1320]],
      [['North', 220], ['Quay', 520], ['120', 1320]],
      [['Basin', 520], ['30', 1320]],
      [['Pier', 520], ['8', 1320]],
      [['158', 1320]],
      [['South', 220], ['Terminal', 520], ['6', 1320]],
      [['Dock', 520], ['14', 1320]],
    ];
    const { block, ys } = table(lines, [60, 40, 40, 40, 40, 40]);
    const t = found(tableBlocks([block], booktabs(ys), PAGE));
    expect(t).toMatchObject({ rows: lines.length, cols: 3 });
    expect(cellAt(t, 2, 1)).toBe('Basin');
    expect(cellAt(t, 4, 2)).toBe('158');
    expect(cellAt(t, 6, 1)).toBe('Dock');
  });

  it('keeps text-only grouped rows apart, and never joins across a rule', () => {
    // No figures at all: sub-rows that fill every column but the key are rows, however close.
    const grouped = textRows(words([['Fruit', 220], ['Apple', 520], ['red and round', 1000]], 1000)
      .concat(words([['Pear', 520], ['green', 1000]], 1040), words([['Quince', 520], ['yellow', 1000]], 1080)));
    expect(continuationRows(grouped, [], [LEFT, 500, 980, RIGHT])).toHaveLength(3);
    // A wrap that would join ([code, description, price] then the description's second line), unless ruled apart.
    const wrapped = textRows(words([['A-10', 220], ['Galvanised anchor chain for', 520], ['120.00', 1320]], 1000)
      .concat(words([['harbour moorings', 520]], 1040)));
    const xs = [LEFT, 500, 1300, RIGHT];
    expect(continuationRows(wrapped, [], xs)).toHaveLength(1);
    expect(continuationRows(wrapped, [1037], xs)).toHaveLength(2);
  });
});
