import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scannedPdf } from '../../fixtures/pdf-fixtures.js';
import { until } from '../../helpers/poll.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../../helpers/test-server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ IDLE_RELEASE_S: 1 });
});
afterAll(async () => t?.close());

const pool = async () => (await t.app.inject({ url: '/worker-pool-status' })).json() as { worker_threads: number };

describe('idle worker threads', () => {
  it('are stopped once the queue drains (engines and memory released), and start again for the next page', async () => {
    const pdf = await scannedPdf([['Idle threads give their memory back']]);
    const first = await submitFile(t.app, 'idle.pdf', pdf, { formats: 'txt' });
    expect((await waitForEnd(t.app, first.body.conversion_id)).status).toBe('completed');

    await until(async () => (await pool()).worker_threads === 0, 'every idle thread stopped', 30_000, 100);
    const ready = await t.app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(200);

    const again = await submitFile(t.app, 'idle.pdf', pdf, { formats: 'txt' });
    expect((await waitForEnd(t.app, again.body.conversion_id)).status).toBe('completed');
    const text = await t.app.inject({ url: `/conversions/${again.body.conversion_id}/result?format=txt` });
    expect(text.body).toContain('memory back');
  });
});
