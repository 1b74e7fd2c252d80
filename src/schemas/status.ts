import { z } from 'zod';
import { conversionStatusSchema } from './conversion.js';

/** Wire types of the status routes (documented in OpenAPI; the service builds these shapes). */
/** A worker node of a cluster (distributed mode), as it last reported itself. */
export const clusterNodeSchema = z.object({
  node: z.string(),
  threads: z.number().int(),
  busy: z.number().int(),
  state: z.enum(['taking_pages', 'quarantined'])
    .describe('quarantined: its pages kept failing fast on it, so it takes none for a while (its threads are not counted)'),
  reason: z.string().optional().describe('why the node is quarantined'),
});
export type ClusterNode = z.infer<typeof clusterNodeSchema>;

export const poolStatusSchema = z.object({
  status: z.literal('ok'),
  queue_size: z.number().int().describe('accepted conversions waiting'),
  active_tasks: z.number().int().describe('conversions with work running now'),
  num_workers: z.number().int(),
  pages_queued: z.number().int().describe('pages waiting for a worker'),
  pages_active: z.number().int().describe('pages started and not finished: on a worker, or having their results stored (the next page starts meanwhile)'),
  busy_workers: z.number().int().describe('worker threads running a task now'),
  worker_threads: z.number().int(),
  accepting: z.boolean(),
  ocr_engine: z.enum(['native', 'wasm']).describe('the engine that reads pages: the tesseract binary, or tesseract.js (OCR_ENGINE)'),
  cluster: z.object({
    nodes: z.array(clusterNodeSchema),
    refused: z.array(z.object({ address: z.string(), last_seen: z.string() }))
      .describe('addresses that presented a wrong CLUSTER_SECRET in the last minute: misconfigured nodes, which take no pages'),
  }).optional()
    .describe('distributed mode: the worker nodes heard from in the last seconds (worker_threads and busy_workers are their sums)'),
});

export const healthSchema = z.object({
  status: z.enum(['healthy', 'degraded', 'shutting_down']), service: z.literal('pagemill'), version: z.string(),
  num_workers: z.number().int(), active_tasks: z.number().int(), queue_size: z.number().int(),
  storage: z.string().optional().describe('with status "degraded": why writes fail (disk full, read-only…)'),
});

export const readinessSchema = z.object({
  ready: z.boolean(), checks: z.record(z.string(), z.boolean()),
  reason: z.string().optional().describe('when not ready: which check fails and why'),
});

export const statsSchema = z.object({
  conversions: z.record(conversionStatusSchema, z.number().int()),
  pages_per_minute: z.object({ last_1_min: z.number(), last_5_min: z.number(), last_15_min: z.number() }),
  queue: z.object({ pages_outstanding: z.number(), pages_queued: z.number(), pages_active: z.number(), conversions_waiting: z.number(), conversions_active: z.number() }),
  mean_wait_seconds_last_hour: z.number().nullable(),
  queue_eta_seconds: z.number().nullable(),
  queue_eta_iso: z.string().nullable(),
  workers: z.object({ num_workers: z.number(), busy: z.number(), nodes: z.array(clusterNodeSchema).optional().describe('distributed mode: the worker nodes') }),
});

export const languagesSchema = z.object({
  languages: z.array(z.string()), default: z.string(), orientation_detection: z.boolean(),
  engine: z.enum(['native', 'wasm']).describe('the engine that reads pages on this server (OCR_ENGINE)'),
  engines: z.record(z.string(), z.array(z.enum(['native', 'wasm']))).describe('per language, the engines that can read it'),
});

export const uploadReplySchema = z.object({ status: z.literal('success'), filename: z.string(), file_path: z.string(), file_size: z.number(), upload_time: z.string() });

export const documentsReplySchema = z.object({
  status: z.literal('success'),
  total: z.number().int(),
  documents: z.array(z.object({
    filename: z.string(), file_path: z.string(), file_size: z.number(), upload_time: z.string(), markdown_exists: z.boolean(),
    markdown_path: z.string().nullable(), is_multipage: z.boolean(), stem: z.string(), conversion_id: z.string().nullable(), total_pages: z.number().nullable(),
  })),
});

export const markdownReplySchema = z.object({
  status: z.literal('success'), filename: z.string(), page_no: z.number().int().nullable(), total_pages: z.number().int(), content: z.string(), markdown_path: z.string(),
});

export const markdownFilesReplySchema = z.object({
  status: z.literal('success'), stem: z.string(), total_pages: z.number().int(),
  files: z.array(z.object({ page_no: z.number().int(), filename: z.string(), path: z.string(), with_header_footer: z.string() })),
});

export const errorReplySchema = z.object({ detail: z.string(), code: z.string() });
