import type { PageSummary } from '../../schemas/conversion.js';
import type { ConversionRow } from '../../schemas/conversion-rows.js';
import type { PageOutput, PageResult } from '../../schemas/page-result.js';
import type { ConversionFiles } from '../../outputs/conversion-files.js';

/**
 * The bytes of a conversion: its source document and its page outputs and assembled documents.
 * Local: the folders INPUT_DIR, DATA_DIR/uploads, OUTPUT_DIR and DATA_DIR/conversions.
 */
export interface BlobStore {
  /** Where the conversion's outputs live (documents are served from these paths). */
  files(row: ConversionRow): ConversionFiles;
  /** An output folder the older backend wrote for `stem` (no record), which the seed's routes still serve. */
  legacyFiles(stem: string): ConversionFiles;
  /** Creates the conversion's output folders. */
  prepare(row: ConversionRow): Promise<void>;
  /** Stores one finished page's outputs (made for the conversion's prompt mode); the page counts as done only after this resolves. */
  writePage(row: ConversionRow, output: PageOutput): Promise<void>;
  readPage(row: ConversionRow, pageNo: number): Promise<PageResult | null>;
  /** The `results` of an assembled conversion (its .jsonl), without internal paths; damaged lines skipped. */
  readResults(row: ConversionRow): Promise<PageSummary[]>;
  /** The path a page task reads the source document from. */
  sourcePath(row: ConversionRow): string;
  /** Removes the outputs, and the source when it was an upload. */
  remove(row: ConversionRow): Promise<void>;
}
