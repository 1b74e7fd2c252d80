import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { multipart, startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

const pdf = textPdf([['Storage test page']]);

/** Polls until `check` holds (no timing assumptions: a deadline only). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Storage failures end a conversion with a storage code; the server keeps answering. */
describe('storage failures', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NUM_WORKERS: 1 });
  });
  afterAll(() => server.close());

  it('a file name of 80 CJK characters (240 bytes) converts, with names kept under the byte limit', async () => {
    const { status, body } = await submitFile(server.app, `${'文'.repeat(80)}.pdf`, pdf, { formats: 'txt,md,json,hocr,alto' });
    expect(status).toBe(200);
    const rec = await waitForEnd(server.app, body.conversion_id);
    expect(rec.status).toBe('completed');
    const names = await fs.readdir(server.config.OUTPUT_DIR, { recursive: true });
    expect(names.length).toBeGreaterThan(3);
    for (const name of names) for (const part of name.split(path.sep)) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(160);
    expect((await server.app.inject({ url: '/health' })).statusCode).toBe(200);
  });

  it('a 90-character CJK /upload is stored under a shortened name (2xx, not 500)', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/upload', ...multipart({ name: `${'文'.repeat(90)}.pdf`, data: pdf }) });
    expect(res.statusCode).toBe(200);
    const { filename } = res.json() as { filename: string };
    expect(Buffer.byteLength(filename)).toBeLessThanOrEqual(120);
  });

  it('an output folder that is not a folder at conversion start ends the conversion with storage_error; the server answers', async () => {
    const out = server.config.OUTPUT_DIR;
    const saved = `${out}.saved`;
    await fs.rename(out, saved);
    await fs.writeFile(out, 'a file where the output folder should be');
    try {
      const { body } = await submitFile(server.app, 'blocked.pdf', pdf);
      const rec = await waitForEnd(server.app, body.conversion_id);
      expect(rec.status).toBe('error');
      expect(rec.error_code).toBe('storage_error');
      expect((await server.app.inject({ url: '/worker-pool-status' })).statusCode).toBe(200);
    } finally {
      await fs.rm(out);
      await fs.rename(saved, out);
    }
    const { body } = await submitFile(server.app, 'after.pdf', pdf);
    expect((await waitForEnd(server.app, body.conversion_id)).status).toBe('completed');
  });
});

/** A real small file system (tmpfs) for a real full and a real read-only disk; needs root and mount. */
function tryMount(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('a full or read-only disk (tmpfs)', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-tmpfs-'));
  const mountPoint = path.join(root, 'output');
  await fs.mkdir(mountPoint);
  const mounted = tryMount(mountPoint, '512k');
  let server: TestServer;
  beforeAll(async () => {
    if (mounted) server = await startTestServer({ NUM_WORKERS: 1, WATCHDOG_INTERVAL_S: 0.2 }, { root });
  });
  afterAll(async () => {
    await server?.close();
    if (mounted) execFileSync('umount', [mountPoint]);
    await fs.rm(root, { recursive: true, force: true });
  });

  it.skipIf(!mounted)('disk full: the conversion ends with storage_full, /ready 503 with the reason, /convert 507; recovers when space returns', async () => {
    const filler = path.join(mountPoint, 'filler');
    await fs.writeFile(filler, Buffer.alloc(1024 * 1024)).catch(() => undefined); // ENOSPC, the disk is now full
    const { body } = await submitFile(server.app, 'full.pdf', pdf);
    const rec = await waitForEnd(server.app, body.conversion_id);
    expect(rec.status).toBe('error');
    expect(rec.error_code).toBe('storage_full');

    const ready = await server.app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ ready: false, checks: { storage: false } });
    expect(ready.json().reason).toMatch(/^storage_full/);
    const health = await server.app.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json().status).toBe('degraded');
    const refused = await submitFile(server.app, 'refused.pdf', pdf);
    expect(refused.status).toBe(507);
    expect(refused.body.code).toBe('storage_full');

    await fs.rm(filler);
    await eventually(async () => (await server.app.inject({ url: '/ready' })).statusCode === 200);
    const again = await submitFile(server.app, 'again.pdf', pdf);
    expect(again.status).toBe(200);
    expect((await waitForEnd(server.app, again.body.conversion_id)).status).toBe('completed');
  });

  it.skipIf(!mounted)('read-only output folder at conversion start: storage_error, not worker_crashed', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    try {
      const { body } = await submitFile(server.app, 'readonly.pdf', pdf);
      const rec = await waitForEnd(server.app, body.conversion_id);
      expect(rec.status).toBe('error');
      expect(rec.error_code).toBe('storage_error');
      expect((await server.app.inject({ url: '/ready' })).statusCode).toBe(503);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mountPoint]);
    }
    await eventually(async () => (await server.app.inject({ url: '/ready' })).statusCode === 200);
  });
});
