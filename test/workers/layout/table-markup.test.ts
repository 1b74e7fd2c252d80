import { describe, expect, it } from 'vitest';
import type { BBox, Block, Line, TableCell, TableStructure } from '../../../src/schemas/page-result.js';
import { pageCells } from '../../../workers/layout/cells.js';
import { pageMarkdown } from '../../../workers/layout/markdown.js';
import { tableHtml, tableMarkdown } from '../../../workers/layout/table-markup.js';

const cell = (row: number, col: number, text: string, span: Partial<Pick<TableCell, 'row_span' | 'col_span'>> = {}): TableCell => ({
  row, col, row_span: span.row_span ?? 1, col_span: span.col_span ?? 1, text, bbox: [col * 100, row * 20, col * 100 + 90, row * 20 + 18],
});

const plain: TableStructure = {
  rows: 3, cols: 3, header_rows: 1, ruling: 'lines',
  cells: [
    cell(0, 0, 'Item'), cell(0, 1, 'Qty'), cell(0, 2, 'Price'),
    cell(1, 0, 'Pipe | fitting'), cell(1, 1, '2'), cell(1, 2, '4.50'),
    cell(2, 0, 'Nut\nand bolt'), cell(2, 1, '10'),
  ],
};

const spanning: TableStructure = {
  rows: 3, cols: 3, header_rows: 1, ruling: 'lines',
  cells: [
    cell(0, 0, 'Region', { row_span: 2 }), cell(0, 1, 'Sales', { col_span: 2 }),
    cell(1, 1, '2025'), cell(1, 2, '<2026>'),
    cell(2, 0, 'North'), cell(2, 1, '1'), cell(2, 2, '2'),
  ],
};

const line = (text: string, bbox: BBox): Line => ({ text, bbox, confidence: 90, words: text.split(' ').map((w, i) => ({ text: w, bbox: [bbox[0] + i * 40, bbox[1], bbox[0] + i * 40 + 35, bbox[3]] as BBox, confidence: 90 })) });

function tableBlock(table: TableStructure): Block {
  const rows = Array.from({ length: table.rows }, (_, r) => table.cells.filter((c) => c.row === r).map((c) => c.text.replace(/\s+/g, ' ')).join(' '));
  const lines = rows.map((text, r) => line(text, [100, 300 + r * 20, 400, 318 + r * 20]));
  return { category: 'Table', text: rows.join('\n'), bbox: [100, 300, 400, 360], confidence: 90, lines, table };
}

describe('a found table as text', () => {
  it('is a pipe table when no cell spans, the first row its header, pipes and line breaks kept inside cells', () => {
    expect(tableMarkdown(plain).split('\n')).toEqual([
      '| Item | Qty | Price |',
      '| --- | --- | --- |',
      '| Pipe \\| fitting | 2 | 4.50 |',
      '| Nut and bolt | 10 |  |',
    ]);
  });

  it('is HTML with rowspan and colspan when a cell spans, header rows in <thead>, text escaped', () => {
    expect(tableMarkdown(spanning)).toBe(tableHtml(spanning));
    expect(tableHtml(spanning)).toBe(
      '<table><thead><tr><th rowspan="2">Region</th><th colspan="2">Sales</th></tr></thead>'
      + '<tbody><tr><td>2025</td><td>&lt;2026&gt;</td></tr><tr><td>North</td><td>1</td><td>2</td></tr></tbody></table>',
    );
  });

  it('stands in the page Markdown where the table is, between the paragraphs around it, once', () => {
    const before: Block = { category: 'Text', text: 'Prices as of May.', bbox: [100, 200, 400, 218], confidence: 90, lines: [line('Prices as of May.', [100, 200, 400, 218])] };
    const after: Block = { category: 'Text', text: 'Taxes not included.', bbox: [100, 400, 400, 418], confidence: 90, lines: [line('Taxes not included.', [100, 400, 400, 418])] };
    const md = pageMarkdown({ blocks: [before, tableBlock(plain), after], source: 'ocr' }, true);
    expect(md).toBe(`Prices as of May.\n\n${tableMarkdown(plain)}\n\nTaxes not included.\n`);
  });

  it('is the layout cell\'s text as HTML, as the older backend\'s model gave tables; a table without structure keeps its lines', () => {
    const [found] = pageCells([tableBlock(plain)], 'prompt_layout_all_en');
    expect(found).toMatchObject({ category: 'Table', text: tableHtml(plain) });
    const { table: _t, ...unstructured } = tableBlock(plain);
    const [kept] = pageCells([unstructured], 'prompt_layout_all_en');
    expect(kept!.text).toBe(unstructured.lines.map((l) => l.text).join('\n'));
    expect(pageCells([tableBlock(plain)], 'prompt_layout_only_en')[0]).not.toHaveProperty('text');
  });
});
