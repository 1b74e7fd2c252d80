import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { busyBackend } from '../fakes/fake-backend.js';
import { until } from '../helpers/poll.js';
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

  const fake = busyBackend();
  const { capacity } = fake.execution;
  beforeAll(async () => {
    t = await startTestServer({ API_KEYS: `alice:${ALICE},bob:${BOB}`, ADMIN_API_KEYS: `root:${ROOT}`, NUM_WORKERS: 1 }, { fake });
    // Alice's pages hold every worker; Bob's conversion waits behind them.
    expect((await submit(ALICE, textPdf(Array.from({ length: capacity }, (_, i) => [`Alice page ${i + 1}`])))).statusCode).toBe(200);
    await until(async () => (await get('/worker-pool-status', ALICE)).pages_active === capacity, 'Alice\'s pages running');
    expect((await submit(BOB, textPdf([['Bob waits']]))).statusCode).toBe(200);
  });
  afterAll(async () => {
    for (const row of t?.runtime.store.unfinished() ?? []) t.runtime.service.operations.cancel(row.id);
    await t?.close();
  });

  it('counts only the caller\'s conversions and pages', async () => {
    expect(await get('/worker-pool-status', ALICE)).toMatchObject({ active_tasks: 1, queue_size: 0, pages_active: capacity, busy_workers: capacity });
    expect(await get('/worker-pool-status', BOB)).toMatchObject({ active_tasks: 0, queue_size: 1, pages_active: 0, busy_workers: 0 });
    expect((await get('/stats', ALICE)).conversions).toMatchObject({ processing: 1, pending: 0 });
    const bob = await get('/stats', BOB);
    expect(bob.conversions.processing).toBe(0);
    expect(bob.conversions.pending + bob.conversions.processing).toBe(1);
    expect(bob.queue.conversions_active).toBe(0);
  });

  it('gives an admin key the server-wide totals', async () => {
    expect(await get('/worker-pool-status', ROOT)).toMatchObject({ active_tasks: 1, queue_size: 1, pages_active: capacity });
    const stats = await get('/stats', ROOT);
    expect(stats.conversions.processing + stats.conversions.pending).toBe(2);
    // An admin key is a key like any other for its own conversions: it sees none of theirs.
    expect((await get('/conversions', ROOT)).total).toBe(0);
  });
});
