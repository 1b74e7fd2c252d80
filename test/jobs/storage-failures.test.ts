import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../fixtures/pdf-fixtures.js';
import { fakeBackend } from '../fakes/fake-backend.js';
import { donePage, type PageScript } from '../fakes/fake-execution.js';
import { until } from '../helpers/poll.js';
import { multipart, startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

const pdf = textPdf([['Storage test page']]);

/**
 * What storage does to conversions, on the fake backend: the store, the blob store and the
 * workflow are real (and write to the real, full or read-only, folders); pages are run by a script.
 */
describe('storage failures', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NUM_WORKERS: 1 }, { fake: fakeBackend() });
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
function mount(dir: string, size: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
}

/** Whether this machine lets us mount (root, not a locked-down container): probed once, undone at once. */
const canMount = await (async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-mount-probe-'));
  try {
    mount(dir, '64k');
    execFileSync('umount', [dir]);
    return true;
  } catch {
    return false;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
})();
// Outside CI (no root, no mount) these are skipped; under CI a missing mount must fail them, not skip them.
const skipMounts = !canMount && !process.env.CI;

/** A temporary root with `sub` on a tmpfs of `size`, mounted in beforeAll and unmounted in afterAll. */
function tmpfsRoot(sub: string, size: string) {
  const t = { root: '', mountPoint: '' };
  beforeAll(async () => {
    if (!canMount) return;
    t.root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-tmpfs-'));
    t.mountPoint = path.join(t.root, sub);
    await fs.mkdir(t.mountPoint);
    mount(t.mountPoint, size);
  });
  afterAll(async () => {
    if (!t.root) return;
    execFileSync('umount', ['-l', t.mountPoint]);
    await fs.rm(t.root, { recursive: true, force: true });
  });
  return t;
}

describe.skipIf(skipMounts)('a full or read-only disk (tmpfs)', () => {
  const disk = tmpfsRoot('output', '512k');
  let server: TestServer;
  let mountPoint: string;
  const readAtOnce: PageScript = ({ pageNo }) => donePage(pageNo);
  let script = readAtOnce;
  beforeAll(async () => {
    mountPoint = disk.mountPoint;
    // The root is the tmpfs helper's: the server must not remove it (the helper unmounts first).
    server = await startTestServer({ NUM_WORKERS: 1, WATCHDOG_INTERVAL_S: 0.2 }, { root: disk.root, fake: fakeBackend((call) => script(call)) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('disk full: the conversion ends with storage_full, /ready 503 with the reason, /convert 507; recovers when space returns', async () => {
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
    await until(async () => (await server.app.inject({ url: '/ready' })).statusCode === 200, '/ready 200 once space returns');
    const again = await submitFile(server.app, 'again.pdf', pdf);
    expect(again.status).toBe(200);
    expect((await waitForEnd(server.app, again.body.conversion_id)).status).toBe('completed');
  });

  it('output folder turning read-only during a conversion: storage_error, the server stays up', async () => {
    // page 1 is read at once; the later pages finish only once the folder has turned read-only
    let readOnly!: () => void;
    const turnedReadOnly = new Promise<void>((resolve) => (readOnly = resolve));
    script = async ({ pageNo }) => {
      if (pageNo > 1) await turnedReadOnly;
      return donePage(pageNo);
    };
    const pages = Array.from({ length: 6 }, (_, i) => [`Read-only midway page ${i + 1}`]);
    const { body } = await submitFile(server.app, 'midway.pdf', textPdf(pages));
    await until(async () => ((await server.app.inject({ url: `/conversion-status/${body.conversion_id}` })).json().pages_completed ?? 0) >= 1, 'the first page written');
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    try {
      readOnly();
      const rec = await waitForEnd(server.app, body.conversion_id);
      expect(rec).toMatchObject({ status: 'error', error_code: 'storage_error' });
      expect((await server.app.inject({ url: '/ready' })).statusCode).toBe(503);
      expect((await server.app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mountPoint]);
      script = readAtOnce;
    }
    await until(async () => (await server.app.inject({ url: '/ready' })).statusCode === 200, '/ready 200 once the folder is writable');
  });

  it('read-only output folder at conversion start: storage_error, not worker_crashed', async () => {
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
    await until(async () => (await server.app.inject({ url: '/ready' })).statusCode === 200, '/ready 200 once the folder is writable');
  });
});

/** Every log line of a server, parsed, for tests that check what it logged. */
function memoryLogger() {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, logs };
}

describe.skipIf(skipMounts)('the database on a full disk (tmpfs)', () => {
  const disk = tmpfsRoot('data', '4m');

  it('SQLite reports the disk full: 507/503 with the reason, maintenance waits quietly, recovery by itself', async () => {
    const { root, mountPoint: dataDir } = disk;
    const { logger, logs } = memoryLogger();
    // Anything that escaped as an unhandled rejection or exception would fail this file (vitest reports it).
    const server = await startTestServer({ DATA_DIR: dataDir, NUM_WORKERS: 1, WATCHDOG_INTERVAL_S: 0.2 }, { root, logger, fake: fakeBackend() });
    await fs.writeFile(path.join(server.config.INPUT_DIR, 'doc.pdf'), pdf);
    const convert = () => server.app.inject({ method: 'POST', url: '/convert', payload: 'filename=doc.pdf', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    try {
      expect((await convert()).statusCode).toBe(200);
      const filler = path.join(dataDir, 'filler');
      await fs.writeFile(filler, Buffer.alloc(8 * 1024 * 1024)).catch(() => undefined); // ENOSPC: the disk is full now
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const res = await convert();
        statuses.push(res.statusCode);
        if (res.statusCode !== 200) expect((res.json() as { code: string }).code).toMatch(/^storage_(full|error)$/);
      }
      expect(statuses).not.toContain(500);
      expect(statuses.some((s) => s === 507)).toBe(true);
      const ready = await server.app.inject({ url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect((ready.json() as { reason: string }).reason).toMatch(/^storage_full/);
      await new Promise((r) => setTimeout(r, 1500)); // several maintenance ticks while the disk is full
      expect(logs.filter((l) => l.msg === 'maintenance failed')).toEqual([]);
      expect(logs.filter((l) => String(l.msg).startsWith('storage is failing'))).toHaveLength(1);

      await fs.rm(filler);
      await until(async () => (await server.app.inject({ url: '/ready' })).statusCode === 200, '/ready 200 once space returns');
      const res = await convert();
      expect(res.statusCode).toBe(200);
      const { conversion_id: id } = res.json() as { conversion_id: string };
      expect((await waitForEnd(server.app, id)).status).toBe('completed');
      expect((await server.app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(skipMounts)('a read-only input folder (tmpfs)', () => {
  const disk = tmpfsRoot('input', '256k');
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NUM_WORKERS: 1 }, { root: disk.root, fake: fakeBackend() });
    execFileSync('mount', ['-o', 'remount,ro', disk.mountPoint]);
  });
  afterAll(async () => {
    await server?.close();
    execFileSync('mount', ['-o', 'remount,rw', disk.mountPoint]);
  });

  it('/upload answers 507 storage_error, and conversions go on (an input folder may be read-only on purpose)', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/upload', ...multipart({ name: 'a.pdf', data: pdf }) });
    expect(res.statusCode).toBe(507);
    expect(res.json()).toEqual({ detail: expect.any(String), code: 'storage_error' });
    expect((await server.app.inject({ url: '/ready' })).statusCode).toBe(200);
    const { status, body } = await submitFile(server.app, 'still.pdf', pdf);
    expect(status).toBe(200);
    expect((await waitForEnd(server.app, body.conversion_id)).status).toBe('completed');
  });
});
