import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
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
import type { PagePreviews } from './page-previews.js';

/** Already compressed: deflating them again costs time and saves nothing. */
const STORED = /\.(pdf|jpe?g|png|zip)$/i;

interface ArchiveEntry {
  /** The name inside the zip. */
  name: string;
  file: string;
  role: { format: string } | { preview_of_page: number };
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
 * page previews when asked, and a `manifest.json` (with a `SHA256SUMS` beside it for
 * `sha256sum -c`) that names the source, the pages and each file's size and SHA-256. The
 * checksums are taken while the files stream into the zip, so each file is read once; the
 * manifest is the last entry for that reason.
 */
export class ConversionArchive {
  constructor(
    private readonly queries: Pick<ConversionQueries, 'row' | 'get' | 'resultFile'>,
    private readonly previews: Pick<PagePreviews, 'file'>,
    private readonly log: Logger,
  ) {}

  /** Checks everything that can fail before the first byte, then starts the zip. Another key's conversion is a 404. */
  async open(id: string, owner: string | null | undefined, opts: { previews: boolean }): Promise<ArchiveDownload> {
    const row = this.queries.row(id, owner);
    if (row.status !== 'completed') {
      throw neverProduced(row) ?? new AppError('result_not_ready', `The conversion is "${row.status}"; its archive exists once it is "completed".`);
    }
    const record = this.queries.get(id, owner);
    const entries: ArchiveEntry[] = [];
    for (const format of record.formats) {
      const result = await this.queries.resultFile(id, format as OutputFormat, owner);
      if (!(await fs.stat(result.path).catch(() => null))) {
        throw new AppError('format_not_produced', `The ${format} file of this conversion is missing; convert the document again.`);
      }
      entries.push({ name: result.filename, file: result.path, role: { format } });
    }
    const missingPreviews = opts.previews ? await this.addPreviews(row, record, entries) : [];
    return { filename: `${row.output_stem}.zip`, stream: this.zip(record, entries, opts.previews ? missingPreviews : null) };
  }

  /** Previews of the pages that have one (pages read from a text layer get theirs drawn now, and kept). */
  private async addPreviews(row: ConversionRow, record: ConversionRecord, entries: ArchiveEntry[]): Promise<number[]> {
    const missing: number[] = [];
    const total = record.total_pages ?? 0;
    const failed = new Set(record.failed_pages.map((p) => p.page_no));
    const width = Math.max(4, String(total).length);
    for (let n = 1; n <= total; n++) {
      const file = failed.has(n) ? null : await this.previews.file(row, n).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'page_not_found') return null;
        throw err;
      });
      if (file) entries.push({ name: `previews/page-${String(n).padStart(width, '0')}.jpg`, file, role: { preview_of_page: n } });
      else missing.push(n);
    }
    return missing;
  }

  private zip(record: ConversionRecord, entries: ArchiveEntry[], missingPreviews: number[] | null): Readable {
    const zip = new yazl.ZipFile();
    const mtime = new Date(record.completed_at ?? record.created_at);
    for (const entry of entries) {
      zip.addReadStreamLazy(entry.name, { mtime, compress: !STORED.test(entry.name) }, (done) => {
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
        done(null, source.pipe(measure));
      });
    }
    // Lazy: yazl asks for an entry once the ones before it are written, so every checksum is known by then.
    zip.addReadStreamLazy('manifest.json', { mtime }, (done) => done(null, bufferStream(manifest(record, entries, missingPreviews))));
    zip.addReadStreamLazy('SHA256SUMS', { mtime }, (done) => done(null, bufferStream(entries.map((e) => `${e.sha256}  ${e.name}\n`).join(''))));
    zip.end();
    const out = zip.outputStream as Readable;
    zip.on('error', (err: Error) => {
      // The reply has started: the client sees a cut-off download, the log says why.
      this.log.error({ err, conversion_id: record.id }, 'archive stream failed');
      out.destroy(err);
    });
    return out;
  }
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
