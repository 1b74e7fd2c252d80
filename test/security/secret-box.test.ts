import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSecretBox, SecretBox } from '../../src/security/secret-box.js';

const mode = async (file: string) => (await fs.stat(file)).mode & 0o777;

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
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pagemill-key-'));
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
