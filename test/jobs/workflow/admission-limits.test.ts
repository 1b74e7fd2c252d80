import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { textPdf } from '../../fixtures/pdf-fixtures.js';
import { busyBackend } from '../../fakes/fake-backend.js';
import { until } from '../../helpers/poll.js';
import { multipart, startTestServer, type TestServer } from '../../helpers/test-server.js';

const BLOCKER_KEY = 'blocker-key-0123456789abcdef';
const BURST_KEY = 'burst-key-0123456789abcdef00';

/**
 * Limits must hold when many requests arrive at once: 100 real HTTP requests, 50 in flight at a
 * time, against a real app on busyBackend(): a blocker conversion holds every slot, so nothing
 * finishes during the burst and exactly the limit can be accepted.
 */
describe('admission limits under concurrent bursts', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    // nothing left running: the close need not wait out its grace period
    for (const row of t?.runtime.store.unfinished() ?? []) t!.runtime.service.operations.cancel(row.id);
    await t?.close();
    t = undefined;
  });

  async function start(overrides: Record<string, string | number>, key?: string) {
    const fake = busyBackend();
    t = await startTestServer({ NUM_WORKERS: 1, RATE_LIMIT_PER_MINUTE: 100_000, ...overrides }, { fake });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    // Occupy every slot with the pages of one conversion.
    const headers: Record<string, string> = key ? { 'x-api-key': key } : {};
    const { capacity } = fake.execution;
    const form = multipart({ name: 'blocker.pdf', data: textPdf(Array.from({ length: capacity }, (_, i) => [`Blocker page ${i + 1}`])) });
    const res = await fetch(`${base}/convert`, { method: 'POST', body: form.payload, headers: { ...form.headers, ...headers } });
    expect(res.status).toBe(200);
    await until(() => t!.runtime.service.queries.poolStatus().pages_active === capacity, 'the blocking pages running');
    return base;
  }

  async function burst(base: string, headers: Record<string, string>, total = 100, inFlight = 50) {
    const pdf = textPdf([['A small document in a burst']]);
    const outcomes: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < total) {
        next++;
        const form = multipart({ name: 'burst.pdf', data: pdf });
        const res = await fetch(`${base}/convert`, { method: 'POST', body: form.payload, headers: { ...form.headers, ...headers } });
        const body = (await res.json()) as { code?: string };
        outcomes.push(res.status === 200 ? 'accepted' : `${res.status} ${body.code}`);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    return outcomes;
  }

  const tally = (xs: string[]) => xs.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x]: (acc[x] ?? 0) + 1 }), {});

  it('MAX_CONCURRENT_PER_KEY=5: exactly 5 of 100 concurrent requests are accepted', async () => {
    const base = await start({ API_KEYS: `blocker:${BLOCKER_KEY},burst:${BURST_KEY}`, MAX_CONCURRENT_PER_KEY: 5 }, BLOCKER_KEY);
    const outcomes = await burst(base, { 'x-api-key': BURST_KEY });
    expect(tally(outcomes)).toEqual({ accepted: 5, '429 too_many_conversions': 95 });
  });

  it('MAX_QUEUED_CONVERSIONS=5: exactly 5 of 100 concurrent requests, and then no sequential one, are accepted', async () => {
    const base = await start({ MAX_QUEUED_CONVERSIONS: 5 });
    const outcomes = await burst(base, {});
    expect(tally(outcomes)).toEqual({ accepted: 5, '429 queue_full': 95 });
    // Conversions waiting for inspection count as queued: one at a time, still nothing gets in.
    expect(tally(await burst(base, {}, 10, 1))).toEqual({ '429 queue_full': 10 });
    expect(t!.runtime.service.queries.poolStatus().queue_size).toBe(5);
    // Refused uploads leave nothing behind: the blocker's and the five accepted files only.
    expect((await fs.readdir(path.join(t!.config.DATA_DIR, 'uploads'))).length).toBe(6);
  });
});
