import { describe, expect, it } from 'vitest';
import { Chunker, type Chunk } from '../../src/outputs/chunks.js';
import { tokenCount } from '../../src/outputs/chunk-tokens.js';
import type { StructureItem } from '../../workers/layout/markdown-structure.js';
import type { BBox } from '../../src/schemas/page-result.js';
import { pageStructure } from '../../workers/layout/markdown-structure.js';
import { layoutPage, SPANNED_TABLE } from '../fixtures/layout-page.js';

const box = (y: number): BBox => [100, y, 900, y + 20];
const h = (level: 1 | 2 | 3, text: string, y = 0): StructureItem => ({ kind: 'heading', level, text, boxes: [box(y)], category: 'Section-header' });
const p = (text: string, y = 0): StructureItem => ({ kind: 'paragraph', text, boxes: [box(y)], category: 'Text' });
const li = (text: string, y = 0): StructureItem => ({ kind: 'list-item', marker: '-', text, boxes: [box(y)], category: 'Text' });

/** A sentence of about 12 tokens, different each time. */
const sentence = (i: number) => `Sentence number ${i} says something about the archive and its shelves.`;
const paragraph = (from: number, n: number) => Array.from({ length: n }, (_, i) => sentence(from + i)).join(' ');

function chunk(limit: number, pages: StructureItem[][]): Chunk[] {
  const c = new Chunker(limit);
  return [...pages.flatMap((items, i) => c.addPage(i + 1, items)), ...c.end()];
}

describe('chunks', () => {
  it('keep small items of one section together, with the heading path above them', () => {
    const out = chunk(512, [[h(1, 'Report'), h(2, 'Intro'), p('First paragraph.'), li('a point'), li('another point'), p('Last one.')]]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ chunk: 0, heading_path: ['Report', 'Intro'], pages: [1], text: 'First paragraph.\n\n- a point\n- another point\n\nLast one.' });
    expect(out[0]!.tokens).toBe(tokenCount(out[0]!.text));
    expect(out[0]!.tokens_with_headings).toBe(tokenCount(`Report\nIntro\n${out[0]!.text}`));
    expect(out[0]!.boxes).toHaveLength(4);
  });

  it('never cross a heading of their own level or higher, but may run on into a deeper one', () => {
    const out = chunk(512, [[h(1, 'Report'), p('Preface.'), h(2, 'Methods'), p('How.'), h(3, 'Setup'), p('Machines.'), h(2, 'Results'), p('What.'), h(1, 'Annex'), p('More.')]]);
    expect(out.map((c) => [c.heading_path, c.text])).toEqual([
      [['Report'], 'Preface.\n\nMethods\n\nHow.\n\nSetup\n\nMachines.\n\nResults\n\nWhat.'],
      [['Annex'], 'More.'],
    ]);
    const strict = chunk(512, [[p('Before any heading.'), h(2, 'Methods'), p('How.'), h(2, 'Results'), p('What.')]]);
    expect(strict.map((c) => c.heading_path)).toEqual([[], ['Methods'], ['Results']]);
  });

  it('run across pages under one heading, listing each page and its boxes', () => {
    const out = chunk(512, [[h(1, 'Report'), p('End of page one.', 500)], [p('Start of page two.', 80)]]);
    expect(out).toHaveLength(1);
    expect(out[0]!.pages).toEqual([1, 2]);
    expect(out[0]!.boxes).toEqual([{ page: 1, bbox: box(500) }, { page: 2, bbox: box(80) }]);
  });

  it('stay under the limit: whole paragraphs first, then sentences', () => {
    const limit = 64;
    const out = chunk(limit, [[h(1, 'Report'), p(paragraph(0, 3)), p(paragraph(10, 3)), p(paragraph(20, 12))]]);
    for (const c of out) expect(c.tokens_with_headings).toBeLessThanOrEqual(limit);
    // The first two paragraphs (~40 tokens each) do not fit together: each is a chunk, whole.
    expect(out[0]!.text).toBe(paragraph(0, 3));
    expect(out[1]!.text).toBe(paragraph(10, 3));
    // The long one is cut between sentences, never inside one, and nothing is lost.
    const rest = out.slice(2);
    expect(rest.length).toBeGreaterThan(2);
    for (const c of rest) expect(c.text).toMatch(/^Sentence number \d+ .*shelves\.$/);
    expect(rest.map((c) => c.text).join(' ')).toBe(paragraph(20, 12));
  });

  it('cut a run with no sentence or word bounds between tokens', () => {
    const run = `${'x'.repeat(1500)}${'文字'.repeat(400)}`;
    const out = chunk(64, [[p(run)]]);
    for (const c of out) expect(c.tokens).toBeLessThanOrEqual(64);
    expect(out.map((c) => c.text).join('')).toBe(run);
  });

  it('keep a table whole with its caption, as Markdown with spans filled', () => {
    const items = pageStructure(layoutPage(1, [
      { lines: ['Some text before the table.'], top: 100 },
      { lines: ['Table 1: Scores of the year'], top: 500, category: 'Caption' },
      { lines: ['Name Scores', 'Ann 1 2', '3 4'], top: 600, category: 'Table', table: SPANNED_TABLE },
      { lines: ['Text after it.'], top: 900 },
    ]), false);
    const out = chunk(512, [items]);
    expect(out).toHaveLength(1);
    expect(out[0]!.text).toBe([
      'Some text before the table.',
      'Table 1: Scores of the year',
      '| Name | Scores <a&b> | Scores <a&b> |\n| --- | --- | --- |\n| Ann | 1 | 2 |\n| Ann | 3 | 4 |',
      'Text after it.',
    ].join('\n\n'));
    // Where the text before and the table do not fit together, the caption goes with the table.
    const tableText = out[0]!.text.split('\n\n').slice(1, 3).join('\n\n');
    const tight = chunk(tokenCount(tableText) + 1, [items]);
    expect(tight.map((c) => c.text)).toEqual(['Some text before the table.', tableText, 'Text after it.']);
  });

  it('split a table too long for one chunk between rows, its header repeated', () => {
    const rows = 40;
    const table = {
      rows, cols: 2, header_rows: 1, ruling: 'lines' as const,
      cells: Array.from({ length: rows }, (_, r) => [0, 1].map((col) => ({ row: r, col, row_span: 1, col_span: 1, text: r === 0 ? `Head ${col}` : `value ${r}.${col}`, bbox: box(r * 20) }))).flat(),
    };
    const out = chunk(100, [[p('Table 2 Long values'), { kind: 'verbatim', text: '', boxes: [box(0)], category: 'Table', table }]]);
    expect(out.length).toBeGreaterThan(2);
    expect(out[0]!.text.startsWith('Table 2 Long values\n\n| Head 0 | Head 1 |\n| --- | --- |\n| value 1.0 |')).toBe(true);
    for (const c of out) {
      expect(c.tokens).toBeLessThanOrEqual(100);
      expect(c.text).toContain('| Head 0 | Head 1 |\n| --- | --- |');
    }
    const bodyRows = out.flatMap((c) => c.text.split('\n').filter((l) => l.startsWith('| value')));
    expect(bodyRows).toHaveLength(rows - 1);
  });

  it('put a caption that does not fit with the first row before the table, never drop it', () => {
    const table = {
      rows: 3, cols: 1, header_rows: 1, ruling: 'lines' as const,
      cells: [0, 1, 2].map((row) => ({ row, col: 0, row_span: 1, col_span: 1, text: row ? paragraph(row * 10, 2) : 'Head', bbox: box(row * 20) })),
    };
    const caption = `Table 3: ${paragraph(50, 2)}`;
    // Caption ~30 tokens, header and one row ~34: under 48 each, not together.
    const out = chunk(48, [[p(caption), { kind: 'verbatim', text: '', boxes: [box(0)], category: 'Table', table }]]);
    expect(out[0]!.text).toBe(caption);
    expect(out.slice(1).map((c) => c.text.split('\n').slice(0, 2).join('\n'))).toEqual(['| Head |\n| --- |', '| Head |\n| --- |']);
    for (const c of out) expect(c.tokens_with_headings).toBeLessThanOrEqual(48);
  });

  it('start a new chunk at a deeper heading that does not fit in the open one, under the full path', () => {
    const out = chunk(64, [[h(1, 'Report'), p(paragraph(0, 3)), h(2, 'Details'), p(paragraph(10, 3))]]);
    expect(out.map((c) => c.heading_path)).toEqual([['Report'], ['Report', 'Details']]);
    expect(out[1]!.text).toBe(paragraph(10, 3));
  });
});
