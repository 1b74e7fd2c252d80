import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFixture } from '../fixtures/files.js';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { donePage, untilStopped, type PageScript } from '../fakes/fake-execution.js';
import { until } from '../helpers/poll.js';
import { multipart, startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

const readAtOnce: PageScript = ({ pageNo }) => donePage(pageNo);
const pagesPdf = (n: number, label: string) => textPdf(Array.from({ length: n }, (_, i) => [`${label} page ${i + 1}`]));

/** The workflow's rules on the fake backend: pages run by a script each test sets, no threads. */
describe('cancel, delete, priorities', () => {
  let t: TestServer;
  let script = readAtOnce;
  const fake = fakeBackend((call) => script(call));
  beforeAll(async () => {
    t = await startTestServer({ NUM_WORKERS: 1 }, { fake });
  });
  beforeEach(() => {
    script = readAtOnce;
  });
  afterAll(async () => t?.close());
  const pool = async () => (await t.app.inject({ url: '/worker-pool-status' })).json();

  it('cancel stops a running conversion: queued pages never run, the running one is aborted', async () => {
    // page 1 is read at once; every later page runs until it is stopped
    const aborted: number[] = [];
    script = ({ pageNo, signal }) => {
      if (pageNo === 1) return donePage(pageNo);
      signal.addEventListener('abort', () => aborted.push(pageNo), { once: true });
      return untilStopped(signal);
    };
    const callsBefore = fake.execution.calls.length;
    const { body } = await submitFile(t.app, 'long.pdf', pagesPdf(6, 'Cancel me'));
    const id = body.conversion_id;
    const events: string[] = [];
    const stop = t.runtime.service.events.subscribe(id, (m) => events.push(m.status));
    await until(async () => (await pool()).pages_active === fake.execution.capacity && t.runtime.store.get(id)?.pages_done === 1, 'page 1 read and the next pages running');
    const res = await t.app.inject({ method: 'POST', url: `/conversions/${id}/cancel` });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('cancelled');
    const atCancel = (await t.app.inject({ url: `/conversions/${id}` })).json().pages_completed as number;
    expect(atCancel).toBe(1);
    // the running pages are aborted, not waited for: no page finishes after the cancel
    await until(async () => (await pool()).pages_active === 0, 'the running pages stopped');
    const running = [2, 3].slice(0, fake.execution.capacity);
    expect(aborted.sort()).toEqual(running);
    const rec = (await t.app.inject({ url: `/conversions/${id}` })).json();
    expect(rec.status).toBe('cancelled');
    expect(rec.pages_completed).toBe(atCancel);
    expect(rec.pages_completed).toBeLessThan(6);
    expect(events).toContain('cancelled');
    stop();
    script = readAtOnce;
    // cancelling twice is fine; the seed alias works; a finished conversion cannot be cancelled
    expect((await t.app.inject({ method: 'POST', url: `/cancel-job/${id}` })).statusCode).toBe(200);
    const { body: small } = await submitFile(t.app, 'small.pdf', textPdf([['Quick one']]));
    await waitForEnd(t.app, small.conversion_id);
    const late = await t.app.inject({ method: 'POST', url: `/conversions/${small.conversion_id}/cancel` });
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('invalid_state');
    // the queued pages of the cancelled conversion never ran; the executor is usable afterwards
    expect(fake.execution.calls.slice(callsBefore).map((c) => c.pageNo)).toEqual([1, ...running, 1]);
    expect((await t.app.inject({ url: `/conversions/${small.conversion_id}` })).json().status).toBe('completed');
  });

  it('DELETE removes the record and its files', async () => {
    const { body } = await submitFile(t.app, 'gone.pdf', textPdf([['Delete me']]));
    const rec = await waitForEnd(t.app, body.conversion_id);
    const dir = path.join(t.config.OUTPUT_DIR, rec.output_stem);
    await expect(fs.stat(dir)).resolves.toBeTruthy();
    await expect(fs.stat(path.join(t.config.DATA_DIR, 'uploads', `${body.conversion_id}.pdf`))).resolves.toBeTruthy();
    expect((await t.app.inject({ method: 'DELETE', url: `/conversions/${body.conversion_id}` })).statusCode).toBe(204);
    expect((await t.app.inject({ url: `/conversions/${body.conversion_id}` })).statusCode).toBe(404);
    await expect(fs.stat(dir)).rejects.toThrow();
    await expect(fs.stat(path.join(t.config.DATA_DIR, 'uploads', `${body.conversion_id}.pdf`))).rejects.toThrow();
  });

  it('runs a high-priority conversion before a low-priority one queued earlier', async () => {
    // every page waits for the test to let it finish: only the queue decides what runs next
    const held: (() => void)[] = [];
    script = ({ pageNo }) => new Promise((resolve) => held.push(() => resolve(donePage(pageNo))));
    const { capacity } = fake.execution;
    const low = await submitFile(t.app, 'low.pdf', pagesPdf(capacity + 3, 'Low priority'), { priority: 'low' });
    await until(() => held.length === capacity, 'the low-priority pages holding every slot');
    const high = await submitFile(t.app, 'high.pdf', pagesPdf(1, 'High priority'), { priority: 'high' });
    await until(async () => (await pool()).pages_queued === 4, 'the high-priority page queued behind the low-priority ones');

    held.shift()!(); // one slot frees: the next page to start must be the high-priority one
    await until(() => held.length === capacity, 'the next page started');
    expect(t.runtime.store.page(high.body.conversion_id, 1)?.status).toBe('running');
    expect(t.runtime.store.pages(low.body.conversion_id).filter((p) => p.status === 'queued')).toHaveLength(3);

    held.pop()!(); // the page that just started: the high-priority one
    const highRec = await waitForEnd(t.app, high.body.conversion_id);
    script = readAtOnce;
    held.splice(0).forEach((release) => release());
    const lowRec = await waitForEnd(t.app, low.body.conversion_id);
    expect(highRec.status).toBe('completed');
    expect(lowRec.status).toBe('completed');
    expect(Date.parse(highRec.completed_at!)).toBeLessThan(Date.parse(lowRec.completed_at!));
    expect((await t.app.inject({ method: 'POST', url: '/convert', payload: 'filename=x.pdf&priority=urgent', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).json().code).toBe('validation_error');
  });
});

describe('backpressure, idempotency, retention, stats', () => {
  let t: TestServer;
  let script = readAtOnce;
  const fake = fakeBackend((call) => script(call));
  beforeAll(async () => {
    // an hour: the periodic sweep must not remove what the other tests here still look at
    t = await startTestServer({ NUM_WORKERS: 1, MAX_QUEUED_PAGES: 3, RESULT_TTL_HOURS: 1 }, { fake });
  });
  beforeEach(() => {
    script = readAtOnce;
  });
  afterAll(async () => t?.close());

  it('answers 429 with a Retry-After in whole seconds when the page queue is full', async () => {
    script = ({ signal }) => untilStopped(signal);
    const { body } = await submitFile(t.app, 'fill.pdf', pagesPdf(6, 'Filler'));
    await until(async () => (await t.app.inject({ url: '/worker-pool-status' })).json().pages_queued >= 3, 'the page queue full');
    const { payload, headers } = multipart({ name: 'one-more.pdf', data: textPdf([['No room']]) });
    const refused = await t.app.inject({ method: 'POST', url: '/convert', payload, headers });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('queue_full');
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect((await fs.readdir(path.join(t.config.DATA_DIR, 'uploads'))).filter((f) => f.startsWith('tmp-'))).toEqual([]);
    await t.app.inject({ method: 'POST', url: `/conversions/${body.conversion_id}/cancel` });
    script = readAtOnce;
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

  it('reports /stats: counts by status, throughput, queue depth and ETA', async () => {
    const done = await submitFile(t.app, 'counted.pdf', textPdf([['Counted']]));
    expect((await waitForEnd(t.app, done.body.conversion_id)).status).toBe('completed');
    const broken = await submitFile(t.app, 'no-pages.pdf', Buffer.from('%PDF-1.4\n%%EOF\n'));
    expect((await waitForEnd(t.app, broken.body.conversion_id)).status).toBe('error');
    const stats = (await t.app.inject({ url: '/stats' })).json();
    expect(stats.conversions.completed).toBeGreaterThan(0);
    expect(stats.conversions.error).toBeGreaterThan(0);
    expect(stats.pages_per_minute.last_15_min).toBeGreaterThan(0);
    expect(stats.queue).toMatchObject({ pages_outstanding: expect.any(Number), pages_queued: expect.any(Number) });
    // the executor's threads (the fake's, here)
    expect(stats.workers.num_workers).toBe(fake.execution.capacity);
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

/** Real pool: pdf.js is what opens (or refuses) an encrypted PDF. */
describe('encrypted PDFs', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ NUM_WORKERS: 1 });
  });
  afterAll(async () => t?.close());

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
});
