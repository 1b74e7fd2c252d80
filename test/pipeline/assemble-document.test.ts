import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConversionFiles } from '../../src/outputs/conversion-files.js';
import { assembleDocument } from '../../src/pipeline/assemble-document.js';
import type { PageRow } from '../../src/jobs/job-store.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const temp = tempDirs('pagemill-assemble-');
afterAll(() => temp.cleanup());

const failedPage: PageRow = {
  conversion_id: 'c1', page_no: 1, status: 'failed', source: null, confidence: null, error_code: 'render_failed', error: 'x',
  attempts: 1, duration_ms: null, finished_at: null,
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
});
