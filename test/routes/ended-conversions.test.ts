import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { untilStopped } from '../fakes/fake-execution.js';
import { submitFile, startTestServer, waitForEnd, type TestServer } from '../helpers/test-server.js';

/**
 * Pages and results that will never come answer with a code that says why (cancelled, failed),
 * not with page_not_ready/result_not_ready, which tell the client to wait.
 */
let t: TestServer;
beforeAll(async () => {
  // pages run until they are stopped: a conversion is still running when the test cancels it
  t = await startTestServer({ NUM_WORKERS: 1 }, { fake: fakeBackend(({ signal }) => untilStopped(signal)) });
});
afterAll(async () => {
  await t?.close();
});

describe('pages and results of ended conversions', () => {
  it('answers 409 conversion_cancelled for the result and the unfinished pages of a cancelled conversion', async () => {
    const { body } = await submitFile(t.app, 'long.pdf', textPdf(Array.from({ length: 5 }, (_, i) => [`Page ${i + 1}`])));
    const cancel = await t.app.inject({ method: 'POST', url: `/conversions/${body.conversion_id}/cancel` });
    expect(cancel.statusCode).toBe(200);
    expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('cancelled');

    const result = await t.app.inject({ url: `/conversions/${body.conversion_id}/result?format=txt` });
    expect(result.statusCode).toBe(409);
    expect(result.json().code).toBe('conversion_cancelled');
    const page = await t.app.inject({ url: `/conversions/${body.conversion_id}/pages/5` });
    expect(page.statusCode).toBe(409);
    expect(page.json().code).toBe('conversion_cancelled');
  });

  it('answers 409 conversion_failed for the result and pages of a conversion that ended in error', async () => {
    const { body } = await submitFile(t.app, 'broken.pdf', Buffer.from('%PDF-1.4\nthis is not a PDF body at all\n'));
    const rec = await waitForEnd(t.app, body.conversion_id);
    expect(rec).toMatchObject({ status: 'error', error_code: 'invalid_pdf' });

    const result = await t.app.inject({ url: `/conversions/${body.conversion_id}/result?format=md` });
    expect(result.statusCode).toBe(409);
    expect(result.json().code).toBe('conversion_failed');
    const page = await t.app.inject({ url: `/conversions/${body.conversion_id}/pages/1` });
    expect(page.statusCode).toBe(409);
    expect(page.json().code).toBe('conversion_failed');
  });
});
