import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cyclicPatternPdf, textPdf } from '../fixtures/pdf-fixtures.js';
import { multipart, startTestServer, type TestServer } from '../helpers/test-server.js';

const ALICE = 'alice-key-0123456789abcdef';
const BOB = 'bob-key-0123456789abcdef00';
const ROOT = 'root-key-0123456789abcdef0';

/** With keys on, /stats, /worker-pool-status and the dashboard socket count the caller's own work; an admin key sees totals. */
describe('stats and pool status per API key', () => {
  let t: TestServer;
  const get = async (url: string, key: string) => (await t.app.inject({ url, headers: { 'x-api-key': key } })).json();
  const submit = (key: string, data: Buffer) => {
    const form = multipart({ name: 'd.pdf', data });
    return t.app.inject({ method: 'POST', url: '/convert', payload: form.payload, headers: { ...form.headers, 'x-api-key': key } });
  };

  beforeAll(async () => {
    t = await startTestServer({ API_KEYS: `alice:${ALICE},bob:${BOB}`, ADMIN_API_KEYS: `root:${ROOT}`, NUM_WORKERS: 1, PAGE_TIMEOUT_S: 600 });
    // Alice's page holds the only worker; Bob's conversion waits behind it.
    expect((await submit(ALICE, cyclicPatternPdf())).statusCode).toBe(200);
    const deadline = Date.now() + 30_000;
    while ((await get('/worker-pool-status', ALICE)).pages_active === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect((await submit(BOB, textPdf([['Bob waits']]))).statusCode).toBe(200);
  });
  afterAll(async () => t?.close());

  it('counts only the caller\'s conversions and pages', async () => {
    expect(await get('/worker-pool-status', ALICE)).toMatchObject({ active_tasks: 1, queue_size: 0, pages_active: 1, busy_workers: 1 });
    expect(await get('/worker-pool-status', BOB)).toMatchObject({ active_tasks: 0, queue_size: 1, pages_active: 0, busy_workers: 0 });
    expect((await get('/stats', ALICE)).conversions).toMatchObject({ processing: 1, pending: 0 });
    const bob = await get('/stats', BOB);
    expect(bob.conversions.processing).toBe(0);
    expect(bob.conversions.pending + bob.conversions.processing).toBe(1);
    expect(bob.queue.conversions_active).toBe(0);
  });

  it('gives an admin key the server-wide totals', async () => {
    expect(await get('/worker-pool-status', ROOT)).toMatchObject({ active_tasks: 1, queue_size: 1, pages_active: 1 });
    const stats = await get('/stats', ROOT);
    expect(stats.conversions.processing + stats.conversions.pending).toBe(2);
    // An admin key is a key like any other for its own conversions: it sees none of theirs.
    expect((await get('/conversions', ROOT)).total).toBe(0);
  });
});
