import fs from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSecretBox, SecretBox } from '../../src/security/secret-box.js';
import { cyclicPatternPdf, textPdf } from '../fixtures/pdf-fixtures.js';
import { startTestServer, submitFile, waitForEnd, type TestServer } from '../helpers/test-server.js';

const PASSWORD = 'PLAIN-PDF-PASSWORD-4711';
const mode = async (file: string) => (await fs.stat(file)).mode & 0o777;

describe('secrets at rest', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ NUM_WORKERS: 1, PAGE_TIMEOUT_S: 600 });
  });
  afterAll(async () => t?.close());

  it('creates the job store, its -wal/-shm and the key file owner-only (0600)', async () => {
    const db = path.join(t.config.DATA_DIR, 'pagemill.db');
    await submitFile(t.app, 'w.pdf', textPdf([['Write something so the WAL exists']]));
    for (const f of [db, `${db}-wal`, `${db}-shm`, path.join(t.config.DATA_DIR, 'secret.key')]) expect(await mode(f), f).toBe(0o600);
  });

  it('keeps a PDF password sealed while the conversion waits, and clears it when it ends', async () => {
    const blocker = await submitFile(t.app, 'blocker.pdf', cyclicPatternPdf());
    const { body } = await submitFile(t.app, 'locked.pdf', textPdf([['Pretend this is encrypted']]), { password: PASSWORD });
    const stored = t.runtime.store.get(body.conversion_id)!;
    expect(stored.status).toBe('pending'); // waits behind the blocker
    expect(stored.password).not.toContain(PASSWORD);
    expect(t.runtime.store.passwordOf(stored)).toBe(PASSWORD);
    // Nowhere in the database files either (WAL included), read as a copy would be.
    const dir = t.config.DATA_DIR;
    for (const f of (await fs.readdir(dir)).filter((n) => n.startsWith('pagemill.db'))) {
      expect((await fs.readFile(path.join(dir, f))).includes(PASSWORD), f).toBe(false);
    }
    await t.app.inject({ method: 'POST', url: `/conversions/${blocker.body.conversion_id}/cancel` });
    expect((await waitForEnd(t.app, body.conversion_id)).status).toBe('completed');
    expect(t.runtime.store.get(body.conversion_id)!.password).toBeNull();
  });

  it('seals passwords an older version stored in plain text, on open', async () => {
    const file = path.join(t.root, 'legacy.db');
    const box = new SecretBox(Buffer.alloc(32, 7));
    const { JobStore } = await import('../../src/jobs/store/job-store.js');
    const plain = new JobStore(file);
    plain.insert({
      id: 'legacy', filename: 'a.pdf', source_path: '/tmp/a.pdf', source_is_upload: 1, source_stem: 'a', output_stem: 'a', kind: 'pdf',
      prompt_mode: 'prompt_ocr', priority: 'normal', message: 'Queued', created_at: new Date().toISOString(), password: PASSWORD,
      idempotency_key: null, formats: 'json', on_demand_formats: '', lang: 'eng', page_range: null, ocr_mode: 'auto', callback_url: null, owner: null,
    });
    plain.close();
    const sealed = new JobStore(file, box);
    expect(sealed.get('legacy')!.password).not.toContain(PASSWORD);
    expect(sealed.passwordOf(sealed.get('legacy')!)).toBe(PASSWORD);
    sealed.close();
    const raw = new Database(file, { readonly: true });
    expect(JSON.stringify(raw.prepare('SELECT * FROM conversions').all())).not.toContain(PASSWORD);
    raw.close();
  });
});

describe('SecretBox', () => {
  it('round-trips, refuses tampering and other keys, and keeps one key file', async () => {
    const box = new SecretBox(Buffer.alloc(32, 1));
    const sealed = box.seal('pässwörd');
    expect(sealed).not.toBe(box.seal('pässwörd')); // a fresh IV each time
    expect(box.open(sealed)).toBe('pässwörd');
    // One bit of the ciphertext flipped, in the bytes: a flipped base64 character can land in the
    // padding bits and change nothing (it did, 1 run in ~16).
    for (const at of [0, 12, 37]) {
      const raw = Buffer.from(sealed.slice('v1:'.length), 'base64');
      raw[at]! ^= 1;
      expect(box.open(`v1:${raw.toString('base64')}`), `byte ${at} flipped`).toBeNull();
    }
    expect(new SecretBox(Buffer.alloc(32, 2)).open(sealed)).toBeNull();
    const dir = await fs.mkdtemp(path.join((await import('node:os')).tmpdir(), 'pagemill-key-'));
    try {
      const first = loadSecretBox({ SECRET_KEY: '', DATA_DIR: dir });
      expect(loadSecretBox({ SECRET_KEY: '', DATA_DIR: dir }).open(first.seal('x'))).toBe('x');
      expect(await mode(path.join(dir, 'secret.key'))).toBe(0o600);
      expect(loadSecretBox({ SECRET_KEY: 'operator secret', DATA_DIR: dir }).open(first.seal('x'))).toBeNull();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
