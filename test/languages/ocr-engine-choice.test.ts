import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { prepareLanguages } from '../../src/languages/languages.js';
import { chooseOcrEngine, nativeTesseractVersion } from '../../src/languages/ocr-engine-choice.js';
import { pageFromTsv } from '../../workers/ocr/tesseract-tsv.js';

describe('OCR engine choice', () => {
  it('auto falls back to tesseract.js without a binary; native without one refuses to start', async () => {
    const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-engine-'));
    try {
      const languages = await prepareLanguages(cache);
      expect(await nativeTesseractVersion(path.join(cache, 'no-such-tesseract'))).toBeNull();
      expect((await chooseOcrEngine('auto', languages, cache, null)).engine).toBe('wasm');
      await expect(chooseOcrEngine('native', languages, cache, null)).rejects.toThrow(ConfigError);
      const wasm = await chooseOcrEngine('wasm', languages, cache, 'tesseract 5.3.0');
      expect(wasm).toMatchObject({ engine: 'wasm', nativeDir: null, engines: { eng: ['wasm'] } });
    } finally {
      await fs.rm(cache, { recursive: true, force: true });
    }
  });

  it('native reads the bundled models, unpacked once', async () => {
    const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-engine-'));
    try {
      const languages = await prepareLanguages(cache);
      const native = await chooseOcrEngine('auto', languages, cache, 'tesseract 5.3.0');
      expect(native).toMatchObject({ engine: 'native', engines: { eng: ['native', 'wasm'] } });
      const model = path.join(native.nativeDir!, 'eng.traineddata');
      const first = await fs.stat(model);
      expect(first.size).toBeGreaterThan(1_000_000);
      await chooseOcrEngine('auto', languages, cache, 'tesseract 5.3.0');
      expect((await fs.stat(model)).mtimeMs).toBe(first.mtimeMs);
    } finally {
      await fs.rm(cache, { recursive: true, force: true });
    }
  });
});

describe('tesseract TSV', () => {
  it('becomes blocks → paragraphs → lines → words with boxes and word-mean confidences', () => {
    const rows = [
      'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
      '1\t1\t0\t0\t0\t0\t0\t0\t1000\t800\t-1\t',
      '2\t1\t1\t0\t0\t0\t10\t20\t300\t60\t-1\t',
      '3\t1\t1\t1\t0\t0\t10\t20\t300\t60\t-1\t',
      '4\t1\t1\t1\t1\t0\t10\t20\t300\t25\t-1\t',
      '5\t1\t1\t1\t1\t1\t10\t20\t100\t25\t90\tHello',
      '5\t1\t1\t1\t1\t2\t120\t20\t190\t25\t80\tworld',
      '4\t1\t1\t1\t2\t0\t10\t55\t50\t25\t-1\t',
      '5\t1\t1\t1\t2\t1\t10\t55\t50\t25\t95\t ',
      '2\t1\t2\t0\t0\t0\t500\t500\t100\t100\t-1\t',
      '',
    ].join('\n');
    const page = pageFromTsv(rows);
    expect(page.blocks).toHaveLength(1); // the image block without words is left out
    const para = page.blocks![0]!.paragraphs[0]!;
    expect(para.lines).toHaveLength(1); // a line of blanks is left out
    expect(para.lines[0]!.words.map((w) => [w.text, w.bbox, w.confidence])).toEqual([
      ['Hello', { x0: 10, y0: 20, x1: 110, y1: 45 }, 90],
      ['world', { x0: 120, y0: 20, x1: 310, y1: 45 }, 80],
    ]);
    expect(para.lines[0]!.confidence).toBe(85);
    expect(page.text).toBe('Hello world');
    expect(page.confidence).toBe(85);
  });
});
