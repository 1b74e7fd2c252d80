import { z } from 'zod';
import { CONVERSION_ERROR_CODES } from '../errors.js';
import type { Envelope, PageOutput } from './page-result.js';

/**
 * What worker nodes send to the API node's internal routes, checked field by field: a node holds
 * the cluster secret, but a body is still input. A page's result must be the page it was sent
 * (its number decides the file names it is written under), its texts strings, its bytes bytes.
 */

/** A worker node's heartbeat. */
export const nodeBeatSchema = z.object({
  node: z.string().min(1).max(200),
  threads: z.number().int().min(0).max(4096),
  busy: z.number().int().min(0).max(4096),
  state: z.enum(['taking_pages', 'quarantined']).default('taking_pages'),
  reason: z.string().max(500).optional(),
});

const bytes = z.instanceof(Uint8Array);
const text = z.string();

/** The posted envelope of the page `pageNo` (unknown keys are dropped, `node_lost` among them). */
export function pageEnvelopeSchema(pageNo: number): z.ZodType<Envelope<PageOutput>> {
  const value = z.object({
    page: z.object({
      page_no: z.literal(pageNo),
      source: z.enum(['text-layer', 'ocr']),
      confidence: z.number().or(z.nan()),
      duration_ms: z.number().finite().min(0),
    }),
    files: z.object({ result: text, cells: text.optional(), markdown: text.optional(), markdownNoHeaderFooter: text.optional() }),
    textLayerPdf: bytes.optional(),
    preview: bytes.optional(),
  });
  const error = z.object({ code: z.enum(CONVERSION_ERROR_CODES), message: z.string().max(10_000) });
  return z.union([
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error }),
  ]) as z.ZodType<Envelope<PageOutput>>;
}
