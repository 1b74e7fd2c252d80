import fs from 'node:fs/promises';
import path from 'node:path';
import { fileWriter } from './file-writer.js';
import { pageLogs } from './page-log.js';
import { fileEnding, type OutputFormat } from '../schemas/convert-options.js';

/**
 * Where a conversion's files live. User-facing results go under OUTPUT_DIR in the seed layout
 * (`<stem>/<stem>_page_<i>.json|.md|_nohf.md`, `<stem>.jsonl`, page index i from 0); each page's
 * full result (blocks, lines, words) is internal and lives under DATA_DIR.
 */
export class ConversionFiles {
  readonly outDir: string;
  readonly pagesDir: string;

  constructor(readonly outputRoot: string, dataRoot: string, readonly stem: string, readonly conversionId: string) {
    this.outDir = path.join(outputRoot, stem);
    this.pagesDir = path.join(dataRoot, 'conversions', conversionId, 'pages');
  }

  /** Every page's full result, appended as pages finish (see page-log.ts). */
  pageLog(): string {
    return path.join(path.dirname(this.pagesDir), 'pages.log');
  }

  /** Full result of page n (1-based), as versions before the page log stored it (still read). */
  pageResult(n: number): string {
    return path.join(this.pagesDir, `${n}.json`);
  }

  /** tesseract's invisible-text PDF page, kept until the searchable PDF is built. */
  textLayer(n: number): string {
    return path.join(this.pagesDir, `${n}.layer.pdf`);
  }

  /** The seed's page image with the layout boxes drawn. */
  preview(n: number): string {
    return path.join(this.outDir, `${this.stem}_page_${n - 1}.jpg`);
  }

  cells(n: number): string {
    return path.join(this.outDir, `${this.stem}_page_${n - 1}.json`);
  }

  markdown(n: number): string {
    return path.join(this.outDir, `${this.stem}_page_${n - 1}.md`);
  }

  markdownNoHeaderFooter(n: number): string {
    return path.join(this.outDir, `${this.stem}_page_${n - 1}_nohf.md`);
  }

  /** A whole-document format's file (`<stem>.chunks.jsonl` for chunks, `<stem>.pdfa.pdf` for PDF/A). */
  document(format: OutputFormat): string {
    return path.join(this.outDir, `${this.stem}.${fileEnding(format)}`);
  }

  jsonl(): string {
    return path.join(this.outputRoot, `${this.stem}.jsonl`);
  }

  async prepare(): Promise<void> {
    // Not recursive: a recursive mkdir reports a read-only disk as ENOENT, hiding the real cause.
    await fs.mkdir(this.outputRoot, { recursive: true });
    await fs.mkdir(this.outDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    await fs.mkdir(this.pagesDir, { recursive: true });
  }

  async remove(): Promise<void> {
    await fs.rm(this.outDir, { recursive: true, force: true });
    await fs.rm(this.jsonl(), { force: true });
    await fs.rm(path.dirname(this.pagesDir), { recursive: true, force: true });
    pageLogs.forget(this.pageLog());
  }
}

/** The files of a stored conversion. */
export function conversionFiles(config: { OUTPUT_DIR: string; DATA_DIR: string }, row: { output_stem: string; id: string }): ConversionFiles {
  return new ConversionFiles(config.OUTPUT_DIR, config.DATA_DIR, row.output_stem, row.id);
}

/** `data` under `file`, made under a temporary name and renamed into place: readers never see half a file. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fileWriter.run([{ op: 'write', file, data }]);
}

/**
 * `file` as a second name of `existing`, replacing whatever `file` was atomically: the same text
 * with no second copy, and no new inode (on a busy ext4 disk, creating an inode is most of what
 * writing a small file costs).
 */
export async function linkFileAtomic(existing: string, file: string): Promise<void> {
  await fileWriter.run([{ op: 'link', existing, file }]);
}
