import fs from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import type { ConversionFiles } from '../../outputs/conversion-files.js';
import { displayName, safeStem, sniffFile } from '../../intake/input-files.js';
import type { BlobStore } from '../contracts/blob-store.js';
import type { ConversionStore } from '../contracts/conversion-store.js';
import type { PagePreviews } from './page-previews.js';

/**
 * The seed's document routes: files in INPUT_DIR and their converted Markdown. A document is
 * addressed by its stem; the latest completed conversion of that stem answers, and output folders
 * written by the older backend (no record) are still served.
 *
 * With API keys on (`owner` set) a key sees only its own: documents it uploaded or converted, and
 * the results of its own conversions; output folders without a record are not served then.
 */
export class DocumentLibrary {
  constructor(
    private readonly config: Config,
    private readonly store: ConversionStore,
    private readonly blobs: BlobStore,
    private readonly previews?: PagePreviews,
  ) {}

  /** Moves an upload into INPUT_DIR under a safe, unused name. The type is checked from the bytes. */
  async upload(tmpPath: string, originalName: string, owner: string | null = null) {
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
        if (owner) this.store.recordUpload(name, owner);
        return { status: 'success', filename: name, file_path: this.shown(target), file_size: size, upload_time: new Date().toISOString() };
      }
      throw new AppError('invalid_filename', 'Too many files with this name in the input folder; rename the file.');
    } finally {
      await fs.rm(tmpPath, { force: true });
    }
  }

  async documents(owner: string | null = null) {
    const entries = await fs.readdir(this.config.INPUT_DIR, { withFileTypes: true }).catch(() => []);
    const mine = owner ? this.store.inputNamesOf(owner) : null;
    const documents = [];
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.startsWith('.') || (mine && !mine.has(entry.name))) continue;
      const file = path.join(this.config.INPUT_DIR, entry.name);
      const stat = await fs.stat(file).catch(() => null);
      if (!stat) continue;
      const stem = safeStem(entry.name);
      const conv = this.store.latestByStem(stem, 'completed', owner);
      // A key with no completed conversion of its own must not see another key's output folder.
      const files = owner && !conv ? null : this.filesFor(stem, owner);
      const markdownPath = files?.markdownNoHeaderFooter(1) ?? '';
      const exists = files ? await fs.access(markdownPath).then(() => true, () => false) : false;
      const pageCount = conv?.total_pages ?? (files ? (await this.pageFiles(files)).length : 0);
      documents.push({
        filename: entry.name,
        file_path: this.shown(file),
        file_size: stat.size,
        upload_time: stat.mtime.toISOString(),
        markdown_exists: exists,
        markdown_path: exists ? this.shown(markdownPath) : null,
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
  async markdown(stem: string, pageNo?: number, owner: string | null = null) {
    const files = this.filesFor(stem, owner);
    const pages = await this.pageFiles(files);
    if (pages.length === 0) throw new AppError('document_not_found');
    if (pageNo === undefined) {
      const parts = await Promise.all(pages.map((p) => fs.readFile(files.markdownNoHeaderFooter(p + 1), 'utf8')));
      return { status: 'success', filename: stem, page_no: null, total_pages: pages.length, content: parts.join('\n---\n\n'), markdown_path: this.shown(files.document('md')) };
    }
    if (!pages.includes(pageNo)) throw new AppError('page_not_found', `Page ${pageNo} does not exist; page_no runs from 0 to ${pages.reduce((a, b) => Math.max(a, b), 0)}.`);
    const mdPath = files.markdownNoHeaderFooter(pageNo + 1);
    return { status: 'success', filename: stem, page_no: pageNo, total_pages: pages.length, content: await fs.readFile(mdPath, 'utf8'), markdown_path: this.shown(mdPath) };
  }

  async markdownFiles(stem: string, owner: string | null = null) {
    const files = this.filesFor(stem, owner);
    const pages = await this.pageFiles(files);
    if (pages.length === 0) throw new AppError('document_not_found');
    return {
      status: 'success',
      stem,
      total_pages: pages.length,
      files: pages.map((p) => ({
        page_no: p,
        filename: path.basename(files.markdownNoHeaderFooter(p + 1)),
        path: this.shown(files.markdownNoHeaderFooter(p + 1)),
        with_header_footer: this.shown(files.markdown(p + 1)),
      })),
    };
  }

  /**
   * The page image with layout boxes (`_page_<i>.jpg`, `pageNo` from 0). Pages read from their
   * text layer get theirs drawn on this first request (see page-previews.ts).
   */
  async pageImage(stem: string, pageNo: number, owner: string | null = null): Promise<string> {
    const file = this.filesFor(stem, owner).preview(pageNo + 1);
    if (await fs.stat(file).catch(() => null)) return file;
    const conv = this.store.latestByStem(stem, 'completed', owner);
    if (conv && this.previews && pageNo < (conv.total_pages ?? 0)) return this.previews.file(conv, pageNo + 1);
    throw new AppError('page_not_found', `No page image ${pageNo} for "${stem}"; images are made for the layout prompt modes.`);
  }

  /** A file as clients see it: `input/…` or `output/…`, never the server's absolute path. */
  private shown(file: string): string {
    for (const [root, label] of [[this.config.INPUT_DIR, 'input'], [this.config.OUTPUT_DIR, 'output']] as const) {
      const rel = path.relative(root, file);
      if (!rel.startsWith('..') && !path.isAbsolute(rel)) return `${label}/${rel.split(path.sep).join('/')}`;
    }
    return path.basename(file);
  }

  private filesFor(stem: string, owner: string | null): ConversionFiles {
    if (stem === '' || stem.includes('..') || /[/\\\0]/.test(stem)) throw new AppError('document_not_found');
    const conv = this.store.latestByStem(stem, 'completed', owner);
    if (owner && !conv) throw new AppError('document_not_found');
    return conv ? this.blobs.files(conv) : this.blobs.legacyFiles(stem);
  }

  /** 0-based page numbers that have a `_nohf.md` file. */
  private async pageFiles(files: ConversionFiles): Promise<number[]> {
    const names = await fs.readdir(files.outDir).catch(() => [] as string[]);
    const re = new RegExp(`^${files.stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_page_(\\d+)_nohf\\.md$`);
    return names.flatMap((n) => { const m = re.exec(n); return m ? [Number(m[1])] : []; }).sort((a, b) => a - b);
  }
}
