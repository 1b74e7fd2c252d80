import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadApiKeys } from '../../src/security/api-keys.js';
import { ConfigError, loadConfig } from '../../src/config.js';

// Two keys as a payment-style issuer hands them out: the same first 6 (and 8) characters.
const A = 'pm_live_aaaaaaaaaaaaaaaaaaaa';
const B = 'pm_live_bbbbbbbbbbbbbbbbbbbb';
const C = 'pm_live_cccccccccccccccccccc';

const keysOf = (settings: { API_KEYS?: string; ADMIN_API_KEYS?: string; API_KEYS_FILE?: string }) =>
  loadApiKeys(loadConfig({ overrides: settings }));

/** The ConfigError a setting is refused with (fails the test when it is accepted). */
function refusal(settings: Parameters<typeof keysOf>[0]): ConfigError {
  try {
    keysOf(settings);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('accepted');
}

describe('API key names', () => {
  it('gives unnamed keys distinct names, stable across restarts, that reveal nothing of the key', () => {
    const keys = keysOf({ API_KEYS: `${A},${B}` });
    const a = keys.identify(A)!;
    const b = keys.identify(B)!;
    expect(a.name).toMatch(/^key-[0-9a-f]{12}$/);
    expect(b.name).toMatch(/^key-[0-9a-f]{12}$/);
    expect(a.name).not.toBe(b.name);
    for (const n of [a.name, b.name]) expect(n).not.toContain('pm_liv');
    // a restart (a new load of the same settings) names them the same: stored records refer to the name
    expect(keysOf({ API_KEYS: `${B},${A}` }).identify(A)!.name).toBe(a.name);
    expect(keys.identify('pm_live_dddddddddddddddddddd')).toBeNull();
  });

  it('decides admin by the key that matched, not by a name a plain key happens to share', () => {
    // Before: the unnamed key was named "pm_liv", the admin key's name, and so became admin.
    const keys = keysOf({ API_KEYS: A, ADMIN_API_KEYS: `pm_liv:${C}` });
    expect(keys.identify(A)).toMatchObject({ admin: false });
    expect(keys.identify(C)).toEqual({ name: 'pm_liv', admin: true });
  });

  it('accepts the same key in API_KEYS and ADMIN_API_KEYS, named or not, and makes it admin', () => {
    const named = keysOf({ API_KEYS: `ops:${A},bob:${B}`, ADMIN_API_KEYS: `ops:${A}` });
    expect(named.identify(A)).toEqual({ name: 'ops', admin: true });
    expect(named.identify(B)).toEqual({ name: 'bob', admin: false });
    const unnamed = keysOf({ API_KEYS: `${A},${A}`, ADMIN_API_KEYS: A });
    expect(unnamed.identify(A)).toMatchObject({ admin: true });
  });

  it('refuses two different keys under one name, wherever they are listed, naming the name and never a key', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-keys-'));
    try {
      const file = path.join(dir, 'keys');
      await fs.writeFile(file, `# team keys\nalice:${B}\n`);
      const unnamedA = keysOf({ API_KEYS: A }).identify(A)!.name;
      const cases: Array<[Parameters<typeof keysOf>[0], string]> = [
        [{ API_KEYS: `alice:${A},alice:${B}` }, 'alice'],
        [{ API_KEYS: `alice:${A}`, ADMIN_API_KEYS: `alice:${B}` }, 'alice'],
        [{ API_KEYS: `alice:${A}`, API_KEYS_FILE: file }, 'alice'],
        // a name given by hand cannot take an unnamed key's name either
        [{ API_KEYS: `${A},${unnamedA}:${B}` }, unnamedA],
      ];
      for (const [settings, name] of cases) {
        const err = refusal(settings);
        expect(err.message, JSON.stringify(settings)).toContain(`"${name}"`);
        for (const key of [A, B]) expect(err.message).not.toContain(key);
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses one key under two names (whose conversions would it own?)', () => {
    const err = refusal({ API_KEYS: `alice:${A}`, ADMIN_API_KEYS: `root:${A}` });
    expect(err.message).toContain('"alice"');
    expect(err.message).toContain('"root"');
    expect(err.message).not.toContain(A);
  });

  it('does not show a short unnamed key\'s characters in the refusal', () => {
    const err = refusal({ API_KEYS: 'pm_short_1' });
    expect(err.message).toMatch(/shorter than 16/);
    expect(err.message).not.toContain('pm_sho');
  });
});

describe('upgrading from keys named after their first 6 characters', () => {
  it('maps an unnamed key\'s old name to its new one where the old name was that key\'s alone', () => {
    const lone = 'sk_abcdef0123456789xyz';
    const keys = keysOf({ API_KEYS: `${lone},${A},${B},pm_liv_named:${C}` });
    // A and B shared "pm_liv": whose conversions those were nobody can tell, so neither gets them
    expect([...keys.legacyOwners]).toEqual([['sk_abc', keys.identify(lone)!.name]]);
    expect(keysOf({ API_KEYS: `sk_abc:${A},${lone}` }).legacyOwners.size).toBe(0);
  });

  it('moves the old name\'s conversions and uploads to the key at start, so the key still reads them', async () => {
    const { multipart, startTestServer, waitForEnd } = await import('../helpers/test-server.js');
    const { fakeBackend } = await import('../fakes/fake-backend.js');
    const { textPdf } = await import('../fixtures/pdf-fixtures.js');
    const Database = (await import('better-sqlite3')).default;
    const lone = 'sk_abcdef0123456789xyz';
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-legacy-'));
    try {
      const before = await startTestServer({ API_KEYS: lone }, { root, fake: fakeBackend() });
      const form = multipart({ name: 'old.pdf', data: textPdf([['Old page']]) });
      const res = await before.app.inject({ method: 'POST', url: '/convert', payload: form.payload, headers: { ...form.headers, 'x-api-key': lone } });
      const body = res.json<{ conversion_id: string }>();
      await waitForEnd(before.app, body.conversion_id, undefined, { 'x-api-key': lone });
      await before.close();
      // as the previous release stored it: owned by the key's first 6 characters
      const db = new Database(path.join(before.config.DATA_DIR, 'pagemill.db'));
      db.prepare('UPDATE conversions SET owner = ?').run(lone.slice(0, 6));
      db.close();
      const after = await startTestServer({ API_KEYS: lone }, { root, fake: fakeBackend() });
      try {
        const res = await after.app.inject({ url: `/conversions/${body.conversion_id}`, headers: { 'x-api-key': lone } });
        expect(res.statusCode).toBe(200);
      } finally {
        await after.close();
      }
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
