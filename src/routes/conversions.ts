import fs from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { conversionRecordSchema, conversionStatusSchema } from '../schemas/conversion.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../schemas/convert-options.js';
import { statsSchema } from '../schemas/status.js';
import { docs } from './openapi.js';
import { DOCUMENT_FORMATS } from '../outputs/document-formats.js';
import { HTML_CSP } from '../outputs/html.js';
import type { AppDeps } from '../app-deps.js';
import { parseOr400 } from './parse.js';
import { statsScope } from '../http/auth.js';
import { contentDisposition } from '../http/content-disposition.js';

const idParams = z.object({ id: z.string().min(1).max(100) });
const pageParams = idParams.extend({ n: z.coerce.number().int().min(1) });
const listQuery = z.object({
  status: conversionStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const resultQuery = z.object({ format: z.enum(OUTPUT_FORMATS).default('md') });
const archiveQuery = z.object({
  previews: z.enum(['true', 'false', '1', '0']).default('false').describe('also the page images (layout boxes drawn), under previews/'),
  original: z.enum(['true', 'false', '1', '0']).default('false').describe('also the document as it was converted, under original/'),
});
const yes = (v: string) => v === 'true' || v === '1';
const listReplySchema = z.object({ conversions: z.array(conversionRecordSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

const FORMATS: Record<OutputFormat, string> = {
  ...Object.fromEntries(Object.entries(DOCUMENT_FORMATS).map(([k, f]) => [k, f.contentType])),
  pdf: 'application/pdf',
  pdfa: 'application/pdf',
} as Record<OutputFormat, string>;
type Format = OutputFormat;

/** pagemill's own routes under /conversions. */
export const conversionRoutes: FastifyPluginAsync<AppDeps> = async (app, { service, archive }) => {
  app.get('/conversions', docs({ summary: 'List conversions, newest first', tags: ['conversions'], querystring: listQuery, response: listReplySchema, errors: [400] }), async (request) => {
    const q = parseOr400(listQuery, request.query);
    const { items, total } = service.queries.list({ ...q, owner: request.owner });
    return { conversions: items, total, limit: q.limit, offset: q.offset };
  });

  app.get('/conversions/:id', docs({ summary: 'A conversion', tags: ['conversions'], params: idParams, response: conversionRecordSchema, errors: [404] }), async (request) => service.queries.get(parseOr400(idParams, request.params).id, request.owner));

  app.get('/conversions/:id/pages/:n', docs({
    summary: 'One page\'s result (blocks, lines, words, boxes), as soon as it is done', tags: ['conversions'], params: pageParams, errors: [404, 409],
  }), async (request) => {
    const { id, n } = parseOr400(pageParams, request.params);
    return service.queries.page(id, n, request.owner);
  });

  app.get('/conversions/:id/result', docs({
    summary: 'The whole document in one format', tags: ['conversions'], params: idParams, querystring: resultQuery,
    produces: Object.values(FORMATS), errors: [400, 404, 409],
  }), async (request, reply) => {
    const { id } = parseOr400(idParams, request.params);
    const format = ((request.query as { format?: string }).format ?? 'md') as string;
    if (!Object.hasOwn(FORMATS, format)) throw new AppError('invalid_format', `Unknown format "${format.slice(0, 20)}"; use one of: ${Object.keys(FORMATS).join(', ')}.`);
    const file = await service.queries.resultFile(id, format as Format, request.owner);
    const stream = fs.createReadStream(file.path);
    await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject)).catch(() => {
      throw new AppError('format_not_produced', 'The result file is missing; convert the document again.');
    });
    // The HTML document's own policy, also as a header: it is served from the API's origin.
    if (format === 'html') reply.header('content-security-policy', HTML_CSP).header('x-content-type-options', 'nosniff');
    return reply
      .header('content-type', FORMATS[format as Format])
      .header('content-disposition', contentDisposition(file.filename))
      .send(stream);
  });

  app.get('/conversions/:id/archive', docs({
    summary: 'The whole conversion as one zip: every format asked for, the original and the page previews when asked, and manifest.json', tags: ['conversions'],
    description: 'Streamed as it is made. manifest.json names the conversion, its source, formats and pages, and each file\'s size and SHA-256 (SHA256SUMS beside it, for sha256sum -c).',
    params: idParams, querystring: archiveQuery, produces: ['application/zip'], errors: [400, 404, 409],
  }), async (request, reply) => {
    const { id } = parseOr400(idParams, request.params);
    const { previews, original } = parseOr400(archiveQuery, request.query);
    const zip = await archive.open(id, request.owner, { previews: yes(previews), original: yes(original) });
    return reply.header('content-type', 'application/zip').header('content-disposition', contentDisposition(zip.filename)).send(zip.stream);
  });

  app.post('/conversions/:id/cancel', docs({ summary: 'Cancel: queued pages dropped, running pages stopped', tags: ['conversions'], params: idParams, response: conversionRecordSchema, errors: [404, 409] }), async (request) => service.operations.cancel(parseOr400(idParams, request.params).id, request.owner));
  // The older Celery backends' name for the same thing.
  app.post('/cancel-job/:id', docs({ summary: 'Cancel (the older backends\' name)', tags: ['conversions'], params: idParams, response: conversionRecordSchema, errors: [404, 409] }), async (request) => service.operations.cancel(parseOr400(idParams, request.params).id, request.owner));

  app.get('/stats', docs({ summary: 'Throughput, queue depth, waiting time, ETA', tags: ['operations'], response: statsSchema }), async (request) => service.queries.stats(statsScope(request)));

  app.delete('/conversions/:id', docs({ summary: 'Delete a conversion and its files (cancels it first)', tags: ['conversions'], params: idParams, errors: [404] }), async (request, reply) => {
    await service.operations.remove(parseOr400(idParams, request.params).id, request.owner);
    return reply.code(204).send();
  });
};
