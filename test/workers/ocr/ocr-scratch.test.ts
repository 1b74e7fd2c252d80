import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStaleScratch, withImageFile } from '../../../workers/ocr/ocr-scratch.js';

/** The scratch files native tesseract reads: removed after each page, and after a killed process. */
const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-scratch-test-'));
afterAll(() => fs.rm(root, { recursive: true, force: true }));

describe('OCR scratch folders', () => {
  it('holds the image while tesseract reads it, and is gone after, even when the read fails', async () => {
    let seen = '';
    await withImageFile(Buffer.from('P5\n1 1\n255\n\x00', 'latin1'), async (file) => {
      seen = file;
      expect((await fs.readFile(file)).length).toBe(12);
    });
    await expect(fs.stat(path.dirname(seen))).rejects.toThrow();
    await expect(withImageFile(Buffer.from('x'), (file) => { seen = file; return Promise.reject(new Error('tesseract failed')); })).rejects.toThrow('tesseract failed');
    await expect(fs.stat(path.dirname(seen))).rejects.toThrow();
  });

  it('removes folders a killed process left behind, but not one a live page may be using', async () => {
    const old = await fs.mkdtemp(path.join(root, 'pagemill-ocr-'));
    const fresh = await fs.mkdtemp(path.join(root, 'pagemill-ocr-'));
    const other = await fs.mkdtemp(path.join(root, 'someone-else-'));
    const hourAgo = new Date(Date.now() - 3_600_000);
    await fs.utimes(old, hourAgo, hourAgo);
    await fs.utimes(other, hourAgo, hourAgo);
    expect(await removeStaleScratch(600_000, [root])).toBe(1);
    await expect(fs.stat(old)).rejects.toThrow();
    expect((await fs.stat(fresh)).isDirectory()).toBe(true);
    expect((await fs.stat(other)).isDirectory()).toBe(true);
  });
});
