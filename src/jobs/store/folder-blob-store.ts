import fs from 'node:fs/promises';
import type { PageSummary } from '../../schemas/conversion.js';
import type { ConversionRow } from '../../schemas/conversion-rows.js';
import type { PageOutput, PageResult } from '../../schemas/page-result.js';
import { conversionFiles, type ConversionFiles } from '../../outputs/conversion-files.js';
import { readPageResult, writePageOutputs } from '../../outputs/page-output.js';
import type { BlobStore } from '../contracts/blob-store.js';

/** Sources and outputs in local folders: OUTPUT_DIR for results, DATA_DIR for internal page files. */
export class FolderBlobStore implements BlobStore {
  constructor(private readonly dirs: { OUTPUT_DIR: string; DATA_DIR: string }) {}

  files(row: ConversionRow): ConversionFiles {
    return conversionFiles(this.dirs, row);
  }

  legacyFiles(stem: string): ConversionFiles {
    return conversionFiles(this.dirs, { output_stem: stem, id: '' });
  }

  prepare(row: ConversionRow): Promise<void> {
    return this.files(row).prepare();
  }

  writePage(row: ConversionRow, output: PageOutput): Promise<void> {
    return writePageOutputs(this.files(row), output);
  }

  readPage(row: ConversionRow, pageNo: number): Promise<PageResult | null> {
    return readPageResult(this.files(row), pageNo);
  }

  async readResults(row: ConversionRow): Promise<PageSummary[]> {
    const lines = await fs.readFile(this.files(row).jsonl(), 'utf8').catch(() => '');
    // A damaged line (a disk that filled up mid-write) is skipped rather than failing the reader.
    return lines.split('\n').filter(Boolean).flatMap((l) => {
      try {
        const { file_path: _internal, ...summary } = JSON.parse(l) as PageSummary & { file_path?: string };
        return [summary];
      } catch {
        return [];
      }
    });
  }

  sourcePath(row: ConversionRow): string {
    return row.source_path;
  }

  async remove(row: ConversionRow): Promise<void> {
    await this.files(row).remove();
    if (row.source_is_upload) await fs.rm(row.source_path, { force: true });
  }
}
