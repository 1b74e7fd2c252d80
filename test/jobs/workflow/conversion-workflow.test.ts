import { afterEach, describe, expect, it } from 'vitest';
import { textPdf } from '../../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../../fakes/fake-backend.js';
import { donePage, untilStopped, type PageScript } from '../../fakes/fake-execution.js';
import { until } from '../../helpers/poll.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../../helpers/test-server.js';

/** A conversion's life on the real workflow, store and routes, with pages run by a script (no OCR). */
let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const start = async (script: PageScript) => {
  const fake = fakeBackend(script);
  t = await startTestServer({ NUM_WORKERS: 2 }, { fake });
  return { t, fake };
};
const fourPages = textPdf([['one'], ['two'], ['three'], ['four']]);

describe('the conversion workflow', () => {
  it('partial success: a page that fails does not sink its siblings; the record says which and why', async () => {
    const { t } = await start(({ pageNo }) => (pageNo === 3
      ? { ok: false, error: { code: 'image_too_large', message: 'page 3 is a 90,000 px poster' } }
      : donePage(pageNo)));
    const { body } = await submitFile(t.app, 'four.pdf', fourPages);
    const rec = await waitForEnd(t.app, body.conversion_id);
    expect(rec).toMatchObject({ status: 'completed', pages_completed: 3, pages_failed: 1 });
    expect(rec.failed_pages).toEqual([{ page_no: 3, code: 'image_too_large', message: 'page 3 is a 90,000 px poster' }]);
    const txt = (await t.app.inject({ url: `/conversions/${body.conversion_id}/result?format=txt` })).body;
    expect(txt).toContain('Page 4 text');
    expect(txt).not.toContain('Page 3 text');
  });

  it('ends in error with the pages\' code when no page could be read', async () => {
    const { t } = await start(() => ({ ok: false, error: { code: 'render_failed', message: 'broken content stream' } }));
    const { body } = await submitFile(t.app, 'broken.pdf', fourPages);
    expect(await waitForEnd(t.app, body.conversion_id)).toMatchObject({ status: 'error', error_code: 'render_failed', pages_failed: 4 });
  });

  it('cancel stops the running pages and starts no other; the record ends cancelled', async () => {
    const { t, fake } = await start(({ signal }) => untilStopped(signal));
    const { body } = await submitFile(t.app, 'stuck.pdf', fourPages);
    const id = body.conversion_id;
    // both threads hold a page
    await until(() => fake.execution.calls.length === 2, 'two pages running', 10_000);
    expect((await t.app.inject({ method: 'POST', url: `/conversions/${id}/cancel` })).statusCode).toBe(200);
    expect(await waitForEnd(t.app, id)).toMatchObject({ status: 'cancelled' });
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.execution.calls.map((c) => c.pageNo).sort()).toEqual([1, 2]);
    expect(fake.execution.pool().busy).toBe(0);
  });
});
