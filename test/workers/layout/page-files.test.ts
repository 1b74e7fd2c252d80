import { describe, expect, it } from 'vitest';
import { pageMarkdown } from '../../../workers/layout/markdown.js';
import { pageFileTexts } from '../../../workers/layout/page-files.js';
import type { Block, CellCategory, PageResult } from '../../../src/schemas/page-result.js';

/** A block of one line of 20-px words at height `y`. */
const block = (text: string, y: number, category: CellCategory = 'Text'): Block => {
  const words = text.split(' ').map((w, i) => ({ text: w, bbox: [100 + i * 60, y, 150 + i * 60, y + 20] as Block['bbox'], confidence: 95 }));
  const bbox: Block['bbox'] = [100, y, 100 + words.length * 60, y + 20];
  return { category, text, bbox, confidence: 95, lines: [{ text, bbox, confidence: 95, words }] };
};

const page = (blocks: Block[]): PageResult => ({
  page_no: 1, width: 1000, height: 1000, dpi: 100, source: 'text-layer', source_reason: 'text-layer', confidence: 100,
  text: blocks.map((b) => b.text).join('\n\n'), blocks, rotation: 0, blank: false, warnings: [], duration_ms: 1,
});

describe('pageFileTexts', () => {
  const body = block('Body text runs across the whole column of the page', 100);
  const footer = block('Page 7 of the harbour report', 900, 'Page-footer');

  it('gives the layout modes the result, the cells and both Markdown files, the _nohf.md without header and footer', () => {
    const texts = pageFileTexts(page([body, footer]), 'prompt_layout_all_en');
    expect(JSON.parse(texts.result)).toMatchObject({ page_no: 1, blocks: [{ category: 'Text' }, { category: 'Page-footer' }] });
    expect(JSON.parse(texts.cells!)).toEqual([
      { bbox: body.bbox, category: 'Text', text: body.text },
      { bbox: footer.bbox, category: 'Page-footer', text: footer.text },
    ]);
    expect(texts.markdown).toContain('Page 7 of the harbour report');
    expect(texts.markdownNoHeaderFooter).toContain('whole column');
    expect(texts.markdownNoHeaderFooter).not.toContain('Page 7');
  });

  it('makes the Markdown once when the page has no header or footer: both files are the same text', () => {
    const texts = pageFileTexts(page([body]), 'prompt_layout_all_en');
    expect(texts.markdown).toBe(pageMarkdown(page([body]), false));
    expect(texts.markdownNoHeaderFooter).toBe(texts.markdown);
  });

  it('gives prompt_ocr the plain text as Markdown and no cells; layout-only cells without text and no Markdown', () => {
    const ocr = pageFileTexts(page([body, footer]), 'prompt_ocr');
    expect(ocr.cells).toBeUndefined();
    expect(ocr.markdown).toBe(`${page([body, footer]).text}\n`);
    expect(ocr.markdownNoHeaderFooter).toBe(ocr.markdown);
    const layoutOnly = pageFileTexts(page([body, footer]), 'prompt_layout_only_en');
    expect(layoutOnly.markdown).toBeUndefined();
    expect(layoutOnly.markdownNoHeaderFooter).toBeUndefined();
    expect(JSON.parse(layoutOnly.cells!)).toEqual([{ bbox: body.bbox, category: 'Text' }, { bbox: footer.bbox, category: 'Page-footer' }]);
  });
});
