/**
 * The job store's tables: the schema a new database is made with, and the columns added since the
 * first one, which older databases get on open (see JobStore's constructor).
 */

/** Columns added since the first schema; older databases get them on open. */
export const COLUMNS_ADDED: [string, string][] = [
  ['formats', `TEXT NOT NULL DEFAULT 'txt,md,json,hocr,alto'`],
  ['lang', `TEXT NOT NULL DEFAULT 'eng'`],
  ['page_range', 'TEXT'],
  ['ocr_mode', `TEXT NOT NULL DEFAULT 'auto'`],
  ['document_pages', 'INTEGER'],
  ['callback_url', 'TEXT'],
  ['webhook_status', 'TEXT'],
  ['webhook_attempts', 'INTEGER NOT NULL DEFAULT 0'],
  ['owner', 'TEXT'],
  ['step_attempts', 'INTEGER NOT NULL DEFAULT 0'],
  ['on_demand_formats', `TEXT NOT NULL DEFAULT ''`],
  ['chunk_tokens', 'INTEGER NOT NULL DEFAULT 512'],
];
/** Columns added to pages since the first schema. */
export const PAGE_COLUMNS_ADDED: [string, string][] = [
  ['node_losses', 'INTEGER NOT NULL DEFAULT 0'],
];

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS conversions (
  id TEXT PRIMARY KEY,
  filename TEXT NOT NULL,
  source_path TEXT NOT NULL,
  source_is_upload INTEGER NOT NULL DEFAULT 0,
  source_stem TEXT NOT NULL,
  output_stem TEXT NOT NULL,
  kind TEXT NOT NULL,
  prompt_mode TEXT NOT NULL,
  priority TEXT NOT NULL DEFAULT 'normal',
  status TEXT NOT NULL,
  message TEXT NOT NULL,
  error TEXT,
  error_code TEXT,
  total_pages INTEGER,
  pages_done INTEGER NOT NULL DEFAULT 0,
  pages_failed INTEGER NOT NULL DEFAULT 0,
  last_page INTEGER,
  created_at TEXT NOT NULL,
  started_at TEXT,
  completed_at TEXT,
  password TEXT,
  idempotency_key TEXT
);
-- columns added after the first schema are in COLUMNS_ADDED (ALTER TABLE on older databases)
CREATE INDEX IF NOT EXISTS conversions_status ON conversions(status, created_at);
CREATE INDEX IF NOT EXISTS conversions_stem ON conversions(source_stem, created_at);
CREATE TABLE IF NOT EXISTS pages (
  conversion_id TEXT NOT NULL REFERENCES conversions(id) ON DELETE CASCADE,
  page_no INTEGER NOT NULL,
  status TEXT NOT NULL,
  source TEXT,
  confidence REAL,
  error_code TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  node_losses INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER,
  finished_at TEXT,
  PRIMARY KEY (conversion_id, page_no)
) WITHOUT ROWID;
-- Who uploaded a file into INPUT_DIR (with API keys on): another key may neither list nor convert it.
CREATE TABLE IF NOT EXISTS uploads (
  filename TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  uploaded_at TEXT NOT NULL
) WITHOUT ROWID;
-- the storage probe writes a row here and rolls it back: it fails exactly when the database cannot grow
CREATE TABLE IF NOT EXISTS storage_probe (data BLOB);
`;
