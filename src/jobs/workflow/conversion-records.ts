import { AppError } from '../../errors.js';
import type { ConversionRecord } from '../../schemas/conversion.js';
import type { OutputFormat, TextFormat } from '../../schemas/convert-options.js';
import type { ConversionRow, PageRow } from '../../schemas/conversion-rows.js';

/** Row → wire record. Progress counts failed pages as finished: they will not be retried. */
export function progressOf(row: ConversionRow): number {
  if (row.status === 'completed') return 100;
  if (!row.total_pages) return 0;
  return Math.min(99, Math.floor((100 * (row.pages_done + row.pages_failed)) / row.total_pages));
}

export interface BatchCounts { total: number; completed: number; active: number; failed: number; pending: number }

/**
 * Batches are the reporting unit of large documents: a batch is finished when all its pages
 * are; `failed` counts finished batches with at least one failed page.
 */
export function batchCounts(groups: { finished: number; failed: number; running: number; n: number }[]): BatchCounts {
  const out = { total: groups.length, completed: 0, active: 0, failed: 0, pending: 0 };
  for (const g of groups) {
    if (g.finished === g.n) out[g.failed > 0 ? 'failed' : 'completed']++;
    else if (g.running > 0 || g.finished > 0) out.active++;
    else out.pending++;
  }
  return out;
}

export function etaIso(seconds: number | null, now = Date.now()): string | null {
  return seconds === null ? null : new Date(now + seconds * 1000).toISOString();
}

/** `eta`: seconds left, measured by the process running the pages (page-timings.ts). */
export function toRecord(
  row: ConversionRow, pages: PageRow[] = [], batches: BatchCounts | null = null, eta: number | null = null,
): ConversionRecord {
  return {
    id: row.id,
    filename: row.filename,
    status: row.status,
    progress: progressOf(row),
    message: row.message,
    created_at: row.created_at,
    started_at: row.started_at,
    completed_at: row.completed_at,
    error: row.error,
    error_code: row.error_code,
    prompt_mode: row.prompt_mode,
    priority: row.priority,
    output_stem: row.output_stem,
    formats: row.formats.split(','),
    lang: row.lang,
    total_pages: row.total_pages,
    pages_completed: row.pages_done,
    pages_failed: row.pages_failed,
    current_page: row.last_page,
    failed_pages: pages
      .filter((p) => p.status === 'failed')
      .map((p) => ({ page_no: p.page_no, code: p.error_code ?? 'render_failed', message: p.error ?? '' })),
    estimated_seconds_remaining: eta,
    estimated_completion_iso: etaIso(eta),
    batches,
  };
}

export const formatsOf = (row: ConversionRow) => row.formats.split(',') as OutputFormat[];
/** Of the conversion's formats, those made on their first download (see OnDemandDocuments). */
export const onDemandFormatsOf = (row: ConversionRow) => row.on_demand_formats.split(',').filter(Boolean) as TextFormat[];

/**
 * Why a page or result of this conversion will never exist, or null while it still may: a client
 * told "not ready" would wait forever for a cancelled or failed conversion.
 */
export function neverProduced(row: ConversionRow): AppError | null {
  if (row.status === 'cancelled') return new AppError('conversion_cancelled');
  if (row.status === 'error') {
    const why = row.error_code ? ` (${row.error_code}: ${row.error ?? ''})` : '';
    const detail = `The conversion ended with an error${why}; this page or result will never exist. Fix the input and convert again.`;
    return new AppError('conversion_failed', detail);
  }
  return null;
}
