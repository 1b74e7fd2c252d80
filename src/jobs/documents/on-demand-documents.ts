import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../../errors.js';
import { buildDocuments } from '../../outputs/assemble-document.js';
import type { ConversionRow } from '../../schemas/conversion-rows.js';
import type { OutputFormat, TextFormat } from '../../schemas/convert-options.js';
import { storageFailure } from '../../storage-errors.js';
import type { BlobStore } from '../contracts/blob-store.js';
import type { ConversionStore } from '../contracts/conversion-store.js';
import { onDemandFormatsOf } from '../workflow/conversion-records.js';
import { SingleFlight } from './single-flight.js';

/**
 * The documents a conversion makes on their first download rather than when it completes
 * (ON_DEMAND_FORMATS, when `formats` was not given): the JSON, hOCR and ALTO of a 250-page paper
 * are ~80 MB that most conversions never fetch. Built from the stored page results, once, and kept
 * beside the other documents; a file that went missing is built again the same way.
 */
export class OnDemandDocuments {
  /** One build per file at a time: a second download waits for the first. */
  private readonly builds = new SingleFlight<void>();

  constructor(private readonly store: ConversionStore, private readonly blobs: BlobStore, private readonly log: Logger) {}

  /** Output folders whose conversion is being deleted: no build starts in them. */
  private readonly removing = new Set<string>();

  /**
   * Runs `removal` (deleting `row`'s files and record) once no build of its documents is running,
   * and refuses builds until it is done: a download that raced the delete would otherwise create
   * files in the folder while it was being removed (ENOTEMPTY), or after.
   */
  async whileRemoving<T>(row: ConversionRow, removal: () => Promise<T>): Promise<T> {
    const dir = this.blobs.files(row).outDir;
    this.removing.add(dir);
    try {
      await this.builds.settled((file) => path.dirname(file) === dir);
      return await removal();
    } finally {
      this.removing.delete(dir);
    }
  }

  /** Makes `format` of the completed conversion `row` when it is one made on download and its file is missing. */
  async ensure(row: ConversionRow, format: OutputFormat): Promise<void> {
    if (!(onDemandFormatsOf(row) as string[]).includes(format)) return;
    const files = this.blobs.files(row);
    const target = files.document(format);
    if (await fs.stat(target).catch(() => null)) return;
    // Checked in the same tick as the build is registered, so a delete either waits for it or is seen here.
    if (this.removing.has(files.outDir)) throw new AppError('conversion_not_found', 'The conversion was deleted while its document was being made.');
    await this.builds.run(target, () => this.build(row, format as TextFormat));
  }

  private async build(row: ConversionRow, format: TextFormat): Promise<void> {
    const started = performance.now();
    const meta = { conversionId: row.id, filename: row.filename, promptMode: row.prompt_mode, chunkTokens: row.chunk_tokens };
    try {
      await buildDocuments(this.blobs.files(row), this.store.pages(row.id), meta, [format]);
    } catch (err) {
      this.log.warn({ conversion_id: row.id, format, err }, 'document not built');
      // Deleted meanwhile (its folder went first, then its record).
      const gone = (err as NodeJS.ErrnoException).code === 'ENOENT' && !(await fs.stat(this.blobs.files(row).outDir).catch(() => null));
      if (gone || !this.store.get(row.id)) throw new AppError('conversion_not_found', 'The conversion was deleted while its document was being made.');
      const storage = storageFailure(err, `The ${format} document`);
      throw storage ? new AppError(storage.code, storage.message) : new AppError('internal_error');
    }
    this.log.info({ conversion_id: row.id, format, pages: row.total_pages, ms: Math.round(performance.now() - started) }, 'document made on first download');
  }
}
