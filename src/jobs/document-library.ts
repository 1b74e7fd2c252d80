import fs from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { ConversionFiles } from '../outputs/conversion-files.js';
import { displayName, safeStem, sniffFile } from '../pipeline/input-files.js';
import type { JobStore } from './job-store.js';
import type { PagePreviews } from './page-previews.js';

/**
 * The seed's document routes: files in INPUT_DIR and their converted Markdown. A document is
 * addressed by its stem; the latest completed conversion of that stem answers, and output folders
 * written by the older backend (no record) are still served.
 */
export class DocumentLibrary {
  constructor(private readonly config: Config, private readonly store: JobStore, private readonly previews?: PagePreviews) {}

  /** Moves an upload into INPUT_DIR under a safe, unused name. The type is checked from the bytes. */
  async upload(tmpPath: string, originalName: string) {
    try {
      const type = await sniffFile(tmpPath);
      const stem = safeStem(displayName(originalName));
      const { size } = await fs.stat(tmpPath);
      for (let n = 0; n < 1000; n++) {
        const name = `${n === 0 ? stem : `${stem}-${n}`}${type.ext}`;
        const target = path.join(this.config.INPUT_DIR, name);
        try {
          await fs.copyFile(tmpPath, target, fsConstants.COPYFILE_EXCL);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw err;
        }
        return { status: 'success', filename: name, file_path: target, file_size: size, upload_time: new Date().toISOString() };
      }
      throw new AppError('invalid_filename', 'Too many files with this name in the input folder; rename the file.');
    } finally {
      await fs.rm(tmpPath, { force: true });
    }
  }

  async documents() {
    const entries = await fs.readdir(this.config.INPUT_DIR, { withFileTypes: true }).catch(() => []);
    const documents = [];
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.startsWith('.')) continue;
      const file = path.join(this.config.INPUT_DIR, entry.name);
      const stat = await fs.stat(file).catch(() => null);
      if (!stat) continue;
      const stem = safeStem(entry.name);
      const conv = this.store.latestByStem(stem, 'completed');
      const files = this.filesFor(stem);
      const markdownPath = files.markdownNoHeaderFooter(1);
      const exists = await fs.access(markdownPath).then(() => true, () => false);
      const pageCount = conv?.total_pages ?? (await this.pageFiles(files)).length;
      documents.push({
        filename: entry.name,
        file_path: file,
        file_size: stat.size,
        upload_time: stat.mtime.toISOString(),
        markdown_exists: exists,
        markdown_path: exists ? markdownPath : null,
        is_multipage: pageCount > 1,
        stem,
        conversion_id: conv?.id ?? null,
        total_pages: conv?.total_pages ?? null,
      });
    }
    documents.sort((a, b) => a.filename.localeCompare(b.filename));
    return { status: 'success', documents, total: documents.length };
  }

  /** `pageNo` is 0-based, as in the seed's file names; without it, the whole document. */
  async markdown(stem: string, pageNo?: number) {
    const files = this.filesFor(stem);
    const pages = await this.pageFiles(files);
    if (pages.length === 0) throw new AppError('document_not_found');
    if (pageNo === undefined) {
      const parts = await Promise.all(pages.map((p) => fs.readFile(files.markdownNoHeaderFooter(p + 1), 'utf8')));
      return { status: 'success', filename: stem, page_no: null, total_pages: pages.length, content: parts.join('\n---\n\n'), markdown_path: files.document('md') };
    }
    if (!pages.includes(pageNo)) throw new AppError('page_not_found', `Page ${pageNo} does not exist; page_no runs from 0 to ${Math.max(...pages)}.`);
    const mdPath = files.markdownNoHeaderFooter(pageNo + 1);
    return { status: 'success', filename: stem, page_no: pageNo, total_pages: pages.length, content: await fs.readFile(mdPath, 'utf8'), markdown_path: mdPath };
  }

  async markdownFiles(stem: string) {
    const files = this.filesFor(stem);
    const pages = await this.pageFiles(files);
    if (pages.length === 0) throw new AppError('document_not_found');
    return {
      status: 'success',
      stem,
      total_pages: pages.length,
      files: pages.map((p) => ({ page_no: p, filename: path.basename(files.markdownNoHeaderFooter(p + 1)), path: files.markdownNoHeaderFooter(p + 1), with_header_footer: files.markdown(p + 1) })),
    };
  }

  /**
   * The page image with layout boxes (`_page_<i>.jpg`, `pageNo` from 0). Pages read from their
   * text layer get theirs drawn on this first request (see page-previews.ts).
   */
  async pageImage(stem: string, pageNo: number): Promise<string> {
    const file = this.filesFor(stem).preview(pageNo + 1);
    if (await fs.stat(file).catch(() => null)) return file;
    const conv = this.store.latestByStem(stem, 'completed');
    if (conv && this.previews && pageNo < (conv.total_pages ?? 0)) return this.previews.file(conv, pageNo + 1);
    throw new AppError('page_not_found', `No page image ${pageNo} for "${stem}"; images are made for the layout prompt modes.`);
  }

  private filesFor(stem: string): ConversionFiles {
    if (stem === '' || stem.includes('..') || /[/\\\0]/.test(stem)) throw new AppError('document_not_found');
    const conv = this.store.latestByStem(stem, 'completed');
    return new ConversionFiles(this.config.OUTPUT_DIR, this.config.DATA_DIR, conv?.output_stem ?? stem, conv?.id ?? '');
  }

  /** 0-based page numbers that have a `_nohf.md` file. */
  private async pageFiles(files: ConversionFiles): Promise<number[]> {
    const names = await fs.readdir(files.outDir).catch(() => [] as string[]);
    const re = new RegExp(`^${files.stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_page_(\\d+)_nohf\\.md$`);
    return names.flatMap((n) => { const m = re.exec(n); return m ? [Number(m[1])] : []; }).sort((a, b) => a - b);
  }
}
