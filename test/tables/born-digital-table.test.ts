import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Block, PageTask } from '../../src/schemas/page-result.js';
import { processPdfPage } from '../../workers/pdf/pdf-page.js';
import { GRID_WORDS, hostileGridPdf, ruledTablePdf, TABLE_CELLS } from '../fixtures/table-pdf.js';

/** A ruled table in a PDF made at test time, read through the real page reader (text layer, operator list). */
let dir: string;
let file: string;
let hostile: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-table-'));
  file = path.join(dir, 'table.pdf');
  await fs.writeFile(file, await ruledTablePdf());
  hostile = path.join(dir, 'hostile.pdf');
  await fs.writeFile(hostile, await hostileGridPdf());
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

const task = (pdf = file, pageNo = 1): PageTask => ({
  kind: 'pdf', path: pdf, page_no: pageNo, dpi: 300, max_megapixels: 50, lang: 'eng', tessdata_dir: '', tessdata_gzip: true,
  ocr_recycle_pages: 100, ocr_mode: 'auto', prompt_mode: 'prompt_layout_all_en', detect_orientation: false,
  text_layer_pdf: false, ocr_engine: 'native', native_tessdata_dir: '', deskew: true,
});

describe('a ruled table on a born-digital page', () => {
  it('becomes one Table block with its grid, spans and cell texts; the paragraphs stay text', async () => {
    const { page } = await processPdfPage(task());
    expect(page.source).toBe('text-layer');
    const tables = page.blocks.filter((b) => b.category === 'Table');
    expect(tables).toHaveLength(1);
    const table = tables[0]!.table!;
    expect(table).toMatchObject({ rows: 4, cols: 3, ruling: 'lines' });
    const at = (r: number, c: number) => table.cells.find((cell) => cell.row === r && cell.col === c);
    expect(at(0, 0)).toMatchObject({ text: 'Harbour berths', col_span: 2, row_span: 1 });
    expect(at(0, 1)).toBeUndefined();
    TABLE_CELLS.slice(1).forEach((row, r) => row.forEach((text, c) => expect(at(r + 1, c)?.text).toBe(text)));
    expect(table.header_rows).toBe(1);
    // Every word kept: the table's words are in its lines, the paragraphs' in their blocks, in reading order.
    const order = page.blocks.map((b: Block) => b.category);
    expect(order.indexOf('Table')).toBeGreaterThan(0);
    expect(order.indexOf('Table')).toBeLessThan(order.length - 1);
    expect(page.text).toContain('Dredging should begin');
    expect(tables[0]!.lines.flatMap((l) => l.words.map((w) => w.text))).toEqual(expect.arrayContaining(['North', '12', '4.5', 'm']));
    // Cell boxes lie in the page's pixels, inside the table block.
    const [x1, y1, x2, y2] = tables[0]!.bbox;
    for (const c of table.cells) {
      expect(c.bbox[0]).toBeGreaterThanOrEqual(x1 - 1);
      expect(c.bbox[2]).toBeLessThanOrEqual(x2 + 1);
      expect(c.bbox[1]).toBeGreaterThanOrEqual(y1 - 1);
      expect(c.bbox[3]).toBeLessThanOrEqual(y2 + 1);
    }
  });

  it('reads a 500×500 ruled grid over a table, and a page of only lines, as pages with every word', async () => {
    // The grid's lattice is past the cell cap (no grid is built from it); the figures under it may
    // still read as an unruled table. Either way the page is read and keeps every word.
    const grid = (await processPdfPage(task(hostile, 1))).page;
    expect(grid.source).toBe('text-layer');
    const words = grid.blocks.flatMap((b) => b.lines.flatMap((l) => l.words.map((w) => w.text)));
    expect(words.sort()).toEqual([...GRID_WORDS].sort());
    expect(grid.blocks.every((b) => !b.table || b.table.rows * b.table.cols <= 16)).toBe(true);
    const lines = (await processPdfPage({ ...task(hostile, 2), ocr_mode: 'skip-text' })).page;
    expect(lines.blocks.filter((b) => b.table)).toEqual([]);
  });
});
