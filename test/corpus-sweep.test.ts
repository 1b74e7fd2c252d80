import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONVERSION_ERROR_CODES } from '../src/errors.js';
import type { ConversionRecord } from '../src/schemas/conversion.js';
import { manyPagesPdf, textPdf } from './fixtures/pdf-fixtures.js';
import { CORPUS, startTestServer, submitFile, waitForEnd, type TestServer } from './helpers/test-server.js';

/**
 * `npm run test:corpus` (not part of `npm test`: it needs ../shared/corpus). Every file of the shared
 * corpus — real scans, bombs, fuzzed and broken PDFs — must end `completed` or `error` with a code
 * from the closed set, and the server must still convert the next document.
 *
 * Only the file that loops forever gets a short page budget, on a server of its own: a budget short
 * enough to catch it quickly would also stop real pages on a busy machine.
 */
const LOOPING = 'pdf.js/operator_list_cycle.pdf';
/** A liveness deadline for a conversion, not a speed check (pages have PAGE_TIMEOUT_S of their own). */
const END_DEADLINE_MS = 15 * 60_000; // the whole corpus is queued at once
let t: TestServer;
const outcomes = new Map<string, ConversionRecord>();

beforeAll(async () => {
  // a page budget far above what any real page needs on a loaded machine, yet bounding a file that hangs
  t = await startTestServer({ RENDER_DPI: 100, MAX_PAGES: 2000, PAGE_TIMEOUT_S: 300 });
});
afterAll(async () => t?.close());

async function corpusFiles(): Promise<string[]> {
  const out: string[] = [];
  for (const dir of ['OCRmyPDF', 'pdf.js', 'qpdf', 'synthetic']) {
    for (const name of await fs.readdir(path.join(CORPUS, dir))) {
      if (/\.(pdf|png)$/i.test(name)) out.push(`${dir}/${name}`);
    }
  }
  return out.filter((f) => f !== LOOPING).sort();
}

describe('the shared corpus', () => {
  it('ends every file completed or with a closed-set error code', async () => {
    const files = await corpusFiles();
    expect(files.length).toBeGreaterThan(50);
    const submitted: [string, string][] = [];
    for (const file of files) {
      const data = await fs.readFile(path.join(CORPUS, file));
      const { status, body } = await submitFile(t.app, path.basename(file), data);
      if (status !== 200) {
        // refused at the door (empty file, not a PDF or image): a 4xx with a code is the right answer
        expect(status, file).toBeGreaterThanOrEqual(400);
        expect(status, file).toBeLessThan(500);
        expect(body.code, file).toBeTruthy();
        continue;
      }
      submitted.push([file, body.conversion_id]);
    }
    for (const [file, id] of submitted) {
      const rec = await waitForEnd(t.app, id, END_DEADLINE_MS);
      outcomes.set(file, rec);
      expect(['completed', 'error'], file).toContain(rec.status);
      if (rec.status === 'error') expect(CONVERSION_ERROR_CODES, `${file}: ${rec.error_code}`).toContain(rec.error_code);
      for (const p of rec.failed_pages) expect(CONVERSION_ERROR_CODES, `${file} page ${p.page_no}`).toContain(p.code);
    }
  });

  it('gives the outcomes the corpus manifests ask for', () => {
    const code = (f: string) => outcomes.get(f)?.error_code ?? outcomes.get(f)?.status;
    expect(code('pdf.js/pr6531_1.pdf')).toBe('password_required');
    expect(code('OCRmyPDF/invalid.pdf')).toBe('invalid_pdf');
    expect(code('synthetic/linn_trunc.pdf')).toBe('invalid_pdf');
    expect(code('OCRmyPDF/hugemono.pdf')).toBe('image_too_large');
    expect(['completed', 'image_too_large']).toContain(code('synthetic/mediabox_100k.pdf'));
    expect(code('pdf.js/empty_protected.pdf')).toBe('completed');
    expect(code('OCRmyPDF/linn.pdf')).toBe('completed');
    expect(code('pdf.js/tracemonkey.pdf')).toBe('completed');
    // partial success: page 1 reads, page 2 is a circular reference
    const tree = outcomes.get('pdf.js/Pages-tree-refs.pdf')!;
    expect(tree.status).toBe('completed');
    expect(tree.failed_pages.map((p) => p.page_no)).toEqual([2]);
  });

  it('stops the file that loops forever with page_timeout', async () => {
    // The file also grows its heap without end: a limit it cannot reach in 2 s leaves the timeout to act.
    const looping = await startTestServer({ PAGE_TIMEOUT_S: 2, NUM_WORKERS: 1, WORKER_MAX_HEAP_MB: 2048 });
    try {
      const { body } = await submitFile(looping.app, path.basename(LOOPING), await fs.readFile(path.join(CORPUS, LOOPING)));
      expect(await waitForEnd(looping.app, body.conversion_id, END_DEADLINE_MS)).toMatchObject({ status: 'error', error_code: 'page_timeout' });
    } finally {
      await looping.close();
    }
  });

  it('refuses a 100,000-page PDF with too_many_pages before rendering anything', async () => {
    const { body } = await submitFile(t.app, 'pages_100k.pdf', manyPagesPdf(100_000));
    const rec = await waitForEnd(t.app, body.conversion_id);
    expect(rec).toMatchObject({ status: 'error', error_code: 'too_many_pages', total_pages: null });
  });

  it('still converts the next document', async () => {
    const { body } = await submitFile(t.app, 'after-sweep.pdf', textPdf([['The server survived the corpus']]));
    const rec = await waitForEnd(t.app, body.conversion_id);
    expect(rec.status).toBe('completed');
    const pool = (await t.app.inject({ url: '/worker-pool-status' })).json();
    expect(pool).toMatchObject({ queue_size: 0, active_tasks: 0, pages_active: 0 });
  });
});
