import type { PageSummary, ProgressMessage } from '../../schemas/conversion.js';
import type { ConversionRow } from '../../schemas/conversion-rows.js';
import type { PageSource } from '../../schemas/page-result.js';
import { etaIso, progressOf, type BatchCounts } from './conversion-records.js';

export type ProcessingStep = 'inspected' | 'page_done' | 'page_failed' | 'assembling';

/** A `processing` frame: where a running conversion stands after `step`. */
export function processingFrame(
  row: ConversionRow, step: ProcessingStep, page: { source: PageSource | null; durationMs: number | null },
  eta: number | null, batches: BatchCounts | null,
): ProgressMessage {
  return {
    conversion_id: row.id, status: 'processing', step, progress: progressOf(row), message: step === 'assembling' ? 'Assembling results' : row.message,
    current_page: row.last_page, total_pages: row.total_pages, pages_completed: row.pages_done, pages_failed: row.pages_failed,
    source: page.source, page_duration_ms: page.durationMs, estimated_seconds_remaining: eta, estimated_completion_iso: etaIso(eta),
    batches, timestamp: new Date().toISOString(),
  };
}

/**
 * The frame that ended a conversion, from its stored row (and, once completed, its page summaries).
 * The one builder of it: the workflow publishes it when the conversion ends, and a WebSocket
 * subscriber that comes later gets the same frame rebuilt from the store. Null while it runs.
 */
export function terminalFrame(row: ConversionRow, results: PageSummary[] = []): ProgressMessage | null {
  const base = { conversion_id: row.id, message: row.message, timestamp: row.completed_at ?? new Date().toISOString() };
  switch (row.status) {
    case 'completed':
      return { ...base, status: 'completed', progress: 100, results, failed_pages: results.flatMap((r) => (r.error ? [r.error] : [])) };
    case 'error':
      return { ...base, status: 'error', progress: 0, error: row.error ?? '', error_code: row.error_code ?? 'render_failed' };
    case 'cancelled':
      return { ...base, status: 'cancelled', progress: progressOf(row) };
    default:
      return null;
  }
}
