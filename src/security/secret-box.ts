import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config.js';

const PREFIX = 'v1:';

/**
 * Encrypts small secrets kept at rest (PDF passwords in the job store) with AES-256-GCM. The key
 * comes from SECRET_KEY, or else from DATA_DIR/secret.key, generated (0600) on first start. A
 * database copied without its key reveals no password.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
  }

  /** The plain text; values written before encryption existed pass through; null when it cannot be opened. */
  open(sealed: string): string | null {
    if (!this.isSealed(sealed)) return sealed;
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return null; // another key (SECRET_KEY changed, key file lost) or a damaged value
    }
  }

  isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }
}

/** SECRET_KEY (any length, hashed to 32 bytes), else the key file under DATA_DIR, created when missing. */
export function loadSecretBox(config: Pick<Config, 'SECRET_KEY' | 'DATA_DIR'>): SecretBox {
  if (config.SECRET_KEY) return new SecretBox(createHash('sha256').update(config.SECRET_KEY).digest());
  const file = path.join(config.DATA_DIR, 'secret.key');
  try {
    fs.writeFileSync(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key; remove it to generate a new one`);
  return new SecretBox(key);
}
