import type { TaskError } from './schemas/page-result.js';

/**
 * Failures of the disk or of the database file, as opposed to bugs: they end a page or a
 * conversion with a storage code instead of `worker_crashed`, and make /ready report the reason.
 * `storage_full` means "free some space" (ENOSPC, EDQUOT, SQLITE_FULL); `storage_error` means
 * "the folder is wrong" (read-only, missing, not writable, name too long, I/O error, out of fds).
 */
const FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);
const BROKEN = new Set([
  'EROFS', 'EACCES', 'EPERM', 'EIO', 'ENOENT', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG',
  'EMFILE', 'ENFILE', 'EEXIST', 'ELOOP', 'EFBIG',
]);
/** better-sqlite3 reports extended codes such as SQLITE_IOERR_WRITE or SQLITE_READONLY_DBMOVED. */
const SQLITE_BROKEN = /^SQLITE_(READONLY|IOERR|CANTOPEN|CORRUPT|NOTADB)/;

export type StorageCode = 'storage_full' | 'storage_error';

export function storageCodeOf(err: unknown): StorageCode | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (FULL.has(code)) return 'storage_full';
  if (BROKEN.has(code) || SQLITE_BROKEN.test(code)) return 'storage_error';
  return null;
}

/**
 * Failures of the whole disk or database (full, read-only, I/O error), as opposed to one bad name
 * or one missing folder: these make the server unready until writes work again.
 */
const DISK_WIDE = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', 'EROFS', 'EIO']);

export function isDiskWide(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (DISK_WIDE.has(code) || SQLITE_BROKEN.test(code));
}

/** The storage failure as a conversion error, or null when `err` is not one. */
export function storageFailure(err: unknown, what: string): TaskError | null {
  const code = storageCodeOf(err);
  if (!code) return null;
  const errno = (err as { code: string }).code;
  return code === 'storage_full'
    ? { code, message: `${what} could not be written: the disk is full (${errno}); free some space.` }
    : { code, message: `${what} could not be written (${errno}); check that OUTPUT_DIR and DATA_DIR exist and can be written.` };
}
