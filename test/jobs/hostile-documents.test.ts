import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../fixtures/files.js';
import { manyPagesPdf, textPdf } from '../fixtures/pdf-fixtures.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

/**
 * Documents that would hold a worker forever. operator_list_cycle.pdf makes pdf.js 5 loop without
 * end (Form → Form → Pattern → Form), so a short page budget fires however fast the machine is.
 */
let t: TestServer;
beforeAll(async () => {
  // The file also grows its heap without end: a limit it cannot reach in 2 s leaves the timeout to act.
  t = await startTestServer({ PAGE_TIMEOUT_S: 2, NUM_WORKERS: 1, WORKER_MAX_HEAP_MB: 2048 });
});
afterAll(async () => t?.close());

describe('a document that never finishes rendering', () => {
  it('ends in page_timeout, and the pool converts the next document', async () => {
    const { body } = await submitFile(t.app, 'operator_list_cycle.pdf', await readFixture('operator_list_cycle.pdf'));
    expect(await waitForEnd(t.app, body.conversion_id)).toMatchObject({ status: 'error', error_code: 'page_timeout' });
    const next = await submitFile(t.app, 'after-loop.pdf', textPdf([['The pool survived the loop']]));
    const rec = await waitForEnd(t.app, next.body.conversion_id);
    expect(rec.status).toBe('completed');
  });
});

describe('a 100,000-page PDF', () => {
  it('is refused with too_many_pages before anything is rendered', async () => {
    const { body } = await submitFile(t.app, 'pages_100k.pdf', manyPagesPdf(100_000));
    const rec = await waitForEnd(t.app, body.conversion_id);
    expect(rec).toMatchObject({ status: 'error', error_code: 'too_many_pages', total_pages: null });
  });
});
