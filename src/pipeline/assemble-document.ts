import { createWriteStream, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { PageSummary, PromptMode } from '../schemas/conversion.js';
import type { ConversionFiles } from '../outputs/conversion-files.js';
import { pageMarkdown } from '../outputs/markdown.js';
import type { PageRow } from '../jobs/job-store.js';
import { pageSummary, readPageResult } from './page-output.js';

/** A stream to a temporary name, renamed into place on commit: readers never see half a file. */
class AtomicStream {
  private readonly tmp: string;
  private readonly out: WriteStream;

  constructor(private readonly file: string) {
    this.tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    this.out = createWriteStream(this.tmp);
  }

  async write(chunk: string): Promise<void> {
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  async commit(): Promise<void> {
    this.out.end();
    await once(this.out, 'close');
    await fs.rename(this.tmp, this.file);
  }

  async abort(): Promise<void> {
    this.out.destroy();
    await fs.rm(this.tmp, { force: true });
  }
}

export interface DocumentMeta { conversionId: string; filename: string; promptMode: PromptMode }

/**
 * Builds the whole-document outputs (.txt, .md, .json, and the seed's .jsonl) by streaming the
 * page results one at a time, so a 1,000-page document never sits in memory at once.
 * Returns the per-page summaries for the `completed` message.
 */
export async function assembleDocument(files: ConversionFiles, rows: PageRow[], meta: DocumentMeta): Promise<PageSummary[]> {
  const txt = new AtomicStream(files.document('txt'));
  const md = new AtomicStream(files.document('md'));
  const json = new AtomicStream(files.document('json'));
  const jsonl = new AtomicStream(files.jsonl());
  const streams = [txt, md, json, jsonl];
  const summaries: PageSummary[] = [];
  try {
    await json.write(`{"conversion_id":${JSON.stringify(meta.conversionId)},"filename":${JSON.stringify(meta.filename)},"prompt_mode":"${meta.promptMode}","pages":[`);
    for (const [i, row] of rows.entries()) {
      const page = row.status === 'done' ? await readPageResult(files, row.page_no) : null;
      const summary = pageSummary(files, row, page, meta.promptMode);
      summaries.push(summary);
      await jsonl.write(`${JSON.stringify({ ...summary, file_path: meta.filename })}\n`);
      if (i > 0) {
        await txt.write('\f\n');
        await md.write('\n---\n\n');
        await json.write(',');
      }
      if (page) {
        await txt.write(`${page.text}\n`);
        await md.write(pageMarkdown(page.blocks, true) || '\n');
        await json.write(JSON.stringify({ status: 'done', ...page }));
      } else {
        await md.write(`<!-- page ${row.page_no} failed: ${summary.error?.code} -->\n`);
        await json.write(JSON.stringify({ page_no: row.page_no, status: 'failed', error: summary.error }));
      }
    }
    await json.write(']}\n');
    for (const s of streams) await s.commit();
  } catch (err) {
    await Promise.all(streams.map((s) => s.abort()));
    throw err;
  }
  return summaries;
}
