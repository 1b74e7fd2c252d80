import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ConversionErrorCode } from '../../errors.js';
import type { ConversionStatus } from '../../schemas/conversion.js';
import type { BatchTally, ConversionRow, NewConversion, PageOutcome, PageRow } from '../../schemas/conversion-rows.js';
import { restrictDatabaseFiles, scopeIdempotencyKeysPerOwner } from './store-migrations.js';
import { COLUMNS_ADDED, PAGE_COLUMNS_ADDED, SCHEMA } from './store-schema.js';
import type { SecretBox } from '../../security/secret-box.js';
import type { ConversionStore } from '../contracts/conversion-store.js';

const ROLLBACK = new Error('rollback');


export type { BatchTally, ConversionRow, NewConversion, PageOutcome, PageRow, PageStatus } from '../../schemas/conversion-rows.js';

/**
 * The local job store: SQLite in WAL mode under DATA_DIR. Conversions and their pages are rows;
 * a page's full result lives in the conversion's page log (src/outputs/page-log.ts), the row keeps its outcome.
 * Synchronous by design: every statement is sub-millisecond, and better-sqlite3 is fastest so.
 */
export class JobStore implements ConversionStore {
  private readonly db: Database.Database;
  /** Prepared once: preparing costs more than running most of these statements. */
  private readonly statements = new Map<string, Database.Statement>();
  /**
   * Per-batch page tallies of running conversions, kept exact by re-counting just the batch of
   * each page that changes: recounting every page on every progress message made a 500-page
   * conversion quadratic (a third of the main thread's time on born-digital documents).
   */
  private readonly tallies = new Map<string, { size: number; byBatch: Map<number, BatchTally> }>();

  constructor(file: string, private readonly secrets?: SecretBox) {
    if (file !== ':memory:') {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      restrictDatabaseFiles(file);
    }
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const have = new Set((this.sql('PRAGMA table_info(conversions)').all() as { name: string }[]).map((c) => c.name));
    for (const [name, type] of COLUMNS_ADDED) {
      if (!have.has(name)) this.db.exec(`ALTER TABLE conversions ADD COLUMN ${name} ${type}`);
    }
    const pageColumns = new Set((this.sql('PRAGMA table_info(pages)').all() as { name: string }[]).map((c) => c.name));
    for (const [name, type] of PAGE_COLUMNS_ADDED) {
      if (!pageColumns.has(name)) this.db.exec(`ALTER TABLE pages ADD COLUMN ${name} ${type}`);
    }
    scopeIdempotencyKeysPerOwner(this.db);
    this.db.exec(SCHEMA); // indexes dropped with a rebuilt table come back
    if (secrets) this.sealPlainPasswords(secrets);
  }

  close(): void {
    this.db.close();
  }

  /** Proves the database can grow again (after a full disk): a page-sized insert, rolled back. */
  probeWrite(): void {
    const insert = this.sql('INSERT INTO storage_probe (data) VALUES (zeroblob(8192))');
    try {
      this.db.transaction(() => {
        insert.run();
        throw ROLLBACK;
      })();
    } catch (err) {
      if (err !== ROLLBACK) throw err;
    }
  }

  /** Caps the database at `pages` pages: simulates a full disk (tests) deterministically. */
  capPages(pages: number): void {
    this.db.pragma(`max_page_count = ${Math.floor(pages)}`);
  }

  /** Counts one more try of the conversion's current step; returns the tries so far, this one included. */
  beginStep(id: string): number {
    const r = this.sql('UPDATE conversions SET step_attempts = step_attempts + 1 WHERE id = ? RETURNING step_attempts').get(id);
    return (r as { step_attempts: number } | undefined)?.step_attempts ?? 0;
  }

  /** The step's try ended without the process dying: only tries the process died in add up. */
  endStep(id: string): void {
    this.sql('UPDATE conversions SET step_attempts = max(step_attempts - 1, 0) WHERE id = ?').run(id);
  }

  private sql(text: string): Database.Statement {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  insert(c: NewConversion): ConversionRow {
    if (c.password !== null && this.secrets) c = { ...c, password: this.secrets.seal(c.password) };
    this.sql(`INSERT INTO conversions (id, filename, source_path, source_is_upload, source_stem, output_stem, kind, prompt_mode, priority, status, message,
                  created_at, password, idempotency_key, formats, on_demand_formats, lang, page_range, ocr_mode, callback_url, owner, chunk_tokens)
                VALUES (@id, @filename, @source_path, @source_is_upload, @source_stem, @output_stem, @kind, @prompt_mode, @priority, 'pending', @message,
                  @created_at, @password, @idempotency_key, @formats, @on_demand_formats, @lang, @page_range, @ocr_mode, @callback_url, @owner, @chunk_tokens)`)
      .run({ chunk_tokens: 512, ...c });
    return this.get(c.id)!;
  }

  /** The PDF password to hand to a worker (undefined: none, or it cannot be opened with this key). */
  passwordOf(row: ConversionRow): string | undefined {
    if (row.password === null) return undefined;
    return (this.secrets ? this.secrets.open(row.password) : row.password) ?? undefined;
  }

  /** Passwords stored in plain text by older versions are sealed on open. */
  private sealPlainPasswords(secrets: SecretBox): void {
    const rows = this.sql('SELECT id, password FROM conversions WHERE password IS NOT NULL').all() as { id: string; password: string }[];
    const update = this.sql('UPDATE conversions SET password = ? WHERE id = ?');
    for (const r of rows) if (!secrets.isSealed(r.password)) update.run(secrets.seal(r.password), r.id);
  }

  get(id: string): ConversionRow | undefined {
    return this.sql('SELECT * FROM conversions WHERE id = ?').get(id) as ConversionRow | undefined;
  }

  list(opts: { status?: ConversionStatus; owner?: string | null; limit: number; offset: number }): { items: ConversionRow[]; total: number } {
    const conditions = [opts.status ? 'status = @status' : '', opts.owner ? 'owner = @owner' : ''].filter(Boolean);
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const params = { status: opts.status, owner: opts.owner ?? undefined };
    const items = this.sql(`SELECT * FROM conversions ${where} ORDER BY created_at DESC, id LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: opts.limit, offset: opts.offset }) as ConversionRow[];
    const { n } = this.sql(`SELECT count(*) AS n FROM conversions ${where}`).get(params) as { n: number };
    return { items, total: n };
  }

  unfinishedCountOf(owner: string): number {
    return (this.sql(`SELECT count(*) AS n FROM conversions WHERE owner = ? AND status IN ('pending', 'processing')`).get(owner) as { n: number }).n;
  }

  /**
   * The newest conversion of the input file with this stem (a re-conversion of a replaced file
   * must win over the first one); a stem that names no input file may be one conversion's own
   * output stem (`x-1a2b3c4d`). `owner` narrows to one key's conversions.
   */
  latestByStem(stem: string, status?: ConversionStatus, owner?: string | null): ConversionRow | undefined {
    return this.sql(`SELECT * FROM conversions WHERE (source_stem = @stem OR output_stem = @stem) ${status ? 'AND status = @status' : ''}
                ${owner ? 'AND owner = @owner' : ''} ORDER BY (source_stem = @stem) DESC, created_at DESC, rowid DESC LIMIT 1`)
      .get({ stem, status, owner: owner ?? undefined }) as ConversionRow | undefined;
  }

  renameOwner(from: string, to: string): number {
    return this.db.transaction(() => {
      this.sql('UPDATE uploads SET owner = ? WHERE owner = ?').run(to, from);
      return this.sql('UPDATE conversions SET owner = ? WHERE owner = ?').run(to, from).changes;
    })();
  }

  recordUpload(filename: string, owner: string): void {
    this.sql('INSERT OR REPLACE INTO uploads (filename, owner, uploaded_at) VALUES (?, ?, ?)')
      .run(filename, owner, new Date().toISOString());
  }

  /** The key that uploaded an input file; undefined for files put there otherwise. */
  uploadOwner(filename: string): string | undefined {
    return (this.sql('SELECT owner FROM uploads WHERE filename = ?').get(filename) as { owner: string } | undefined)?.owner;
  }

  /** Input file names a key uploaded or converted by name. */
  inputNamesOf(owner: string): Set<string> {
    const rows = this.sql(`SELECT filename FROM uploads WHERE owner = @owner
                UNION SELECT filename FROM conversions WHERE owner = @owner AND source_is_upload = 0`)
      .all({ owner }) as { filename: string }[];
    return new Set(rows.map((r) => r.filename));
  }

  outputStemTaken(stem: string): boolean {
    return this.sql('SELECT 1 FROM conversions WHERE output_stem = ?').get(stem) !== undefined;
  }

  // `owner` in the counters below narrows them to one API key's conversions (null: all).

  countByStatus(owner: string | null = null): Record<ConversionStatus, number> {
    const rows = this.sql(`SELECT status, count(*) AS n FROM conversions WHERE (@owner IS NULL OR owner = @owner) GROUP BY status`)
      .all({ owner }) as { status: ConversionStatus; n: number }[];
    const out = { pending: 0, processing: 0, completed: 0, error: 0, cancelled: 0 };
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  /** Unfinished conversions, oldest first: what a restart must resume. */
  unfinished(): ConversionRow[] {
    return this.sql(`SELECT * FROM conversions WHERE status IN ('pending', 'processing') ORDER BY created_at`).all() as ConversionRow[];
  }

  /** Idempotency keys are per API key: `owner` null is the no-keys namespace. */
  byIdempotencyKey(key: string, owner: string | null): ConversionRow | undefined {
    return this.sql(`SELECT * FROM conversions WHERE idempotency_key = ? AND ifnull(owner, '') = ?`)
      .get(key, owner ?? '') as ConversionRow | undefined;
  }

  /**
   * Records the page count and creates one queued row per selected page, atomically — only while
   * the conversion is still pending (a cancel during inspection wins). Returns whether it started.
   */
  start(id: string, documentPages: number, selected: number[], startedAt: string): boolean {
    this.tallies.delete(id);
    const insertPage = this.sql(`INSERT OR IGNORE INTO pages (conversion_id, page_no, status) VALUES (?, ?, 'queued')`);
    return this.db.transaction(() => {
      const r = this.sql(`UPDATE conversions SET status = 'processing', total_pages = ?, document_pages = ?, started_at = coalesce(started_at, ?), message = ?,
                    step_attempts = 0
                  WHERE id = ? AND status = 'pending'`)
        .run(selected.length, documentPages, startedAt, `Processing pages: 0/${selected.length}`, id);
      if (r.changes === 0) return false;
      for (const p of selected) insertPage.run(id, p);
      return true;
    })();
  }

  pages(id: string): PageRow[] {
    return this.sql('SELECT * FROM pages WHERE conversion_id = ? ORDER BY page_no').all(id) as PageRow[];
  }

  page(id: string, pageNo: number): PageRow | undefined {
    return this.sql('SELECT * FROM pages WHERE conversion_id = ? AND page_no = ?').get(id, pageNo) as PageRow | undefined;
  }

  /** Pages still to do: queued ones, and ones that were running when the process stopped. */
  unfinishedPages(id: string): PageRow[] {
    return this.sql(`SELECT * FROM pages WHERE conversion_id = ? AND status IN ('queued', 'running') ORDER BY page_no`).all(id) as PageRow[];
  }

  markPageRunning(id: string, pageNo: number): void {
    this.sql(`UPDATE pages SET status = 'running' WHERE conversion_id = ? AND page_no = ?`).run(id, pageNo);
    this.recount(id, pageNo);
  }

  chargePageAttempt(id: string, pageNo: number): number {
    const r = this.sql('UPDATE pages SET attempts = attempts + 1 WHERE conversion_id = ? AND page_no = ? RETURNING attempts').get(id, pageNo);
    return (r as { attempts: number } | undefined)?.attempts ?? 0;
  }

  refundPageAttempt(id: string, pageNo: number): void {
    this.sql('UPDATE pages SET attempts = max(attempts - 1, 0) WHERE conversion_id = ? AND page_no = ?').run(id, pageNo);
  }

  countNodeLoss(id: string, pageNo: number): number {
    const r = this.sql('UPDATE pages SET node_losses = node_losses + 1 WHERE conversion_id = ? AND page_no = ? RETURNING node_losses').get(id, pageNo);
    return (r as { node_losses: number } | undefined)?.node_losses ?? 0;
  }

  requeuePage(id: string, pageNo: number): void {
    this.sql(`UPDATE pages SET status = 'queued' WHERE conversion_id = ? AND page_no = ?`).run(id, pageNo);
    this.recount(id, pageNo);
  }

  /** Saves a page's outcome and bumps the conversion's counters in one transaction. */
  finishPage(id: string, pageNo: number, o: PageOutcome, message: string | ((row: ConversionRow) => string)): ConversionRow {
    return this.db.transaction(() => {
      const changed = this.sql(`UPDATE pages SET status = @status, source = @source, confidence = @confidence, error_code = @error_code, error = @error,
                    duration_ms = @duration_ms, finished_at = @now
                  WHERE conversion_id = @id AND page_no = @page_no AND status NOT IN ('done', 'failed')`)
        .run({ id, page_no: pageNo, status: o.status, source: o.source ?? null, confidence: o.confidence ?? null, error_code: o.error_code ?? null,
          error: o.error ?? null, duration_ms: o.duration_ms ?? null, now: new Date().toISOString() });
      if (changed.changes > 0) {
        const column = o.status === 'done' ? 'pages_done' : 'pages_failed';
        this.sql(`UPDATE conversions SET ${column} = ${column} + 1, last_page = ? WHERE id = ?`).run(pageNo, id);
        this.recount(id, pageNo);
      }
      const row = this.get(id)!;
      const text = typeof message === 'function' ? message(row) : message;
      this.sql('UPDATE conversions SET message = ? WHERE id = ?').run(text, id);
      return { ...row, message: text };
    })();
  }

  /**
   * Moves a conversion to a terminal state, clearing its password (no longer needed); undefined
   * when it already was terminal.
   */
  finish(id: string, status: 'completed' | 'error' | 'cancelled', message: string, error?: { code: ConversionErrorCode; message: string }): ConversionRow | undefined {
    return this.db.transaction(() => {
      const r = this.sql(`UPDATE conversions SET status = ?, message = ?, error = ?, error_code = ?, completed_at = ?, password = NULL
                  WHERE id = ? AND status IN ('pending', 'processing')`)
        .run(status, message, error?.message ?? null, error?.code ?? null, new Date().toISOString(), id);
      this.tallies.delete(id);
      if (r.changes === 0) return undefined;
      // A failed conversion's unfinished pages end with its error (e.g. storage_full): none stays "running".
      // No finished_at: they were never processed, and must not count in the throughput.
      if (status === 'error' && error) this.failUnfinishedPages(id, error);
      return this.get(id);
    })();
  }

  private failUnfinishedPages(id: string, error: { code: ConversionErrorCode; message: string }): void {
    const r = this.sql(`UPDATE pages SET status = 'failed', error_code = ?, error = ?
                WHERE conversion_id = ? AND status IN ('queued', 'running')`).run(error.code, error.message, id);
    if (r.changes > 0) this.sql('UPDATE conversions SET pages_failed = pages_failed + ? WHERE id = ?').run(r.changes, id);
  }

  /**
   * Per-batch page counts, in batch order: batch b holds pages b*size+1 … (b+1)*size. `live`
   * (a running conversion) keeps them and updates them as pages change, instead of recounting.
   */
  batches(id: string, size: number, live = false): BatchTally[] {
    const kept = this.tallies.get(id);
    if (kept && kept.size === size) return [...kept.byBatch.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t);
    const rows = this.sql(`SELECT (page_no - 1) / CAST(@size AS INTEGER) AS batch, sum(status IN ('done', 'failed')) AS finished, sum(status = 'failed') AS failed,
                  sum(status = 'running') AS running, count(*) AS n
                FROM pages WHERE conversion_id = @id GROUP BY batch ORDER BY batch`)
      .all({ id, size }) as (BatchTally & { batch: number })[];
    if (live) this.tallies.set(id, { size, byBatch: new Map(rows.map(({ batch, ...t }) => [batch, t])) });
    return rows.map(({ batch: _, ...t }) => t);
  }

  /** Re-counts the one batch holding `pageNo`, when the conversion's tallies are kept. */
  private recount(id: string, pageNo: number): void {
    const kept = this.tallies.get(id);
    if (!kept) return;
    const batch = Math.floor((pageNo - 1) / kept.size);
    const t = this.sql(`SELECT coalesce(sum(status IN ('done', 'failed')), 0) AS finished, coalesce(sum(status = 'failed'), 0) AS failed,
                  coalesce(sum(status = 'running'), 0) AS running, count(*) AS n
                FROM pages WHERE conversion_id = ? AND page_no BETWEEN ? AND ?`).get(id, batch * kept.size + 1, (batch + 1) * kept.size) as BatchTally;
    if (t.n > 0) kept.byBatch.set(batch, t);
    else kept.byBatch.delete(batch);
  }

  /** Terminal conversions that ended before `before` (ISO time): what retention removes. */
  endedBefore(before: string, limit = 100): ConversionRow[] {
    return this.sql(`SELECT * FROM conversions WHERE status IN ('completed', 'error', 'cancelled') AND completed_at < ? ORDER BY completed_at LIMIT ?`)
      .all(before, limit) as ConversionRow[];
  }

  /** Pages that finished (done or failed) since `since` (ISO time). */
  pagesFinishedSince(since: string, owner: string | null = null): number {
    if (owner === null) return (this.sql(`SELECT count(*) AS n FROM pages WHERE finished_at >= ?`).get(since) as { n: number }).n;
    return (this.sql(`SELECT count(*) AS n FROM pages p JOIN conversions c ON c.id = p.conversion_id
                WHERE p.finished_at >= ? AND c.owner = ?`).get(since, owner) as { n: number }).n;
  }

  /** Mean seconds from accept to start, over conversions started since `since`. */
  meanWaitSeconds(since: string, owner: string | null = null): number | null {
    const r = this.sql(`SELECT avg((julianday(started_at) - julianday(created_at)) * 86400.0) AS s FROM conversions
                WHERE started_at >= @since AND (@owner IS NULL OR owner = @owner)`)
      .get({ since, owner }) as { s: number | null };
    return r.s === null ? null : Math.round(r.s * 10) / 10;
  }

  /** Pages of unfinished conversions still to do (queued or running). */
  pagesOutstanding(owner: string | null = null): number {
    return (this.sql(`SELECT count(*) AS n FROM pages p JOIN conversions c ON c.id = p.conversion_id
                              WHERE c.status IN ('pending', 'processing') AND p.status IN ('queued', 'running')
                                AND (@owner IS NULL OR c.owner = @owner)`).get({ owner }) as { n: number }).n;
  }

  /** One key's unfinished conversions and their pages by state: its share of the pool status. */
  workOf(owner: string): { ids: string[]; pagesQueued: number; pagesRunning: number } {
    const ids = (this.sql(`SELECT id FROM conversions WHERE owner = ? AND status IN ('pending', 'processing')`)
      .all(owner) as { id: string }[]).map((r) => r.id);
    const pages = this.sql(`SELECT sum(p.status = 'queued') AS queued, sum(p.status = 'running') AS running FROM pages p
                              JOIN conversions c ON c.id = p.conversion_id WHERE c.owner = ? AND c.status IN ('pending', 'processing')`)
      .get(owner) as { queued: number | null; running: number | null };
    return { ids, pagesQueued: pages.queued ?? 0, pagesRunning: pages.running ?? 0 };
  }

  setWebhookState(id: string, status: 'pending' | 'delivered' | 'failed', attempts: number): void {
    this.sql('UPDATE conversions SET webhook_status = ?, webhook_attempts = ? WHERE id = ?').run(status, attempts, id);
  }

  /** Ended conversions whose callback has not been delivered or given up yet. */
  pendingWebhooks(): string[] {
    return (this.sql(`SELECT id FROM conversions WHERE callback_url IS NOT NULL AND status IN ('completed', 'error', 'cancelled')
                              AND (webhook_status IS NULL OR webhook_status = 'pending')`).all() as { id: string }[]).map((r) => r.id);
  }

  delete(id: string): void {
    this.tallies.delete(id);
    this.sql('DELETE FROM conversions WHERE id = ?').run(id);
  }
}
