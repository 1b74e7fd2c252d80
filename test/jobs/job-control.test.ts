import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../fixtures/files.js';
import { scannedPdf, textPdf } from '../fixtures/pdf-fixtures.js';
import { until as pollUntil } from '../helpers/poll.js';
import { multipart, startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

const until = (cond: () => Promise<boolean>) => pollUntil(cond, 'condition');

describe('cancel, delete, priorities (1 worker, 300 dpi: pages take a while)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ NUM_WORKERS: 1, RENDER_DPI: 300 });
  });
  afterAll(async () => t?.close());
  const pool = async () => (await t.app.inject({ url: '/worker-pool-status' })).json();

  it('cancel stops a running conversion: queued pages never run, the running one is aborted', async () => {
    const { body } = await submitFile(t.app, 'long.pdf', await scannedPdf(Array.from({ length: 6 }, (_, i) => [`Cancel me page ${i + 1}`]), 200));
    const id = body.conversion_id;
    const events: string[] = [];
    const stop = t.runtime.service.events.subscribe(id, (m) => events.push(m.status));
    await until(async () => (await pool()).pages_active > 0);
    const res = await t.app.inject({ method: 'POST', url: `/conversions/${id}/cancel` });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('cancelled');
    const atCancel = (await t.app.inject({ url: `/conversions/${id}` })).json().pages_completed as number;
    // the running page is aborted (its thread terminated), not waited for: no page finishes after the cancel
    await until(async () => (await pool()).pages_active === 0);
    const rec = (await t.app.inject({ url: `/conversions/${id}` })).json();
    expect(rec.status).toBe('cancelled');
    expect(rec.pages_completed).toBe(atCancel);
    expect(rec.pages_completed).toBeLessThan(6);
    expect(events).toContain('cancelled');
    stop();
    // cancelling twice is fine; the seed alias works; a finished conversion cannot be cancelled
    expect((await t.app.inject({ method: 'POST', url: `/cancel-job/${id}` })).statusCode).toBe(200);
    const { body: small } = await submitFile(t.app, 'small.pdf', textPdf([['Quick one']]));
    await waitForEnd(t.app, small.conversion_id);
    const late = await t.app.inject({ method: 'POST', url: `/conversions/${small.conversion_id}/cancel` });
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('invalid_state');
    // the pool is usable afterwards
    expect((await t.app.inject({ url: `/conversions/${small.conversion_id}` })).json().status).toBe('completed');
  });

  it('DELETE removes the record and its files', async () => {
    const { body } = await submitFile(t.app, 'gone.pdf', textPdf([['Delete me']]));
    const rec = await waitForEnd(t.app, body.conversion_id);
    const dir = path.join(t.config.OUTPUT_DIR, rec.output_stem);
    await expect(fs.stat(dir)).resolves.toBeTruthy();
    expect((await t.app.inject({ method: 'DELETE', url: `/conversions/${body.conversion_id}` })).statusCode).toBe(204);
    expect((await t.app.inject({ url: `/conversions/${body.conversion_id}` })).statusCode).toBe(404);
    await expect(fs.stat(dir)).rejects.toThrow();
    await expect(fs.stat(path.join(t.config.DATA_DIR, 'uploads', `${body.conversion_id}.pdf`))).rejects.toThrow();
  });

  it('runs a high-priority conversion before a low-priority one queued earlier', async () => {
    // both documents made first: only the queue decides the order, not how fast the test makes PDFs
    const lowPdf = await scannedPdf(Array.from({ length: 5 }, (_, i) => [`Low priority page ${i + 1}`]), 150);
    const highPdf = await scannedPdf([['High priority page']], 150);
    const low = await submitFile(t.app, 'low.pdf', lowPdf, { priority: 'low' });
    await until(async () => (await pool()).pages_active > 0);
    const high = await submitFile(t.app, 'high.pdf', highPdf, { priority: 'high' });
    const highRec = await waitForEnd(t.app, high.body.conversion_id);
    const lowRec = await waitForEnd(t.app, low.body.conversion_id);
    expect(highRec.status).toBe('completed');
    expect(Date.parse(highRec.completed_at!)).toBeLessThan(Date.parse(lowRec.completed_at!));
    expect((await t.app.inject({ method: 'POST', url: '/convert', payload: 'filename=x.pdf&priority=urgent', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).json().code).toBe('validation_error');
  });
});

describe('backpressure, idempotency, passwords, retention, stats', () => {
  let t: TestServer;
  beforeAll(async () => {
    // an hour: the periodic sweep must not remove what the other tests here still look at
    t = await startTestServer({ NUM_WORKERS: 1, MAX_QUEUED_PAGES: 3, RESULT_TTL_HOURS: 1 });
  });
  afterAll(async () => t?.close());

  it('answers 429 with a Retry-After in whole seconds when the page queue is full', async () => {
    const { body } = await submitFile(t.app, 'fill.pdf', await scannedPdf(Array.from({ length: 6 }, (_, i) => [`Filler ${i + 1}`]), 150));
    await until(async () => (await t.app.inject({ url: '/worker-pool-status' })).json().pages_queued >= 3);
    const { payload, headers } = multipart({ name: 'one-more.pdf', data: textPdf([['No room']]) });
    const refused = await t.app.inject({ method: 'POST', url: '/convert', payload, headers });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('queue_full');
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect((await fs.readdir(path.join(t.config.DATA_DIR, 'uploads'))).filter((f) => f.startsWith('tmp-'))).toEqual([]);
    await t.app.inject({ method: 'POST', url: `/conversions/${body.conversion_id}/cancel` });
    const again = await t.app.inject({ method: 'POST', url: '/convert', payload, headers });
    expect(again.statusCode).toBe(200); // room again once the queue drains
  });

  it('returns the same conversion for a repeated Idempotency-Key', async () => {
    const form = multipart({ name: 'idem.pdf', data: textPdf([['Only once']]) });
    const send = () => t.app.inject({ method: 'POST', url: '/convert', payload: form.payload, headers: { ...form.headers, 'idempotency-key': 'order-42' } });
    const a = (await send()).json();
    const b = (await send()).json();
    expect(a.status).toBe('accepted');
    expect(b.conversion_id).toBe(a.conversion_id);
    expect((await t.app.inject({ url: '/conversions?limit=500' })).json().conversions.filter((c: { filename: string }) => c.filename === 'idem.pdf')).toHaveLength(1);
  });

  it('opens an encrypted PDF with the right password, and says which error otherwise', async () => {
    const pdf = await readFixture('pr6531_1.pdf');
    const none = await waitForEnd(t.app, (await submitFile(t.app, 'locked.pdf', pdf)).body.conversion_id);
    expect(none).toMatchObject({ status: 'error', error_code: 'password_required' });
    const wrong = await waitForEnd(t.app, (await submitFile(t.app, 'locked.pdf', pdf, { password: 'nope' })).body.conversion_id);
    expect(wrong).toMatchObject({ status: 'error', error_code: 'password_incorrect' });
    const right = await submitFile(t.app, 'locked.pdf', pdf, { password: 'asdfasdf' });
    const rec = await waitForEnd(t.app, right.body.conversion_id);
    expect(rec.status).toBe('completed');
    const txt = await t.app.inject({ url: `/conversions/${right.body.conversion_id}/result?format=txt` });
    expect(txt.body.trim().length).toBeGreaterThan(0);
    // the password is never echoed back
    expect(JSON.stringify(rec)).not.toContain('asdfasdf');
  });

  it('reports /stats: counts by status, throughput, queue depth and ETA', async () => {
    const stats = (await t.app.inject({ url: '/stats' })).json();
    expect(stats.conversions.completed).toBeGreaterThan(0);
    expect(stats.conversions.error).toBeGreaterThan(0);
    expect(stats.pages_per_minute.last_15_min).toBeGreaterThan(0);
    expect(stats.queue).toMatchObject({ pages_outstanding: expect.any(Number), pages_queued: expect.any(Number) });
    expect(stats.workers.num_workers).toBe(1);
    expect(stats).toHaveProperty('queue_eta_seconds');
    expect(stats).toHaveProperty('mean_wait_seconds_last_hour');
  });

  it('the retention sweep removes expired conversions: rows and files', async () => {
    const { body } = await submitFile(t.app, 'old.pdf', textPdf([['Expires soon']]));
    const rec = await waitForEnd(t.app, body.conversion_id);
    const ended = Date.parse(rec.completed_at!);
    // the sweep is told the time: a minute short of the TTL, then a minute past it
    await t.runtime.maintenance.sweep(ended + 59 * 60_000);
    expect((await t.app.inject({ url: `/conversions/${body.conversion_id}` })).statusCode).toBe(200);
    const removed = await t.runtime.maintenance.sweep(ended + 61 * 60_000);
    expect(removed).toBeGreaterThan(0);
    expect((await t.app.inject({ url: `/conversions/${body.conversion_id}` })).statusCode).toBe(404);
    await expect(fs.stat(path.join(t.config.OUTPUT_DIR, rec.output_stem))).rejects.toThrow();
  });
});
