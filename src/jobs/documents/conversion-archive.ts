import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import type { Logger } from 'pino';
import yazl from 'yazl';
import { AppError } from '../../errors.js';
import type { ConversionRecord } from '../../schemas/conversion.js';
import type { OutputFormat } from '../../schemas/convert-options.js';
import type { ConversionRow } from '../../schemas/conversion-rows.js';
import { VERSION } from '../../version.js';
import type { ConversionQueries } from '../workflow/conversion-queries.js';
import { neverProduced } from '../workflow/conversion-records.js';
import type { BlobStore } from '../contracts/blob-store.js';
import type { PagePreviews } from './page-previews.js';

/** Already compressed: deflating them again costs time and saves nothing. */
const STORED = /\.(pdf|jpe?g|png|zip)$/i;

interface ArchiveEntry {
  /** The name inside the zip. */
  name: string;
  file: string;
  role: { format: string } | { preview_of_page: number } | { original: true };
  size?: number;
  sha256?: string;
}

export interface ArchiveDownload {
  filename: string;
  stream: Readable;
}

/**
 * One download of a finished conversion: a zip, streamed as it is made, of every format the
 * conversion was asked for (on-demand formats are made first, as their own download would), the
 * original document and the page previews when asked, and a `manifest.json` (with a `SHA256SUMS` beside it for
 * `sha256sum -c`) that names the source, the pages and each file's size and SHA-256. The
 * checksums are taken while the files stream into the zip, so each file is read once; the
 * manifest is the last entry for that reason.
 */
export class ConversionArchive {
  constructor(
    private readonly queries: Pick<ConversionQueries, 'row' | 'get' | 'resultFile'>,
    private readonly previews: Pick<PagePreviews, 'file'>,
    private readonly blobs: Pick<BlobStore, 'sourcePath'>,
    private readonly log: Logger,
  ) {}

  /** Checks everything that can fail before the first byte, then starts the zip. Another key's conversion is a 404. */
  async open(id: string, owner: string | null | undefined, opts: { previews: boolean; original?: boolean }): Promise<ArchiveDownload> {
    const row = this.queries.row(id, owner);
    if (row.status !== 'completed') {
      throw neverProduced(row) ?? new AppError('result_not_ready', `The conversion is "${row.status}"; its archive exists once it is "completed".`);
    }
    const record = this.queries.get(id, owner);
    const formats: ArchiveEntry[] = [];
    for (const format of record.formats) {
      const result = await this.queries.resultFile(id, format as OutputFormat, owner);
      if (!(await fs.stat(result.path).catch(() => null))) {
        throw new AppError('format_not_produced', `The ${format} file of this conversion is missing; convert the document again.`);
      }
      formats.push({ name: result.filename, file: result.path, role: { format } });
    }
    if (opts.original) {
      // Named by the output stem, not the client's name: always a plain, safe zip path.
      const source = this.blobs.sourcePath(row);
      if (!(await fs.stat(source).catch(() => null))) {
        throw new AppError('format_not_produced', 'The original document of this conversion is no longer kept (removed from the input folder?); ask without original=true.');
      }
      formats.push({ name: `original/${row.output_stem}${path.extname(source).toLowerCase()}`, file: source, role: { original: true } });
    }
    return { filename: `${row.output_stem}.zip`, stream: this.zip(row, record, formats, opts.previews) };
  }

  /**
   * The zip: the formats at once, then (when asked) each page's preview as it is ready, drawn
   * PREVIEW_DRAWS at a time while the formats stream, then the manifest. A page without a preview
   * is listed in the manifest, never a broken download.
   */
  private zip(row: ConversionRow, record: ConversionRecord, formats: ArchiveEntry[], withPreviews: boolean): Readable {
    const zip = new yazl.ZipFile();
    const out = zip.outputStream as Readable;
    const mtime = new Date(record.completed_at ?? record.created_at);
    const entries = [...formats];
    const add = (entry: ArchiveEntry) => zip.addReadStreamLazy(entry.name, { mtime, compress: !STORED.test(entry.name) }, (done) => done(null, measured(entry)));
    formats.forEach(add);
    zip.on('error', (err: Error) => {
      // The reply has started: the client sees a cut-off download, the log says why.
      this.log.error({ err, conversion_id: record.id }, 'archive stream failed');
      out.destroy(err);
    });
    void (async () => {
      const missing: number[] = [];
      if (withPreviews) {
        const total = record.total_pages ?? 0;
        const failed = new Set(record.failed_pages.map((p) => p.page_no));
        const width = Math.max(4, String(total).length);
        const drawn = inOrder(total, PREVIEW_DRAWS, () => out.destroyed, (i) => (failed.has(i + 1) ? Promise.resolve(null) : this.preview(row, i + 1)));
        for (let n = 1; n <= total && !out.destroyed; n++) {
          const file = await drawn[n - 1]!;
          if (!file) {
            missing.push(n);
          } else {
            const entry: ArchiveEntry = { name: `previews/page-${String(n).padStart(width, '0')}.jpg`, file, role: { preview_of_page: n } };
            entries.push(entry);
            add(entry);
          }
        }
      }
      if (out.destroyed) return;
      // Lazy: yazl asks for an entry once the ones before it are written, so every checksum is known by then.
      zip.addReadStreamLazy('manifest.json', { mtime }, (done) => done(null, bufferStream(manifest(record, entries, withPreviews ? missing : null))));
      zip.addReadStreamLazy('SHA256SUMS', { mtime }, (done) => done(null, bufferStream(entries.map((e) => `${e.sha256}  ${e.name}\n`).join(''))));
      zip.end();
    })();
    return out;
  }

  /** A page's preview file, or null when it has none (pages read from a text layer get theirs drawn now, and kept). */
  private async preview(row: ConversionRow, pageNo: number): Promise<string | null> {
    try {
      return await this.previews.file(row, pageNo);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'page_not_found')) this.log.warn({ err, conversion_id: row.id, page: pageNo }, 'archive: preview left out');
      return null;
    }
  }
}

/**
 * Drawings run on the pool the conversions use: two at a time keep the download moving without
 * taking every thread from other people's pages.
 */
const PREVIEW_DRAWS = 2;

/** Runs `task` for 0..count-1, `width` at a time, until `stop()`; one promise per index, in order (a stopped one is null). */
function inOrder<T>(count: number, width: number, stop: () => boolean, task: (i: number) => Promise<T | null>): Promise<T | null>[] {
  const settle: ((v: T | null) => void)[] = [];
  const results = Array.from({ length: count }, (_, i) => new Promise<T | null>((resolve) => { settle[i] = resolve; }));
  let next = 0;
  const runner = async () => {
    while (next < count) {
      const i = next++;
      settle[i]!(stop() ? null : await task(i));
    }
  };
  for (let k = 0; k < Math.min(width, count); k++) void runner();
  return results;
}

/** A file's bytes on their way into the zip, counted and hashed as they pass. */
function measured(entry: ArchiveEntry): Readable {
  const source = createReadStream(entry.file);
  const hash = createHash('sha256');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, next) {
      hash.update(chunk);
      size += chunk.length;
      next(null, chunk);
    },
    flush(next) {
      entry.size = size;
      entry.sha256 = hash.digest('hex');
      next();
    },
  });
  source.once('error', (err) => measure.destroy(err));
  return source.pipe(measure);
}

const bufferStream = (text: string): Readable => new PassThrough().end(Buffer.from(text));

function manifest(record: ConversionRecord, entries: ArchiveEntry[], missingPreviews: number[] | null): string {
  return `${JSON.stringify({
    conversion_id: record.id,
    source: { filename: record.filename },
    created: record.created_at,
    completed: record.completed_at,
    generator: `pagemill ${VERSION}`,
    prompt_mode: record.prompt_mode,
    lang: record.lang,
    formats: record.formats,
    pages: {
      total: record.total_pages,
      completed: record.pages_completed,
      failed: record.failed_pages,
    },
    ...(missingPreviews ? { previews: { included: entries.filter((e) => 'preview_of_page' in e.role).length, pages_without_preview: missingPreviews } } : {}),
    files: entries.map((e) => ({ path: e.name, ...e.role, size: e.size, sha256: e.sha256 })),
  }, null, 2)}\n`;
}
