import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStore } from '../../src/jobs/store/job-store.js';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { donePage } from '../fakes/fake-execution.js';
import { until } from '../helpers/poll.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

const TERMINAL = ['completed', 'error', 'cancelled'];

/**
 * SQLite reports the disk full (simulated exactly with max_page_count): no wedge, no 500, recovery.
 * The store and the workflow are real; pages are run by the fake backend.
 */
describe('database full', () => {
  let server: TestServer;
  /** While set, pages finish only when it resolves: they are still running when the database fills. */
  let hold: Promise<void> | null = null;
  beforeAll(async () => {
    const fake = fakeBackend(async ({ pageNo }) => {
      await hold;
      return donePage(pageNo);
    });
    server = await startTestServer({ NUM_WORKERS: 1, WATCHDOG_INTERVAL_S: 0.2 }, { fake });
    await fs.writeFile(path.join(server.config.INPUT_DIR, 'small.pdf'), textPdf([['Database full page one'], ['Page two']]));
  });
  afterAll(() => server.close());

  const convert = () => server.app.inject({ method: 'POST', url: '/convert', payload: { filename: 'small.pdf' } });

  it('refuses new work with 507 storage_full, /ready 503 with the reason, ends or resumes every conversion, and recovers', async () => {
    const { body } = await submitFile(server.app, 'before.pdf', textPdf([['Before']]));
    expect((await waitForEnd(server.app, body.conversion_id)).status).toBe('completed');

    // The database cannot grow any more: conversions are accepted until their rows fill the last page.
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    (server.runtime.store as JobStore).capPages(1); // SQLite keeps it at the current size
    const accepted: string[] = [];
    let refused: { statusCode: number; json(): { code: string; detail: string } } | undefined;
    for (let i = 0; i < 500 && !refused; i++) {
      const res = await convert();
      expect(res.statusCode, res.body).not.toBe(500);
      if (res.statusCode === 200) accepted.push((res.json() as { conversion_id: string }).conversion_id);
      else refused = res;
    }
    expect(refused?.statusCode).toBe(507);
    expect(refused?.json().code).toBe('storage_full');

    const ready = await server.app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().reason).toMatch(/^storage_full: .*SQLITE_FULL/);
    const health = await server.app.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'degraded' });
    expect((await convert()).statusCode).toBe(507);
    release(); // the pages running since before the disk filled finish now, into a full database

    // Space returns: the probe clears the failure, the watchdog resumes what could not be recorded.
    (server.runtime.store as JobStore).capPages(4_294_967_294);
    await until(async () => (await server.app.inject({ url: '/ready' })).statusCode === 200, '/ready 200 again');
    hold = null;
    for (const id of accepted) {
      const rec = await waitForEnd(server.app, id);
      expect(TERMINAL).toContain(rec.status);
      if (rec.status !== 'error') continue;
      expect(rec.error_code).toBe('storage_full');
      // Its pages ended too, with the storage code where they did not finish: none is left "running".
      const pages = server.runtime.store.pages(id);
      expect(pages.filter((p) => p.status === 'queued' || p.status === 'running')).toEqual([]);
      for (const p of pages.filter((pg) => pg.status === 'failed')) expect(p.error_code).toBe('storage_full');
    }
    const after = await convert();
    expect(after.statusCode).toBe(200);
    expect((await waitForEnd(server.app, (after.json() as { conversion_id: string }).conversion_id)).status).toBe('completed');
  }, 120_000);
});
