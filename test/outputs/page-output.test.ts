import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConversionFiles } from '../../src/outputs/conversion-files.js';
import { pageResultJson } from '../../workers/layout/page-files.js';
import { readPageResult, readStoredPage, writePageOutputs } from '../../src/outputs/page-output.js';
import type { PageResult } from '../../src/schemas/page-result.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const temp = tempDirs('pagemill-page-output-');
afterAll(() => temp.cleanup());

// Strings that hold the key's own characters: the head must still end at the real key.
const tricky = 'a ,"blocks": [ look-alike } and a \\ backslash';
const page: PageResult = {
  page_no: 1, width: 800, height: 1000, dpi: 96, source: 'text-layer', source_reason: 'text-layer', confidence: 100, text: tricky,
  blocks: [{ category: 'Text', text: tricky, bbox: [1, 2, 3, 4], confidence: 100, lines: [] }],
  rotation: 90, blank: false, warnings: [tricky], duration_ms: 3,
};
const { blocks: _blocks, ...head } = page;

async function filesWith(text: string): Promise<ConversionFiles> {
  const root = await temp.make();
  const files = new ConversionFiles(root, path.join(root, 'data'), 'doc', 'c1');
  await files.prepare();
  await fs.writeFile(files.pageResult(1), text);
  return files;
}

describe('readStoredPage', () => {
  it('stores blocks last and reads the other fields from the text before them', async () => {
    const json = pageResultJson(page);
    expect(json.endsWith(`"blocks":${JSON.stringify(page.blocks)}}`)).toBe(true);
    const stored = (await readStoredPage(await filesWith(json), 1))!;
    expect(stored.json).toBe(json);
    expect(stored.head).toEqual(head);
    expect(stored.full()).toEqual(page);
  });

  it('reads a page written with fields after its blocks (older versions) whole', async () => {
    const stored = (await readStoredPage(await filesWith(JSON.stringify(page)), 1))!;
    expect(stored.head).toEqual(head);
    expect(stored.full()).toEqual(page);
  });

  it('treats a missing, cut-off or non-object file as no page', async () => {
    const json = pageResultJson(page);
    for (const text of [json.slice(0, json.length - 5), '[1,2]', '{"page_no":1,"blocks":[}', '']) {
      const files = await filesWith(text);
      expect(await readStoredPage(files, 1)).toBeNull();
      expect(await readPageResult(files, 1)).toBeNull();
    }
    expect(await readStoredPage(await filesWith(json), 2)).toBeNull();
  });
});

describe('writePageOutputs', () => {
  const record = { page_no: 1, source: 'text-layer' as const, confidence: 100, duration_ms: 3 };

  it('gives a page without header or footer one Markdown file under both names, and one with them two', async () => {
    const files = await filesWith('');
    await writePageOutputs(files, { page: record, files: { result: pageResultJson(page), markdown: 'Same text\n', markdownNoHeaderFooter: 'Same text\n' } });
    const [md, nohf] = await Promise.all([fs.stat(files.markdown(1)), fs.stat(files.markdownNoHeaderFooter(1))]);
    expect(nohf.ino).toBe(md.ino);
    expect(await fs.readFile(files.markdownNoHeaderFooter(1), 'utf8')).toBe('Same text\n');

    // Written again (a page redone after a crash) with a header: two files, each its own text.
    await writePageOutputs(files, { page: record, files: { result: pageResultJson(page), markdown: 'Header\n\nBody\n', markdownNoHeaderFooter: 'Body\n' } });
    expect(await fs.readFile(files.markdown(1), 'utf8')).toBe('Header\n\nBody\n');
    expect(await fs.readFile(files.markdownNoHeaderFooter(1), 'utf8')).toBe('Body\n');
    expect((await fs.stat(files.markdownNoHeaderFooter(1))).ino).not.toBe((await fs.stat(files.markdown(1))).ino);
    expect((await fs.readdir(files.outDir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('appends the full result to the page log, where it is read before any file of an older version', async () => {
    const files = await filesWith(JSON.stringify({ ...page, text: 'as an older version stored it' }));
    const again = { ...page, text: 'redone' };
    await writePageOutputs(files, { page: record, files: { result: pageResultJson(page) } });
    await writePageOutputs(files, { page: record, files: { result: pageResultJson(again) } });
    expect((await readStoredPage(files, 1))!.full()).toEqual(again);
    expect(await fs.readFile(files.pageLog(), 'utf8')).toContain(pageResultJson(page));
    expect(await fs.readdir(files.pagesDir)).toEqual(['1.json']); // the older file, no new one
  });
});
