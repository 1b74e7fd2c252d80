import fs from 'node:fs';
import type Database from 'better-sqlite3';

/**
 * The database holds PDF passwords (sealed), file names and owners: owner-only (0600). SQLite
 * gives the -wal and -shm files the mode of the database file, so the database file is created
 * 0600 before SQLite opens it; files of older installs are narrowed too.
 */
export function restrictDatabaseFiles(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      fs.chmodSync(f, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/**
 * Idempotency keys used to be UNIQUE across the whole table, so two API keys could not use the
 * same Idempotency-Key. SQLite cannot drop a column constraint: the table is rebuilt without it
 * (the documented 12-step procedure, foreign keys off so pages are not cascaded away), and a
 * unique index on (owner, idempotency_key) takes its place.
 */
export function scopeIdempotencyKeysPerOwner(db: Database.Database): void {
  const table = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'conversions'`)
    .get() as { sql: string } | undefined;
  if (table && /idempotency_key\s+TEXT\s+UNIQUE/i.test(table.sql)) {
    const rebuilt = table.sql
      .replace(/idempotency_key\s+TEXT\s+UNIQUE/i, 'idempotency_key TEXT')
      .replace(/^CREATE TABLE\s+(IF NOT EXISTS\s+)?"?conversions"?/i, 'CREATE TABLE conversions_rebuilt');
    db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(rebuilt);
        db.exec('INSERT INTO conversions_rebuilt SELECT * FROM conversions');
        db.exec('DROP TABLE conversions');
        db.exec('ALTER TABLE conversions_rebuilt RENAME TO conversions');
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length) throw new Error(`idempotency migration: ${broken.length} rows break foreign keys`);
      })();
    } finally {
      db.pragma('foreign_keys = ON');
    }
  }
  db.exec(`CREATE UNIQUE INDEX IF NOT EXISTS conversions_idempotency
             ON conversions(ifnull(owner, ''), idempotency_key) WHERE idempotency_key IS NOT NULL`);
}
