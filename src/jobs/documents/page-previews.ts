import fs from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { writeFileAtomic } from '../../outputs/conversion-files.js';
import type { ConversionRow } from '../../schemas/conversion-rows.js';
import type { BlobStore } from '../contracts/blob-store.js';
import type { ConversionStore } from '../contracts/conversion-store.js';
import type { DocumentTasks } from '../contracts/page-runner.js';
import { SingleFlight } from './single-flight.js';

/**
 * The `_page_<i>.jpg` of pages read from their text layer. Those pages are never rendered while a
 * document converts (a render costs ~25 times what reading the text does), so their picture is
 * drawn by the pool on the first request and kept on disk beside the other page files.
 */
export class PagePreviews {
  /** One drawing per file at a time: a viewer asking twice waits for the first. */
  private readonly drawings = new SingleFlight<string>();
  private readonly lifetime = new AbortController();

  constructor(
    private readonly config: Config,
    private readonly tasks: Pick<DocumentTasks, 'pagePreview'>,
    private readonly blobs: BlobStore,
    private readonly store: Pick<ConversionStore, 'passwordOf'>,
    private readonly log: Logger,
  ) {}

  /** The preview file of page `pageNo` (1-based) of `row`, drawn now if it is missing. */
  async file(row: ConversionRow, pageNo: number): Promise<string> {
    const target = this.blobs.files(row).preview(pageNo);
    if (await fs.stat(target).catch(() => null)) return target;
    return this.drawings.run(target, () => this.draw(row, pageNo, target));
  }

  private async draw(row: ConversionRow, pageNo: number, target: string): Promise<string> {
    const page = await this.blobs.readPage(row, pageNo);
    if (!page || row.kind !== 'pdf' || page.source !== 'text-layer') {
      throw new AppError('page_not_found', `No page image ${pageNo - 1} for "${row.output_stem}"; scanned pages get theirs while they are read, in the layout prompt modes.`);
    }
    // The password through the store: a row holds it sealed when SECRET_KEY (or the key file) is set.
    const result = await this.tasks.pagePreview({
      path: this.blobs.sourcePath(row),
      page_no: pageNo,
      password: this.store.passwordOf(row),
      max_megapixels: this.config.MAX_PAGE_MEGAPIXELS,
      page_width: page.width,
      blocks: page.blocks,
    }, this.lifetime.signal, this.config.PAGE_TIMEOUT_S * 1000);
    if (!result.ok) {
      this.log.warn({ conversion_id: row.id, page: pageNo, code: result.error.code, reason: result.error.message }, 'page preview not drawn');
      throw new AppError('page_not_found', `The image of page ${pageNo - 1} could not be drawn (${result.error.code}); the original document may have been removed.`);
    }
    try {
      await writeFileAtomic(target, result.value);
    } catch (err) {
      // The conversion was deleted (or expired) while its page was being drawn.
      this.log.warn({ conversion_id: row.id, page: pageNo, err }, 'page preview not stored');
      throw new AppError('page_not_found', `The image of page ${pageNo - 1} could not be stored; the conversion may have been removed.`);
    }
    return target;
  }

  /** Stops drawings in progress (shutdown). */
  close(): void {
    this.lifetime.abort();
  }
}
