import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConversionFiles } from '../../src/outputs/conversion-files.js';
import { pageFileTexts, pageResultJson } from '../../workers/layout/page-files.js';
import { assembleDocument } from '../../src/outputs/assemble-document.js';
import { writePageOutputs } from '../../src/outputs/page-output.js';
import type { PageRow } from '../../src/schemas/conversion-rows.js';
import type { PageResult } from '../../src/schemas/page-result.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const temp = tempDirs('pagemill-assemble-');
afterAll(() => temp.cleanup());

const failedPage: PageRow = {
  conversion_id: 'c1', page_no: 1, status: 'failed', source: null, confidence: null, error_code: 'render_failed', error: 'x',
  attempts: 1, node_losses: 0, duration_ms: null, finished_at: null,
};
const meta = { conversionId: 'c1', filename: 'a.pdf', promptMode: 'prompt_ocr' };

describe('assembleDocument', () => {
  it('rejects with the file system error when the output folder cannot be written (no uncaught stream error)', async () => {
    const root = await temp.make();
    // The output "folder" is a file: every stream fails to open (ENOTDIR).
    await fs.writeFile(path.join(root, 'out'), 'not a folder');
    const files = new ConversionFiles(path.join(root, 'out'), path.join(root, 'data'), 'doc', 'c1');
    await expect(assembleDocument(files, [failedPage], meta, ['txt', 'md'])).rejects.toMatchObject({ code: 'ENOTDIR' });
    // A name over 255 bytes fails the same way (ENAMETOOLONG), not with a crash.
    const long = new ConversionFiles(root, path.join(root, 'data'), '文'.repeat(82), 'c1');
    await fs.mkdir(long.outDir);
    await expect(assembleDocument(long, [failedPage], meta, ['txt'])).rejects.toMatchObject({ code: 'ENAMETOOLONG' });
    expect((await fs.readdir(long.outDir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('writes every format when the folder is fine', async () => {
    const root = await temp.make();
    const files = new ConversionFiles(root, path.join(root, 'data'), 'doc', 'c1');
    await files.prepare();
    const summaries = await assembleDocument(files, [failedPage], meta, ['txt', 'md']);
    expect(summaries).toHaveLength(1);
    expect((await fs.readdir(files.outDir)).sort()).toEqual(['doc.md', 'doc.txt']);
  });

  it('takes a layout page\'s part of the Markdown document from its own Markdown file, and makes it when that is missing', async () => {
    const root = await temp.make();
    const files = new ConversionFiles(root, path.join(root, 'data'), 'doc', 'c1');
    await files.prepare();
    const line = { text: 'Plain words here', bbox: [10, 20, 150, 40] as [number, number, number, number], confidence: 95, words: [] };
    const page = (n: number): PageResult => ({
      page_no: n, width: 800, height: 1000, dpi: 96, source: 'ocr', source_reason: 'no-text-layer', confidence: 95, text: line.text,
      blocks: [{ category: 'Text', text: line.text, bbox: line.bbox, confidence: 95, lines: [line] }], rotation: 0, blank: false, warnings: [], duration_ms: 1,
    });
    for (const n of [1, 2]) await writePageOutputs(files, { page: { page_no: n, source: 'ocr', confidence: 95, duration_ms: 1 }, files: pageFileTexts(page(n), 'prompt_layout_all_en') });
    await fs.writeFile(files.markdown(1), 'as stored\n');
    await fs.rm(files.markdown(2));
    const done = (n: number): PageRow => ({ ...failedPage, page_no: n, status: 'done', source: 'ocr', confidence: 95, error_code: null, error: null });
    await assembleDocument(files, [done(1), done(2)], { ...meta, promptMode: 'prompt_layout_all_en' }, ['md']);
    expect(await fs.readFile(files.document('md'), 'utf8')).toBe('as stored\n\n---\n\nPlain words here\n');
  });

  it('writes each stored page into the JSON document as it is, with its status first; a damaged page counts as failed', async () => {
    const root = await temp.make();
    const files = new ConversionFiles(root, path.join(root, 'data'), 'doc', 'c1');
    await files.prepare();
    const word = { text: 'Fish & <chips>', bbox: [10.4, 20, 150.6, 40] as [number, number, number, number], confidence: 91.5 };
    const page: PageResult = {
      page_no: 1, width: 800, height: 1000, dpi: 96, source: 'ocr', source_reason: 'no-text-layer', confidence: 91.5, text: word.text,
      blocks: [{ category: 'Text', text: word.text, bbox: word.bbox, confidence: 91.5, lines: [{ text: word.text, bbox: word.bbox, confidence: 91.5, words: [word] }] }],
      rotation: 0, blank: false, warnings: ['a "quoted" warning'], duration_ms: 12,
    };
    const record = { page_no: 1, source: 'ocr' as const, confidence: 91.5, duration_ms: 12 };
    await writePageOutputs(files, { page: record, files: pageFileTexts(page, 'prompt_ocr') });
    await fs.writeFile(files.pageResult(2), '{"page_no":2,"blocks":[');
    const done = (n: number): PageRow => ({ ...failedPage, page_no: n, status: 'done', source: 'ocr', confidence: 91.5, error_code: null, error: null });
    const summaries = await assembleDocument(files, [done(1), done(2), { ...failedPage, page_no: 3 }], meta, ['json', 'hocr', 'alto']);
    expect(summaries.map((r) => r.status)).toEqual(['done', 'failed', 'failed']);
    const text = await fs.readFile(files.document('json'), 'utf8');
    const json = JSON.parse(text) as { pages: unknown[] };
    expect(json.pages[0]).toEqual({ status: 'done', ...page });
    expect(text).toContain(`{"status":"done",${pageResultJson(page).slice(1)}`);
    expect(json.pages.slice(1)).toEqual([
      { page_no: 2, status: 'failed', error: { code: 'render_failed' } },
      { page_no: 3, status: 'failed', error: { code: 'render_failed' } },
    ]);
    expect(await fs.readFile(files.document('hocr'), 'utf8')).toContain('title="bbox 10 20 151 40; x_wconf 92">Fish &amp; &lt;chips&gt;</span>');
    expect(await fs.readFile(files.document('alto'), 'utf8')).toContain('HPOS="10" VPOS="20" WIDTH="141" HEIGHT="20" WC="0.92" CONTENT="Fish &amp; &lt;chips&gt;"/>');
  });
});
