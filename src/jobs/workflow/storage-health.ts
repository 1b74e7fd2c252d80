import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { isDiskWide, storageCodeOf, type StorageCode } from '../../storage-errors.js';

export interface StorageProblem {
  code: StorageCode;
  /** The system or SQLite error code, e.g. ENOSPC or SQLITE_FULL. */
  errno: string;
  /** What failed: "database", "results", "upload"… */
  where: string;
  since: string;
}

/**
 * Remembers that the disk or the database stopped taking writes, so /ready can say why, new work
 * is refused with a storage code instead of a 500, and maintenance waits instead of failing every
 * tick. A periodic probe (a real write to each folder and to the database) clears it once space
 * or write access returns, without a restart.
 */
export class StorageHealth {
  private current: StorageProblem | null = null;

  constructor(private readonly log: Logger) {}

  get problem(): StorageProblem | null {
    return this.current;
  }

  /**
   * Records `err` when the whole disk or database fails (one over-long name does not make the
   * server unready); returns its storage code, or null when it is not a storage failure.
   */
  report(err: unknown, where: string): StorageCode | null {
    const code = storageCodeOf(err);
    if (!code) return null;
    if (!this.current && isDiskWide(err)) {
      this.current = { code, errno: (err as { code: string }).code, where, since: new Date().toISOString() };
      this.log.error({ err, storage: this.current }, 'storage is failing: refusing new work until writes succeed again');
    }
    return code;
  }

  /**
   * Tries a small write in every folder and in the database; clears the problem when all succeed.
   * Returns whether storage is healthy now.
   */
  async probe(dirs: readonly string[], probeDatabase: () => void): Promise<boolean> {
    if (!this.current) return true;
    try {
      for (const dir of dirs) {
        const file = path.join(dir, `.pagemill-probe-${randomBytes(4).toString('hex')}`);
        try {
          await fs.writeFile(file, Buffer.alloc(64 * 1024));
        } finally {
          await fs.rm(file, { force: true }).catch(() => undefined);
        }
      }
      probeDatabase();
    } catch (err) {
      this.log.debug({ err }, 'storage still failing');
      return false;
    }
    this.log.info({ storage: this.current }, 'storage recovered: accepting work again');
    this.current = null;
    return true;
  }
}
