import { createWriteStream, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { PageSummary, PromptMode } from '../schemas/conversion.js';
import type { ConversionFiles } from './conversion-files.js';
import { DOCUMENT_FORMATS, type DocumentFormat, type DocumentMeta, type TextFormat } from './document-formats.js';
import type { PageRow } from '../schemas/conversion-rows.js';
import type { StoredPage } from '../schemas/page-result.js';
import { pageMarkdownIsDocumentPart } from '../../workers/layout/page-files.js';
import { pageSummary, readStoredPages } from './page-output.js';

/**
 * A stream to a temporary name, renamed into place on commit: readers never see half a file.
 * Open and write failures (ENAMETOOLONG, EROFS, ENOSPC…) arrive as 'error' events; they are kept
 * and rethrown by the next write or commit, since an 'error' event nobody listens to kills the process.
 */
class AtomicStream {
  private readonly tmp: string;
  private readonly out: WriteStream;
  private failure: Error | null = null;
  private readonly failed: Promise<never>;

  constructor(private readonly file: string) {
    this.tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    this.out = createWriteStream(this.tmp);
    this.failed = new Promise((_resolve, reject) => {
      this.out.on('error', (err) => {
        this.failure ??= err;
        reject(err);
      });
    });
    this.failed.catch(() => undefined); // observed through write/commit; never an unhandled rejection
  }

  /** Waits for `event`, or fails with the stream's error (which may already have happened). */
  private until(event: 'drain' | 'close'): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return Promise.race([once(this.out, event).then(() => undefined), this.failed]);
  }

  /** A method, not an inline check: the compiler's narrowing would not see a failure that arrived during an await. */
  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  async write(chunk: string): Promise<void> {
    this.throwIfFailed();
    if (!this.out.write(chunk)) await this.until('drain');
  }

  async commit(): Promise<void> {
    this.throwIfFailed();
    this.out.end();
    await this.until('close');
    this.throwIfFailed();
    await fs.rename(this.tmp, this.file);
  }

  async abort(): Promise<void> {
    this.out.destroy();
    await fs.rm(this.tmp, { force: true }).catch(() => undefined);
  }
}

/** Pages read at once (one message to the file thread); the next batch is read while one is written. */
const READ_BATCH = 16;

/** `read` of each batch of items in order, the next batch in flight while one is used. */
async function* readAhead<T, R>(items: readonly T[], read: (batch: readonly T[]) => Promise<R[]>): AsyncGenerator<R> {
  const batch = (from: number) => {
    if (from >= items.length) return null;
    const reading = read(items.slice(from, from + READ_BATCH));
    // Awaited below unless the writing fails first: a batch read ahead must not fail unobserved then.
    reading.catch(() => undefined);
    return reading;
  };
  let pending = batch(0);
  for (let from = READ_BATCH; pending; from += READ_BATCH) {
    const values = await pending;
    pending = batch(from);
    yield* values;
  }
}

/**
 * Builds the whole-document outputs (one file per format in `formats`, and the seed's .jsonl) by
 * streaming the page results one at a time, so a 1,000-page document never sits in memory at once.
 * Returns the per-page summaries for the `completed` message.
 */
export function assembleDocument(files: ConversionFiles, rows: PageRow[], meta: DocumentMeta, formats: readonly TextFormat[]): Promise<PageSummary[]> {
  return writeDocuments(files, rows, meta, formats, true);
}

/** Builds the documents in `formats` alone, for a completed conversion (a format made on its first download). */
export async function buildDocuments(files: ConversionFiles, rows: PageRow[], meta: DocumentMeta, formats: readonly TextFormat[]): Promise<void> {
  await writeDocuments(files, rows, meta, formats, false);
}

async function writeDocuments(files: ConversionFiles, rows: PageRow[], meta: DocumentMeta, formats: readonly TextFormat[], withResults: boolean): Promise<PageSummary[]> {
  const streams: AtomicStream[] = [];
  const open = (file: string) => {
    const stream = new AtomicStream(file);
    streams.push(stream);
    return stream;
  };
  const summaries: PageSummary[] = [];
  // Each page's Markdown file is read rather than made again (~0.4 ms a page, while the pool waits).
  const reuseMarkdown = formats.includes('md') && pageMarkdownIsDocumentPart(meta.promptMode as PromptMode);
  // Formats that take more than a page's head parse it whole first: a page damaged past its head
  // (cut off by something outside pagemill) then counts as failed instead of breaking the document.
  const wholePages = formats.some((f) => f !== 'txt' && !(f === 'md' && reuseMarkdown));
  try {
    const outputs = formats.map((f) => {
      const format: DocumentFormat = DOCUMENT_FORMATS[f];
      return { format: format.start?.(meta) ?? format, stream: open(files.document(f)) };
    });
    const jsonl = withResults ? open(files.jsonl()) : null;
    for (const o of outputs) await o.stream.write(o.format.header(meta));
    const readPages = async (batch: readonly PageRow[]): Promise<{ row: PageRow; stored: StoredPage | null; markdown?: string }[]> => {
      const done = batch.filter((row) => row.status === 'done');
      const read = await readStoredPages(files, done.map((row) => row.page_no), reuseMarkdown);
      return batch.map((row) => {
        const page = read[done.indexOf(row)];
        let stored = page?.stored ?? null;
        if (stored && wholePages) {
          try {
            stored.full();
          } catch {
            stored = null;
          }
        }
        return { row, stored, markdown: stored ? page?.markdown : undefined };
      });
    };
    for await (const { row, stored, markdown } of readAhead(rows, readPages)) {
      const first = summaries.length === 0;
      const summary = pageSummary(files, row, stored?.head ?? null, meta.promptMode as PromptMode);
      summaries.push(summary);
      await jsonl?.write(`${JSON.stringify({ ...summary, file_path: meta.filename })}\n`);
      for (const o of outputs) {
        await o.stream.write(stored ? o.format.page(stored, first, markdown) : o.format.failedPage(row.page_no, summary.error?.code ?? 'render_failed', first));
      }
    }
    for (const o of outputs) await o.stream.write(o.format.footer());
    for (const s of streams) await s.commit();
  } catch (err) {
    await Promise.all(streams.map((s) => s.abort()));
    throw err;
  }
  return summaries;
}
