import { z } from 'zod';
import { CONVERSION_ERROR_CODES } from '../errors.js';

/** Wire types: what clients send and receive. Routes validate with these; docs are built from them. */

export const PROMPT_MODES = ['prompt_layout_all_en', 'prompt_layout_only_en', 'prompt_ocr'] as const;
export const promptModeSchema = z.enum(PROMPT_MODES);
export type PromptMode = z.infer<typeof promptModeSchema>;

export const PRIORITIES = ['high', 'normal', 'low'] as const;
export const prioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof prioritySchema>;

/** Exactly the seed's values plus `cancelled`; never `failed` (clients wait for `error`). */
export const CONVERSION_STATUSES = ['pending', 'processing', 'completed', 'error', 'cancelled'] as const;
export const conversionStatusSchema = z.enum(CONVERSION_STATUSES);
export type ConversionStatus = z.infer<typeof conversionStatusSchema>;
export const TERMINAL_STATUSES: readonly ConversionStatus[] = ['completed', 'error', 'cancelled'];

export const errorCodeSchema = z.enum(CONVERSION_ERROR_CODES);

export const batchesSchema = z.object({
  total: z.number().int(), completed: z.number().int(), active: z.number().int(), failed: z.number().int(), pending: z.number().int(),
});

export const failedPageSchema = z.object({ page_no: z.number().int(), code: errorCodeSchema, message: z.string() });

/** GET /conversion-status/:id and GET /conversions/:id. The first nine fields are the seed's. */
export const conversionRecordSchema = z.object({
  id: z.string(),
  filename: z.string(),
  status: conversionStatusSchema,
  progress: z.number().int().min(0).max(100),
  message: z.string(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  error: z.string().nullable(),
  error_code: errorCodeSchema.nullable(),
  prompt_mode: promptModeSchema,
  priority: prioritySchema,
  output_stem: z.string(),
  formats: z.array(z.string()).describe('the result formats this conversion produces'),
  lang: z.string(),
  total_pages: z.number().int().nullable(),
  pages_completed: z.number().int(),
  pages_failed: z.number().int(),
  current_page: z.number().int().nullable(),
  failed_pages: z.array(failedPageSchema),
  estimated_seconds_remaining: z.number().nullable(),
  estimated_completion_iso: z.string().nullable(),
  batches: batchesSchema.nullable(),
});
export type ConversionRecord = z.infer<typeof conversionRecordSchema>;

/** One entry of `results` on completion: the dots.ocr per-page result keys, plus ours. */
export const pageSummarySchema = z.object({
  page_no: z.number().int().describe('0-based, as in the seed file names'),
  page_number: z.number().int().describe('1-based, as in /conversions/:id/pages/:n'),
  status: z.enum(['done', 'failed']),
  source: z.enum(['text-layer', 'ocr']).nullable(),
  source_reason: z.string().nullable().describe("why: text-layer, no-text-layer, ocr-forced, or 'implausible-text-layer: <why>'"),
  confidence: z.number().nullable(),
  rotation: z.number().nullable().describe('degrees the page was turned (clockwise) to read it upright'),
  blank: z.boolean().nullable(),
  input_width: z.number().nullable(),
  input_height: z.number().nullable(),
  layout_info_path: z.string().nullable(),
  layout_image_path: z.string().nullable(),
  md_content_path: z.string().nullable(),
  md_content_nohf_path: z.string().nullable(),
  error: failedPageSchema.nullable(),
});
export type PageSummary = z.infer<typeof pageSummarySchema>;

export const acceptedReplySchema = z.object({
  status: z.literal('accepted'),
  conversion_id: z.string(),
  filename: z.string(),
  message: z.string(),
  queue_size: z.number().int(),
  active_tasks: z.number().int(),
  status_endpoint: z.string(),
  websocket_endpoint: z.string(),
  cancel_endpoint: z.string(),
  processing_strategy: z.literal('page-batches'),
  batch_size: z.number().int(),
  /** Known once the document is inspected; a repeated request (Idempotency-Key) after that has them. */
  total_pages: z.number().int().nullable(),
  estimated_batches: z.number().int().nullable(),
  estimated_completion_minutes: z.number().nullable(),
});
export type AcceptedReply = z.infer<typeof acceptedReplySchema>;

/** WebSocket frames on /ws/conversion/:id. The first frame is a snapshot: the full record. */
const wsBase = { conversion_id: z.string(), progress: z.number().int(), message: z.string(), timestamp: z.string() };
export const wsProcessingSchema = z.object({
  ...wsBase,
  status: z.literal('processing'),
  step: z.enum(['inspected', 'page_done', 'page_failed', 'assembling']),
  current_page: z.number().int().nullable(),
  total_pages: z.number().int().nullable(),
  pages_completed: z.number().int(),
  pages_failed: z.number().int(),
  source: z.enum(['text-layer', 'ocr']).nullable(),
  page_duration_ms: z.number().nullable(),
  estimated_seconds_remaining: z.number().nullable(),
  estimated_completion_iso: z.string().nullable(),
  batches: batchesSchema.nullable(),
});
export const wsCompletedSchema = z.object({ ...wsBase, status: z.literal('completed'), results: z.array(pageSummarySchema), failed_pages: z.array(failedPageSchema) });
export const wsErrorSchema = z.object({ ...wsBase, status: z.literal('error'), error: z.string(), error_code: errorCodeSchema });
export const wsCancelledSchema = z.object({ ...wsBase, status: z.literal('cancelled') });
export const wsSnapshotSchema = conversionRecordSchema.extend({ type: z.literal('snapshot'), conversion_id: z.string() });

export type WsProcessing = z.infer<typeof wsProcessingSchema>;
export type WsCompleted = z.infer<typeof wsCompletedSchema>;
export type WsError = z.infer<typeof wsErrorSchema>;
export type WsCancelled = z.infer<typeof wsCancelledSchema>;
export type ProgressMessage = WsProcessing | WsCompleted | WsError | WsCancelled;
